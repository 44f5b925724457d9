"""/positions, /word_order, /block_structure and /random_mask of the running app: their documented shapes,
read from the served models (issue 27, point 4)."""

from __future__ import annotations

import numpy as np
from transformers import AutoModelForCausalLM

TEXT = "The cat sat on the mat."


def test_positions_and_word_order(client, tiny_model_dirs):
    got = client.predict(model="generation", positions=16, api_name="/positions")
    wpe = AutoModelForCausalLM.from_pretrained(tiny_model_dirs["generation"]).transformer.wpe.weight.detach()
    assert np.allclose(got["learned"], wpe[:16].numpy(), atol=1e-5) and not got["rotary"]
    assert np.array(got["sinusoidal"]).shape == (16, got["d_model"]) and len(got["sinusoidal_dot"]) == 16
    assert client.predict(model="chat", api_name="/positions")["learned"] is None  # rotary
    order = client.predict(text=TEXT, model="fill-mask", seed=2, api_name="/word_order")
    assert set(order) == {
        "model", "tokens", "shuffled_tokens", "order", "measure", "layer", "head", "with_positions",
        "without_positions",
    }  # fmt: skip
    assert order["measure"] == "weights" and sorted(order["order"]) == list(range(len(order["tokens"])))
    assert order["without_positions"]["difference"] < 1e-5 < order["with_positions"]["difference"]


def test_block_structure_and_random_mask(client):
    block = client.predict(text=TEXT, model="fill-mask", layer=2, api_name="/block_structure")
    assert block["pre_norm"] is False and block["layer"] == 2 and block["family"] == "bert"
    assert [r["name"] for r in block["residuals"]] == ["attention", "mlp"]
    assert block["first_norm"] == {
        "module": "attention.output.LayerNorm",
        "kind": "LayerNorm",
        "shape": "(32,) eps 1e-12",
    }
    assert all(r["difference"] < 1e-5 for r in block["residuals"])
    assert client.predict(text=TEXT, model="generation", api_name="/block_structure")["pre_norm"] is True
    masked = client.predict(text=TEXT, probability=1.0, seed=0, api_name="/random_mask")
    assert [t["token"] for t in masked["tokens"]][0] == "[CLS]"
    assert len(masked["masked"]) == len(masked["tokens"]) - 2  # every token but [CLS] and [SEP]
    for place in masked["masked"]:
        assert place["kind"] in ("masked", "replaced", "kept") and len(place["predictions"]) == 3
