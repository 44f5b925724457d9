"""Integrated Gradients explanations of the tiny DistilBERT classifier: completeness, targets, words."""

from __future__ import annotations

import pytest
import torch

from playground.api import explain_json
from playground.tasks.explain import DEFAULT_STEPS, TOLERANCE, explain
from playground.tasks.sentiment import classify
from playground.tasks.validation import InputError

MAX_CHARS = 2000
TEXTS = [
    "I loved this film, the actors were wonderful.",
    "The food was cold and the service was slow.",
    "The lesson was boring.",
    "I hated the ending.",
    "What a lovely day.",
    "The lesson was not as boring as I expected.",
    "Walking home, the teacher asked a question.",
    "the mat " * 40,  # longer than the model reads: cut, with a notice
]


@pytest.fixture(scope="module")
def classifier(manager):
    return manager.get("sentiment")


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("target", [None, "NEGATIVE", "POSITIVE"])
def test_completeness_at_the_default_steps(classifier, text, target):
    """The attributions add up to score - baseline_score within 5% (the Integrated Gradients axiom)."""
    result = explain(classifier, text, MAX_CHARS, target)
    difference = result.score - result.baseline_score
    assert abs(sum(result.attributions) - difference) <= TOLERANCE * abs(difference) + 1e-6
    assert result.n_steps >= DEFAULT_STEPS
    assert not any("approximate" in notice for notice in result.notices)


def test_scores_are_the_classifier_probabilities_at_the_text_and_at_the_baseline(classifier):
    text = "The food was cold and the service was slow."
    result = explain(classifier, text, MAX_CHARS)
    top = classify(classifier, text, MAX_CHARS).scores[0]
    assert result.label == result.predicted == top.label
    assert result.score == pytest.approx(top.score, abs=1e-5)
    tokenizer = classifier.tokenizer
    ids = tokenizer(text)["input_ids"]
    baseline = [i if i in tokenizer.all_special_ids else tokenizer.pad_token_id for i in ids]
    with torch.inference_mode():
        logits = classifier.model(input_ids=torch.tensor([baseline])).logits[0]
    label_id = classifier.model.config.label2id[result.label]
    assert result.baseline_score == pytest.approx(float(logits.softmax(-1)[label_id]), abs=1e-5)


def test_a_chosen_target_mirrors_the_other_label(classifier):
    text = "The lesson was boring."
    negative = explain(classifier, text, MAX_CHARS, "negative")  # any case
    positive = explain(classifier, text, MAX_CHARS, "POSITIVE")
    assert (negative.label, positive.label) == ("NEGATIVE", "POSITIVE")
    assert negative.predicted == positive.predicted == "NEGATIVE"
    # Two labels' probabilities add up to 1, so their attributions are opposite.
    for a, b in zip(negative.attributions, positive.attributions, strict=True):
        assert a == pytest.approx(-b, abs=0.02 * max(map(abs, negative.attributions)))
    assert explain(classifier, text, MAX_CHARS, "1").label == "POSITIVE"  # an index works too


def test_words_group_pieces_and_keep_the_text(classifier):
    text = "Walking home,  the teacher."
    result = explain(classifier, text, MAX_CHARS)
    assert result.tokens[0] == "[CLS]" and result.tokens[-1] == "[SEP]"
    assert result.attributions[0] == 0 and result.attributions[-1] == 0  # equal to the baseline
    assert "".join(w.space_before + w.text for w in result.words) == text
    walking = result.words[0]
    assert walking.text == "Walking" and [p for p, _ in walking.pieces] == ["w", "##a", "##l", "##k", "##ing"]
    assert walking.score == pytest.approx(sum(s for _, s in walking.pieces))


def test_json_shape(classifier):
    result = explain_json(explain(classifier, "I hated the ending.", MAX_CHARS))
    assert set(result) == {"label", "score", "baseline_score", "attributions"}
    assert set(result["attributions"][0]) == {"token", "score"}
    total = sum(a["score"] for a in result["attributions"])
    difference = result["score"] - result["baseline_score"]
    assert total == pytest.approx(difference, rel=TOLERANCE)


@pytest.mark.parametrize(
    "text,target,message",
    [("", None, "empty"), ("Fine.", "neutral", "Unknown label 'neutral'"), ("Ok", "7", "Unknown")],
)
def test_bad_input_gets_a_clear_message(classifier, text, target, message):
    with pytest.raises(InputError, match=message):
        explain(classifier, text, MAX_CHARS, target)
