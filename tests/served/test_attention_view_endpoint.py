"""/attention_view through gradio_client: a self-contained bertviz document, and clear errors for bad input.
(The views and documents themselves are tested without a server in tests/tasks/test_attention_views.py.)"""

from __future__ import annotations

import re

import numpy as np
import pytest
from gradio_client.exceptions import AppError

from tests.helpers import bertviz_params

TEXT = "The cat sat on the mat, and the cat slept."
URL = re.compile(r"https?://", re.IGNORECASE)


def test_attention_view_endpoint(client):
    document = client.predict(text=TEXT, model="fill-mask", view="head", api_name="/attention_view")
    assert isinstance(document, str) and document.startswith("<!DOCTYPE html>")
    assert not URL.search(document) and "bertviz head view" in document
    params = bertviz_params(document)
    assert params["attention"][0]["left_text"][0] == "[CLS]" and params["include_layers"] == [1, 2]
    # defaults: model="fill-mask", view="head"
    assert bertviz_params(client.predict(text=TEXT, api_name="/attention_view"))["include_layers"] == [1, 2]

    model_view = client.predict(
        text=TEXT, model="generation", view="model", layers="2", heads="1", api_name="/attention_view"
    )
    params = bertviz_params(model_view)
    assert params["include_layers"] == [2] and params["include_heads"] == [1] and params["total_heads"] == 2
    weights = np.array(params["attention"][0]["attn"])  # (1 layer, 1 head, T, T), rounded to 3 decimals
    assert weights.shape[:2] == (1, 1)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=weights.shape[-1] * 5e-4)
    assert np.all(weights[0, 0][np.triu_indices(weights.shape[-1], 1)] == 0)


def test_attention_view_endpoint_bad_input_is_a_clear_error(client):
    for kwargs, message in [
        ({"view": "sideways"}, "Unknown view"),
        ({"model": "llama"}, "Unknown model"),
        ({"layers": "9"}, "no layer 9"),
        ({"heads": "one"}, "Could not read the heads"),
        ({"text": "   "}, "empty"),
    ]:
        with pytest.raises(AppError, match=message):
            client.predict(**{"text": TEXT, **kwargs}, api_name="/attention_view")
    assert client.predict(text="Fine again.", api_name="/attention_view").startswith("<!DOCTYPE html>")
