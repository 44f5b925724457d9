"""Positions, word order and the block (issue 27, point 4), checked against references: the sinusoidal
encoding against transformers' own, the learned table against the model's weights, the word-order check
against a copy of the model whose position embeddings are zeroed (permutation-equivariance measured on the
tiny GPT-2 and BERT), the residual sums against x + f(x), and the hooks gone afterwards."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
import torch
from transformers.models.distilbert.modeling_distilbert import create_sinusoidal_embeddings

from playground.models import LoadedModel
from playground.tasks import inside
from playground.tasks.inside import positions, structure
from playground.tasks.validation import InputError

TEXT = "The cat sat on the mat because it was tired."
LIMITS = (2000, 128)


@pytest.fixture(scope="module")
def models(manager) -> dict[str, LoadedModel]:
    return {
        "gpt2": manager.get("generation"),
        "bert": manager.get("fill-mask"),
        "distilbert": manager.get("sentiment"),
        "llama": manager.get("chat"),
    }


def attentions(loaded: LoadedModel, ids: list[int]) -> np.ndarray:
    """(L, H, T, T) from a plain forward pass of `loaded.model` (eager attention)."""
    input_ids = torch.tensor([ids])
    with loaded.eager_attention() as model, torch.no_grad():
        out = model(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), output_attentions=True)
    return np.stack([a[0].numpy() for a in out.attentions])


def test_the_sinusoidal_encoding_is_the_papers_as_transformers_computes_it():
    for n, d in ((50, 32), (64, 768), (7, 10)):
        expected = torch.empty(n, d)
        create_sinusoidal_embeddings(n, d, expected)
        assert np.allclose(positions.sinusoidal(n, d), expected.numpy(), atol=1e-6)
    table = positions.sinusoidal(64, 32)
    dot = table @ table.T
    assert np.allclose(np.diag(dot), 16.0, atol=1e-4)  # every row has |PE|² = d/2
    assert np.allclose(dot[3, 5], dot[10, 12], atol=1e-4)  # the dot product depends only on |p − q|


def test_positions_read_the_models_learned_table_and_say_rotary(models):
    gpt2 = positions.positions(models["gpt2"], 16)
    weight = models["gpt2"].model.transformer.wpe.weight.detach().numpy()
    assert np.array_equal(gpt2.learned, weight[:16]) and gpt2.table_size == weight.shape[0]
    assert gpt2.sinusoidal.shape == (16, weight.shape[1]) and not gpt2.rotary
    bert = positions.positions(models["bert"], 10_000 // 100)
    assert bert.positions == min(100, bert.table_size)
    llama = positions.positions(models["llama"])
    assert llama.rotary and llama.learned is None and llama.learned_similarity is None
    with pytest.raises(InputError):
        positions.positions(models["gpt2"], 1)


def test_the_shuffle_keeps_special_tokens_and_is_never_the_identity():
    for seed in range(20):
        order = positions.shuffle_order([101, 5, 6, 7, 102], {101, 102}, seed)
        assert order[0] == 0 and order[-1] == 4 and order != [0, 1, 2, 3, 4]
        assert sorted(order) == [0, 1, 2, 3, 4]
    with pytest.raises(InputError):
        positions.shuffle_order([101, 5, 102], {101, 102}, 0)


@pytest.mark.parametrize("name", ["gpt2", "bert", "distilbert", "llama"])
def test_without_positions_attention_is_permutation_equivariant(models, name):
    loaded = models[name]
    before = attentions(loaded, loaded.tokenizer(TEXT)["input_ids"])
    result = positions.word_order(loaded, TEXT, *LIMITS, seed=3)
    without, with_ = result.without_positions, result.with_positions
    assert without.difference < 1e-5 * max(1.0, without.size)  # the same attention, shuffled
    assert with_.difference > 1e-3 * with_.size  # with positions the order shows
    assert with_.difference > 1000 * max(without.difference, 1e-9)
    assert np.allclose(without.original, without.shuffled_back, atol=1e-5)
    assert result.measure == ("scores" if name in ("gpt2", "llama") else "weights")
    # the hooks are gone: the model answers as before
    assert np.array_equal(attentions(loaded, loaded.tokenizer(TEXT)["input_ids"]), before)


@pytest.mark.parametrize("name", ["gpt2", "bert"])
def test_the_hook_equals_a_model_whose_position_embeddings_are_zero(models, name):
    """The reference: a copy of the model with its position table set to zeros, run plainly."""
    loaded = models[name]
    result = positions.word_order(loaded, TEXT, *LIMITS, layer=2, head=2, seed=1)
    model = copy.deepcopy(loaded.model)
    with torch.no_grad():
        table = model.transformer.wpe if name == "gpt2" else model.bert.embeddings.position_embeddings
        table.weight.zero_()
    zeroed = dataclasses.replace(loaded, model=model)
    if name == "bert":
        encoded = loaded.tokenizer(TEXT)["input_ids"]
        shuffled = [encoded[i] for i in result.order]
        back = np.argsort(result.order)
        plain, moved = attentions(zeroed, encoded), attentions(zeroed, shuffled)[..., back, :][..., back]
        assert np.allclose(result.without_positions.original, plain[1, 1], atol=1e-6)
        assert np.allclose(result.without_positions.shuffled_back, moved[1, 1], atol=1e-6)
        assert np.allclose(plain, moved, atol=1e-5)  # permutation-equivariant, on the zeroed model itself
        with_positions = attentions(loaded, encoded)
        assert np.allclose(result.with_positions.original, with_positions[1, 1], atol=1e-6)
    else:  # layer 1's scores: q·kᵀ/√d_k of the zeroed model, read by the Inside head step
        step = inside.head_step(zeroed, TEXT, *LIMITS, layer=1, head=2)
        assert np.allclose(result.without_positions.original, step.scores, atol=1e-5)
        assert result.layer == 1  # a causal model's check is on layer 1


@pytest.mark.parametrize("name", ["gpt2", "bert", "distilbert", "llama"])
def test_the_block_is_read_from_the_model_and_its_residual_sums_are_x_plus_f_x(models, name):
    loaded = models[name]
    config = loaded.model.config
    result = structure.structure(loaded, TEXT, *LIMITS, layer=2)
    assert result.pre_norm == (name in ("gpt2", "llama"))
    assert result.layer == 2 and result.num_layers == config.num_hidden_layers
    for residual in result.residuals:
        assert residual.size > 0 and residual.difference <= 1e-5 * max(1.0, residual.size)
    if name == "gpt2":
        assert result.d_model == config.n_embd and result.d_ff == (config.n_inner or 4 * config.n_embd)
        assert result.first_norm.module == "ln_1" and result.first_norm.kind == "LayerNorm"
        assert result.final_norm is not None and result.embedding_norm is None
    if name == "bert":
        assert result.d_ff == config.intermediate_size
        assert result.first_norm.module == "attention.output.LayerNorm" and result.embedding_norm is not None
        assert f"{config.hidden_size} → {config.intermediate_size}" == result.mlp[0].shape
    if name == "llama":
        assert "RMSNorm" in result.first_norm.kind and result.num_kv_heads == config.num_key_value_heads
    with pytest.raises(InputError):
        structure.structure(loaded, TEXT, *LIMITS, layer=99)


def test_the_word_order_check_and_the_block_diagram_refuse_the_translation_model_in_one_sentence(manager):
    """Both read one stack of blocks: on the translation model (Inside's encoder-decoder example) they said
    "Something went wrong on the server" (KeyError 'marian', and a forward pass without decoder ids)."""
    translation = manager.get("translation")
    for refused in (
        lambda: positions.word_order(translation, "I read a book.", 1000, 64),
        lambda: structure.structure(translation, "I read a book.", 1000, 64),
    ):
        with pytest.raises(InputError, match="one stack of blocks"):
            refused()
