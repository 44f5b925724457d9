"""Translation's Next token after the model wrote </s>: a pop-up that says to Undo, shown as information (nothing
went wrong: it was a red "Error"), and the translation, its chart and the text Score sends to Evaluate stay as
they were (they were cleared: Score then said there was nothing to score, and the page showed no translation to
Undo from). So does an Undo, in Translation or Generate, with no token left to take back (it cleared the text)."""

from __future__ import annotations

import gradio as gr
import pytest

from playground.tasks.validation import InputError, StepOutOfRange
from playground.ui import generate as generate_tab
from playground.ui import translation as translation_tab
from playground.ui.context import Context
from tests.ui.test_failed_actions import in_queued_event

TEXT = "Where is the train station?"


def page_events(context: Context, tab) -> tuple[gr.Blocks, dict]:
    """The tab built in a page, and its events' functions (as the queue calls them) by handler name."""
    with gr.Blocks() as demo:
        with gr.Tabs():
            tab.build(context)
    return demo, {d.fn.__name__: d.fn for d in demo.fns.values() if d.fn is not None}


def test_next_token_after_the_end_leaves_the_translation_shown(monkeypatch, settings, manager):
    context = Context.create(settings, manager)
    demo, events = page_events(context, translation_tab)
    step = events["next_step"]
    state = translation_tab.run(context, TEXT, 60, 1, 1, 0)["step_state"]
    with pytest.raises(StepOutOfRange, match="has ended"):
        translation_tab.next_step(context, state, TEXT, 60, 1, 0)
    with in_queued_event(monkeypatch, demo) as shown:
        updates = step(state, TEXT, 60, 1, 0)
    ((message, title), options) = shown[0]
    assert len(shown) == 1 and "has ended" in message and title == "Info" and options["level"] == "info"
    assert updates and all(update == gr.skip() for update in updates.values())
    with in_queued_event(monkeypatch, demo, "zh-CN") as shown:
        step(state, TEXT, 60, 1, 0)
    assert shown[0][0][1] == "提示" and shown[0][1]["level"] == "info"


@pytest.mark.parametrize("tab", [translation_tab, generate_tab], ids=["translation", "generate"])
def test_undo_with_no_token_left_is_information_and_changes_nothing(monkeypatch, settings, manager, tab):
    context = Context.create(settings, manager)
    demo, events = page_events(context, tab)
    arguments = (None, 1, 0) if tab is translation_tab else (None, 1.0, 50, 1.0, 1.0, 0)
    with in_queued_event(monkeypatch, demo) as shown:
        updates = events["undo_step"](*arguments)
    ((message, title), options) = shown[0]
    assert "token to undo" in message and title == "Info" and options["level"] == "info"
    assert updates and all(update == gr.skip() for update in updates.values())


def test_a_mistake_is_still_an_error_pop_up(monkeypatch, settings, manager):
    context = Context.create(settings, manager)
    demo, events = page_events(context, translation_tab)
    with in_queued_event(monkeypatch, demo) as shown:
        events["next_step"](None, "   ", 60, 1, 0)
    ((message, title), options) = shown[0]
    assert "empty" in message and title == "Error" and options["level"] == "error"
    assert issubclass(StepOutOfRange, InputError)  # API clients get it as any refusal
