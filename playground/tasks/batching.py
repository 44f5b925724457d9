"""Texts as rows of a batch: encoding with a cut to the model's limit, padding, and one forward pass for many
requests, each request's mistake kept to itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import torch
from transformers import BatchEncoding, PreTrainedTokenizerBase

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.tasks.validation import InputError

Item = TypeVar("Item")  # one request
Prepared = TypeVar("Prepared")  # a request after preprocess
Output = TypeVar("Output")  # the forward pass's output for one request
Result = TypeVar("Result")


def encode_row(
    tokenizer: PreTrainedTokenizerBase, text: str, max_length: int, add_special_tokens: bool = True
) -> tuple[dict[str, list[int]], list[Message]]:
    """`text` as lists of ids (one row of a batch), cut to `max_length` tokens, and a notice when it was cut."""
    row, n_tokens = encode_cut(tokenizer, text, max_length, add_special_tokens)
    if n_tokens <= max_length:
        return row, []
    cut = lazy(
        "The text has {count} tokens, more than the {limit} used here: only the first {limit} were used.",
        count=n_tokens,
        limit=max_length,
    )
    return row, [cut]


def encode_cut(
    tokenizer: PreTrainedTokenizerBase, text: str, max_length: int, add_special_tokens: bool = True, **options
) -> tuple[dict[str, list], int]:
    """`text` encoded (with `options`, e.g. return_offsets_mapping) and cut to `max_length` tokens as the
    tokenizer's own truncation cuts (the special tokens at both ends kept, the text's tokens cut on the
    tokenizer's truncation side), and the number of tokens before the cut.

    The tokenizer's truncation is never switched on: a fast tokenizer keeps that setting in the one Rust
    tokenizer every thread shares, so a call with truncation=True in one thread and one without in another
    would cut (or not cut) each other's texts (issue 16: "size of tensor a (1225) must match b (64)")."""
    encoded = dict(
        tokenizer(text, add_special_tokens=add_special_tokens, return_special_tokens_mask=True, **options)
    )
    special = encoded.pop("special_tokens_mask")
    n_tokens = len(encoded["input_ids"])
    if n_tokens <= max_length:
        return encoded, n_tokens
    lead = next((i for i, is_special in enumerate(special) if not is_special), n_tokens)
    trail = next((i for i, is_special in enumerate(reversed(special[lead:])) if not is_special), 0)
    inner = list(range(lead, n_tokens - trail))
    room = max(0, max_length - lead - trail)
    kept = inner[len(inner) - room :] if tokenizer.truncation_side == "left" else inner[:room]
    keep = [*range(lead), *kept, *range(n_tokens - trail, n_tokens)]
    return {key: [values[i] for i in keep] for key, values in encoded.items()}, n_tokens


def encode_truncated(
    tokenizer: PreTrainedTokenizerBase, text: str, max_length: int, add_special_tokens: bool = True
) -> tuple[BatchEncoding, list[Message]]:
    """`text` as a batch of one (tensors), cut to `max_length` tokens, and a notice when it was cut."""
    row, notices = encode_row(tokenizer, text, max_length, add_special_tokens)
    return BatchEncoding({key: torch.tensor([ids]) for key, ids in row.items()}), notices


def run_batch(
    loaded: LoadedModel,
    items: Sequence[Item],
    max_chars: int,
    preprocess: Callable[..., Prepared],
    forward: Callable[..., Iterable[Output]],
    postprocess: Callable[..., Result],
) -> list[Result | InputError]:
    """A task's pipeline over a batch: `preprocess(loaded, item, max_chars)` each item, one
    `forward(loaded, accepted)` for every item it accepts, `postprocess(loaded, prepared, output)` each.

    An InputError stands in place of each item that preprocess refuses, so that one request's mistake does
    not spoil the answers of the others sharing the forward pass.
    """
    prepared: list[Prepared | InputError] = []
    for item in items:
        try:
            prepared.append(preprocess(loaded, item, max_chars))
        except InputError as error:
            prepared.append(error)
    valid = [p for p in prepared if not isinstance(p, InputError)]
    outputs = iter(forward(loaded, valid) if valid else [])
    return [p if isinstance(p, InputError) else postprocess(loaded, p, next(outputs)) for p in prepared]


def single(results: list[Result | InputError]) -> Result:
    """The one result of a batch of one; its InputError raised."""
    (result,) = results
    if isinstance(result, InputError):
        raise result
    return result


def pad_batch(rows: Sequence[dict[str, list[int]]], pad_id: int | None) -> BatchEncoding:
    """Encodings of different lengths as one batch of tensors (B, T), padded on the right.

    Right padding keeps every real token at the position it has alone, and the attention mask hides the
    padding from every real token, so each row's outputs equal the ones it gets in a batch of one.
    """
    width = max(len(row["input_ids"]) for row in rows)
    fill = {"input_ids": pad_id or 0, "attention_mask": 0}
    return BatchEncoding(
        {
            key: torch.tensor([row[key] + [fill.get(key, 0)] * (width - len(row[key])) for row in rows])
            for key in rows[0]
        }
    )
