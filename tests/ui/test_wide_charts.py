"""A chart laid out wider than a phone (the logit lens: a column of words per token) sits in a `.wide-chart`
box, which scrolls sideways (assets/style.css); without it the page cuts the chart at the screen's edge, its
title and its last tokens out of reach (Experiments' knock-out lens at 390 px in 中文, issue 26)."""

from __future__ import annotations

import gradio as gr

from playground.ui.language import english_text
from playground.ui.layout import build_demo

WIDE = {"Logit lens", "Activation patching", "Cross-attention"}  # the charts that can outgrow the page


def test_every_logit_lens_scrolls_sideways_on_a_phone(settings, manager):
    demo = build_demo(settings, manager)
    plots = [
        block
        for block in demo.blocks.values()
        if isinstance(block, gr.Plot) and english_text(block.label) in WIDE
    ]
    lenses = [plot for plot in plots if english_text(plot.label) == "Logit lens"]
    assert len(lenses) >= 2  # Inside's and Experiments' knock-out
    for plot in plots:
        assert "wide-chart" in (plot.elem_classes or []), english_text(plot.label)
