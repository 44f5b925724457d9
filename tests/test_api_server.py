"""The app served for real: every endpoint called through gradio_client, with the DESIGN.md JSON shapes."""

from __future__ import annotations

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
