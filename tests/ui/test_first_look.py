"""A first look that works (issue 26): the page's structure that the browser relies on."""

from __future__ import annotations

import gradio as gr

from playground.ui.layout import build_demo


def main_tabs(demo: gr.Blocks) -> gr.Tabs:
    (tabs,) = [
        block for block in demo.blocks.values() if isinstance(block, gr.Tabs) and block.elem_id == "main-tabs"
    ]
    return tabs


def test_the_tab_bar_holds_tabs_only_so_no_tab_is_drawn_twice(settings, manager):
    """The browser places each tab by its index among the bar's children: a gr.State made beside a tab (as the
    Train tab makes its download keys) shifted System by one, and gradio drew System twice once opened."""
    demo = build_demo(settings, manager)
    tabs = main_tabs(demo)
    assert all(isinstance(child, gr.Tab) for child in tabs.children)
    ids = [tab.id for tab in tabs.children]
    assert len(ids) == len(set(ids)) and "system" in ids
    strays = [block for block in demo.blocks.values() if isinstance(block, gr.State) and block.parent is tabs]
    assert not strays


def test_on_a_narrow_screen_the_tab_names_wrap_instead_of_hiding_in_a_menu(settings, manager):
    assert main_tabs(build_demo(settings, manager)).overflow_behavior == "wrap"
