"""Sentiment agrees with transformers.pipeline("text-classification") on the same tiny DistilBERT."""

from __future__ import annotations

import pytest
from transformers import pipeline

from playground.api import classify_json
from playground.tasks import InputError
from playground.tasks.sentiment import classify

MAX_CHARS = 2000


@pytest.fixture(scope="module")
def classifier(manager):
    return manager.get("sentiment")


@pytest.mark.parametrize(
    "text", ["I loved this film, the actors were wonderful.", "The food was cold.", "ok", "the mat " * 50]
)
def test_all_labels_equal_pipeline(classifier, text):
    reference = pipeline("text-classification", model=classifier.model, tokenizer=classifier.tokenizer)
    theirs = reference(text, top_k=None, truncation=True)
    ours = classify_json(classify(classifier, text, MAX_CHARS))
    assert [r["label"] for r in ours] == [r["label"] for r in theirs]
    for a, b in zip(ours, theirs, strict=True):
        assert a["score"] == pytest.approx(b["score"], abs=1e-5)
    assert sum(r["score"] for r in ours) == pytest.approx(1.0)


def test_over_long_text_has_a_notice(classifier):
    assert classify(classifier, "the mat " * 50, MAX_CHARS).notices


@pytest.mark.parametrize("text,message", [("", "empty"), ("\t ", "empty"), ("x" * (MAX_CHARS + 1), "limit")])
def test_bad_input_gets_a_clear_message(classifier, text, message):
    with pytest.raises(InputError, match=message):
        classify(classifier, text, MAX_CHARS)
