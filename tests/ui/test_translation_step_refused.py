"""Translation's Next token after the model wrote </s>: a pop-up that says to Undo, shown as information (nothing
went wrong: it was a red "Error"), and the translation, its chart and the text Score sends to Evaluate stay as
they were (they were cleared: Score then said there was nothing to score, and the page showed no translation to
Undo from)."""

from __future__ import annotations

import gradio as gr
import pytest

from playground.tasks.validation import InputError, PastTheEnd
from playground.ui import translation as translation_tab
from playground.ui.context import Context
from tests.ui.test_failed_actions import in_queued_event

TEXT = "Where is the train station?"


def test_next_token_after_the_end_leaves_the_translation_shown(monkeypatch, settings, manager):
    context = Context.create(settings, manager)
    with gr.Blocks() as demo:
        with gr.Tabs():
            translation_tab.build(context)
    (step,) = [d for d in demo.fns.values() if d.fn is not None and d.fn.__name__ == "next_step"]
    state = translation_tab.run(context, TEXT, 60, 1, 1, 0)["step_state"]
    with pytest.raises(PastTheEnd, match="has ended"):
        translation_tab.next_step(context, state, TEXT, 60, 1, 0)
    with in_queued_event(monkeypatch, demo) as shown:
        updates = step.fn(state, TEXT, 60, 1, 0)
    ((message, title), options) = shown[0]
    assert len(shown) == 1 and "has ended" in message and title == "Info" and options["level"] == "info"
    assert updates and all(update == gr.skip() for update in updates.values())
    with in_queued_event(monkeypatch, demo, "zh-CN") as shown:
        step.fn(state, TEXT, 60, 1, 0)
    assert shown[0][0][1] == "提示" and shown[0][1]["level"] == "info"


def test_a_mistake_is_still_an_error_pop_up(monkeypatch, settings, manager):
    context = Context.create(settings, manager)
    with gr.Blocks() as demo:
        with gr.Tabs():
            translation_tab.build(context)
    (step,) = [d for d in demo.fns.values() if d.fn is not None and d.fn.__name__ == "next_step"]
    with in_queued_event(monkeypatch, demo) as shown:
        step.fn(None, "   ", 60, 1, 0)
    ((message, title), options) = shown[0]
    assert "empty" in message and title == "Error" and options["level"] == "error"
    assert issubclass(PastTheEnd, InputError)  # API clients get it as any refusal
