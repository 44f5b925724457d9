"""The Experiments endpoints served: /heads, /ablate, /patch, /kv_cache and /train_tokenizer through gradio_client
give the same numbers as the task functions called in-process on the same loaded models (the task tests check
those against hooks written by hand), on every served model each applies to; bad input gets its sentence."""

from __future__ import annotations

import json

import numpy as np
import pytest
from gradio_client.exceptions import AppError

from playground import api
from playground.tasks.experiments import ablation, heads, kv_cache, patching, tokenizer_lab
from playground.tasks.inside.adapters import parts_of

TEXT = "When Mary and John went to the store, John gave a drink to Mary."
MASKED = "The cat sat on the [MASK]."


def served_json(body: dict) -> dict:
    """The task's JSON as it crosses the wire (tuples become lists)."""
    return json.loads(json.dumps(body))


def assert_same(got, expected, path="") -> None:
    """Equal structures; numbers within 1e-6."""
    if isinstance(expected, dict):
        assert isinstance(got, dict) and set(got) == set(expected), path
        for key in expected:
            assert_same(got[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), path
        for i, (a, b) in enumerate(zip(got, expected, strict=True)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(expected, float) and not isinstance(got, str):
        assert np.isclose(got, expected, rtol=0, atol=1e-6), (path, got, expected)
    else:
        assert got == expected, (path, got, expected)


@pytest.mark.parametrize(("model", "text"), [("generation", TEXT), ("fill-mask", TEXT), ("chat", TEXT)])
def test_heads_endpoint_equals_the_task(client, manager, settings, model, text):
    got = client.predict(text=text, model=model, api_name="/heads")
    expected = heads.head_scores(
        manager.get(model), text, settings.max_input_chars, settings.max_attention_tokens
    )
    assert_same(got, served_json(api.heads_json(expected)))
    assert len(got["scores"]["induction"]) == parts_of(manager.get(model).model).num_layers


@pytest.mark.parametrize(
    ("model", "text", "mode"),
    [
        ("generation", TEXT, "zero"),
        ("fill-mask", MASKED, "mean"),
        ("sentiment", "I loved it.", "zero"),
        ("chat", TEXT, "mean"),
    ],
)
def test_ablate_endpoint_equals_the_task(client, manager, settings, model, text, mode):
    got = client.predict(text=text, model=model, heads="1.1, 2.2", mode=mode, top_n=5, api_name="/ablate")
    expected = ablation.ablate(
        manager.get(model), text, settings.max_input_chars, settings.max_attention_tokens, "1.1, 2.2", mode, 5
    )
    assert_same(got, served_json(api.ablation_json(expected)))
    assert got["before"] != got["after"]  # the knocked-out heads change the prediction


@pytest.mark.parametrize(
    ("model", "clean"),
    [("generation", "The cat sat on the"), ("fill-mask", MASKED)],
)
def test_patch_endpoint_equals_the_task(client, manager, settings, model, clean):
    loaded = manager.get(model)
    special = model == "fill-mask"
    ids = loaded.tokenizer(clean, add_special_tokens=special)["input_ids"]
    corrupted = next(  # a word changed, the same number of tokens on this model's tokenizer
        text
        for text in (clean.replace("cat", f"{letter}at") for letter in "rbhmpfsv")
        if len(loaded.tokenizer(text, add_special_tokens=special)["input_ids"]) == len(ids)
    )
    changed = loaded.tokenizer(corrupted, add_special_tokens=special)["input_ids"]
    at = next(i for i, (a, b) in enumerate(zip(ids, changed, strict=True)) if a != b)
    answers = [loaded.tokenizer.decode([ids[at]]), loaded.tokenizer.decode([changed[at]])]  # "cat", "rat"
    got = client.predict(
        clean=clean,
        corrupted=corrupted,
        model=model,
        clean_answer=answers[0],
        corrupted_answer=answers[1],
        api_name="/patch",
    )
    expected = patching.patch(loaded, clean, corrupted, settings.max_input_chars, *answers)
    assert_same(got, served_json(api.patch_json(expected)))
    assert len(got["effect"]) == len(expected.effect) and np.ptp(got["effect"]) > 0


@pytest.mark.parametrize("model", ["generation", "chat"])
def test_kv_cache_endpoint_equals_the_task(client, manager, settings, model):
    got = client.predict(text="The cat sat", model=model, new_tokens=3, api_name="/kv_cache")
    expected = served_json(
        api.kv_cache_json(
            kv_cache.kv_cache(
                manager.get(model), "The cat sat", settings.max_input_chars, settings.max_attention_tokens, 3
            )
        )
    )
    for step in got["steps"] + expected["steps"]:  # measured live: the times differ from run to run
        assert step.pop("ms_cached") > 0 and step.pop("ms_uncached") > 0
    assert_same(got, expected)
    assert [step["kind"] for step in got["steps"]] == ["prefill", "decode", "decode"]


def test_train_tokenizer_endpoint_equals_the_task(client, settings):
    text = "the cat sat on the mat\nthe cat ate the rat\n今天天气很好，今天天气不好"
    got = client.predict(text=text, vocab_size=280, min_frequency=2, api_name="/train_tokenizer")
    expected = tokenizer_lab.train(text, settings.max_input_chars, 280, 2)
    assert_same(got, served_json(api.train_tokenizer_json(expected)))
    assert got["merges"] and got["vocab_size"] == expected.vocab_size


@pytest.mark.parametrize(
    ("endpoint", "arguments", "match"),
    [
        ("/heads", {"text": "", "model": "generation"}, "empty"),
        ("/ablate", {"text": TEXT, "model": "generation", "heads": "99.1"}, "Layer 99 does not exist"),
        ("/patch", {"clean": "The cat sat", "corrupted": "The big dog sat on"}, "same number"),
        ("/kv_cache", {"text": TEXT, "model": "sentiment"}, "."),
        ("/train_tokenizer", {"text": "ab ab", "vocab_size": 10}, "."),
    ],
)
def test_experiments_bad_input_gets_a_sentence(client, endpoint, arguments, match):
    with pytest.raises(AppError, match=match):
        client.predict(**arguments, api_name=endpoint)
    assert client.predict(text="ab ab ab", vocab_size=260, api_name="/train_tokenizer")[
        "merges"
    ]  # still serving
