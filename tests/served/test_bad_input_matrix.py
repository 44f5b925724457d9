"""Anyone can send the public endpoints anything. Each bad request gets either a valid answer or a gr.Error
sentence a student understands (never a generic server error), and a valid request right after it works."""

from __future__ import annotations

import pytest
from gradio_client.exceptions import AppError

ONE_MB = "lorem ipsum " * 90_000
NASTY_TEXTS = {
    "empty": "",
    "whitespace": " \n\t ",
    "1 MB": ONE_MB,
    "NUL and control bytes": "The cat\x00 sat\x01\x02 on the\x1b[31m mat",
    "emoji": "I 😍 this film 🎬🍿",
    "right-to-left": "مرحبا بالعالم، هذا اختبار",
    "zero-width": "The\u200b cat\u200c sat\u200d on\ufeff the mat",
    "HTML": "<img src=x onerror=alert(1)> <b>bold</b>",
    "script": "<script>alert('hi')</script>",
    "hundreds of masks": "[MASK] " * 300,
    "only a mask": "[MASK]",
}
# JSON has no NaN or infinity (gradio_client refuses to send them), so a client can only send them as text.
BAD_NUMBERS = {"NaN": "NaN", "infinity": "Infinity", "negative": -5, "huge": 10**12, "text": "five"}
MODEL_NAMES = ["llama", "/etc/passwd", "../../models/secret", "https://example.com/model", "", "FILL-MASK"]

# (endpoint, keyword arguments that make a valid request)
VALID = {
    "/generate": {"prompt": "The cat", "max_new_tokens": 3, "temperature": 0.0},
    "/next_token": {"text": "The cat", "top_n": 5},
    "/fill_mask": {"text": "The cat sat on the [MASK].", "top_k": 3},
    "/classify": {"text": "I loved it."},
    "/attention": {"text": "The cat sat.", "model": "fill-mask"},
    "/attention_view": {"text": "The cat sat.", "model": "fill-mask", "view": "head"},
    "/explain": {"text": "I loved it."},
    "/perplexity": {"text": "The cat sat on the mat."},
    "/score_text": {"candidate": "The cat sat.", "references": ["The cat sat on the mat."], "language": "en"},
}
TEXT_PARAMETER = {"/generate": "prompt", "/score_text": "candidate"}
NUMBER_PARAMETERS = {
    "/generate": [
        "max_new_tokens",
        "temperature",
        "top_k",
        "top_p",
        "repetition_penalty",
        "seed",
        "num_samples",
    ],
    "/next_token": ["temperature", "top_k", "top_p", "top_n"],
    "/fill_mask": ["top_k"],
}
GENERIC = ["upstream", "Something went wrong", "Traceback", "Exception", "NoneType"]


def cases():
    for endpoint, valid in VALID.items():
        text_name = TEXT_PARAMETER.get(endpoint, "text")
        for label, text in NASTY_TEXTS.items():
            yield pytest.param(endpoint, {**valid, text_name: text}, id=f"{endpoint} text={label}")
        for name in NUMBER_PARAMETERS.get(endpoint, []):
            for label, number in BAD_NUMBERS.items():
                yield pytest.param(endpoint, {**valid, name: number}, id=f"{endpoint} {name}={label}")
    for name in MODEL_NAMES:
        yield pytest.param(
            "/attention", {**VALID["/attention"], "model": name}, id=f"/attention model={name!r}"
        )
    yield pytest.param("/fill_mask", {"text": "No blank here.", "top_k": 5}, id="/fill_mask no mask")
    yield pytest.param("/classify", {"text": 42}, id="/classify text=number")
    yield pytest.param(
        "/generate", {**VALID["/generate"], "temperature": 0, "num_samples": 3}, id="greedy samples"
    )


ALL_CASES = list(cases())


def test_the_matrix_is_large():
    assert len(ALL_CASES) >= 50


@pytest.mark.parametrize("endpoint,kwargs", ALL_CASES)
def test_bad_input_gets_an_answer_or_a_clear_error(client, endpoint, kwargs):
    try:
        result = client.predict(**kwargs, api_name=endpoint)
        assert result is not None
    except AppError as error:
        message = str(error)
        assert len(message) > 20 and message.rstrip("'\")").endswith((".", "!", "?")), message  # a sentence
        assert not any(word in message for word in GENERIC), message
    assert client.predict(**VALID[endpoint], api_name=endpoint)  # the next request is answered
