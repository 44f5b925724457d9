"""Issue 16 through the served app: every value answered with a valid result or one clear sentence."""

from __future__ import annotations

import math

import pytest
from gradio_client.exceptions import AppError

TEXT = "The cat sat on the mat."


@pytest.mark.parametrize("view", [["head"], {"view": "head"}, 3])
def test_attention_view_with_a_view_that_is_not_text(client, view):
    with pytest.raises(AppError, match="Unknown view"):
        client.predict(text=TEXT, view=view, api_name="/attention_view")


@pytest.mark.parametrize("layers", ["1-20000000", "1-" + "9" * 30, "1-" + "9" * 5000])
def test_attention_view_with_a_huge_range(client, layers):
    with pytest.raises(AppError, match=r"There is no layer .*: this model has 2 layers"):
        client.predict(text=TEXT, layers=layers, api_name="/attention_view")


def test_fill_mask_targets_as_long_as_a_million_characters(client):
    with pytest.raises(AppError, match="characters long together; the limit here is 2,000"):
        client.predict(text="The cat sat on the [MASK].", targets="mat," * 250_012, api_name="/fill_mask")


@pytest.mark.parametrize("temperature", [1e-40, 1e-300, 5e-324])
def test_tiny_temperatures_are_greedy_through_the_server(client, temperature):
    """Point 10: a temperature too small to represent behaves as greedy, in /generate and /next_token."""
    prompt = "The cat"
    [greedy] = client.predict(prompt=prompt, max_new_tokens=5, temperature=0, api_name="/generate")
    [tiny] = client.predict(
        prompt=prompt, max_new_tokens=5, temperature=temperature, seed=3, api_name="/generate"
    )
    assert tiny["generated_text"] == greedy["generated_text"]
    candidates = client.predict(text=prompt, temperature=temperature, top_n=5, api_name="/next_token")
    after = [c["prob_after"] for c in candidates]
    assert all(p is not None and math.isfinite(p) for p in after)
    assert after[0] == pytest.approx(1.0) and sum(after) == pytest.approx(1.0)
    assert [c["kept"] for c in candidates] == [True] + [False] * 4


def upload(app_url: str, size: int) -> int:
    import urllib.error
    import urllib.request
    import uuid

    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + b"text\n"
        + b"a" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        app_url.rstrip("/") + "/gradio_api/upload",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_uploads_over_the_limit_are_refused(app_url, settings):
    """Point 4: --max-upload-mb (2 MB in the tests) is gradio's max_file_size."""
    assert upload(app_url, 100_000) == 200
    assert upload(app_url, settings.max_upload_mb * 2**20 + 1000) == 413


def test_finished_sessions_are_forgotten_past_max_sessions(served_demo, settings):
    """Point 3: one-off API clients each leave a session (its last answers); gradio keeps 10,000 of them by
    default (~2.5 MB each for /attention on the tiny models, ~118 MB with BERT-base): --max-sessions (20 in
    the tests) bounds how many are kept, the least recently active forgotten first."""
    from tests.helpers import event_index, queue_call

    index = event_index(served_demo, "attention_api")
    for _ in range(settings.max_sessions + 15):
        answer = queue_call(served_demo.local_url, index, ["The cat sat on the mat.", "fill-mask"])
        assert answer["success"] is True
    assert len(served_demo.state_holder.session_data) <= settings.max_sessions
