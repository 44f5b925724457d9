"""Where is the answer decided? Activation patching (the causal tracing figure of ROME).

Two prompts of the same token length, clean and corrupted, and two answers (the clean run's and the corrupted
run's top next token, or chosen). For every layer l = 0..L and position p, the corrupted prompt is run with the
residual stream at p replaced by the clean run's (l = 0: the input of block 1; l ≥ 1: the output of block l,
before any final norm), by forward hooks on the blocks; LD = logit(clean answer) − logit(corrupted answer) at
the last position (a masked LM: at the first [MASK]) and effect = (LD_patched − LD_corrupted) /
(LD_clean − LD_corrupted): 1 where the patch brings the clean answer back entirely, 0 where it changes nothing.

The patched runs of one layer are one batch: row p patches position p.
"""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def unembedded_at(loaded: LoadedModel, kind: str, position: int | None):
    """A masked model's unembedding (its output embeddings) reads only the answer's position while this lasts,
    so a batch's logits are (rows, 1, vocabulary), not (rows, T, vocabulary): BERT-base's 32 rows of 64 tokens
    take 250 MB less (a causal model unembeds its last position alone already: `model_inputs`). Yields the
    position to read the logits at."""
    head = loaded.model.get_output_embeddings() if kind == MASKED and position is not None else None
    if head is None:
        yield position
        return

    def hook(_module, args):
        return (args[0][:, position : position + 1], *args[1:])

    handle = head.register_forward_pre_hook(hook)
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

        handles = [parts.layers[0].block.register_forward_pre_hook(keep_input, with_kwargs=True)]
        handles += [part.block.register_forward_hook(keeper(i + 1)) for i, part in enumerate(parts.layers)]
        try:
            clean_logits = answer_logits(
                model(**model_inputs(loaded, torch.tensor([clean_ids], device=device), kind)), kind, position
            )[0]
        finally:
            for handle in handles:
                handle.remove()
        corrupted_row = torch.tensor([corrupted_ids], device=device)
        corrupted_logits = answer_logits(model(**model_inputs(loaded, corrupted_row, kind)), kind, position)[
            0
        ]
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
                    handle = parts.layers[0].block.register_forward_pre_hook(hook, with_kwargs=True)
                else:
                    handle = parts.layers[layer - 1].block.register_forward_hook(
                        output_patch(rows, positions, streams[layer])
                    )
                try:
                    with unembedded_at(loaded, kind, position) as read_at:
                        logits = answer_logits(model(**model_inputs(loaded, batch, kind)), kind, read_at)
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
