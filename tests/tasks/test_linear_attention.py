"""A hybrid model (Qwen3.5: linear-attention layers between attention layers) in the attention views: the layers
without an attention matrix are named, left empty (NaN; null in the JSON), and the attention layers keep their own
weights, in their own places. A tiny Qwen3.5 built from its config, with a byte-level BPE
tokenizer trained on the test's text."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from tokenizers import ByteLevelBPETokenizer
from transformers import PreTrainedTokenizerFast, Qwen3_5ForCausalLM, Qwen3_5TextConfig

from playground import api
from playground.models import LoadedModel
from playground.tasks import attention
from playground.tasks.experiments import heads
from playground.tasks.inside.adapters import parts_of
from playground.tasks.validation import InputError
from playground.viz import attention as attention_viz
from playground.viz import bertviz
from playground.viz import experiments as viz

LAYER_TYPES = ["linear_attention", "full_attention", "linear_attention", "full_attention"]
TEXT = "The cat sat on the mat. The cat sat."


@pytest.fixture(scope="module")
def hybrid() -> LoadedModel:
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator([TEXT] * 4, vocab_size=300, min_frequency=1, special_tokens=["<|endoftext|>"])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe._tokenizer, eos_token="<|endoftext|>")
    config = Qwen3_5TextConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=len(LAYER_TYPES),
        layer_types=LAYER_TYPES,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=8,
        linear_num_key_heads=2,
        linear_num_value_heads=2,
        linear_key_head_dim=8,
        linear_value_head_dim=8,
        max_position_embeddings=128,
    )
    torch.manual_seed(0)
    model = Qwen3_5ForCausalLM(config).eval()
    return LoadedModel("generation", "tiny-qwen3.5-hybrid", model, tokenizer, torch.device("cpu"))


def test_attention_names_the_linear_layers_and_keeps_the_others_in_place(hybrid):
    result = attention.attention(hybrid, TEXT, 1000, 64)
    T = len(result.tokens)
    assert result.attentions.shape == (4, 4, T, T) and result.no_matrix == [1, 3]
    with hybrid.eager_attention() as model, torch.inference_mode():
        own = model(torch.tensor([result.token_ids]), output_attentions=True).attentions
    assert len(own) == 2  # the model returns its two attention layers' weights only
    np.testing.assert_allclose(result.attentions[1], own[0][0].numpy(), atol=1e-6)  # layer 2
    np.testing.assert_allclose(result.attentions[3], own[1][0].numpy(), atol=1e-6)  # layer 4
    assert np.isnan(result.attentions[[0, 2]]).all()
    assert any("Layers 1, 3 are linear-attention layers" in str(n) for n in result.notices)
    body = json.loads(json.dumps(api.attention_json(result), allow_nan=False))  # valid JSON: no NaN
    assert body["attentions"][0] is None and body["attentions"][2] is None
    assert np.allclose(np.sum(body["attentions"][1], axis=-1), 1, atol=1e-4)
    for kind in attention_viz.VIEWS:  # every view of the Attention tab draws, a linear layer chosen or not
        for layer in (1, 2):
            assert attention_viz.view_figure(
                attention_viz.make_view(result, kind, layer, 1, [0, 1], [0])
            ).to_json()
    document = bertviz.view_document(
        "head", result.model_id, result.tokens, result.attentions, [0, 1], [0], []
    )
    assert "<script" in document


def test_head_finder_leaves_the_linear_layers_empty(hybrid):
    result = heads.head_scores(hybrid, TEXT, 1000, 64)
    for kind in heads.KINDS:
        assert np.isnan(result.scores[kind][[0, 2]]).all() and np.isfinite(result.scores[kind][[1, 3]]).all()
        assert all(layer in (2, 4) for layer, _head, _score in result.top(kind, 8))
        assert "–" in viz.head_table(result, kind).to_html()
    body = json.loads(json.dumps(api.heads_json(result), allow_nan=False))
    assert body["scores"]["induction"][0] == [None] * 4 and None not in body["scores"]["induction"][1]
    assert any("linear-attention" in str(n) for n in result.notices)


def test_the_inside_views_say_they_do_not_know_the_architecture(hybrid):
    with pytest.raises(InputError, match="qwen3_5_text"):
        parts_of(hybrid.model)
