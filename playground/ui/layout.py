"""The page, top to bottom: title, a tab per task of the registry, Attention, Inside, Train and System, a footer
naming the models."""

from __future__ import annotations

import functools
import html
import importlib
from pathlib import Path

import gradio as gr
from starlette.middleware import Middleware

from playground.demo import shown_model_id
from playground.follow import follow_route
from playground.i18n import _, page_translations, ui
from playground.models import ModelManager
from playground.network import qr_svg, student_urls
from playground.page_cache import PageCache
from playground.registry import REGISTRY
from playground.replica_cookie import ReplicaCookie
from playground.settings import Settings
from playground.ui import attention, inside, lessons, links, system, train
from playground.ui import experiments as experiments_tab
from playground.ui.blocks import PlaygroundBlocks
from playground.ui.context import Context
from playground.ui.events import on, queue_workers, session_key
from playground.ui.keyboard import KEYBOARD_JS
from playground.ui.language import follow_language_switch, language_switch
from playground.ui.mcp import serve_playground_tools
from playground.ui.model_limits import fit_to_models
from playground.ui.no_urls import refuse_url_inputs
from playground.ui.projector import projector_switch

ASSETS = Path(__file__).resolve().parent.parent.parent / "assets"
CSS_PATH = ASSETS / "style.css"
# gradio names an empty chart "Empty value" with aria-label on a plain div, which ARIA does not allow (a name
# needs a role): each such placeholder is given role="img", so screen readers say it; an upload area's
# aria-label, which differs from its visible words, is dropped; and a region that scrolls can be reached with
# the keyboard (tabindex), as axe-core's scrollable-region-focusable asks.
ACCESSIBILITY_JS = """
<script>
(() => {
  let pending = false;
  const focusable = () => {
    pending = false;
    document.querySelectorAll(".block:not([tabindex])").forEach((e) => {
      const style = getComputedStyle(e);
      if (/(auto|scroll)/.test(style.overflowY + style.overflowX) && e.scrollHeight > e.clientHeight + 1) {
        e.setAttribute("tabindex", "0");
      }
    });
  };
  new MutationObserver(() => {
    document.querySelectorAll("div[aria-label]:not([role])").forEach((e) => e.setAttribute("role", "img"));
    // an upload area's English aria-label hides its visible (translated) words: let the words name it
    document.querySelectorAll("button.upload-container[aria-label]").forEach((e) => e.removeAttribute("aria-label"));
    if (!pending) { pending = true; setTimeout(focusable, 150); }
  }).observe(document.documentElement, {subtree: true, childList: true});
})();
</script>
"""
TITLE = "Transformer Playground"


def build_demo(settings: Settings, manager: ModelManager | None = None) -> gr.Blocks:
    """The whole app as a gr.Blocks; models load on first use, not here."""
    context = Context.create(settings, manager)
    refuse_url_inputs()  # the app takes no URL inputs: gradio fetches none for anyone (ui/no_urls.py)
    # Offline, gradio sends no analytics and checks for no new version (None: GRADIO_ANALYTICS_ENABLED decides).
    # Gradio's copies of results and downloads older than an hour are deleted every hour.
    with PlaygroundBlocks(  # gr.Blocks with the rules of ui/blocks.py for every event
        title=TITLE,
        analytics_enabled=False if settings.offline else None,
        delete_cache=(3600, 3600),
    ) as demo:
        with gr.Row(elem_classes=["page-header"]):
            gr.Markdown(f"# {TITLE}", elem_classes=["page-title"])
            projector_switch(demo)
            switch = language_switch(demo)
            session_key(demo)
            copy_link = links.copy_link_controls()
        gr.Markdown(
            ui(
                "See what language models do: generate text, fill in missing words, classify sentiment, "
                "and look at attention inside the model. Everything runs on this machine."
            )
        )
        if settings.demo:
            gr.Markdown(
                "ℹ️ "
                + ui(
                    "Demo models: small models trained on this computer, each on a page of text. "
                    "They show how everything works, not what a real model can do; start without --demo for "
                    "real ones."
                ),
                elem_classes=["demo-note"],
            )
        share_with_students(settings)
        # Every tab in view on any screen: on a phone the tab names wrap onto more rows instead of hiding in
        # gradio's "•••" menu, where a student might never find them.
        with gr.Tabs(overflow_behavior="wrap", elem_id="main-tabs") as tabs:
            lessons_tab = lessons.build(context)  # first: the course; wired below, once every tab exists
            for spec in REGISTRY.values():
                if spec.tab is not None:
                    importlib.import_module(f"playground.ui.{spec.tab}").build(context)
            importlib.import_module("playground.ui.evaluate").build(context)  # perplexity, BLEU, ROUGE
            attention.build(context)
            inside.build(context)
            experiments_tab.build(context)
            train.build(context)
            system.build(context)
        tabs_only(tabs)
        fit_to_models(demo, context)  # sliders that depend on a model follow it (ui/model_limits.py)
        follow_language_switch(switch, demo)
        lesson_view = functools.partial(lessons.lesson_link_view, lessons_tab.lc)
        wiring = links.wire(
            demo, tabs, context.links, copy_link, lesson_view
        )  # ?tab=…, ?lesson=… (ui/links.py)
        lessons.wire(lessons_tab, demo, wiring, switch)
        demo.playground_lessons = lessons_tab.lc
        demo.playground_lessons_tab = lessons_tab
        footer = gr.Markdown(elem_classes=["footer-models"])  # written in the page's language when it loads
        on([demo.load, switch.change], show_footer, context, None, {"footer": footer}, queue=False)
    return demo


def tabs_only(tabs: gr.Tabs) -> None:
    """Move whatever a tab's `build` made inside the tab bar but outside its own tab (a gr.State for an event,
    say) out of the bar, just after it. The browser numbers the tabs by their place among the bar's children:
    anything else there shifts the tabs after it, and gradio then draws such a tab twice once it is opened."""
    parent = tabs.parent
    strays = [child for child in tabs.children if not isinstance(child, gr.Tab)]
    tabs.children = [child for child in tabs.children if isinstance(child, gr.Tab)]
    at = parent.children.index(tabs) + 1
    parent.children[at:at] = strays
    for child in strays:
        child.parent = parent


def show_footer(context: Context) -> dict:
    """The footer, in the language of the page asking."""
    return {"footer": footer_text(context)}


def footer_text(context: Context) -> str:
    """The models the server started with, each by its task's name, in the current language."""
    models = " · ".join(
        f"{_(REGISTRY[task].label)}: `{shown_model_id(model_id)}`"
        for task, model_id in context.manager.model_ids.items()
    )
    return _("Started with these models (the System tab shows what is loaded now):") + f" {models}"


def share_with_students(settings: Settings) -> None:
    """When the app listens on the network (--host 0.0.0.0): its addresses and a QR code to scan."""
    urls = student_urls(settings.host, settings.port)
    if not urls:
        return
    with gr.Accordion(ui("Open this on your own device"), open=False):
        links = " · ".join(f"[{html.escape(url)}]({url})" for url in urls)
        gr.Markdown(ui("On the same network, open one of these addresses or scan the code:") + f" {links}")
        gr.HTML(f"<div class='qr'>{qr_svg(urls[0])}</div>")


def theme() -> gr.themes.Base:
    """gradio's Soft theme with its indigo one shade darker wherever it carries text (labels, primary buttons,
    selected choices): the lighter shades miss WCAG's 4.5:1 contrast (axe-core's color-contrast rule)."""
    return gr.themes.Soft().set(
        block_label_text_color="*primary_700",
        block_title_text_color="*primary_700",
        block_info_text_color="*neutral_600",
        button_primary_background_fill="*primary_600",
        button_primary_background_fill_hover="*primary_700",
        checkbox_label_background_fill_selected="*primary_600",
    )


def follow_routes(blocks: gr.Blocks | None) -> list:
    """The route a follower's page waits on for the led class to move (playground/follow.py), where the page has
    the Lessons tab."""
    lessons_context = getattr(blocks, "playground_lessons", None)
    if lessons_context is None:
        return []
    return [follow_route(lessons_context.classroom, keep=lambda session: keep_session(blocks, session))]


def keep_session(blocks: gr.Blocks, session: str) -> None:
    """Count a page's gradio session as active now (the most recently active is forgotten last), if gradio holds
    it: a following page sends no event while it waits (playground/follow.py), yet its session is in use."""
    holder = getattr(blocks, "state_holder", None)
    if holder is not None and session in holder:
        holder.update(session)


def choice_values(blocks: gr.Blocks) -> frozenset[str]:
    """Every value a choice of the page (radio, dropdown, checkboxes) can send."""
    values = set()
    for component in blocks.blocks.values():
        for choice in getattr(component, "choices", None) or []:
            value = choice[1] if isinstance(choice, tuple | list) else choice
            if isinstance(value, str):
                values.add(value)
    return frozenset(values)


def middleware(blocks: gr.Blocks | None) -> list[Middleware]:
    """The replica cookie on every answer; with `blocks`, its page and config made once (playground/page_cache.py)."""
    return [Middleware(ReplicaCookie)] + (
        [Middleware(PageCache, blocks=blocks)] if blocks is not None else []
    )


def launch_options(settings: Settings | None = None, blocks: gr.Blocks | None = None) -> dict:
    """Theme, CSS, scripts and the page's translations (gradio 6 takes them in launch()); with `settings`, the
    largest upload gradio accepts (--max-upload-mb), the most sessions it keeps (--max-sessions), the MCP
    server (--mcp; off also when GRADIO_MCP_SERVER says otherwise) and the path prefix (--root-path). Every answer
    to a browser without one sets the replica cookie (playground/replica_cookie.py) that a proxy in front of
    several replicas hashes. With `blocks`, the page's choice values are not translated (`page_translations`), and
    its page and config are made once (`middleware`)."""
    options = {
        "app_kwargs": {"middleware": middleware(blocks), "routes": follow_routes(blocks)},
        "theme": theme(),
        "head": ACCESSIBILITY_JS + KEYBOARD_JS,
        "css_paths": [CSS_PATH] if CSS_PATH.exists() else None,
        "i18n": page_translations(choice_values(blocks) if blocks is not None else frozenset()),
    }
    if settings is not None:
        options["max_file_size"] = settings.max_upload_mb * 2**20
        options["state_session_capacity"] = settings.max_sessions
        options["max_threads"] = queue_workers(
            settings
        )  # streamed generations beside the rest (ui/events.py)
        options["mcp_server"] = settings.mcp
        if settings.mcp:
            serve_playground_tools()  # the playground's tools, named as the endpoints (ui/mcp.py)
        if settings.root_path:  # otherwise gradio reads GRADIO_ROOT_PATH
            options["root_path"] = settings.root_path
    return options
