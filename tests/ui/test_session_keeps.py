"""Issue 30 (red team of the tabs added since): what a session keeps between its events is what the next event
needs to redraw, at half precision, and a led class cannot be grown without bound by anyone with its code."""

from __future__ import annotations

import numpy as np
import pytest

from playground.classroom import MAX_FOLLOWERS, PRESENT_SECONDS, Classroom
from playground.tasks import attention
from playground.ui import experiments, translation
from playground.ui.context import Context

TEXT = "The cat sat on the mat. The cat sat on the mat."


@pytest.fixture(scope="module")
def context(settings, manager) -> Context:
    return Context.create(settings, manager)


def test_the_head_finder_keeps_half_precision_weights_and_draws_the_same_pattern(context):
    found = experiments.find_heads(context, "generation", TEXT, progress=None)
    kept = found["heads_state"]
    assert kept.attention.attentions.dtype == np.float16  # what the session holds for the map clicks
    full = attention.attention(context.model("generation"), TEXT, 2000, 128)
    assert np.allclose(attention.in_full(kept.attention).attentions, full.attentions, atol=1e-3)
    picked = experiments.head_picker("induction")(kept, "", type("Select", (), {"index": [0, 1]})())
    drawn = np.nan_to_num(np.asarray(picked["pattern"].data[0].z, dtype=float))  # a causal map: NaN above
    assert np.allclose(drawn, np.round(full.attentions[0, 0], 3), atol=2e-3)


def test_the_translation_keeps_only_the_cross_attention_at_half_precision(context):
    out = translation.run(context, "The cat sat on the mat.", 8, 1, 1, 1, progress=None)
    kept = out["cross"]
    assert kept.cross.dtype == np.float16 and kept.encoder.size == 0 and kept.decoder.size == 0
    redrawn = translation.redraw_cross(kept, 1, 1)["heatmap"]
    assert np.allclose(
        np.asarray(redrawn.data[0].z, dtype=float),
        np.asarray(out["heatmap"].data[0].z, dtype=float),
        atol=2e-3,
    )
    assert translation.redraw_cross(None, 1, 1) == {}


def test_a_led_class_remembers_at_most_max_followers():
    now = [0.0]
    classroom = Classroom(clock=lambda: now[0])
    code, key = classroom.start("first", 0)
    classroom.move(key, "first", 0, ["a", "b"])
    for follower in range(MAX_FOLLOWERS + 50):
        classroom.poll(code, f"page{follower}", -1)
    assert len(classroom._class.seen) == MAX_FOLLOWERS
    assert classroom.answer(code, "page0", "first", 0, "a")  # a known page still counts
    assert not classroom.answer(code, "newcomer", "first", 0, "a")  # the class is full
    now[0] += PRESENT_SECONDS + 1  # everyone left: room again, the old answers forgotten with them
    assert classroom.poll(code, "late", -1) is not False
    assert list(classroom._class.seen) == ["late"] and classroom._class.answers == {}
    assert classroom.stats(key).joined == 1
