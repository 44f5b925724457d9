"""Serving modes: fill-mask and classification are batched gradio events; --max-batch-size 1 turns that off."""

from __future__ import annotations

from dataclasses import replace

import gradio as gr
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from playground.tasks.validation import InputError
from playground.ui.batch_rows import Refused
from playground.ui.errors import api_answers, raise_error
from playground.ui.events import CLEARED, batch_outputs
from playground.ui.layout import build_demo, launch_options

BATCHED_ENDPOINTS = {"/fill_mask", "/classify"}


def batched_functions(demo) -> dict[str, tuple[bool, int]]:
    return {f"/{fn.api_name}": (fn.batch, fn.max_batch_size) for fn in demo.fns.values() if fn.api_name}


def test_public_endpoints_are_batched_events(settings, manager):
    demo = build_demo(replace(settings, max_batch_size=8), manager)
    functions = batched_functions(demo)
    for name in BATCHED_ENDPOINTS:
        assert functions[name] == (True, 8)
    assert not functions["/explain"][0] and not functions["/generate"][0]
    # The UI's Predict, Classify and Find the answer are batched too (private events, one per tab).
    private = [fn for fn in demo.fns.values() if fn.batch and fn.api_visibility == "private"]
    assert len(private) == 3 and all(fn.max_batch_size == 8 for fn in private)


@pytest.fixture(scope="module")
def unbatched_client(settings, manager):
    demo = build_demo(replace(settings, max_batch_size=1), manager).queue()
    assert not any(fn.batch for fn in demo.fns.values())
    demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True, **launch_options())
    yield Client(demo.local_url, verbose=False)
    demo.close()


def test_unbatched_serving_gives_the_same_answers(unbatched_client, client):
    for kwargs, api_name in [
        ({"text": "The [MASK] sat on the [MASK].", "top_k": 3}, "/fill_mask"),
        ({"text": "The cat sat on the [MASK].", "targets": "mat, dog"}, "/fill_mask"),
        ({"text": "The food was cold."}, "/classify"),
    ]:
        assert unbatched_client.predict(**kwargs, api_name=api_name) == client.predict(
            **kwargs, api_name=api_name
        )
    with pytest.raises(AppError, match="no mask"):
        unbatched_client.predict(text="No blank.", api_name="/fill_mask")
    assert unbatched_client.predict(text="Fine.", api_name="/classify")


def test_a_refused_request_in_a_ui_batch_only_gets_its_own_message():
    results = ["a", InputError("There is no mask in the text."), "b"]
    plots, summaries, errors = batch_outputs(results, lambda r: (f"plot {r}", f"summary {r}"), 2)
    assert plots[0] == "plot a" and plots[2] == "plot b" and plots[1] is CLEARED  # not the earlier result
    assert summaries[1] is CLEARED
    assert errors == ["", "There is no mask in the text.", ""]
    with pytest.raises(gr.Error, match="There is no mask"):
        raise_error(errors[1])
    raise_error(errors[0])  # nothing to say: no error


def test_an_api_batch_with_a_refused_request_says_what_happened():
    assert api_answers(["a", "b"], str.upper) == ["A", "B"]
    with pytest.raises(gr.Error, match="Top-k must be"):  # a batch of one: its error, as alone
        api_answers([InputError("Top-k must be a whole number.")], str.upper)
    # several: the refused request's own error, which the queue sends to it alone (ui/batch_rows.py)
    answered, refused = api_answers(["a", InputError("There is no mask in the text.")], str.upper)
    assert (
        answered == "A"
        and isinstance(refused, Refused)
        and refused.error.message == "There is no mask in the text."
    )
