"""/tokenize, /inside and /logit_lens of the running app, checked against the models themselves; the Inside
tab's handler draws the tokens, the head and the lens."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gradio_client.exceptions import AppError
from transformers import AutoModelForCausalLM, AutoModelForMaskedLM, AutoTokenizer

from playground.ui import inside as inside_tab
from playground.ui.context import Context

TEXT = "The cat sat on the mat."


def test_tokenize_equals_the_tokenizer_with_its_offsets(client, tiny_model_dirs):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dirs["fill-mask"])
    got = client.predict(text=TEXT, model="fill-mask", api_name="/tokenize")
    encoded = tokenizer(TEXT, return_offsets_mapping=True)
    assert [t["id"] for t in got["tokens"]] == encoded["input_ids"]
    for token, (start, end) in zip(got["tokens"], encoded["offset_mapping"], strict=True):
        assert (token["start"], token["end"]) == ((None, None) if token["special"] else (start, end))
    causal = client.predict(text=TEXT, model="generation", api_name="/tokenize")["tokens"]
    assert not any(t["special"] for t in causal)  # a causal model is fed the text alone


def test_inside_weights_are_the_model_s_attention(client, tiny_model_dirs):
    got = client.predict(text=TEXT, model="generation", layer=2, head=1, api_name="/inside")
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dirs["generation"], attn_implementation="eager")
    with torch.inference_mode():
        attentions = model(torch.tensor([got["ids"]]), output_attentions=True).attentions
    np.testing.assert_allclose(got["weights"], attentions[1][0, 0].numpy(), atol=1e-5)
    np.testing.assert_allclose(
        got["head_output"], np.asarray(got["weights"]) @ np.asarray(got["v"]), atol=1e-4
    )
    assert np.asarray(got["q"]).shape == (len(got["ids"]), got["d_k"])
    assert got["masked"][0][1] and not got["masked"][1][0]  # the future is masked
    with pytest.raises(AppError, match="[Ll]ayer"):
        client.predict(text=TEXT, model="generation", layer=99, api_name="/inside")


def test_logit_lens_last_layer_is_the_model_s_prediction(client, tiny_model_dirs):
    got = client.predict(
        text="The cat sat on the [MASK].", model="fill-mask", top_k=3, api_name="/logit_lens"
    )
    model = AutoModelForMaskedLM.from_pretrained(tiny_model_dirs["fill-mask"])
    with torch.inference_mode():
        logits = model(torch.tensor([got["ids"]])).logits[0, got["positions"][0]]
    assert [p["token"] for p in got["layers"][-1][0]] == logits.topk(3).indices.tolist()
    assert len(got["layers"]) == model.config.num_hidden_layers + 1
    with pytest.raises(AppError, match="MASK"):
        client.predict(text="No blank here.", model="fill-mask", api_name="/logit_lens")


def test_the_inside_tab_draws_tokens_head_and_lens(settings, manager):
    context = Context.create(settings, manager)
    shown = inside_tab.look_inside(context, "chat", "What is a cat?", 12, 12)
    assert shown["layer"].value == 2 and shown["head"].value == 4  # the sliders fit the model
    assert "inside-token" in shown["tokens"] and "Grouped-query" in shown["head_info"]
    assert shown["head_scores"] is not None and shown["lens"] is not None
    assert "RoPE" in shown["embeddings_info"] and len(shown["embeddings"].data) == 1  # no position matrix
    gpt2 = inside_tab.look_inside(context, "generation", "The cat sat.", 1, 1)
    assert "position embedding" in gpt2["embeddings_info"] and len(gpt2["embeddings"].data) == 2
    classifier = inside_tab.look_inside(context, "sentiment", "I loved it.", 1, 1)
    assert classifier["lens"] is None and "⚠️" in classifier["lens_info"]  # no token head, one sentence
    hostile = inside_tab.look_inside(context, "fill-mask", "<script>alert(1)</script>", 1, 1)
    assert "<script>" not in hostile["tokens"]
