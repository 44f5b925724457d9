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
