""" "Why?" when there is nothing to explain (issue 26, point 6): the text is shown plain with a sentence saying
so, not painted; a clear push is still painted."""

from __future__ import annotations

from playground.tasks.explain import Explanation, Word
from playground.viz.highlight import attribution_html


def explanation(score: float, baseline: float) -> Explanation:
    words = [Word("good", 2e-6, [("good", 2e-6)], ""), Word("film", -1e-6, [("film", -1e-6)])]
    return Explanation(
        "POSITIVE", score, baseline, ["good", "film"], [2e-6, -1e-6], words, "POSITIVE", ["NEGATIVE", "POSITIVE"],
        50, 0.0,
    )  # fmt: skip


def test_nothing_to_explain_is_said_not_painted():
    html = attribution_html(explanation(0.9999, 0.9999))
    assert "Nothing to explain" in html and "good film" in html and "rgba" not in html


def test_a_real_push_is_painted():
    html = attribution_html(explanation(0.9, 0.5))
    assert "rgba(22, 163, 74" in html and "Nothing to explain" not in html
