"""/fine_tune and /train_tiny on the running app: they stream progress, the last message is the result in the
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


@pytest.mark.parametrize(
    ("api_name", "args", "words"),
    [
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
