"""Inside an encoder-decoder (the tiny Marian translation model): its encoder and its decoder each, every
number read by hooks and checked against the model's own outputs of one plain forward pass
(encoder_hidden_states, encoder_attentions, decoder_hidden_states, decoder_attentions, cross_attentions,
logits), called independently here."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from playground import api
from playground.models import ModelManager
from playground.tasks import inside, translation
from playground.tasks.inside.adapters import parts_of
from playground.tasks.validation import InputError

TEXT = "Where is the train station?"
MAX_CHARS, MAX_TOKENS = 2000, 128
ATOL = 1e-5


@pytest.fixture(scope="module")
def loaded(tiny_model_dirs):
    return ModelManager({"translation": tiny_model_dirs["translation"]}, "cpu").get("translation")


def own(loaded, source_ids: list[int], decoder_ids: list[int]):
    """The model's own outputs of one forward pass over the source and the decoder's ids."""
    source = torch.tensor([source_ids])
    with loaded.eager_attention() as model, torch.no_grad():
        return model(
            input_ids=source,
            attention_mask=torch.ones_like(source),
            decoder_input_ids=torch.tensor([decoder_ids]),
            output_attentions=True,
            output_hidden_states=True,
        )


def greedy_decoder_ids(loaded, text: str) -> list[int]:
    """The decoder's input for the model's own greedy translation: generate's ids but the closing </s>."""
    inputs = loaded.tokenizer(text, return_tensors="pt")
    with loaded.lock, torch.no_grad():
        ids = loaded.model.generate(**inputs, num_beams=1, do_sample=False, max_new_tokens=60)[0].tolist()
    return ids[:-1] if ids[-1] == loaded.tokenizer.eos_token_id else ids


def np_(tensor) -> np.ndarray:
    return tensor.detach().float().numpy()


@pytest.mark.parametrize("layer", [1, 2])
@pytest.mark.parametrize("head", [1, 4])
def test_the_decoder_view_is_the_models_own(loaded, layer, head):
    view = inside.look(loaded, TEXT, MAX_CHARS, MAX_TOKENS, layer, head, part="decoder")
    source_ids = loaded.tokenizer(TEXT)["input_ids"]
    decoder_ids = greedy_decoder_ids(loaded, TEXT)
    assert view.tokens.ids == decoder_ids and view.source.ids == source_ids
    out = own(loaded, source_ids, decoder_ids)
    h = head - 1
    # masked self-attention: the weights, softmax(q·kᵀ·scaling + causal mask), weights·v
    step = view.head
    assert step.causal and step.stack == "decoder" and not step.cross
    np.testing.assert_allclose(step.weights, np_(out.decoder_attentions[layer - 1][0, h]), atol=ATOL)
    scores = np.where(step.masked, -np.inf, step.scores)
    softmax = np.exp(scores - scores.max(-1, keepdims=True))
    np.testing.assert_allclose(softmax / softmax.sum(-1, keepdims=True), step.weights, atol=ATOL)
    np.testing.assert_allclose(step.weights @ step.v, step.head_output, atol=ATOL)
    np.testing.assert_allclose(step.x, np_(out.decoder_hidden_states[layer - 1][0]), atol=ATOL)
    # the cross-attention sub-layer: queries from Z₁, keys and values from the encoder's output X⁽ᴸ⁾
    cross = view.cross
    T, S = len(decoder_ids), len(source_ids)
    assert cross.cross and cross.weights.shape == cross.scores.shape == (T, S) and not cross.masked.any()
    assert (
        cross.key_tokens == [t.text for t in view.source.tokens]
        and cross.q.shape == (T, cross.d_k)
        and cross.k.shape == (S, cross.d_k)
    )
    np.testing.assert_allclose(cross.weights, np_(out.cross_attentions[layer - 1][0, h]), atol=ATOL)
    softmax = np.exp(cross.scores - cross.scores.max(-1, keepdims=True))
    np.testing.assert_allclose(softmax / softmax.sum(-1, keepdims=True), cross.weights, atol=ATOL)
    np.testing.assert_allclose(cross.weights @ cross.v, cross.head_output, atol=ATOL)
    np.testing.assert_allclose(cross.key_input, np_(out.encoder_last_hidden_state[0]), atol=ATOL)
    np.testing.assert_allclose(cross.x, step.residual_after_norm, atol=ATOL)  # Z₁ = LayerNorm(X + self-attn)
    np.testing.assert_allclose(cross.residual, cross.x + cross.attention_output, atol=ATOL)
    decoder_layer = loaded.model.get_decoder().layers[layer - 1]
    with torch.no_grad():  # Z₂ = LayerNorm(Z₁ + cross-attention output), by the model's own LayerNorm
        z2 = decoder_layer.encoder_attn_layer_norm(torch.tensor(cross.residual))
    np.testing.assert_allclose(cross.residual_after_norm, np_(z2), atol=ATOL)
    # the block and the residual stream
    norms = np.stack([np.linalg.norm(np_(h[0]), axis=-1) for h in out.decoder_hidden_states])
    np.testing.assert_allclose(view.block.residual_norms, norms, atol=1e-4)
    # the logit lens: the last layer is the model's own output, the lm_head with its final_logits_bias
    assert view.lens is not None and view.lens.positions[-1] == T - 1
    last = [top[0].token for top in view.lens.layers[-1]]
    assert last == out.logits[0, view.lens.positions].argmax(-1).tolist()
    assert view.lens.layers[-1][-1][0].token == loaded.tokenizer.eos_token_id  # the whole translation: </s>


def test_the_encoder_view_is_the_models_own(loaded):
    view = inside.look(loaded, TEXT, MAX_CHARS, MAX_TOKENS, 2, 3, part="encoder")
    source_ids = loaded.tokenizer(TEXT)["input_ids"]
    out = own(loaded, source_ids, greedy_decoder_ids(loaded, TEXT))
    assert view.tokens.ids == source_ids and view.cross is None and view.source is None
    step = view.head
    assert not step.causal and not step.masked.any() and step.stack == "encoder"
    np.testing.assert_allclose(step.weights, np_(out.encoder_attentions[1][0, 2]), atol=ATOL)
    np.testing.assert_allclose(step.weights @ step.v, step.head_output, atol=ATOL)
    norms = np.stack([np.linalg.norm(np_(h[0]), axis=-1) for h in out.encoder_hidden_states])
    np.testing.assert_allclose(view.block.residual_norms, norms, atol=1e-4)
    # the embeddings: √d_model · token embedding + the sinusoidal position vector = the layer-1 input
    embedded = view.embeddings
    np.testing.assert_allclose(embedded.sum, np_(out.encoder_hidden_states[0][0]), atol=ATOL)
    np.testing.assert_allclose(embedded.layer_input, embedded.sum, atol=ATOL)
    assert embedded.position_note is not None and "8" in str(embedded.position_note)
    # the encoder predicts no tokens: the lens says so in one sentence
    assert view.lens is None and "Choose the decoder" in str(view.lens_error)


def test_the_decoders_embeddings_and_a_typed_prefix(loaded):
    embedded = inside.embeddings(loaded, TEXT, MAX_CHARS, MAX_TOKENS, part="decoder", target="火车")
    ids = embedded.ids
    assert ids[0] == translation.start_id(loaded) and ids[-1] != loaded.tokenizer.eos_token_id
    out = own(loaded, loaded.tokenizer(TEXT)["input_ids"], ids)
    np.testing.assert_allclose(embedded.sum, np_(out.decoder_hidden_states[0][0]), atol=ATOL)
    lens = inside.logit_lens(loaded, TEXT, MAX_CHARS, MAX_TOKENS, 3, part="decoder", target="火车")
    assert lens.positions == list(range(len(ids)))
    assert [top[0].token for top in lens.layers[-1]] == out.logits[0].argmax(-1).tolist()


def test_the_single_views_and_the_api(loaded):
    step = inside.head_step(loaded, TEXT, MAX_CHARS, MAX_TOKENS, 1, 2, part="decoder")
    cross = inside.cross_step(loaded, TEXT, MAX_CHARS, MAX_TOKENS, 1, 2)
    out = own(loaded, loaded.tokenizer(TEXT)["input_ids"], step.ids)
    np.testing.assert_allclose(step.weights, np_(out.decoder_attentions[0][0, 1]), atol=ATOL)
    np.testing.assert_allclose(cross.weights, np_(out.cross_attentions[0][0, 1]), atol=ATOL)
    block = inside.block(loaded, TEXT, MAX_CHARS, MAX_TOKENS, 2, None, 5, part="decoder")
    assert block.position == len(step.ids) - 1 and len(block.neurons) == 5
    as_json = api.inside_json(cross)
    assert (
        as_json["key_tokens"] == cross.key_tokens
        and np.array(as_json["weights"]).shape == cross.weights.shape
    )
    assert "key_tokens" not in api.inside_json(inside.head_step(loaded, TEXT, MAX_CHARS, MAX_TOKENS, 1, 1))


def test_bad_input_gets_one_sentence(loaded):
    with pytest.raises(InputError, match="choose 'encoder' or 'decoder'"):
        inside.look(loaded, TEXT, MAX_CHARS, MAX_TOKENS, part="middle")
    with pytest.raises(InputError, match="Layer"):
        inside.look(loaded, TEXT, MAX_CHARS, MAX_TOKENS, layer=3, part="decoder")
    with pytest.raises(InputError, match="empty"):
        inside.look(loaded, "  ", MAX_CHARS, MAX_TOKENS, part="decoder")
    with pytest.raises(InputError, match="Choose the decoder"):
        inside.logit_lens(loaded, TEXT, MAX_CHARS, MAX_TOKENS, part="encoder")
    assert parts_of(loaded.model).stack == "encoder" and parts_of(loaded.model, "decoder").layers[0].cross


def test_a_long_translation_is_cut_to_the_decoders_limit_and_said(loaded):
    view = inside.look(loaded, TEXT, MAX_CHARS, 4, part="decoder", target="火车站在哪里？火车站在哪里？")
    assert len(view.tokens.ids) == 4 and len(view.source.ids) == 4
    assert view.cross.weights.shape == (4, 4)
    assert any("decoder reads the first 4" in str(n) for n in view.tokens.notices)
