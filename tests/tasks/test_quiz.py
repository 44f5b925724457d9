"""The lessons' model questions (tasks/quiz.py) read the model's own answer: two different tiny models give
different right answers, each equal to what transformers computes on that model (argmax of the logits, the
fill-mask pipeline's first candidate, output_attentions' largest weight, the classifier's top label)."""

from __future__ import annotations

import pytest
import torch
from transformers import pipeline

from playground.models import ModelManager
from playground.tasks import quiz
from playground.tasks.text import readable_token
from playground.tiny_models import build_bert_mlm, build_gpt2

MAX_CHARS = 2000
TEXTS = ["The cat sat on the", "Once upon a time", "The dog", "I like to", "A", "The best way is"]
MASKED = ["The cat sat on the [MASK].", "the [MASK]", "dog [MASK] cat", "I [MASK]"]


@pytest.fixture(scope="module")
def other(tmp_path_factory) -> ModelManager:
    """The same kinds of tiny models made with another seed: other weights, other answers."""
    root = tmp_path_factory.mktemp("other-seed")
    models = {
        "generation": str(build_gpt2(root / "gpt2", seed=1)),
        "fill-mask": str(build_bert_mlm(root / "bert", seed=1)),
    }
    return ModelManager(models, "cpu")


def reference_next(loaded, text: str) -> str:
    ids = loaded.tokenizer(text, return_tensors="pt").input_ids
    with torch.inference_mode():
        logits = loaded.model(ids).logits[0, -1]
    return readable_token(loaded.tokenizer, int(logits.argmax()))


def reference_fill(loaded, text: str) -> str:
    fill = pipeline("fill-mask", model=loaded.model, tokenizer=loaded.tokenizer, device="cpu")
    return fill(text.replace("[MASK]", loaded.tokenizer.mask_token), top_k=1)[0]["token_str"].strip()


def test_next_token_is_the_models_own_top_token_and_differs_between_models(manager, other):
    answers = {}
    for name, loaded in (("a", manager.get("generation")), ("b", other.get("generation"))):
        for text in TEXTS:
            found = quiz.next_token(loaded, text, MAX_CHARS)
            assert found.answer == reference_next(loaded, text)
            assert found.answer in found.choices and len(found.choices) == quiz.CHOICES
            assert found.choices == sorted(found.choices, key=str.casefold)  # the order gives nothing away
            answers[name, text] = found.answer
    assert any(answers["a", text] != answers["b", text] for text in TEXTS)


def test_fill_is_the_pipelines_first_candidate_and_differs_between_models(manager, other):
    answers = {}
    for name, loaded in (("a", manager.get("fill-mask")), ("b", other.get("fill-mask"))):
        for text in MASKED:
            found = quiz.fill(loaded, text, MAX_CHARS)
            assert found.answer == reference_fill(loaded, text)
            assert found.answer in found.choices
            answers[name, text] = found.answer
    assert any(answers["a", text] != answers["b", text] for text in MASKED)


def test_most_attended_is_the_largest_weight_of_output_attentions(manager, other):
    text = "The cat sat on the mat because it was tired"
    answers = set()
    for loaded in (manager.get("fill-mask"), other.get("fill-mask")):
        found = quiz.most_attended(loaded, text, MAX_CHARS, 512, layer=1, head=1)
        encoded = loaded.tokenizer(text, return_tensors="pt")
        with loaded.eager_attention() as model, torch.inference_mode():
            weights = model(**encoded, output_attentions=True).attentions[0][0, 0]
        query = len(encoded.input_ids[0]) - 2  # the last word, before [SEP]
        assert found.score == pytest.approx(float(weights[query].max()), abs=1e-5)
        assert found.choices[int(weights[query].argmax())].split(" (")[0] == found.answer.split(" (")[0]
        answers.add(found.answer)
    with pytest.raises(Exception, match="layers"):
        quiz.most_attended(manager.get("fill-mask"), text, MAX_CHARS, 512, layer=99, head=1)


def test_label_and_token_count(manager):
    loaded = manager.get("sentiment")
    found = quiz.label(loaded, "What a wonderful day!", MAX_CHARS)
    classify = pipeline("text-classification", model=loaded.model, tokenizer=loaded.tokenizer, device="cpu")
    assert found.answer == classify("What a wonderful day!")[0]["label"]
    assert sorted(found.choices) == sorted(loaded.model.config.id2label.values())
    gpt2 = manager.get("generation")
    count = quiz.token_count(gpt2, "Tokenization is useful.", MAX_CHARS)
    assert count.answer == str(len(gpt2.tokenizer("Tokenization is useful.").input_ids))
    assert count.answer in count.choices
