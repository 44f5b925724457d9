"""The Attention tab and the Experiments with the translation model: its encoder, its decoder and its
cross-attention each named, equal to the model's own outputs; the experiments that do not apply say so."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from playground import api
from playground.models import ModelManager
from playground.tasks import attention, translation
from playground.tasks.experiments import ablation, heads, kv_cache, patching
from playground.tasks.validation import InputError
from playground.viz import attention as attention_viz

TEXT = "The book that I bought yesterday is very interesting."
MAX_CHARS, MAX_TOKENS = 2000, 128


@pytest.fixture(scope="module")
def loaded(tiny_model_dirs):
    return ModelManager({"translation": tiny_model_dirs["translation"]}, "cpu").get("translation")


def test_the_decoder_and_the_cross_attention_are_the_models_own(loaded):
    cross = translation.cross_attention(
        loaded, TEXT, 127, MAX_CHARS, 127, MAX_TOKENS
    )  # the Translation tab's
    decoder = attention.attention(loaded, TEXT, MAX_CHARS, MAX_TOKENS, "decoder")
    crossed = attention.attention(loaded, TEXT, MAX_CHARS, MAX_TOKENS, "cross")
    assert decoder.part == "decoder" and decoder.causal and decoder.key_tokens is None
    assert crossed.part == "cross" and not crossed.causal and crossed.key_tokens == cross.source_tokens
    assert decoder.token_ids == [translation.start_id(loaded), *cross.target_ids[:-1]]
    np.testing.assert_allclose(decoder.attentions, cross.decoder, atol=1e-6)
    np.testing.assert_allclose(crossed.attentions, cross.cross, atol=1e-6)
    source = torch.tensor([cross.source_ids])
    with loaded.eager_attention() as model, torch.no_grad():
        out = model(
            input_ids=source, decoder_input_ids=torch.tensor([decoder.token_ids]), output_attentions=True
        )
    np.testing.assert_allclose(
        crossed.attentions, torch.stack([a[0] for a in out.cross_attentions]), atol=1e-6
    )
    encoder = attention.attention(loaded, TEXT, MAX_CHARS, MAX_TOKENS, "encoder")
    np.testing.assert_allclose(encoder.attentions, cross.encoder, atol=1e-6)
    assert (
        encoder.part == "encoder"
        and attention.attention(loaded, TEXT, MAX_CHARS, MAX_TOKENS).part == "encoder"
    )
    shape = api.attention_json(crossed)
    assert shape["key_tokens"] == crossed.key_tokens and "key_tokens" not in api.attention_json(decoder)
    assert np.array(shape["attentions"]).shape == crossed.attentions.shape
    assert attention.layers_and_heads(loaded, "cross") == crossed.attentions.shape[:2]


def test_the_cross_attention_is_drawn_target_by_source(loaded):
    crossed = attention.attention(loaded, TEXT, MAX_CHARS, MAX_TOKENS, "cross")
    T, S = len(crossed.tokens), len(crossed.key_tokens)
    for kind in ("head", "mean", "layer"):
        view = attention_viz.make_view(crossed, kind, 2, 1)
        assert view.panels.shape[1:] == (T, S) and view.keys == crossed.key_tokens
        figure = attention_viz.view_figure(view)
        assert len(figure.data[0].x) == S and len(figure.data[0].y) == T
    hidden = attention_viz.make_view(crossed, "head", 1, 1, hide_special=True)
    assert hidden.panels.shape[1:] == (T - 1, S - 1)  # the start token's row, the source's </s> column
    np.testing.assert_allclose(hidden.panels.sum(-1), 1, atol=1e-6)
    for kind in ("rollout", "overview"):
        with pytest.raises(InputError, match="cross-attention joins the translation to the source"):
            attention_viz.make_view(crossed, kind, 1, 1)
    with pytest.raises(InputError, match="choose 'encoder', 'decoder' or 'cross'"):
        attention.attention(loaded, TEXT, MAX_CHARS, MAX_TOKENS, "both")


def test_the_experiments_apply_to_the_encoder_or_say_why_not(loaded):
    found = heads.head_scores(loaded, "Where is the station? Where is the station?", MAX_CHARS, MAX_TOKENS)
    assert found.attention.part == "encoder" and any(
        "translation model's encoder" in str(n) for n in found.notices
    )
    refusal = "a translation model predicts each token from a source and the translation so far"
    with pytest.raises(InputError, match=refusal):
        ablation.ablate(loaded, TEXT, MAX_CHARS, MAX_TOKENS, "1.1")
    with pytest.raises(InputError, match=refusal):
        patching.patch(
            loaded, "Where is the train station?", "Where is the bus station?", MAX_CHARS, MAX_TOKENS
        )
    with pytest.raises(InputError, match="decoder keeps a KV cache too"):
        kv_cache.kv_cache(loaded, TEXT, MAX_CHARS, MAX_TOKENS, 4)
