"""System tab: where the models run, which are loaded and how much memory they take; unload to free it."""

from __future__ import annotations

import gradio as gr

from playground.models import TASKS, ModelManager
from playground.settings import Settings
from playground.ui.common import friendly_errors

COLUMNS = ["task", "model", "device", "dtype", "parameters (M)", "memory (MB)"]


def build(manager: ModelManager, settings: Settings) -> None:
    """The System tab (no public API)."""

    @friendly_errors
    def status():
        rows = [[row[c] for c in COLUMNS] for row in manager.describe()]
        budget = f"{settings.memory_budget_mb:,} MB" if settings.memory_budget_mb else "none"
        total = sum(row[-1] for row in rows)
        summary = (
            f"**Device:** {manager.device_summary()}  \n"
            f"**Loaded:** {len(rows)} of {len(TASKS)} models, {total:,.1f} MB · **memory budget:** {budget}"
        )
        notices = "\n".join(f"- {notice}" for notice in manager.notices[-10:]) or "Nothing unloaded yet."
        return summary, rows, "**Automatic unloads:**\n" + notices

    @friendly_errors
    def unload(task):
        if not task:
            raise gr.Error("Choose which model to unload.")
        if not manager.unload(task):
            gr.Info(f"The {task} model was not loaded.")
        return status()

    with gr.Tab("System", id="system") as tab:
        gr.Markdown(
            "Models load when a tab first needs them and stay in memory; unload one to free its memory."
        )
        summary = gr.Markdown()
        models = gr.Dataframe(headers=COLUMNS, interactive=False, label="Loaded models")
        notices = gr.Markdown()
        with gr.Row():
            task = gr.Dropdown(list(TASKS), label="Model to unload", scale=2)
            unload_button = gr.Button("Unload", scale=1)
            refresh_button = gr.Button("Refresh", scale=1)

    outputs = [summary, models, notices]
    gr.on([tab.select, refresh_button.click], status, None, outputs, api_visibility="private", queue=False)
    unload_button.click(unload, task, outputs, api_visibility="private")
