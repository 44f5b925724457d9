"""Next to every answer of a --demo model the page says what the model is (ui/demo_notes.py); not next to a
model the admin loaded or a visitor trained, and never outside --demo."""

from __future__ import annotations

import dataclasses

from playground.i18n import using
from playground.translations import ZH
from playground.ui.context import Context
from playground.ui.demo_notes import NOTES, demo_note, with_notes


def test_a_demo_models_answer_carries_its_note_in_both_languages(settings, manager):
    demo = Context.create(dataclasses.replace(settings, demo=True), manager)
    served = Context.create(dataclasses.replace(settings, demo=False), manager)
    for task, note in NOTES.items():
        assert demo_note(demo, task) == [note] and demo_note(served, task) == []
        assert demo_note(demo, task, model_id="someone/else") == []  # a visitor's or another model
        with using("zh"):
            assert demo_note(demo, task) == [ZH[note]]


def test_batched_results_get_the_note_and_refusals_stay_as_they_are(settings, manager):
    from playground.tasks.fill_mask import FillMaskRequest, fill_mask_batch

    results = fill_mask_batch(
        manager.get("fill-mask"),
        [FillMaskRequest("The cat sat on the [MASK].", 3), FillMaskRequest("", 3)],
        500,
    )
    noted = with_notes(results, ["a note"])
    assert noted[0].notices[-1] == "a note" and isinstance(noted[1], Exception)
