"""System tab: where the models run, which are loaded and how much memory they take; unload to free it;
switch all three models to another preset (English, Chinese)."""

from __future__ import annotations

import gradio as gr

from playground.i18n import _, ui
from playground.models import TASKS, ModelManager
from playground.presets import PRESETS
from playground.settings import Settings
from playground.ui.common import friendly_errors, on_page

COLUMNS = ["task", "model", "device", "dtype", "parameters (M)", "memory (MB)"]
TASK_NAMES = {"generation": "Generation", "fill-mask": "Fill-mask", "sentiment": "Sentiment"}
TASK_CHOICES = [(ui(name), task) for task, name in TASK_NAMES.items()]


def build(manager: ModelManager, settings: Settings) -> None:
    """The System tab (no public API)."""

    @friendly_errors
    def status():
        rows = [[row[c] for c in COLUMNS] for row in manager.describe()]
        for row in rows:
            row[0] = _(TASK_NAMES[row[0]])
        budget = f"{settings.memory_budget_mb:,} MB" if settings.memory_budget_mb else _("none")
        total = sum(row[-1] for row in rows)
        preset = manager.active_preset
        summary = "  \n".join(
            [
                _("**Device:** {device}", device=manager.device_summary()),
                _("**Model preset:** {preset}", preset=PRESETS[preset].label)
                if preset
                else _("**Model preset:** none (models chosen one by one)"),
                _(
                    "**Loaded:** {loaded} of {tasks} models, {total} MB · **memory budget:** {budget}",
                    loaded=len(rows),
                    tasks=len(TASKS),
                    total=f"{total:,.1f}",
                    budget=budget,
                ),
            ]
        )
        notices = "\n".join(f"- {notice}" for notice in manager.notices[-10:]) or _("Nothing unloaded yet.")
        table = gr.Dataframe(value=rows, headers=[_(column) for column in COLUMNS])
        return summary, table, _("**Automatic unloads:**") + "\n" + notices

    @friendly_errors
    def unload(task):
        if not task:
            raise gr.Error(_("Choose which model to unload."))
        if not manager.unload(task):
            gr.Info(_("The {task} model was not loaded.", task=_(TASK_NAMES.get(task, task))))
        return status()

    @friendly_errors
    def use_preset(name):
        if not name:
            raise gr.Error(_("Choose a model preset."))
        manager.apply_preset(name)  # the presets' models are fixed, so this needs no --allow-custom-models
        gr.Info(
            _("The tabs now use the {preset} models; each loads when first used.", preset=PRESETS[name].label)
        )
        return status()

    @friendly_errors
    def switch(task, model_id, progress=gr.Progress(track_tqdm=True)):
        if not settings.allow_custom_models:
            raise gr.Error(
                _(
                    "Loading other models is switched off on this server (start it with --allow-custom-models)."
                )
            )
        model_id = (model_id or "").strip()
        if not task or not model_id:
            raise gr.Error(
                _("Choose a task and type a Hub model id (like google-bert/bert-base-cased) or a folder.")
            )
        progress(0, desc=_("Loading {model}…", model=model_id))
        manager.switch(task, model_id)
        gr.Info(_("The {task} tab now uses {model}.", task=_(TASK_NAMES.get(task, task)), model=model_id))
        return status()

    with gr.Tab(ui("System"), id="system") as tab:
        gr.Markdown(
            ui("Models load when a tab first needs them and stay in memory; unload one to free its memory.")
        )
        summary = gr.Markdown()
        models = gr.Dataframe(headers=COLUMNS, interactive=False, label=ui("Loaded models"))
        notices = gr.Markdown()
        with gr.Row():
            task = gr.Dropdown(TASK_CHOICES, label=ui("Model to unload"), scale=2)
            unload_button = gr.Button(ui("Unload"), scale=1)
            refresh_button = gr.Button(ui("Refresh"), scale=1)
        with gr.Row():
            preset = gr.Dropdown(
                [(p.label, p.name) for p in PRESETS.values()],
                value=manager.active_preset,
                label=ui("Model preset"),
                scale=2,
            )
            preset_button = gr.Button(ui("Use preset"), scale=1)

        with gr.Group(visible=settings.allow_custom_models):
            gr.Markdown(
                ui(
                    "**Use another model** (a Hub id or a local `save_pretrained` folder). Models never run "
                    "remote code; safetensors weights are preferred."
                )
            )
            with gr.Row():
                switch_task = gr.Dropdown(TASK_CHOICES, label=ui("Task"), scale=1)
                switch_id = gr.Textbox(label=ui("Model id or folder"), scale=3)
                switch_button = gr.Button(ui("Load"), scale=1)

    outputs = [summary, models, notices]
    on_page([switch_button.click], switch, [switch_task, switch_id], outputs)
    on_page([tab.select, refresh_button.click], status, None, outputs, queue=False)
    on_page([unload_button.click], unload, [task], outputs)
    on_page([preset_button.click], use_preset, [preset], outputs)
