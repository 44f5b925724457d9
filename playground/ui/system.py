"""System tab: where the models run, which are loaded and how much memory they take; unload to free it;
switch all three models to another preset (English, Chinese)."""

from __future__ import annotations

import gradio as gr

from playground.models import TASKS, ModelManager
from playground.presets import PRESETS
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
        preset = manager.active_preset
        summary = (
            f"**Device:** {manager.device_summary()}  \n"
            f"**Model preset:** {PRESETS[preset].label if preset else 'none (models chosen one by one)'}  \n"
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

    @friendly_errors
    def use_preset(name):
        if not name:
            raise gr.Error("Choose a model preset.")
        manager.apply_preset(name)  # the presets' models are fixed, so this needs no --allow-custom-models
        gr.Info(f"The tabs now use the {PRESETS[name].label} models; each loads when first used.")
        return status()

    @friendly_errors
    def switch(task, model_id, progress=gr.Progress(track_tqdm=True)):
        if not settings.allow_custom_models:
            raise gr.Error(
                "Loading other models is switched off on this server (start it with --allow-custom-models)."
            )
        model_id = (model_id or "").strip()
        if not task or not model_id:
            raise gr.Error(
                "Choose a task and type a Hub model id (like google-bert/bert-base-cased) or a folder."
            )
        progress(0, desc=f"Loading {model_id}…")
        manager.switch(task, model_id)
        gr.Info(f"The {task} tab now uses {model_id}.")
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
        with gr.Row():
            preset = gr.Dropdown(
                [(p.label, p.name) for p in PRESETS.values()],
                value=manager.active_preset,
                label="Model preset",
                scale=2,
            )
            preset_button = gr.Button("Use preset", scale=1)

        with gr.Group(visible=settings.allow_custom_models):
            gr.Markdown(
                "**Use another model** (a Hub id or a local `save_pretrained` folder). Models never run "
                "remote code; safetensors weights are preferred."
            )
            with gr.Row():
                switch_task = gr.Dropdown(list(TASKS), label="Task", scale=1)
                switch_id = gr.Textbox(label="Model id or folder", scale=3)
                switch_button = gr.Button("Load", scale=1)

    outputs = [summary, models, notices]
    switch_button.click(switch, [switch_task, switch_id], outputs, api_visibility="private")
    gr.on([tab.select, refresh_button.click], status, None, outputs, api_visibility="private", queue=False)
    unload_button.click(unload, task, outputs, api_visibility="private")
    preset_button.click(use_preset, preset, outputs, api_visibility="private")
