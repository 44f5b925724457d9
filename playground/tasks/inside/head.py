"""One attention head of one layer step by step: q, k, v, the scores, the mask, the weights and the head's output."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.tasks.inside.adapters import CrossParts, Parts, parts_of
from playground.tasks.inside.hooks import Pass, Recorder, check_head, check_layer, hooked, to_numpy
from playground.tasks.inside.reading import read
from playground.tasks.validation import InputError, check_text


@dataclass
class HeadStep:
    """One attention head of one layer, each step of softmax(q·kᵀ/√d_k + mask)·v as the model computed it."""

    model_id: str
    tokens: list[str]
    ids: list[int]
    layer: int  # 1-based
    head: int  # 1-based
    d_k: int
    num_heads: int
    num_kv_heads: int
    kv_head: int  # 1-based key/value head this query head reads (== head unless grouped-query attention)
    x: np.ndarray  # (T, d) the attention's input: after the pre-norm (GPT-2, Llama), the block input (BERT)
    q: np.ndarray  # (T, d_k) after the rotary embedding for RoPE models
    k: np.ndarray  # (T, d_k) after the rotary embedding for RoPE models
    v: np.ndarray  # (T, d_k)
    scaling: float  # the model's own factor, 1/√d_k
    scores: np.ndarray  # (T, T) q·kᵀ·scaling, before any mask
    masked: np.ndarray  # (T, T) bool: key positions a query may not see (the future of a causal model)
    weights: np.ndarray  # (T, T) softmax of the masked scores: the model's own attention weights
    head_output: np.ndarray  # (T, d_k) weights·v: this head's slice of the input of W_O
    attention_output: np.ndarray  # (T, d) all heads concatenated and projected by W_O
    residual: np.ndarray  # (T, d) block input + attention output: the residual stream after attention
    residual_after_norm: np.ndarray | None  # post-norm models (BERT): LayerNorm(residual), what the MLP reads
    pre_norm: bool
    rotary: bool
    causal: bool
    notices: list[Message] = field(default_factory=list)
    # cross-attention (an encoder-decoder's decoder): the keys and values are the source's, read from the
    # encoder's output X⁽ᴸ⁾; the queries the decoder's stream Z₁ (after its masked self-attention)
    key_tokens: list[str] | None = None  # the source tokens (None: the keys are the tokens above)
    cross: bool = False
    stack: str | None = None  # an encoder-decoder: "encoder" or "decoder"
    key_input: np.ndarray | None = None  # (S, d) what k and v are projected from: X⁽ᴸ⁾ (cross-attention)

    @property
    def keys(self) -> list[str]:
        """The tokens the keys and values belong to."""
        return self.tokens if self.key_tokens is None else self.key_tokens


def head_step(
    loaded: LoadedModel,
    text: str,
    max_chars: int,
    max_tokens: int,
    layer: int = 1,
    head: int = 1,
    part: str | None = None,
    target: str = "",
) -> HeadStep:
    """Head `head` of layer `layer` (both 1-based) on `text`, from hooks on the model's q/k/v projections,
    W_O and the rotary embedding, during one forward pass. An encoder-decoder's `part` ("encoder" or
    "decoder") picks the stack; its decoder reads `target` (empty: the model's own translation)."""
    text = check_text(text, max_chars)
    parts = parts_of(loaded.model, part)
    layer, head = check_layer(parts, layer), check_head(parts, head)
    reading = read(loaded, text, max_chars, max_tokens, part, target)
    with hooked(loaded, reading, head_recorder(layer)) as run:
        return head_step_of(loaded, run, layer, head, reading.notices)


def cross_step(
    loaded: LoadedModel,
    text: str,
    max_chars: int,
    max_tokens: int,
    layer: int = 1,
    head: int = 1,
    target: str = "",
) -> HeadStep:
    """Head `head` of the cross-attention of the decoder's layer `layer` (both 1-based): queries from the
    decoder's tokens, keys and values from the encoder's output over the source `text`."""
    text = check_text(text, max_chars)
    parts = parts_of(loaded.model, "decoder")
    layer, head = check_layer(parts, layer), check_head(parts, head)
    reading = read(loaded, text, max_chars, max_tokens, "decoder", target)
    with hooked(loaded, reading, head_recorder(layer, cross=True)) as run:
        return head_step_of(loaded, run, layer, head, reading.notices, cross=True)


def head_recorder(layer: int, cross: bool = False):
    """The hooks that one head of `layer` (1-based) needs: its projections' inputs and outputs, W_O, rotary.
    `cross`: the head of the layer's cross-attention (names prefixed "cross_"), and the stream Z₁ it reads."""

    def register(recorder: Recorder, parts: Parts) -> None:
        chosen = parts.layers[layer - 1]
        if cross:
            sub = _cross_parts(parts, layer)
            recorder.input("cross_x", sub.qkv[0])
            recorder.input("cross_kv_x", sub.qkv[1])
            for name, module in zip("qkv", sub.qkv, strict=True):
                recorder.output(f"cross_{name}", module)
            recorder.input("cross_heads", sub.out)
            recorder.output("cross_attention_output", sub.out)
            recorder.output("cross_after_norm", sub.norm)
            recorder.output("after_norm", chosen.post_attention_norm)  # Z₁: the stream the queries read
            return
        if chosen.fused_qkv is not None:
            recorder.input("x", chosen.fused_qkv)
            recorder.output("qkv", chosen.fused_qkv)
        else:
            recorder.input("x", chosen.qkv[0])
            for name, module in zip("qkv", chosen.qkv, strict=True):
                recorder.output(name, module)
        recorder.input("heads", chosen.out)
        recorder.output("attention_output", chosen.out)
        recorder.output("after_norm", chosen.post_attention_norm)
        recorder.output("rotary", parts.rotary)

    return register


def _cross_parts(parts: Parts, layer: int) -> CrossParts:
    sub = parts.layers[layer - 1].cross
    if sub is None:
        raise InputError(lazy("Only a translation model's decoder has a cross-attention to look into."))
    return sub


def head_step_of(
    loaded: LoadedModel, run: Pass, layer: int, head: int, notices: list[Message], cross: bool = False
) -> HeadStep:
    """`cross`: the head of the layer's cross-attention, from the hooks of `head_recorder(layer, cross=True)`."""
    if cross:
        return _cross_step_of(loaded, run, layer, head, notices)
    seen, parts, ids = run.seen, run.parts, run.ids
    chosen = parts.layers[layer - 1]
    d_k, h, kv = parts.head_dim, head - 1, parts.kv_head(head - 1)
    if chosen.fused_qkv is not None:  # [q | k | v] along the last axis, whatever the layer's layout
        q_all, k_all, v_all = seen["qkv"][0].split(parts.num_heads * d_k, dim=-1)
    else:
        q_all, k_all, v_all = (seen[name][0] for name in "qkv")
    T = len(ids)
    q_heads = q_all.view(T, -1, d_k).transpose(0, 1)  # (H, T, d_k)
    k_heads = k_all.view(T, -1, d_k).transpose(0, 1)  # (H_kv, T, d_k)
    v_heads = v_all.view(T, -1, d_k).transpose(0, 1)
    if parts.rotary is not None:
        cos, sin = seen["rotary"]
        q_rot, k_rot = parts.apply_rotary(q_heads[None], k_heads[None], cos, sin)
        q_heads, k_heads = q_rot[0], k_rot[0]
    q, k, v = q_heads[h].float(), k_heads[kv].float(), v_heads[kv].float()
    scaling = float(getattr(chosen.attention, "scaling", d_k**-0.5))
    scores = q @ k.T * scaling
    attention_output = seen["attention_output"][0]
    residual = run.hidden_states[layer - 1] + attention_output
    return HeadStep(
        model_id=loaded.model_id,
        tokens=run.tokens,
        ids=ids,
        layer=layer,
        head=head,
        d_k=d_k,
        num_heads=parts.num_heads,
        num_kv_heads=parts.num_kv_heads,
        kv_head=kv + 1,
        x=to_numpy(seen["x"][0]),
        q=to_numpy(q),
        k=to_numpy(k),
        v=to_numpy(v),
        scaling=scaling,
        scores=to_numpy(scores),
        masked=_mask(run.causal, T),
        weights=to_numpy(run.attentions[layer - 1][h]),
        head_output=to_numpy(seen["heads"][0].view(T, -1, d_k)[:, h]),
        attention_output=to_numpy(attention_output),
        residual=to_numpy(residual),
        residual_after_norm=to_numpy(seen["after_norm"][0]) if "after_norm" in seen else None,
        pre_norm=parts.pre_norm,
        rotary=parts.rotary is not None,
        causal=run.causal,
        notices=notices,
        stack=parts.stack,
    )


def _cross_step_of(loaded: LoadedModel, run: Pass, layer: int, head: int, notices: list[Message]) -> HeadStep:
    """Z₂ = LayerNorm(Z₁ + MultiHead(Z₁, X⁽ᴸ⁾, X⁽ᴸ⁾)), one head: q from Z₁ (T, d), k and v from X⁽ᴸ⁾ (S, d)."""
    seen, parts = run.seen, run.parts
    sub = _cross_parts(parts, layer)
    d_k, h = parts.head_dim, head - 1
    T, S = len(run.ids), len(run.source_ids)
    q = seen["cross_q"][0].view(T, -1, d_k)[:, h].float()  # (T, d_k)
    k = seen["cross_k"][0].view(S, -1, d_k)[:, h].float()  # (S, d_k)
    v = seen["cross_v"][0].view(S, -1, d_k)[:, h].float()
    scaling = float(getattr(sub.attention, "scaling", d_k**-0.5))
    attention_output = seen["cross_attention_output"][0]
    z1 = seen["after_norm"][0]  # the decoder's stream after its masked self-attention and LayerNorm
    return HeadStep(
        model_id=loaded.model_id,
        tokens=run.tokens,
        ids=run.ids,
        layer=layer,
        head=head,
        d_k=d_k,
        num_heads=parts.num_heads,
        num_kv_heads=parts.num_kv_heads,
        kv_head=head,
        x=to_numpy(seen["cross_x"][0]),
        q=to_numpy(q),
        k=to_numpy(k),
        v=to_numpy(v),
        scaling=scaling,
        scores=to_numpy(q @ k.T * scaling),
        masked=np.zeros((T, S), dtype=bool),  # every written token may look at the whole source
        weights=to_numpy(run.cross_attentions[layer - 1][h]),
        head_output=to_numpy(seen["cross_heads"][0].view(T, -1, d_k)[:, h]),
        attention_output=to_numpy(attention_output),
        residual=to_numpy(z1 + attention_output),
        residual_after_norm=to_numpy(seen["cross_after_norm"][0]) if "cross_after_norm" in seen else None,
        pre_norm=parts.pre_norm,
        rotary=False,
        causal=False,
        notices=notices,
        key_tokens=run.source_tokens,
        cross=True,
        stack=parts.stack,
        key_input=to_numpy(seen["cross_kv_x"][0]),
    )


def _mask(causal: bool, n: int) -> np.ndarray:
    """(T, T) True where the query (row) may not look at the key (column): the future for a causal model.
    One text is never padded, so there is no padding to hide."""
    if causal:
        return np.triu(np.ones((n, n), dtype=bool), k=1)
    return np.zeros((n, n), dtype=bool)
