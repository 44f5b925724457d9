"""What the page says next to an answer of a `--demo` model (playground/demo_models.py): small models trained
on a few pages of text, good at what they were taught and nonsense beyond it. The note shows only while the
tab's model is still the demo's own one (not a visitor's model, not one the admin loaded)."""

from __future__ import annotations

from playground.i18n import _
from playground.ui.context import Context

NOTES = {
    "generation": "A small demo model trained on a page of sentences: it continues those with their words; "
    "anything else it continues with nonsense.",
    "fill-mask": "A small demo model trained on a page of sentences: it fills the blanks of those; elsewhere "
    "its guesses mean little.",
    "question-answering": "A small demo reader trained on ten short facts, two or three at a time: it finds answers "
    "in those; in longer or other texts its answers mean little.",
    "translation": "A small demo translator trained on sixteen sentences: it translates those; other sentences "
    "come out as nonsense.",
    "chat": "A small demo chat model that learnt about twenty questions and their answers: it answers those, "
    "and any other message with one of those answers.",
    "sentiment": "a small demo model trained on thirty-two sentences: on other texts its answer means little",
}


def is_demo_model(context: Context, task: str, model_id: str | None = None) -> bool:
    """Whether `task`'s model (or the model `model_id` that answered) is still the one --demo started with."""
    manager = context.manager
    started = manager.started_model_ids.get(task)
    return bool(context.settings.demo and (model_id or manager.model_ids.get(task)) == started)


def demo_note(context: Context, task: str, model_id: str | None = None) -> list[str]:
    """The note on an answer of `task`'s demo model (in the page's language), or none."""
    return [_(NOTES[task])] if is_demo_model(context, task, model_id) else []


def with_notes(results: list, notes: list[str]) -> list:
    """Batched results (InputErrors left as they are) with `notes` added to their notices."""
    for result in results:
        if notes and not isinstance(result, Exception):
            result.notices = [*result.notices, *notes]
    return results
