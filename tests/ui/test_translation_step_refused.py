"""Translation's Next token after the model wrote </s>: a pop-up that says to Undo, and the translation, its
chart and the text Score sends to Evaluate stay as they were (they were cleared: Score then said there was
nothing to score, and the page showed no translation to Undo from)."""

from __future__ import annotations

import gradio as gr
import pytest

from playground.tasks.validation import InputError
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
    with pytest.raises(InputError, match="has ended"):
        translation_tab.next_step(context, state, TEXT, 60, 1, 0)
    with in_queued_event(monkeypatch, demo) as shown:
        updates = step.fn(state, TEXT, 60, 1, 0)
    assert len(shown) == 1 and "has ended" in shown[0][0][0]
    assert updates and all(update == gr.skip() for update in updates.values())
