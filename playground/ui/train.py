"""Train tab (训练): fine-tune the sentiment classifier on labelled sentences, and pretrain a tiny GPT and a
tiny BERT from scratch, watching the loss fall live; the visitor's models belong to their session and can be
used in the other tabs ("use my models") or downloaded. The /fine_tune, /train_tiny and /pretrain_mlm
endpoints stream the same trainings as JSON. At most --max-trainings run at once; the others wait in gradio's queue, which shows
their place."""

from __future__ import annotations

import math
import shutil
import threading
import time
from collections.abc import Callable, Generator, Iterator

import gradio as gr

from playground import export
from playground.i18n import _, lazy, ui
from playground.tasks import training, training_mlm
from playground.tasks.training import Epoch, Sample, Step
from playground.tasks.training_code import fine_tune_code, mlm_code, tiny_code
from playground.tasks.training_mlm import MaskedBatch, Probe
from playground.tasks.validation import InputError
from playground.ui.context import Context, current_session, summary_markdown
from playground.ui.events import api_endpoint, on
from playground.viz import training as viz

GROUP = "training"  # the concurrency group of every training: --max-trainings run at once
DATA_CHOICES = {"en": "English sentences", "zh": "Chinese sentences", "none": "my own (an empty table)"}
TEXT_CHOICES = {"en": "English story", "zh": "Chinese story", "own": "my own text"}
TRAIN_LABELS = {
    "head": "only the head (the layer on top)",
    "last": "the last layer and the head",
    "all": "everything",
}
SIZE_LABELS = {
    "tiny": "tiny: 2 layers, 64 wide",
    "small": "small: 4 layers, 128 wide",
    "medium": "medium: 6 layers, 192 wide",
}
TOKENIZER_LABELS = {
    "characters": "one token per character",
    "generation": "the generation model's tokenizer",
}
MLM_TOKENIZER_LABELS = {
    "words": "words: a WordPiece vocabulary of the text (Chinese: one token per character)",
    "characters": "one token per character, and [PAD] [UNK] [CLS] [SEP] [MASK]",
    "fill-mask": "the fill-mask model's tokenizer",
}
TABLE_HEADERS = ["text", "label", "split"]
COMPARE_HEADERS = ["text", "label", "before", "after", "changed"]
REDRAW_SECONDS = 0.25  # the page is sent a new chart at most this often (and always at the end)

_stops: dict[str | None, threading.Event] = {}  # the Stop button of each session's training


def stop_event(session: str | None) -> threading.Event:
    """A fresh Stop flag for the training this session starts now."""
    _stops[session] = event = threading.Event()
    return event


def stop(context: Context) -> dict:
    """Stop: the session's training ends before its next step, keeping what it has learnt."""
    event = _stops.get(current_session())
    if event is not None:
        event.set()
    return {}


def limits(context: Context) -> training.TrainingLimits:
    s = context.settings
    return training.TrainingLimits(
        s.max_train_examples, s.max_train_steps, s.max_train_chars, s.max_tiny_size
    )


def live_progress(
    event: Step, last_sent: float, figure: Callable, steps: list[Step]
) -> tuple[dict | None, float]:
    """After a training step: the progress bar and `figure(steps, total)` to send if it is time to redraw
    (REDRAW_SECONDS since `last_sent`, or the last step), else None; and when they were last sent."""
    if time.monotonic() - last_sent < REDRAW_SECONDS and event.step != event.total:
        return None, last_sent
    progress = viz.progress_html(event.step, event.total, event.seconds, event.loss)
    return {"progress": progress, "plot": figure(steps, event.total)}, time.monotonic()


def start() -> tuple[str | None, threading.Event]:
    """A training the page starts: the session that will own its model, and its fresh Stop flag."""
    session = current_session()
    return session, stop_event(session)


def follow(
    context: Context,
    session: str | None,
    events: Iterator,
    figure: Callable[[list[Step], int], object],
    show: Callable[[object], dict | None] = lambda event: None,
) -> Generator[dict, None, object]:
    """What every training on the page shares: after its steps the progress bar and `figure(steps, total)`
    (at most every REDRAW_SECONDS), what `show` makes of its other events (samples, probes, epochs), and at
    the end its model kept for `session` (the other tabs use it when the visitor asks). Returns the result
    (the last event): `result = yield from follow(...)`."""
    steps: list[Step] = []
    last_sent, result = 0.0, None
    for event in events:
        if isinstance(event, Step):
            steps.append(event)
            shown, last_sent = live_progress(event, last_sent, figure, steps)
        else:
            result, shown = event, show(event)
        if shown:
            yield shown
    context.manager.keep_session_model(session, result.model)
    return result


def losses(steps: list[Step]) -> list[float]:
    return [step.loss for step in steps]


def steps_and_seconds(result) -> dict:
    """How long a finished training took, for its summary."""
    return {"steps": len(result.losses), "seconds": f"{result.seconds:.1f}"}


def finished(context: Context, result, total: int, plot, summary: str, code: str) -> dict:
    """What a finished training shows: the whole progress bar, its chart, its summary (with the notices), the
    code that reproduces it and the visitor's models."""
    return {
        "progress": viz.progress_html(len(result.losses), total, result.seconds),
        "plot": plot,
        "summary": summary_markdown(summary, result.notices),
        "code": gr.Code(value=code, visible=True),
        "mine": my_models_markdown(context),
    }


# --- fine-tuning ----------------------------------------------------------------------------------------


def table_rows(examples: list[training.Example]) -> list[list[str]]:
    return [[e.text, e.label, "validation" if e.validation else "train"] for e in examples]


def choose_data(choice) -> dict:
    """The built-in sentences of a language, or an empty table."""
    rows = table_rows(training.builtin_examples(choice)) if choice in ("en", "zh") else [["", "", "train"]]
    return {"table": gr.Dataframe(value=rows, headers=[_(h) for h in TABLE_HEADERS])}


def upload_data(path) -> dict:
    """A CSV file (columns text, label and optionally split) fills the table."""
    if not path:
        return {}
    rows = table_rows(training.examples_from_csv(path))
    return {"table": gr.Dataframe(value=rows, headers=[_(h) for h in TABLE_HEADERS])}


def table_examples(table) -> list[training.Example]:
    rows = table.values.tolist() if hasattr(table, "values") else list(table or [])
    return training.examples_from_rows(rows)


def _mark(prediction: training.Prediction, truth: str) -> str:
    return f"{'✓' if prediction.label == truth else '✗'} {prediction.label} ({prediction.score:.0%})"


def compare_rows(result: training.FineTuneResult) -> list[list[str]]:
    """Each validation sentence, its label, the prediction before and after training; changes marked."""
    return [
        [b.text, truth, _mark(b, truth), _mark(a, truth), _("changed") if a.label != b.label else ""]
        for b, a, truth in zip(result.before, result.after, result.truth, strict=True)
    ]


def fine_tune_summary(result: training.FineTuneResult) -> str:
    summary = _(
        "Trained {trained} of {total} weights for {steps} steps in {seconds} s. Validation accuracy: "
        "**{before}** before, **{after}** after.",
        trained=f"{result.trained_parameters:,}",
        total=f"{result.total_parameters:,}",
        **steps_and_seconds(result),
        before=f"{result.accuracy_before:.0%}",
        after=f"{result.accuracy_after:.0%}",
    )
    return summary


def run_fine_tune(context: Context, table, epochs, learning_rate, batch_size, train, seed) -> Iterator[dict]:
    """Train: the live chart and progress after every step, then the before/after table and the code."""
    session, should_stop = start()
    examples = table_examples(table)
    settings = training.check_fine_tune(
        examples, training.FineTuneSettings(epochs, learning_rate, batch_size, train, seed), limits(context)
    )
    loaded = context.server_model("sentiment", gr.Progress(), exact=True)
    epochs_done: list[Epoch] = []

    def figure(steps: list[Step], total: int):
        return viz.fine_tune_figure(losses(steps), epochs_done, total)

    def show(event) -> None:
        if isinstance(event, Epoch):
            epochs_done.append(event)

    events = training.fine_tune(loaded, examples, settings, limits(context), should_stop.is_set)
    result = yield from follow(context, session, events, figure, show)
    total = settings.epochs * math.ceil(len([e for e in examples if not e.validation]) / settings.batch_size)
    head = training.head_path(result.model.model) if result.new_head else None
    trained = (
        None if settings.train == "all" else training.trainable_names(result.model.model, settings.train)
    )
    code = fine_tune_code(
        loaded.model_id,
        examples,
        settings,
        result.labels,
        head,
        getattr(loaded.model.config, "initializer_range", 0.02),
        trained,
    )
    plot = viz.fine_tune_figure(result.losses, result.epochs, total)
    yield finished(context, result, total, plot, fine_tune_summary(result), code) | {
        "compare": gr.Dataframe(
            value=compare_rows(result), headers=[_(h) for h in COMPARE_HEADERS], visible=bool(result.after)
        ),
    }


# --- the tiny GPT ---------------------------------------------------------------------------------------


def choose_text(choice, current) -> dict:
    """A built-in text, or the text box emptied for the visitor's own."""
    return {"text": training.builtin_text(choice) if choice in ("en", "zh") else ""}


def choose_mlm_text(choice, current) -> dict:
    """A built-in text and its probe sentence, or both emptied for the visitor's own (a probe is then made
    from the text)."""
    return choose_text(choice, current) | {"probe": training_mlm.BUILTIN_PROBES.get(choice, "")}


def samples_rows(samples: list[Sample]) -> list[list]:
    return [[s.step, s.text] for s in samples]


def run_tiny(
    context: Context, text, size, tokenizer, steps, sample_every, learning_rate, seed
) -> Iterator[dict]:
    """Pretrain: the loss and perplexity live, a sample every few steps, then the code."""
    session, should_stop = start()
    settings = training.TinySettings(
        steps=steps,
        seed=seed,
        size=size,
        tokenizer=tokenizer,
        learning_rate=learning_rate,
        sample_every=sample_every,
    )
    checked = training.check_tiny(text, settings, limits(context))
    generation_tokenizer = None
    if tokenizer == "generation":
        generation_tokenizer = context.server_model("generation", gr.Progress()).tokenizer
    samples: list[Sample] = []
    headers = [_("step"), _("sample")]

    def show(event) -> dict | None:
        if not isinstance(event, Sample):
            return None
        samples.append(event)
        return {"samples": gr.Dataframe(value=samples_rows(samples), headers=headers, visible=True)}

    events = training.train_tiny(text, settings, limits(context), generation_tokenizer, should_stop.is_set)
    result = yield from follow(
        context, session, events, lambda s, total: viz.tiny_figure(losses(s), total), show
    )
    summary = _(
        "A GPT-2 of {parameters} weights and {vocab} tokens, trained {steps} steps in {seconds} s. Perplexity "
        "on the text: **{before}** before (a guess among all tokens), **{after}** after.",
        parameters=f"{result.parameters:,}",
        vocab=f"{result.vocab_size:,}",
        **steps_and_seconds(result),
        before=f"{result.perplexity_before:.1f}",
        after=f"{result.perplexity_after:.1f}",
    )
    generation_model = context.manager.model_ids["generation"] if tokenizer == "generation" else None
    code = tiny_code(text, checked, generation_model, result.batch_size)
    plot = viz.tiny_figure(result.losses, checked.steps)
    yield finished(context, result, checked.steps, plot, summary, code) | {
        "samples": gr.Dataframe(value=samples_rows(result.samples), headers=headers, visible=True),
    }


# --- the tiny BERT -------------------------------------------------------------------------------------


def run_mlm(
    context: Context,
    text,
    size,
    tokenizer,
    steps,
    probe_every,
    mask_probability,
    learning_rate,
    seed,
    probe,
) -> Iterator[dict]:
    """Pretrain a tiny BERT: the loss and the accuracy on the chosen tokens live, one batch as the model sees
    it, the probe's top guesses every few steps, then the code."""
    session, should_stop = start()
    settings = training_mlm.MlmSettings(
        steps=steps,
        seed=seed,
        size=size,
        tokenizer=tokenizer,
        learning_rate=learning_rate,
        mask_probability=mask_probability,
        probe_every=probe_every,
        probe=probe or None,
    )
    checked = training_mlm.check_mlm(text, settings, limits(context))
    fill_mask_tokenizer = None
    if tokenizer == "fill-mask":
        fill_mask_tokenizer = context.server_model("fill-mask", gr.Progress()).tokenizer
    probes: list[Probe] = []

    def figure(steps: list[Step], total: int):
        return viz.mlm_figure(losses(steps), [s.accuracy or 0.0 for s in steps], total)

    def show(event) -> dict | None:
        if isinstance(event, MaskedBatch):
            return {"batch": viz.masked_batch_html(event)}
        if isinstance(event, Probe):
            probes.append(event)
            return {"probes": viz.probes_html(probes)}
        return None

    events = training_mlm.pretrain_mlm(
        text, settings, limits(context), fill_mask_tokenizer, should_stop.is_set
    )
    result = yield from follow(context, session, events, figure, show)
    last_accuracy = result.accuracies[-1] if result.accuracies else 0.0
    summary = _(
        "A BERT of {parameters} weights and {vocab} tokens, trained {steps} steps in {seconds} s. Accuracy on "
        "the chosen tokens at the last step: **{accuracy}**. Try it in Fill-Mask with “Use my models”.",
        parameters=f"{result.parameters:,}",
        vocab=f"{result.vocab_size:,}",
        **steps_and_seconds(result),
        accuracy=f"{last_accuracy:.0%}",
    )
    fill_mask_model = context.manager.model_ids["fill-mask"] if tokenizer == "fill-mask" else None
    code = mlm_code(text, checked, result.probe, fill_mask_model, result.batch_size)
    plot = viz.mlm_figure(result.losses, result.accuracies, checked.steps)
    yield finished(context, result, checked.steps, plot, summary, code) | {
        "batch": viz.masked_batch_html(result.batch),
        "probes": viz.probes_html(result.probes),
    }


# --- the visitor's own models --------------------------------------------------------------------------

OWN_TASKS = {
    "sentiment": "your fine-tuned classifier",
    "generation": "your tiny GPT",
    "fill-mask": "your tiny BERT",
}


def my_models_markdown(context: Context) -> str:
    """What this session has trained, and where it is used."""
    sessions, session = context.manager.sessions, current_session()
    tasks = sessions.tasks(session)
    if not tasks:
        return _("You have not trained a model yet.")
    names = ", ".join(_(OWN_TASKS[task]) for task in tasks)
    if sessions.using(session):
        return _(
            "Your models: {names}. Generate, Fill-Mask, Sentiment, Attention and Inside use them now, for you "
            "alone.",
            names=names,
        )
    return _("Your models: {names}. The other tabs use the server's models.", names=names)


def use_mine(context: Context, use) -> dict:
    """The "use my models" switch: this session's tabs use its own models, or the server's again."""
    context.manager.sessions.set_use(current_session(), bool(use))
    return {"mine": my_models_markdown(context)}


def download(context: Context, which) -> dict:
    """The session's model as a save_pretrained folder, zipped."""
    loaded = context.manager.sessions.get(current_session(), which)
    if loaded is None:
        raise InputError(lazy("Train a model first: there is none to download yet."))
    folder = export.new_file(loaded.model_id, "trained", "")
    loaded.model.save_pretrained(folder)
    loaded.tokenizer.save_pretrained(folder)
    archive = shutil.make_archive(str(folder), "zip", root_dir=folder)
    return {"file": gr.File(value=archive, visible=True)}


def free_session(context: Context, request: gr.Request) -> None:
    """The page was closed: its session's models are freed."""
    session = getattr(request, "session_hash", None)
    context.manager.sessions.free(session)
    _stops.pop(session, None)


# --- the API --------------------------------------------------------------------------------------------


def fine_tune_api(
    context: Context,
    texts: list[str],
    labels: list[str],
    epochs: int = 3,
    learning_rate: float = 5e-5,
    batch_size: int = 8,
    train: str = "all",
    seed: int = 0,
) -> Iterator[dict]:
    """Fine-tune the sentiment model on (texts, labels), streaming {"step", "total", "loss", "epoch"} after each
    step; the last message is {"labels", "losses", "accuracy_before", "accuracy_after", "predictions":
    [{"text", "label", "score"}]}, accuracy and predictions on the given texts. The server's model is
    unchanged."""
    if not isinstance(texts, list) or not isinstance(labels, list):
        raise InputError(lazy("Give the texts and the labels as two lists of the same length."))
    if len(texts) != len(labels):
        raise InputError(
            lazy(
                "There are {texts} texts but {labels} labels: give one label per text.",
                texts=len(texts),
                labels=len(labels),
            )
        )
    for kind, values in (("text", texts), ("label", labels)):
        for number, value in enumerate(values, 1):
            if not isinstance(value, str):
                raise InputError(
                    lazy(
                        "Every text and every label must be a string; {kind} {number} is {value}.",
                        kind=lazy(kind),
                        number=number,
                        value=repr(value)[:40],
                    )
                )
    examples = [training.Example(text, label) for text, label in zip(texts, labels, strict=True)]
    if any(not e.text.strip() or not e.label.strip() for e in examples):
        raise InputError(lazy("Every text and every label must be non-empty."))
    settings = training.FineTuneSettings(epochs, learning_rate, batch_size, train, seed)
    loaded = context.server_model("sentiment", exact=True)
    events = training.fine_tune(loaded, examples, settings, limits(context), evaluate_on_training=True)
    for event in events:
        if isinstance(event, Step):
            yield {"step": event.step, "total": event.total, "loss": event.loss, "epoch": event.epoch}
        elif isinstance(event, training.FineTuneResult):
            yield {
                "labels": event.labels,
                "losses": event.losses,
                "accuracy_before": event.accuracy_before,
                "accuracy_after": event.accuracy_after,
                "predictions": [{"text": p.text, "label": p.label, "score": p.score} for p in event.after],
            }


def train_tiny_api(context: Context, text: str, steps: int = 300, seed: int = 0) -> Iterator[dict]:
    """Pretrain the smallest tiny GPT (one token per character) on `text`, streaming {"step", "total",
    "loss"} after each step (and {"step", "sample"} when it samples); the last message is {"losses",
    "samples": [{"step", "text"}], "perplexity_before", "perplexity_after"}."""
    settings = training.TinySettings(steps=steps, seed=seed)
    for event in training.train_tiny(text, settings, limits(context)):
        if isinstance(event, Step):
            yield {"step": event.step, "total": event.total, "loss": event.loss}
        elif isinstance(event, Sample):
            yield {"step": event.step, "sample": event.text}
        else:
            yield {
                "losses": event.losses,
                "samples": [{"step": s.step, "text": s.text} for s in event.samples],
                "perplexity_before": event.perplexity_before,
                "perplexity_after": event.perplexity_after,
            }


def pretrain_mlm_api(
    context: Context, text: str, steps: int = 300, seed: int = 0, mask_probability: float = 0.15
) -> Iterator[dict]:
    """Pretrain the smallest tiny BERT (a WordPiece vocabulary of the text's words) on `text` with BERT's masked language model
    (`mask_probability` of the tokens chosen; of those 80% [MASK], 10% a random token, 10% kept), streaming
    {"step", "total", "loss", "masked_accuracy"} after each step (and {"step", "probe"} with each probe's top
    guesses); the last message is {"losses", "masked_accuracy", "probes": [{"step", "text", "predictions":
    [{"token_str", "score"}]}]}."""
    settings = training_mlm.MlmSettings(steps=steps, seed=seed, mask_probability=mask_probability)

    def probe_json(probe: Probe) -> dict:
        predictions = [{"token_str": p.token_str, "score": p.score} for p in probe.predictions]
        return {"step": probe.step, "text": probe.text, "predictions": predictions}

    for event in training_mlm.pretrain_mlm(text, settings, limits(context)):
        if isinstance(event, Step):
            yield {
                "step": event.step,
                "total": event.total,
                "loss": event.loss,
                "masked_accuracy": event.accuracy,
            }
        elif isinstance(event, Probe):
            yield {"step": event.step, "probe": probe_json(event)}
        elif isinstance(event, training_mlm.MlmResult):
            yield {
                "losses": event.losses,
                "masked_accuracy": event.accuracies,
                "probes": [probe_json(probe) for probe in event.probes],
            }


# --- the tab --------------------------------------------------------------------------------------------


def _pretraining_text(context: Context, language: str, tokenizer_labels: dict, tokenizer_value: str):
    """A pretraining section's text (a built-in one or the student's), model size and tokenizer."""
    settings = context.settings
    choice = gr.Radio(
        [(ui(label), key) for key, label in TEXT_CHOICES.items()], value=language, label=ui("Text")
    )
    text = gr.Textbox(
        value=training.builtin_text(language),
        lines=6,
        max_lines=12,
        label=ui("The text to learn from"),
        max_length=settings.max_train_chars,
    )
    allowed = list(training.SIZES)[: list(training.SIZES).index(settings.max_tiny_size) + 1]
    with gr.Row():
        size = gr.Radio(
            [(ui(SIZE_LABELS[name]), name) for name in allowed], value="tiny", label=ui("Model size")
        )
        tokenizer = gr.Radio(
            [(ui(label), key) for key, label in tokenizer_labels.items()],
            value=tokenizer_value,
            label=ui("Tokenizer"),
        )
    return choice, text, size, tokenizer


def _steps(context: Context) -> gr.Slider:
    return gr.Slider(10, min(context.settings.max_train_steps, 3000), value=300, step=10, label=ui("Steps"))


def _run_and_stop(run_label: str) -> tuple[gr.Button, gr.Button]:
    with gr.Row():
        return gr.Button(run_label, variant="primary"), gr.Button(ui("Stop"), variant="stop")


def _live() -> dict:
    """A training's live outputs: its progress bar, its loss curve and its summary."""
    return {"progress": gr.HTML(), "plot": gr.Plot(show_label=False), "summary": gr.Markdown()}


def _code_box() -> gr.Code:
    return gr.Code(
        language="python", visible=False, max_lines=30, label=ui("Show code: the same training in PyTorch")
    )


def build(context: Context) -> None:
    """The Train tab and the /fine_tune, /train_tiny and /pretrain_mlm endpoints."""
    settings = context.settings
    language = "zh" if settings.preset == "zh" else "en"
    limit = settings.max_trainings
    with gr.Tab(ui("Train"), id="train"):
        gr.Markdown(
            ui(
                "Language models learn in two stages. **Pretraining**: a model learns to predict the next "
                "token of plain text. **Fine-tuning**: a little labelled data adapts a trained model to a task. "
                "Try both here; what you train is yours alone, and the server's models stay as they are."
            )
        )
        with gr.Row():
            use = gr.Checkbox(
                value=False,
                label=ui(
                    "Use my models in Generate, Fill-Mask, Sentiment, Attention and Inside (only for me)"
                ),
                scale=2,
            )
            mine = gr.Markdown(ui("You have not trained a model yet."))
        with gr.Accordion(ui("1. Fine-tune the sentiment classifier"), open=True):
            gr.Markdown(
                ui(
                    "Start from the sentiment model and teach it your labels. If they are not the model's own "
                    "(say sports / food / school), a new classification head is made for them. Sentences "
                    "marked validation are not trained on: they show what the model learnt."
                )
            )
            with gr.Row(equal_height=False):
                data = gr.Radio(
                    [(ui(label), key) for key, label in DATA_CHOICES.items()],
                    value=language,
                    label=ui("Data"),
                    scale=3,
                )
                csv_file = gr.File(
                    label=ui("…or a CSV file with the columns text, label (and split)"),
                    file_types=[".csv"],
                    scale=2,
                    elem_classes=["csv-upload"],
                )
            table = gr.Dataframe(
                value=table_rows(training.builtin_examples(language)),
                headers=TABLE_HEADERS,
                datatype=["str", "str", "str"],
                interactive=True,
                wrap=True,
                max_height=320,
                column_widths=["60%", "20%", "20%"],
                label=ui("Labelled sentences (edit them, add rows)"),
                elem_classes=["train-table", "stack-table", "stack-first"],  # two lines a row on a phone
            )
            with gr.Row():
                epochs = gr.Slider(1, 20, value=5, step=1, label=ui("Epochs"))
                learning_rate = gr.Number(value=5e-5, label=ui("Learning rate"), minimum=1e-7, maximum=1.0)
                batch_size = gr.Slider(1, 64, value=8, step=1, label=ui("Batch size"))
            with gr.Row():
                train_what = gr.Radio(
                    [(ui(label), key) for key, label in TRAIN_LABELS.items()],
                    value="all",
                    label=ui("What to train"),
                    scale=3,
                )
                seed = gr.Number(value=0, precision=0, minimum=0, label=ui("Seed"), scale=1)
            train_button, stop_button = _run_and_stop(ui("Train"))
            fine_outputs = _live()
            compare = gr.Dataframe(
                headers=COMPARE_HEADERS,
                visible=False,
                interactive=False,
                wrap=True,
                label=ui("Before and after: the validation sentences"),
                elem_classes=["train-table", "stack-table", "stack-first"],  # two lines a row on a phone
            )
            code = _code_box()
            with gr.Row():
                download_button = gr.Button(ui("Download my classifier (zip)"))
        with gr.Accordion(ui("2. Pretrain a tiny GPT from scratch"), open=True):
            gr.Markdown(
                ui(
                    "A fresh GPT-2 with random weights learns to predict the next character of a text. Watch "
                    "the loss fall, and read a sample every few steps: gibberish turns into words."
                )
            )
            text_choice, text, size, tokenizer = _pretraining_text(
                context, language, TOKENIZER_LABELS, "characters"
            )
            with gr.Row():
                steps = _steps(context)
                sample_every = gr.Slider(10, 500, value=50, step=10, label=ui("A sample every … steps"))
                tiny_rate = gr.Number(value=3e-3, label=ui("Learning rate"), minimum=1e-6, maximum=1.0)
                tiny_seed = gr.Number(value=0, precision=0, minimum=0, label=ui("Seed"))
            context.links.add("train", "epochs", epochs)  # linkable inputs: ?tab=train&steps=… (ui/links.py)
            context.links.add("train", "learning_rate", learning_rate)
            context.links.add("train", "train", train_what)
            context.links.add("train", "text", text)
            context.links.add("train", "size", size)
            context.links.add("train", "tokenizer", tokenizer)
            context.links.add("train", "steps", steps)
            context.links.add("train", "sample_every", sample_every)
            context.links.action("train", "fine-tune", train_button)  # what "Try it" runs
            tiny_button, tiny_stop = _run_and_stop(ui("Pretrain"))
            context.links.action("train", "pretrain", tiny_button)
            tiny_outputs = _live()
            samples = gr.Dataframe(
                headers=["step", "sample"],
                visible=False,
                interactive=False,
                wrap=True,
                column_widths=["12%", "88%"],
                label=ui("Samples: what the model writes"),
                elem_classes=["train-table", "stack-table", "stack-step"],  # the step narrow on a phone
            )
            tiny_code_box = _code_box()
            tiny_download = gr.Button(ui("Download my tiny GPT (zip)"))
        with gr.Accordion(
            ui("3. Pretrain a tiny BERT: the masked language model"), open=True, elem_id="train-mlm"
        ):
            gr.Markdown(
                ui(
                    "BERT learns by filling in blanks. Each step, the data collator chooses 15% of the tokens; "
                    "of those, 80% become [MASK], 10% a random token and 10% stay as they are, and the model "
                    "must guess the original at every chosen place. Watch one batch as the model sees it, and "
                    "the model's guesses for a probe sentence go from noise to the right token."
                )
            )
            mlm_text_choice, mlm_text, mlm_size, mlm_tokenizer = _pretraining_text(
                context, language, MLM_TOKENIZER_LABELS, training_mlm.MlmSettings.tokenizer
            )
            mlm_probe = gr.Textbox(
                value=training_mlm.BUILTIN_PROBES.get(language, ""),
                label=ui("Probe sentence with [MASK] (empty: one is made from the text)"),
                max_length=training_mlm.MAX_PROBE_CHARS,
            )
            with gr.Row():
                mlm_steps = _steps(context)
                probe_every = gr.Slider(10, 500, value=50, step=10, label=ui("A probe every … steps"))
                mask_probability = gr.Slider(0.05, 0.5, value=0.15, step=0.01, label=ui("Mask probability"))
            with gr.Row():
                mlm_rate = gr.Number(
                    value=training_mlm.MlmSettings.learning_rate,
                    label=ui("Learning rate"),
                    minimum=1e-6,
                    maximum=1.0,
                )
                mlm_seed = gr.Number(value=0, precision=0, minimum=0, label=ui("Seed"))
            mlm_button, mlm_stop = _run_and_stop(ui("Pretrain the BERT"))
            context.links.action("train", "pretrain-bert", mlm_button)
            mlm_outputs = _live()
            mlm_probes = gr.HTML()
            mlm_batch = gr.HTML()
            mlm_code_box = _code_box()
            mlm_download = gr.Button(ui("Download my tiny BERT (zip)"))
        file = gr.File(visible=False, label=ui("Your model"))
        gr.Markdown(
            ui(
                "At most this many trainings run at once; the others wait in the queue, which shows their place:"
            )
            + f" {limit}"
        )
        api_endpoint(fine_tune_api, context, "fine_tune", GROUP, limit=limit, tool=False)
        api_endpoint(train_tiny_api, context, "train_tiny", GROUP, limit=limit, tool=False)
        api_endpoint(pretrain_mlm_api, context, "pretrain_mlm", GROUP, limit=limit, tool=False)

    training_options = {"concurrency_id": GROUP, "concurrency_limit": limit}
    on([data.change], choose_data, None, [data], {"table": table}, queue=False)
    on([csv_file.upload], upload_data, None, [csv_file], {"table": table})
    fine_outputs |= {"compare": compare, "code": code}
    on(
        [train_button.click],
        run_fine_tune,
        context,
        [table, epochs, learning_rate, batch_size, train_what, seed],
        fine_outputs | {"mine": mine},
        **training_options,
    )
    on([stop_button.click, tiny_stop.click, mlm_stop.click], stop, context, None, {}, queue=False)
    on([text_choice.change], choose_text, None, [text_choice, text], {"text": text}, queue=False)
    tiny_outputs |= {"samples": samples, "code": tiny_code_box, "mine": mine}
    on(
        [tiny_button.click],
        run_tiny,
        context,
        [text, size, tokenizer, steps, sample_every, tiny_rate, tiny_seed],
        tiny_outputs,
        **training_options,
    )
    on(
        [mlm_text_choice.change],
        choose_mlm_text,
        None,
        [mlm_text_choice, mlm_text],
        {"text": mlm_text, "probe": mlm_probe},
        queue=False,
    )
    mlm_outputs |= {"batch": mlm_batch, "probes": mlm_probes, "code": mlm_code_box, "mine": mine}
    on(
        [mlm_button.click],
        run_mlm,
        context,
        [
            mlm_text,
            mlm_size,
            mlm_tokenizer,
            mlm_steps,
            probe_every,
            mask_probability,
            mlm_rate,
            mlm_seed,
            mlm_probe,
        ],
        mlm_outputs,
        **training_options,
    )
    on([use.change], use_mine, context, [use], {"mine": mine}, queue=False)
    sentiment_key, generation_key = gr.State("sentiment"), gr.State("generation")
    on([download_button.click], download, context, [sentiment_key], {"file": file})
    on([tiny_download.click], download, context, [generation_key], {"file": file})
    fill_mask_key = gr.State("fill-mask")
    on([mlm_download.click], download, context, [fill_mask_key], {"file": file})

    def free(request: gr.Request) -> None:
        free_session(context, request)

    gr.context.Context.root_block.unload(free)
