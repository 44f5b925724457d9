"""Many users at once: 50 mixed concurrent requests all succeed, and each answer equals the answer to the
same request made alone (no cross-talk through the shared models, their caches or the global RNG)."""

from __future__ import annotations

import itertools

import pytest

SENTENCES = ["The cat sat on the mat.", "I loved this film.", "The food was cold.", "Paris is the capital."]


def requests():
    """50 different requests over every endpoint."""
    made = []
    for i in itertools.count():
        sentence = SENTENCES[i % len(SENTENCES)]
        made += [
            ("/generate", {"prompt": sentence, "max_new_tokens": 8, "temperature": 1.0, "seed": i}),
            ("/fill_mask", {"text": sentence.rsplit(" ", 1)[0] + " [MASK].", "top_k": 3}),
            ("/classify", {"text": sentence + " " * (i % 3)}),
            ("/attention", {"text": sentence, "model": ["fill-mask", "generation", "sentiment"][i % 3]}),
            ("/next_token", {"text": sentence, "temperature": 0.5 + i / 10, "top_k": 5, "top_n": 5}),
        ]
        if len(made) >= 50:
            return made[:50]


def assert_same(a, b, path="answer"):
    """Equal, with floats equal to 1e-5 (a batched forward pass may round differently in the last bits)."""
    if isinstance(a, float) or isinstance(b, float):
        assert a == pytest.approx(b, abs=1e-5), path
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            assert_same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]")
    else:
        assert a == b, path


def test_fifty_mixed_concurrent_requests_equal_their_answers_alone(client):
    work = requests()
    alone = [client.predict(**kwargs, api_name=endpoint) for endpoint, kwargs in work]
    jobs = [client.submit(**kwargs, api_name=endpoint) for endpoint, kwargs in work]
    together = [job.result(timeout=120) for job in jobs]
    for (endpoint, kwargs), one, concurrent in zip(work, alone, together, strict=True):
        assert_same(concurrent, one, f"{endpoint} {kwargs}")
