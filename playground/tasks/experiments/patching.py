"""Where is the answer decided? Activation patching (the causal tracing figure of ROME).

Two prompts of the same token length, clean and corrupted, and two answers (the clean run's and the corrupted
run's top next token, or chosen). For every layer l = 0..L and position p, the corrupted prompt is run with the
residual stream at p replaced by the clean run's (l = 0: the input of block 1; l ≥ 1: the output of block l,
before any final norm), by forward hooks on the blocks; LD = logit(clean answer) − logit(corrupted answer) at
the last position (a masked LM: at the first [MASK]) and effect = (LD_patched − LD_corrupted) /
(LD_clean − LD_corrupted): 1 where the patch brings the clean answer back entirely, 0 where it changes nothing.

The patched runs of one layer are one batch: row p patches position p. A patch at the output of block l leaves
blocks 1..l as they were in the corrupted run, so those blocks are not run again: each answers with its output in
the corrupted run (kept once, by a hook), and only blocks l + 1..L compute (half the work of running them all).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.tasks.experiments.common import (
    LABELS,
    MASKED,
    answer_logits,
    answer_position,
    model_inputs,
    outcome_name,
    prediction_kind,
    prepared_text,
    read,
)
from playground.tasks.inside.adapters import parts_of
from playground.tasks.inside.hooks import this_thread_only
from playground.tasks.validation import InputError, check_text

MAX_PATCH_TOKENS = 64  # (L + 1) x T patched runs of T tokens each: the cost grows with T²
# Tokens per batched forward pass at most (rows x T). Its peak memory grows with it: GPT-2 small took ~640 MiB
# above the idle process at 4096 tokens, ~360 MiB at 2048 (issue 30's budget per request: 500 MB).
BATCH_TOKENS = 2048


@dataclass
class Patching:
    model_id: str
    tokens: list[str]  # the clean prompt's tokens
    corrupted_tokens: list[str]
    answers: list[str]  # [clean answer, corrupted answer] as readers see them
    answer_ids: list[int]
    effect: np.ndarray  # (L + 1, T): [layer l = 0..L][position p]
    ld_clean: float
    ld_corrupted: float
    position: int  # where the answer is read (0-based)
    notices: list[Message] = field(default_factory=list)


def _replace_first(args: tuple, kwargs: dict, value: torch.Tensor) -> tuple[tuple, dict]:
    if args:
        return (value, *args[1:]), kwargs
    name = next(iter(kwargs))
    return args, {**kwargs, name: value}


def _first(args: tuple, kwargs: dict) -> torch.Tensor:
    return args[0] if args else next(iter(kwargs.values()))


def input_patch(rows: torch.Tensor, positions: torch.Tensor, clean: torch.Tensor):
    """A forward pre-hook for a block: its input hidden states at (rows[i], positions[i]) set to clean[positions[i]]."""

    def hook(_module, args, kwargs):
        hidden = _first(args, kwargs).clone()
        hidden[rows, positions] = clean[positions].to(hidden.dtype)
        return _replace_first(args, kwargs, hidden)

    return hook


def output_patch(rows: torch.Tensor, positions: torch.Tensor, clean: torch.Tensor):
    """A forward hook for a block: its output hidden states at (rows[i], positions[i]) set to clean[positions[i]]."""

    def hook(_module, _args, output):
        hidden = (output[0] if isinstance(output, tuple) else output).clone()
        hidden[rows, positions] = clean[positions].to(hidden.dtype)
        return (hidden, *output[1:]) if isinstance(output, tuple) else hidden

    return hook


@contextmanager
def replayed(blocks: list[torch.nn.Module], outputs: list[object], rows: int):
    """Blocks that answer with their kept output (of a batch of one) for `rows` rows instead of computing it:
    a block's `forward` is set on the instance for the time of the context, and removed in any case. The model
    is shared: only this thread's passes are replayed, another thread's (should one run outside the model's
    lock) computes as usual."""
    owner = threading.get_ident()
    own = [
        block.__dict__.get("forward") for block in blocks
    ]  # a forward set on the instance before (accelerate)
    for block, output in zip(blocks, outputs, strict=True):
        computed = block.forward  # as the block computes it

        def forward(*args, output=output, computed=computed, **kwargs):
            if threading.get_ident() != owner:
                return computed(*args, **kwargs)
            if isinstance(output, tuple):
                return (output[0].expand(rows, -1, -1), *output[1:])
            return output.expand(rows, -1, -1)

        block.forward = forward
    try:
        yield
    finally:
        for block, forward in zip(blocks, own, strict=True):
            if forward is None:
                del block.forward
            else:
                block.forward = forward


@contextmanager
def unembedded_at(model: torch.nn.Module, kind: str, position: int | None):
    """A masked LM unembeds only the position read (the [MASK]), as a causal model keeps only its last logits:
    a pre-hook on the output embedding passes it that position alone (logits (batch, 1, vocab)); the vocabulary
    projection of a 30k-word BERT over every position costs as much as a third of its blocks."""
    unembedding = model.get_output_embeddings() if kind == MASKED else None
    if unembedding is None:
        yield position  # where the logits are read
        return

    def only_the_position(_module, args):
        return (args[0][:, position : position + 1], *args[1:])

    handle = unembedding.register_forward_pre_hook(this_thread_only(only_the_position))
    try:
        yield 0
    finally:
        handle.remove()


def _answer_id(loaded: LoadedModel, answer: object, which: Message) -> int | None:
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return None
    if not isinstance(answer, str):
        raise InputError(lazy("The {which} answer must be text.", which=which))
    ids = loaded.tokenizer(answer, add_special_tokens=False)["input_ids"]
    if len(ids) != 1:
        raise InputError(
            lazy(
                "The {which} answer “{answer}” is {count} tokens for this model; an answer must be one token "
                "(with a space before a word, as it follows the prompt: “ Paris”).",
                which=which,
                answer=answer[:40],
                count=len(ids),
            )
        )
    return ids[0]


def patch(
    loaded: LoadedModel,
    clean: str,
    corrupted: str,
    max_chars: int,
    clean_answer: str | None = None,
    corrupted_answer: str | None = None,
) -> Patching:
    """The effect of patching each layer's residual stream at each position from the clean run into the
    corrupted one (see the module's docstring)."""
    clean = check_text(clean, max_chars, lazy("clean prompt"))
    corrupted = check_text(corrupted, max_chars, lazy("corrupted prompt"))
    kind = prediction_kind(loaded)
    if kind == LABELS:
        raise InputError(
            lazy(
                "A classifier has no next token to patch: choose the generation or chat model (or the "
                "fill-mask model with a [MASK] in both prompts)."
            )
        )
    parts = parts_of(loaded.model)
    limit = loaded.context_length
    clean_ids, cut = read(loaded, prepared_text(loaded, clean), max_chars, limit)
    corrupted_ids, cut_too = read(loaded, prepared_text(loaded, corrupted), max_chars, limit)
    if len(clean_ids) != len(corrupted_ids):
        raise InputError(
            lazy(
                "The clean prompt has {clean} tokens and the corrupted one {corrupted}: patching needs the same "
                "number. Change a word of one so that both cut into as many tokens (the Inside tab shows how a text is cut).",
                clean=len(clean_ids),
                corrupted=len(corrupted_ids),
            )
        )
    if cut or cut_too or len(clean_ids) > min(MAX_PATCH_TOKENS, limit):
        raise InputError(
            lazy(
                "The prompts have {count} tokens; patching reads at most {limit}. Please shorten them.",
                count=len(clean_ids),
                limit=min(MAX_PATCH_TOKENS, limit),
            )
        )
    position = answer_position(loaded, kind, clean_ids)
    if kind != "next token" and answer_position(loaded, kind, corrupted_ids) != position:
        raise InputError(lazy("Put the [MASK] at the same place in both prompts."))
    chosen = [
        _answer_id(loaded, clean_answer, lazy("clean")),
        _answer_id(loaded, corrupted_answer, lazy("corrupted")),
    ]
    T, L = len(clean_ids), parts.num_layers
    device = loaded.device
    with loaded.lock, torch.inference_mode():
        model = loaded.model
        streams: dict[int, torch.Tensor] = {}  # l -> (T, d) the clean run's residual stream

        def keep_input(_module, args, kwargs):
            streams.setdefault(0, _first(args, kwargs)[0])

        def keeper(layer: int):
            def keep_output(_module, _args, output):
                streams.setdefault(layer, (output[0] if isinstance(output, tuple) else output)[0])

            return keep_output

        handles = [
            parts.layers[0].block.register_forward_pre_hook(this_thread_only(keep_input), with_kwargs=True)
        ]
        handles += [
            part.block.register_forward_hook(this_thread_only(keeper(i + 1)))
            for i, part in enumerate(parts.layers)
        ]
        try:
            clean_logits = answer_logits(
                model(**model_inputs(loaded, torch.tensor([clean_ids], device=device), kind)), kind, position
            )[0]
        finally:
            for handle in handles:
                handle.remove()
        corrupted_row = torch.tensor([corrupted_ids], device=device)
        kept: list[object] = [None] * L  # each block's output in the corrupted run

        def corrupted_keeper(layer: int):
            def keep_output(_module, _args, output):
                kept[layer] = output

            return keep_output

        handles = [
            part.block.register_forward_hook(this_thread_only(corrupted_keeper(i)))
            for i, part in enumerate(parts.layers)
        ]
        try:
            corrupted_logits = answer_logits(
                model(**model_inputs(loaded, corrupted_row, kind)), kind, position
            )[0]
        finally:
            for handle in handles:
                handle.remove()
        answers = [
            chosen[0] if chosen[0] is not None else int(clean_logits.argmax()),
            chosen[1] if chosen[1] is not None else int(corrupted_logits.argmax()),
        ]
        if answers[0] == answers[1]:
            raise InputError(
                lazy(
                    "Both answers are “{token}”: choose two different answers to compare (type the clean "
                    "answer and another one).",
                    token=outcome_name(loaded, kind, answers[0]),
                )
            )

        def difference(logits: torch.Tensor) -> torch.Tensor:
            return (logits[..., answers[0]] - logits[..., answers[1]]).float()

        ld_clean, ld_corrupted = float(difference(clean_logits)), float(difference(corrupted_logits))
        if abs(ld_clean - ld_corrupted) < 1e-6:
            raise InputError(
                lazy(
                    "The two prompts give the two answers the same logit difference, so there is nothing to "
                    "restore: choose prompts (or answers) that the model answers differently."
                )
            )
        effect = np.zeros((L + 1, T))
        chunk = max(1, BATCH_TOKENS // T)
        for layer in range(L + 1):
            for start in range(0, T, chunk):
                positions = torch.arange(start, min(T, start + chunk), device=device)
                rows = torch.arange(len(positions), device=device)
                batch = corrupted_row.expand(len(positions), T)
                if layer == 0:
                    hook = input_patch(rows, positions, streams[0])
                    handle = parts.layers[0].block.register_forward_pre_hook(
                        this_thread_only(hook), with_kwargs=True
                    )
                else:
                    handle = parts.layers[layer - 1].block.register_forward_hook(
                        this_thread_only(output_patch(rows, positions, streams[layer]))
                    )
                skipped = [
                    part.block for part in parts.layers[:layer]
                ]  # blocks 1..l: as in the corrupted run
                try:
                    with (
                        replayed(skipped, kept[:layer], len(positions)),
                        unembedded_at(model, kind, position) as read_at,
                    ):
                        outputs = model(**model_inputs(loaded, batch, kind))
                        logits = answer_logits(outputs, kind, read_at)
                finally:
                    handle.remove()
                patched = difference(logits).cpu().numpy()
                effect[layer, start : start + len(positions)] = (patched - ld_corrupted) / (
                    ld_clean - ld_corrupted
                )
    return Patching(
        model_id=loaded.model_id,
        tokens=[outcome_name(loaded, "", i) for i in clean_ids],
        corrupted_tokens=[outcome_name(loaded, "", i) for i in corrupted_ids],
        answers=[outcome_name(loaded, kind, i) for i in answers],
        answer_ids=answers,
        effect=effect,
        ld_clean=ld_clean,
        ld_corrupted=ld_corrupted,
        position=position,
    )
