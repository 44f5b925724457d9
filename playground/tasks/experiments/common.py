"""What the experiments share: the text as the model reads it, what a model predicts (the next token, the
token at a [MASK], or its labels), and heads written as "layer.head"."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

import torch

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.registry import REGISTRY
from playground.tasks.fill_mask import normalise_masks
from playground.tasks.inside.adapters import Parts, parts_of
from playground.tasks.inside.tokens import encode
from playground.tasks.text import readable_token
from playground.tasks.validation import InputError, check_text

CAUSAL, MASKED, LABELS = "next token", "mask", "labels"


def read(loaded: LoadedModel, text: str, max_chars: int, max_tokens: int) -> tuple[list[int], list[Message]]:
    """The ids the model reads for `text` (with its task's special tokens), cut to `max_tokens`, and notices."""
    return encode(loaded, check_text(text, max_chars), max_tokens)


def prediction_kind(loaded: LoadedModel) -> str:
    """What the model answers with: CAUSAL (the next token), MASKED (the token at a [MASK]) or LABELS
    (a classifier); InputError for a model that answers otherwise (a question-answering model's span, a
    translation model's next token, which hangs on a source and a translation so far)."""
    if getattr(loaded.model.config, "is_encoder_decoder", False):
        raise InputError(
            lazy(
                "This experiment changes one text and watches one prediction; a translation model predicts "
                "each token from a source and the translation so far, so it does not apply here (the Inside "
                "tab shows its encoder and its decoder head by head). Choose the generation, chat or "
                "fill-mask model."
            )
        )
    if REGISTRY[loaded.task].causal:
        return CAUSAL
    name = type(loaded.model).__name__
    if name.endswith("ForSequenceClassification"):
        return LABELS
    if parts_of(loaded.model).head is not None and loaded.tokenizer.mask_token_id is not None:
        return MASKED
    raise InputError(
        lazy(
            "This experiment compares what the model predicts (the next token, the word at a [MASK] or the "
            "labels); this model ({model}) answers otherwise, so it does not apply here.",
            model=loaded.model_id,
        )
    )


def prepared_text(loaded: LoadedModel, text: str) -> str:
    """A masked LM's masks written as its own mask token ([MASK], <mask> and ___ all work)."""
    if prediction_kind(loaded) == MASKED:
        return normalise_masks(text, loaded.tokenizer.mask_token)
    return text


def answer_position(loaded: LoadedModel, kind: str, ids: list[int]) -> int | None:
    """Where the prediction is read: the last position (causal), the first [MASK] (masked), None (labels)."""
    if kind == CAUSAL:
        return len(ids) - 1
    if kind == MASKED:
        if loaded.tokenizer.mask_token_id not in ids:
            raise InputError(
                lazy(
                    "There is no [MASK] in the text (or it was cut off): put [MASK] where the model should "
                    "guess."
                )
            )
        return ids.index(loaded.tokenizer.mask_token_id)
    return None


def answer_logits(outputs, kind: str, position: int | None) -> torch.Tensor:
    """(batch, vocab or labels) logits of the prediction from a forward pass's outputs."""
    logits = outputs.logits
    if kind == LABELS:
        return logits
    return logits[:, -1 if kind == CAUSAL and logits.shape[1] == 1 else position]


def outcome_name(loaded: LoadedModel, kind: str, index: int) -> str:
    """A token as a reader sees it (half a character as its bytes), or a label's name."""
    if kind == LABELS:
        return str(loaded.model.config.id2label[index])
    return readable_token(loaded.tokenizer, index)


def model_inputs(loaded: LoadedModel, rows: torch.Tensor, kind: str) -> dict:
    """The keyword arguments of a forward pass over `rows` (batch, T) of ids: no padding, so a mask of ones;
    a causal model unembeds only its last position."""
    inputs = {"input_ids": rows, "attention_mask": torch.ones_like(rows)}
    if kind == CAUSAL and "logits_to_keep" in inspect.signature(loaded.model.forward).parameters:
        inputs["logits_to_keep"] = 1
    return inputs


@dataclass(frozen=True)
class Head:
    layer: int  # 1-based
    head: int  # 1-based

    def __str__(self) -> str:
        return f"{self.layer}.{self.head}"


_HEAD = re.compile(r"^\s*(\d+)\s*\.\s*(\d+)\s*$")


def parse_heads(heads: object, parts: Parts) -> list[Head]:
    """ "3.1, 5.7" (or a list of such strings) -> the heads, each checked against the model; InputError
    naming what is wrong."""
    if isinstance(heads, str):
        items = [item for item in re.split(r"[,;，；\s]+(?=\d)|[,;，；]", heads) if item.strip()]
    elif isinstance(heads, list | tuple) and all(isinstance(item, str) for item in heads):
        items = [item for item in heads if item.strip()]
    else:
        raise InputError(lazy("Write the heads as text, each as layer.head: e.g. 3.1, 5.7."))
    if not items:
        raise InputError(
            lazy("Choose at least one head: click it in a map or type it as layer.head, e.g. 3.1, 5.7.")
        )
    chosen: list[Head] = []
    for item in items:
        match = _HEAD.match(item)
        if match is None:
            raise InputError(
                lazy(
                    "Write each head as layer.head, e.g. 3.1, 5.7; “{item}” is not one.",
                    item=item.strip()[:20],
                )
            )
        layer, head = int(match[1]), int(match[2])
        if not 1 <= layer <= parts.num_layers:
            raise InputError(
                lazy(
                    "Layer {layer} does not exist: this model has layers 1 to {layers}.",
                    layer=layer,
                    layers=parts.num_layers,
                )
            )
        if not 1 <= head <= parts.num_heads:
            raise InputError(
                lazy(
                    "Head {head} does not exist: this model has heads 1 to {heads} in each layer.",
                    head=head,
                    heads=parts.num_heads,
                )
            )
        if Head(layer, head) not in chosen:
            chosen.append(Head(layer, head))
    return chosen
