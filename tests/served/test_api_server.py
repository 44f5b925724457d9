"""The app served for real: every endpoint called through gradio_client, with the DESIGN.md JSON shapes."""

from __future__ import annotations

import importlib
import time

import pytest
from gradio_client.exceptions import AppError


def test_generate_endpoint(client):
    result = client.predict("The cat sat", 8, 0.0, 50, 1.0, 1.0, 0, api_name="/generate")
    assert isinstance(result, list) and list(result[0]) == ["generated_text"]
    assert result[0]["generated_text"].startswith("The cat sat")


def test_generate_endpoint_keywords(client):
    result = client.predict(
        prompt="Once upon a time", max_new_tokens=5, temperature=0.7, seed=3, api_name="/generate"
    )
    again = client.predict(
        prompt="Once upon a time", max_new_tokens=5, temperature=0.7, seed=3, api_name="/generate"
    )
    assert result == again


def test_fill_mask_endpoint(client):
    one = client.predict(text="The cat sat on the [MASK].", top_k=3, api_name="/fill_mask")
    assert len(one) == 3 and set(one[0]) == {"score", "token", "token_str", "sequence"}
    two = client.predict(text="The [MASK] sat on the <mask>.", top_k=2, api_name="/fill_mask")
    assert len(two) == 2 and all(len(candidates) == 2 for candidates in two)


def test_classify_endpoint(client):
    result = client.predict(text="I loved this film.", api_name="/classify")
    assert {r["label"] for r in result} == {"NEGATIVE", "POSITIVE"}
    assert result[0]["score"] >= result[1]["score"]


@pytest.mark.parametrize("model", ["fill-mask", "generation", "sentiment"])
def test_attention_endpoint(client, model):
    result = client.predict(text="The cat sat on the mat.", model=model, api_name="/attention")
    n = len(result["tokens"])
    assert set(result) == {"model", "tokens", "attentions"}
    assert len(result["attentions"][0][0]) == n and len(result["attentions"][0][0][0]) == n


def test_bad_input_is_a_clear_error_and_the_server_keeps_serving(client):
    with pytest.raises(AppError, match="no mask"):
        client.predict(text="No blank here.", top_k=5, api_name="/fill_mask")
    with pytest.raises(AppError, match="empty"):
        client.predict(text="   ", api_name="/classify")
    with pytest.raises(AppError, match="Temperature"):
        client.predict(prompt="Hi", temperature=-1, api_name="/generate")
    with pytest.raises(AppError, match="Unknown model"):
        client.predict(text="Hi", model="llama", api_name="/attention")
    assert client.predict(text="Fine again.", api_name="/classify")


def test_same_seed_gives_the_same_text_while_others_generate_at_the_same_time(client):
    def request(seed):
        return ("The cat sat", 15, 1.0, 50, 1.0, 1.0, seed)

    alone = {seed: client.predict(*request(seed), api_name="/generate") for seed in range(4)}
    seeds = [seed for seed in range(4) for _ in range(3)]
    jobs = [client.submit(*request(seed), api_name="/generate") for seed in seeds]
    for seed, job in zip(seeds, jobs, strict=True):
        assert job.result() == alone[seed]
    assert len({result[0]["generated_text"] for result in alone.values()}) > 1


def test_generate_endpoint_returns_one_text_per_sample(client):
    result = client.predict(prompt="The", max_new_tokens=5, seed=1, num_samples=3, api_name="/generate")
    assert len(result) == 3 and all(r["generated_text"].startswith("The") for r in result)


def test_next_token_endpoint(client, settings):
    result = client.predict(
        text="The cat sat on the", temperature=0.8, top_k=5, top_p=1.0, top_n=8, api_name="/next_token"
    )
    assert len(result) == 8
    assert set(result[0]) == {"token", "token_id", "logit", "prob", "prob_after", "kept"}
    assert sum(r["kept"] for r in result) == 5
    assert sum(r["prob_after"] for r in result) == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(AppError, match="top_n"):
        client.predict(text="The", top_n=settings.max_top_n + 1, api_name="/next_token")


def test_fill_mask_endpoint_with_targets(client):
    result = client.predict(text="The cat sat on the [MASK].", targets=["mat", "dog"], api_name="/fill_mask")
    assert {r["token_str"] for r in result} == {"mat", "dog"}
    same = client.predict(text="The cat sat on the [MASK].", targets="mat, dog", api_name="/fill_mask")
    assert same == result


def test_explain_endpoint(client):
    result = client.predict(text="The food was cold and the service was slow.", api_name="/explain")
    assert set(result) == {"label", "score", "baseline_score", "attributions"}
    assert result["attributions"][0] == {"token": "[CLS]", "score": 0.0}
    total = sum(a["score"] for a in result["attributions"])
    assert total == pytest.approx(result["score"] - result["baseline_score"], rel=0.05)
    other = client.predict(text="The food was cold.", target="POSITIVE", api_name="/explain")
    assert other["label"] == "POSITIVE"
    with pytest.raises(AppError, match="Unknown label"):
        client.predict(text="The food was cold.", target="NEUTRAL", api_name="/explain")


class BatchSizes:
    """Wraps a task's batch function: records how many requests each call answered; the first call waits a
    moment, so that requests sent meanwhile queue up and are answered together in the next batch."""

    def __init__(self, monkeypatch, target: str):
        module, name = target.rsplit(".", 1)
        self.original = getattr(importlib.import_module(module), name)
        self.sizes: list[int] = []
        monkeypatch.setattr(target, self)

    def __call__(self, loaded, requests, max_chars):
        self.sizes.append(len(requests))
        if len(self.sizes) == 1:
            time.sleep(0.5)
        return self.original(loaded, requests, max_chars)


FILL_MASK_REQUESTS = [
    {"text": "The cat sat on the [MASK].", "top_k": 3},
    {"text": "[MASK] is the capital of France, said the [MASK].", "top_k": 5},
    {"text": "The quick brown [MASK] jumps over the lazy dog, every day of the week.", "top_k": 2},
    {"text": "The cat sat on the [MASK].", "top_k": 4, "targets": "mat, dog, floor"},
]


def test_concurrent_fill_mask_requests_share_a_batch_and_get_their_single_answers(client, monkeypatch):
    alone = [client.predict(**request, api_name="/fill_mask") for request in FILL_MASK_REQUESTS]
    spy = BatchSizes(monkeypatch, "playground.tasks.fill_mask.fill_mask_batch")
    requests = FILL_MASK_REQUESTS * 4
    jobs = [client.submit(**request, api_name="/fill_mask") for request in requests]
    for request, job in zip(requests, jobs, strict=True):
        assert_close(job.result(), alone[FILL_MASK_REQUESTS.index(request)])
    assert sum(spy.sizes) == len(requests) and max(spy.sizes) > 1  # one forward pass for several requests


def test_concurrent_classify_requests_share_a_batch_and_get_their_single_answers(client, monkeypatch):
    texts = ["I loved this film.", "The food was cold and the service was slow.", "ok", "What a lovely day."]
    alone = {text: client.predict(text=text, api_name="/classify") for text in texts}
    spy = BatchSizes(monkeypatch, "playground.tasks.sentiment.classify_batch")
    jobs = [(text, client.submit(text=text, api_name="/classify")) for text in texts * 4]
    for text, job in jobs:
        assert_close(job.result(), alone[text])
    assert sum(spy.sizes) == len(jobs) and max(spy.sizes) > 1


def test_a_bad_request_alone_gets_its_own_message_and_the_next_batch_works(client):
    with pytest.raises(AppError) as error:
        client.predict(text="No blank.", api_name="/fill_mask")
    assert str(error.value).startswith("There is no mask in the text.")
    assert client.predict(text="The cat sat on the [MASK].", top_k=1, api_name="/fill_mask")


def assert_close(ours, theirs):
    """Same JSON, numbers equal up to float noise (a padded batch may round differently)."""
    if isinstance(ours, float):
        assert ours == pytest.approx(theirs, abs=1e-5)
    elif isinstance(ours, dict):
        assert ours.keys() == theirs.keys()
        for key in ours:
            assert_close(ours[key], theirs[key])
    elif isinstance(ours, list):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            assert_close(a, b)
    else:
        assert ours == theirs
