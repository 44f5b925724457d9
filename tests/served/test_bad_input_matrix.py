"""Anyone can send the public endpoints anything. Each bad request gets either a valid answer or a gr.Error
sentence a student understands (never a generic server error), and a valid request right after it works.

Every endpoint of the app is covered: its endpoints are read from gradio's API info, each must have a valid
request in tests/endpoints.py (`VALID`: add one line there for a new endpoint), and each parameter of each
endpoint gets hostile values made from its type (`hostile_values`)."""

from __future__ import annotations

import pytest
from gradio_client.exceptions import AppError

from tests.endpoints import (
    BAD_NUMBERS,
    EXTRA_CASES,
    NASTY_TEXTS,
    SLOW,
    VALID,
    hostile_values,
)

TEXT_PARAMETER = {"/generate": "prompt", "/question_answering": "context", "/score_text": "candidate"}
NUMBER_PARAMETERS = {
    "/question_answering": ["top_k", "max_answer_len"],
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
        if endpoint in SLOW or (endpoint not in TEXT_PARAMETER and "text" not in valid):
            continue
        text_name = TEXT_PARAMETER.get(endpoint, "text")
        for label, text in NASTY_TEXTS.items():
            yield pytest.param(endpoint, {**valid, text_name: text}, id=f"{endpoint} text={label}")
        for name in NUMBER_PARAMETERS.get(endpoint, []):
            for label, number in BAD_NUMBERS.items():
                yield pytest.param(endpoint, {**valid, name: number}, id=f"{endpoint} {name}={label}")
    for endpoint, changes, label in EXTRA_CASES:
        yield pytest.param(endpoint, {**VALID[endpoint], **changes}, id=f"{endpoint} {label}")


ALL_CASES = list(cases())


def test_the_matrix_is_large():
    assert len(ALL_CASES) >= 50


def assert_answer_or_sentence(client, endpoint: str, kwargs: dict) -> None:
    try:
        result = client.predict(**kwargs, api_name=endpoint)
        assert result is not None
    except AppError as error:
        message = str(error)
        assert len(message) > 20 and message.rstrip("'\")").endswith((".", "!", "?")), message  # a sentence
        assert not any(word in message for word in GENERIC), message


@pytest.mark.parametrize("endpoint,kwargs", ALL_CASES)
def test_bad_input_gets_an_answer_or_a_clear_error(client, endpoint, kwargs):
    assert_answer_or_sentence(client, endpoint, kwargs)
    assert client.predict(**VALID[endpoint], api_name=endpoint)  # the next request is answered


def test_every_endpoint_has_a_valid_request_listed(app_endpoints):
    """An endpoint without a line in tests/endpoints.py's VALID would get no red-team check at all."""
    missing = sorted(set(app_endpoints) - set(VALID))
    assert not missing, (
        f"No valid request for {missing} in tests/endpoints.py VALID: add one (keyword arguments of a quick, "
        "valid request on the test models) so that the red-team checks cover it."
    )
    assert not sorted(set(VALID) - set(app_endpoints)), "VALID lists endpoints the app does not serve"


@pytest.mark.parametrize("endpoint", sorted(VALID))
def test_every_parameter_of_every_endpoint_gets_hostile_values(client, app_endpoints, endpoint):
    """Each parameter of the endpoint (read from gradio's API info), in turn, gets values of the wrong type and
    hostile ones of its type (tests/endpoints.py `hostile_values`); each is answered or refused with a
    sentence, and the server answers a valid request afterwards."""
    if endpoint not in app_endpoints:
        pytest.skip(f"{endpoint} is not served by this app")
    for parameter in app_endpoints[endpoint]["parameters"]:
        name = parameter["parameter_name"]
        for label, value in hostile_values(endpoint, parameter).items():
            try:
                assert_answer_or_sentence(client, endpoint, {**VALID[endpoint], name: value})
            except AssertionError as error:
                raise AssertionError(f"{endpoint} {name}={label}: {error}") from None
    assert client.predict(**VALID[endpoint], api_name=endpoint)
