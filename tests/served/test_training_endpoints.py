"""/fine_tune, /train_tiny and /pretrain_mlm on the running app: they stream progress, the last message is the result in the
fixed shape, bad input gets one sentence, and the served model answers as before."""

from __future__ import annotations

import pytest
from gradio_client.exceptions import AppError

from playground.tasks import training

TEXTS = ["good good good", "a good day", "bad bad bad", "a bad day"]
LABELS = ["POSITIVE", "POSITIVE", "NEGATIVE", "NEGATIVE"]


def test_fine_tune_streams_steps_then_the_result_and_leaves_classify_unchanged(client):
    before = client.predict("What a lovely day.", api_name="/classify")
    job = client.submit(
        TEXTS, LABELS, epochs=4, learning_rate=1e-3, batch_size=2, seed=1, api_name="/fine_tune"
    )
    result = job.result()
    messages = job.outputs()
    assert [m["step"] for m in messages[:-1]] == list(range(1, 9)) and messages[-1] == result
    assert set(result) == {"labels", "losses", "accuracy_before", "accuracy_after", "predictions"}
    assert result["labels"] == ["NEGATIVE", "POSITIVE"] and len(result["losses"]) == 8
    assert [m["loss"] for m in messages[:-1]] == result["losses"]
    assert [p["text"] for p in result["predictions"]] == TEXTS
    assert set(result["predictions"][0]) == {"text", "label", "score"}
    assert 0 <= result["accuracy_before"] <= 1 and 0 <= result["accuracy_after"] <= 1
    again = client.predict(
        TEXTS, LABELS, epochs=4, learning_rate=1e-3, batch_size=2, seed=1, api_name="/fine_tune"
    )
    assert again["losses"] == result["losses"]  # deterministic
    assert client.predict("What a lovely day.", api_name="/classify") == before


def test_train_tiny_streams_steps_and_samples_then_the_result(client):
    job = client.submit(training.builtin_text("en"), steps=12, seed=2, api_name="/train_tiny")
    result = job.result()
    assert set(result) == {"losses", "samples", "perplexity_before", "perplexity_after"}
    assert len(result["losses"]) == 12 and [s["step"] for s in result["samples"]] == [0, 12]
    steps = [m for m in job.outputs()[:-1] if "loss" in m]
    assert [m["step"] for m in steps] == list(range(1, 13))
    assert result["perplexity_after"] < result["perplexity_before"]


def test_pretrain_mlm_streams_steps_and_probes_then_the_result_and_the_same_seed_the_same_losses(client):
    text = training.builtin_text("en")
    job = client.submit(text, steps=12, seed=2, mask_probability=0.2, api_name="/pretrain_mlm")
    result = job.result()
    assert set(result) == {"losses", "masked_accuracy", "probes"}
    assert len(result["losses"]) == 12 == len(result["masked_accuracy"])
    steps = [m for m in job.outputs()[:-1] if "loss" in m]
    assert [m["step"] for m in steps] == list(range(1, 13))
    assert [m["loss"] for m in steps] == result["losses"]
    assert [m["masked_accuracy"] for m in steps] == result["masked_accuracy"]
    assert [p["step"] for p in result["probes"]] == [0, 12]
    probe = result["probes"][-1]
    assert set(probe) == {"step", "text", "predictions"} and "[MASK]" in probe["text"]
    assert len(probe["predictions"]) == 5 and set(probe["predictions"][0]) == {"token_str", "score"}
    scores = [p["score"] for p in probe["predictions"]]
    assert scores == sorted(scores, reverse=True) and 0 < sum(scores) <= 1.0001
    again = client.predict(text, steps=12, seed=2, mask_probability=0.2, api_name="/pretrain_mlm")
    assert again["losses"] == result["losses"]  # deterministic
    other = client.predict(text, steps=12, seed=3, mask_probability=0.2, api_name="/pretrain_mlm")
    assert other["losses"] != result["losses"]


@pytest.mark.parametrize(
    ("api_name", "args", "words"),
    [
        ("/fine_tune", (TEXTS, [None, "POSITIVE", "NEGATIVE", "NEGATIVE"]), "label 1 is None"),
        ("/fine_tune", (TEXTS, [1, 1, 0, 0]), "must be a string"),
        ("/fine_tune", (TEXTS, [{"a": 1}, "POSITIVE", "NEGATIVE", "NEGATIVE"]), "must be a string"),
        ("/fine_tune", ([1, 2, 3, 4], LABELS), "text 1 is 1"),
        ("/pretrain_mlm", ("far too short",), "too short"),
        ("/pretrain_mlm", (training.builtin_text("en"), 10**9), "Steps"),
        ("/pretrain_mlm", (training.builtin_text("en"), 10, 0, 1.5), "mask probability"),
        ("/pretrain_mlm", (training.builtin_text("en"), 10, 0, 0), "between 0 and 1"),
        ("/fine_tune", ([], []), "no examples"),
        ("/fine_tune", (["a", "b"], ["x", "x"]), "only one label"),
        ("/fine_tune", (["a", "b"], ["x"]), "2 texts but 1 labels"),
        ("/fine_tune", (TEXTS, LABELS, 10**6), "Epochs"),
        ("/train_tiny", ("far too short",), "too short"),
        ("/train_tiny", (training.builtin_text("en"), 10**9), "Steps"),
    ],
)
def test_bad_input_gets_one_sentence_and_the_server_keeps_serving(client, api_name, args, words):
    with pytest.raises(AppError, match=words):
        client.predict(*args, api_name=api_name)
    assert client.predict("ok", api_name="/classify")
