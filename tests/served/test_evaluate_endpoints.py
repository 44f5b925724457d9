"""/perplexity and /score_text served for real, through gradio_client: the JSON shapes of DESIGN.md, the numbers
of the model's loss and of sacrebleu / rouge-score, and one sentence for each bad request."""

from __future__ import annotations

import math

import pytest
import sacrebleu
import torch
from gradio_client.exceptions import AppError
from rouge_score import rouge_scorer

CANDIDATE = "The cat is sitting on the mat."
REFERENCES = ["The cat sat on the mat.", "A cat was sitting on the mat."]


def test_perplexity_endpoint_is_the_exponent_of_the_models_loss(client, manager):
    text = "The best way to learn a language is to speak it every day."
    result = client.predict(text=text, api_name="/perplexity")
    loaded = manager.get("generation")
    ids = loaded.tokenizer(text, add_special_tokens=False, return_tensors="pt").input_ids
    with torch.no_grad():
        expected = math.exp(loaded.model(ids, labels=ids).loss.item())
    assert set(result) == {"perplexity", "tokens"}
    assert result["perplexity"] == pytest.approx(expected, rel=1e-5)
    assert len(result["tokens"]) == ids.shape[1] - 1 and set(result["tokens"][0]) == {"token", "logprob"}


def test_score_text_endpoint_is_sacrebleu_and_rouge_score(client):
    result = client.predict(candidate=CANDIDATE, references=REFERENCES, language="en", api_name="/score_text")
    assert set(result) == {"bleu", "rouge1", "rouge2", "rougeL", "details"}
    bleu = sacrebleu.corpus_bleu([CANDIDATE], [[r] for r in REFERENCES], tokenize="13a")
    assert result["bleu"] == pytest.approx(bleu.score)
    rouge = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"]).score_multi(REFERENCES, CANDIDATE)
    assert [result[k] for k in ("rouge1", "rouge2", "rougeL")] == pytest.approx(
        [rouge[k].fmeasure for k in ("rouge1", "rouge2", "rougeL")]
    )
    details = result["details"]
    assert details["bleu"]["counts"] == bleu.counts and details["bleu"]["brevity_penalty"] == bleu.bp
    assert details["rougeL"]["lcs"] and details["rouge2"]["matched_ngrams"][0]["ngram"]


def test_score_text_endpoint_in_chinese(client):
    candidate, references = "猫坐在垫子上。", ["猫坐在席子上。", "一只猫坐在垫子上。"]
    result = client.predict(candidate=candidate, references=references, language="zh", api_name="/score_text")
    bleu = sacrebleu.corpus_bleu([candidate], [[r] for r in references], tokenize="zh")
    assert result["bleu"] == pytest.approx(bleu.score) and result["rougeL"] > 0.8
    assert result["details"]["rouge_tokens"]["candidate"] == list(candidate)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"candidate": "", "references": REFERENCES}, "empty"),
        ({"candidate": CANDIDATE, "references": []}, "at least one reference"),
        ({"candidate": CANDIDATE, "references": "The cat sat on the mat."}, "must be a list"),
        ({"candidate": CANDIDATE, "references": {"a": "b"}}, "must be a list"),
        ({"candidate": CANDIDATE, "references": 7}, "must be a list"),
        ({"candidate": CANDIDATE, "references": [None]}, "Reference 1 must be text"),
        ({"candidate": CANDIDATE, "references": REFERENCES, "language": "fr"}, "Unknown language"),
        ({"candidate": CANDIDATE, "references": REFERENCES, "language": 3}, "Unknown language"),
    ],
)
def test_bad_score_requests_get_one_sentence_and_the_server_keeps_serving(client, kwargs, message):
    with pytest.raises(AppError, match=message):
        client.predict(**kwargs, api_name="/score_text")
    assert client.predict(candidate=CANDIDATE, references=REFERENCES, api_name="/score_text")["bleu"] > 0


@pytest.mark.parametrize(
    ("text", "message"), [("a", "at least two tokens"), ("", "empty"), ("x" * 2001, "limit")]
)
def test_bad_perplexity_requests_get_one_sentence(client, text, message):
    with pytest.raises(AppError, match=message):
        client.predict(text=text, api_name="/perplexity")
    assert client.predict(text="The cat sat.", api_name="/perplexity")["perplexity"] > 1
