"""System tab: where the models run, which are loaded and how much memory they take; unload to free it;
switch every task's model to another preset (English, Chinese)."""

from __future__ import annotations

import hmac

import gradio as gr
import torch

from playground.i18n import _, ui
from playground.models import LoadedModel, ModelManager, pick_device, pick_dtype, task_label
from playground.presets import PRESETS
from playground.registry import REGISTRY
from playground.ui.context import Context
from playground.ui.errors import info
from playground.ui.events import on

COLUMNS = ["task", "model", "device", "dtype", "parameters (M)", "memory (MB)"]
TASK_CHOICES = [(ui(spec.label), name) for name, spec in REGISTRY.items()]


def task_name(task: str) -> str:
    """A task's name on the page, in the request's language."""
    return str(task_label(task))


def loaded_rows(manager: ModelManager) -> list[list]:
    """One row per loaded model (COLUMNS): task, model, device, dtype, parameters and memory."""
    return [
        [
            task_name(m.task),
            m.model_id,
            str(m.device),
            precision(m),
            round(m.exact().model.num_parameters() / 1e6, 1),
            round(m.memory_bytes / 2**20, 1),
        ]
        for m in manager.loaded()
    ]


def precision(loaded: LoadedModel) -> str:
    """The precision a model runs at, and, when it is not float32, what the views of internals use."""
    if loaded.exact_model is None:
        return loaded.runs_at
    return _("{precision} + float32 copy", precision=loaded.runs_at)


def device_summary(manager: ModelManager) -> str:
    """Where models run and in which precision, e.g. "cpu, float32, 2 CPU threads"."""
    device = pick_device(manager.requested_device)
    if device.type == "cpu" and manager.requested_dtype == "int8":
        summary = f"{device}, " + _("int8 weights (float32 activations)")
    else:
        summary = f"{device}, {str(pick_dtype(device, manager.requested_dtype)).removeprefix('torch.')}"
    if device.type == "cuda":
        free, total = torch.cuda.mem_get_info()
        summary += f", {torch.cuda.get_device_name()} " + _(
            "({free} of {total} GiB free)", free=f"{free / 2**30:.1f}", total=f"{total / 2**30:.1f}"
        )
    return summary + ", " + _("{threads} CPU threads", threads=torch.get_num_threads())


def status(context: Context) -> dict:
    """The device, the preset, the loaded models and what was unloaded on its own."""
    manager, settings = context.manager, context.settings
    rows = loaded_rows(manager)
    budget = f"{settings.memory_budget_mb:,} MB" if settings.memory_budget_mb else _("none")
    total = sum(row[-1] for row in rows)
    preset = manager.active_preset
    summary = "  \n".join(
        [
            _("**Device:** {device}", device=device_summary(manager)),
            _("**Model preset:** {preset}", preset=PRESETS[preset].label)
            if preset
            else _("**Model preset:** none (models chosen one by one)"),
            _(
                "**Loaded:** {loaded} of {tasks} models, {total} MB · **memory budget:** {budget}",
                loaded=len(rows),
                tasks=len(REGISTRY),
                total=f"{total:,.1f}",
                budget=budget,
            ),
        ]
    )
    if any(m.exact_model is not None for m in manager.loaded()):
        summary += "  \n" + _(
            "**Precision:** generation, next token, chat, fill-mask, sentiment, question answering, translation "
            "and perplexity run on the {precision} copy of each model (faster, probabilities within about 0.02 of "
            "float32's); attention, Inside, experiments, explanations and training read the float32 model kept "
            "beside it (exact numbers, more memory).",
            precision=manager.requested_dtype,
        )
    notices = "\n".join(f"- {notice}" for notice in manager.notices[-10:]) or _("Nothing unloaded yet.")
    return {
        "summary": summary,
        "models": gr.Dataframe(value=rows, headers=[_(column) for column in COLUMNS]),
        "notices": _("**Automatic unloads:**") + "\n" + notices,
    }


STARTED = "started"  # the preset choice that means "the models this server started with"


def check_admin(context: Context, password) -> None:
    """Changing or unloading the server's models needs the admin password (--admin-password); without one
    configured, nobody may, whatever the request says."""
    expected = context.settings.admin_password
    if not expected:
        raise gr.Error(
            _(
                "Changing or unloading this server's models is switched off: start it with --admin-password "
                "to allow a teacher to do it."
            ),
            print_exception=False,
        )
    given = password if isinstance(password, str) else ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise gr.Error(_("Wrong admin password."), print_exception=False)


def unload(context: Context, password, task) -> dict:
    """Unload: free the memory of one task's model (it loads again when next used)."""
    check_admin(context, password)
    if task not in REGISTRY:
        raise gr.Error(_("Choose which model to unload."))
    if not context.manager.unload(task):
        info(_("The {task} model was not loaded.", task=task_name(task)))
    return status(context)


def use_preset(context: Context, password, name) -> dict:
    """Use preset: every task switches to the preset's model (or back to the models the server started
    with), each loading when first used."""
    check_admin(context, password)
    if name == STARTED:
        context.manager.restore_started()
        info(_("The tabs use the models this server started with again; each loads when first used."))
        return status(context)
    if name not in PRESETS:
        raise gr.Error(_("Choose a model preset."))
    context.manager.apply_preset(
        name
    )  # the presets' models are fixed, so this needs no --allow-custom-models
    info(_("The tabs now use the {preset} models; each loads when first used.", preset=PRESETS[name].label))
    return status(context)


def switch(context: Context, password, task, model_id, progress=gr.Progress(track_tqdm=True)) -> dict:
    """Load another model for a task (only with --allow-custom-models and the admin password)."""
    check_admin(context, password)
    if not context.settings.allow_custom_models:
        raise gr.Error(
            _("Loading other models is switched off on this server (start it with --allow-custom-models).")
        )
    model_id = model_id.strip() if isinstance(model_id, str) else ""
    if task not in REGISTRY or not model_id:
        raise gr.Error(
            _("Choose a task and type a Hub model id (like google-bert/bert-base-cased) or a folder.")
        )
    progress(0, desc=_("Loading {model}…", model=model_id))
    context.manager.switch(task, model_id)
    info(_("The {task} tab now uses {model}.", task=task_name(task), model=model_id))
    return status(context)


def build(context: Context) -> None:
    """The System tab (no public API). Without --admin-password only the status is shown."""
    admin = bool(context.settings.admin_password)
    with gr.Tab(ui("System"), id="system") as tab:
        gr.Markdown(
            ui("Models load when a tab first needs them and stay in memory; unload one to free its memory.")
        )
        summary = gr.Markdown()
        models = gr.Dataframe(
            headers=COLUMNS,
            interactive=False,
            label=ui("Loaded models"),
            wrap=True,
            column_widths=["15%", "37%", "9%", "11%", "15%", "13%"],  # the width of the page, not more
            elem_classes=["stack-table", "stack-models"],  # rows on three lines on a phone (style.css)
        )
        notices = gr.Markdown()
        refresh_button = gr.Button(ui("Refresh"))
        with gr.Group(visible=admin):  # not even shown without a password: nobody could use them
            password = gr.Textbox(
                label=ui("Admin password"),
                type="password",
                info=ui("Needed to change or unload this server's models."),
            )
            with gr.Row():
                task = gr.Dropdown(TASK_CHOICES, label=ui("Model to unload"), scale=2)
                unload_button = gr.Button(ui("Unload"), scale=1)
            with gr.Row():
                preset = gr.Dropdown(
                    [(ui("The models this server started with"), STARTED)]
                    + [(p.label, p.name) for p in PRESETS.values()],
                    value=STARTED,
                    label=ui("Model preset"),
                    scale=2,
                )
                preset_button = gr.Button(ui("Use preset"), scale=1)

            with gr.Group(visible=context.settings.allow_custom_models):
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

    outputs = {"summary": summary, "models": models, "notices": notices}
    # Wired even without a password: an event called through the queue directly is refused by check_admin.
    # A refused action leaves the outputs as they are: they show the server's models, still true.
    on(
        [switch_button.click],
        switch,
        context,
        [password, switch_task, switch_id],
        outputs,
        clear_on_error=False,
    )
    # No progress shown for this quick status: gradio would dim its texts to 20% while waiting and fade them
    # back in over 0.15 s, text briefly too faint to read (and to pass a contrast check) on a busy server.
    on(
        [tab.select, refresh_button.click],
        status,
        context,
        None,
        outputs,
        queue=False,
        show_progress="hidden",
    )
    on([unload_button.click], unload, context, [password, task], outputs, clear_on_error=False)
    on([preset_button.click], use_preset, context, [password, preset], outputs, clear_on_error=False)
