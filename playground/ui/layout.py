"""The page, top to bottom: title, a tab per task of the registry, Attention, Inside, Train and System, a footer
naming the models."""

from __future__ import annotations

import html
import importlib
from pathlib import Path

import gradio as gr

from playground.i18n import page_translations, ui
from playground.models import ModelManager
from playground.network import qr_svg, student_urls
from playground.registry import REGISTRY
from playground.settings import Settings
from playground.ui import attention, inside, system, train
from playground.ui.context import Context
from playground.ui.events import session_key
from playground.ui.language import follow_language_switch, language_switch

ASSETS = Path(__file__).resolve().parent.parent.parent / "assets"
CSS_PATH = ASSETS / "style.css"
TITLE = "Transformer Playground"


def build_demo(settings: Settings, manager: ModelManager | None = None) -> gr.Blocks:
    """The whole app as a gr.Blocks; models load on first use, not here."""
    context = Context.create(settings, manager)
    # Offline, gradio sends no analytics and checks for no new version (None: GRADIO_ANALYTICS_ENABLED decides).
    # Gradio's copies of results and downloads older than an hour are deleted every hour.
    with gr.Blocks(
        title=TITLE, analytics_enabled=False if settings.offline else None, delete_cache=(3600, 3600)
    ) as demo:
        with gr.Row(elem_classes=["page-header"]):
            gr.Markdown(f"# {TITLE}", elem_classes=["page-title"])
            switch = language_switch(demo)
            session_key(demo)
        gr.Markdown(
            ui(
                "See what language models do: generate text, fill in missing words, classify sentiment, "
                "and look at attention inside the model. Everything runs on this machine."
            )
        )
        share_with_students(settings)
        with gr.Tabs():
            for spec in REGISTRY.values():
                if spec.tab is not None:
                    importlib.import_module(f"playground.ui.{spec.tab}").build(context)
            attention.build(context)
            inside.build(context)
            train.build(context)
            system.build(context)
        follow_language_switch(switch, demo)
        models = " · ".join(f"{task}: `{model_id}`" for task, model_id in context.manager.model_ids.items())
        gr.Markdown(
            ui("Started with these models (the System tab shows what is loaded now):") + f" {models}",
            elem_classes=["footer-models"],
        )
    return demo


def share_with_students(settings: Settings) -> None:
    """When the app listens on the network (--host 0.0.0.0): its addresses and a QR code to scan."""
    urls = student_urls(settings.host, settings.port)
    if not urls:
        return
    with gr.Accordion(ui("Open this on your own device"), open=False):
        links = " · ".join(f"[{html.escape(url)}]({url})" for url in urls)
        gr.Markdown(ui("On the same network, open one of these addresses or scan the code:") + f" {links}")
        gr.HTML(f"<div class='qr'>{qr_svg(urls[0])}</div>")


def launch_options() -> dict:
    """Theme, CSS and the page's translations (gradio 6 takes them in launch())."""
    return {
        "theme": gr.themes.Soft(),
        "css_paths": [CSS_PATH] if CSS_PATH.exists() else None,
        "i18n": page_translations(),
    }
