"""Knock heads out (ablation): each chosen head's output, its slice of the input to the attention output
projection W_O (GPT-2 `attn.c_proj`, Llama `self_attn.o_proj`, BERT/RoBERTa `attention.output.dense`,
DistilBERT `attention.out_lin`: the adapter's `out`), set to 0 (zero) or to its mean over the text's positions
(mean) by a forward pre-hook (transformers 5 has no `head_mask`). The model's prediction before and after:
the next token (causal), the token at the first [MASK] (fill-mask) or the labels (a classifier).

Mean ablation takes the mean of what the head gives in the ablated run itself (over this text's positions):
a head of layer 1 gets its mean on the clean text; a later one, its mean once the earlier heads are gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.tasks.experiments.common import (
    LABELS,
    Head,
    answer_logits,
    answer_position,
    model_inputs,
    outcome_name,
    parse_heads,
    prediction_kind,
    prepared_text,
    read,
)
from playground.tasks.inside.adapters import parts_of
from playground.tasks.inside.hooks import Recorder, hooked, this_thread_only
from playground.tasks.inside.lens import LogitLens, lens_of, lens_positions, lens_text
from playground.tasks.inside.tokens import encode
from playground.tasks.validation import InputError, check_int, check_text

MODES = ("zero", "mean")
MAX_TOP_N = 50


@dataclass
class Outcome:
    token: str  # the token as a reader sees it, or the label
    token_id: int  # the token's id, or the label's index
    prob: float


@dataclass
class Ablation:
    model_id: str
    tokens: list[str]
    heads: list[Head]
    mode: str
    kind: str  # common.CAUSAL, MASKED or LABELS: what `before` and `after` are the distribution of
    before: list[Outcome]  # the top_n of the model's own distribution (labels: all of them)
    after: list[Outcome]  # the top_n of the distribution with the heads knocked out
    before_probs: torch.Tensor  # (vocab or labels) the whole distributions, to compare any outcome
    after_probs: torch.Tensor
    notices: list[Message] = field(default_factory=list)


def ablation_hook(slices: list[slice], mode: str):
    """A forward pre-hook for W_O: the columns `slices` of its input (batch, T, H·d_k) set to 0 or to their
    mean over the positions."""

    def hook(_module, args, kwargs):
        x = (args[0] if args else kwargs["input"]).clone()
        for columns in slices:
            x[..., columns] = 0 if mode == "zero" else x[..., columns].mean(dim=-2, keepdim=True)
        if args:
            return (x, *args[1:]), kwargs
        return args, {**kwargs, "input": x}

    return hook


def ablate(
    loaded: LoadedModel,
    text: str,
    max_chars: int,
    max_tokens: int,
    heads: object,
    mode: str = "zero",
    top_n: int = 10,
) -> Ablation:
    """The model's prediction on `text` with and without the heads ("3.1, 5.7"; 1-based), one forward pass
    each, under the model's lock; the hooks are removed in a `finally`."""
    text = check_text(text, max_chars)
    kind = prediction_kind(loaded)
    parts = parts_of(loaded.model)
    chosen = parse_heads(heads, parts)
    if mode not in MODES:
        raise InputError(lazy("Unknown mode {mode}: choose 'zero' or 'mean'.", mode=repr(mode)[:40]))
    top_n = check_int(top_n, lazy("Top-n"), 1, MAX_TOP_N)
    ids, notices = read(loaded, prepared_text(loaded, text), max_chars, max_tokens)
    position = answer_position(loaded, kind, ids)
    rows = torch.tensor([ids], device=loaded.device)
    by_layer: dict[int, list[slice]] = {}
    d_k = parts.head_dim
    for head in chosen:
        by_layer.setdefault(head.layer, []).append(slice((head.head - 1) * d_k, head.head * d_k))
    handles = []
    with loaded.lock, torch.inference_mode():
        model = loaded.model
        before = answer_logits(model(**model_inputs(loaded, rows, kind)), kind, position)[0]
        try:
            for layer, slices in by_layer.items():
                out = parts.layers[layer - 1].out
                handles.append(
                    out.register_forward_pre_hook(
                        this_thread_only(ablation_hook(slices, mode)), with_kwargs=True
                    )
                )
            after = answer_logits(model(**model_inputs(loaded, rows, kind)), kind, position)[0]
        finally:
            for handle in handles:
                handle.remove()
    before_probs, after_probs = before.float().softmax(-1).cpu(), after.float().softmax(-1).cpu()
    n = before_probs.numel() if kind == LABELS else min(top_n, before_probs.numel())
    return Ablation(
        model_id=loaded.model_id,
        tokens=[outcome_name(loaded, "", i) for i in ids],
        heads=chosen,
        mode=mode,
        kind=kind,
        before=_top(loaded, kind, before_probs, n),
        after=_top(loaded, kind, after_probs, n),
        before_probs=before_probs,
        after_probs=after_probs,
        notices=notices,
    )


def _top(loaded: LoadedModel, kind: str, probs: torch.Tensor, n: int) -> list[Outcome]:
    values, indices = probs.topk(n)
    return [
        Outcome(outcome_name(loaded, kind, int(i)), int(i), float(p))
        for p, i in zip(values.tolist(), indices.tolist(), strict=True)
    ]


def lens_after(
    loaded: LoadedModel,
    text: str,
    max_chars: int,
    max_tokens: int,
    heads: object,
    mode: str,
    columns: int = 24,
) -> LogitLens:
    """The logit lens (tasks/inside/lens.py) of `text` with the heads knocked out: what the model would predict
    after each layer once they are gone; the last `columns` positions (a masked LM: its [MASK]s).
    InputError for a model without a token head (a classifier)."""
    parts = parts_of(loaded.model)
    chosen = parse_heads(heads, parts)
    if mode not in MODES:
        raise InputError(lazy("Unknown mode {mode}: choose 'zero' or 'mean'.", mode=repr(mode)[:40]))
    text = lens_text(loaded, check_text(text, max_chars))
    ids, notices = encode(loaded, text, max_tokens)
    positions = lens_positions(loaded, ids)[-columns:]
    d_k = parts.head_dim

    def register(recorder: Recorder, parts) -> None:
        for layer in sorted({head.layer for head in chosen}):
            slices = [slice((h.head - 1) * d_k, h.head * d_k) for h in chosen if h.layer == layer]
            recorder.change_input(parts.layers[layer - 1].out, ablation_hook(slices, mode))

    with hooked(loaded, ids, register, lens_positions=positions) as run:
        return lens_of(loaded, run, positions, 5, notices)
