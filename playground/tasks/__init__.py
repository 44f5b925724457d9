"""Pure inference, one module per task. No gradio here: tasks take a LoadedModel and return dataclasses."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TypeVar

import torch
from transformers import BatchEncoding, PreTrainedTokenizerBase

from playground.i18n import Message, lazy
from playground.models import LoadedModel

Item = TypeVar("Item")  # one request
Prepared = TypeVar("Prepared")  # a request after preprocess
Output = TypeVar("Output")  # the forward pass's output for one request
Result = TypeVar("Result")


class InputError(ValueError):
    """The request cannot be answered as asked; the message says why in words a student understands.

    Its message is a lazy `Message` (playground.i18n): `str(error)` reads in the language of whoever is shown
    it, English for the JSON API."""


def translatable(word: str | Message) -> Message:
    """A word that fills in a sentence (`what`, `name`: "prompt", "Top-k"), translated with it. Plain text
    is looked up too, so callers may pass either "prompt" or lazy("prompt")."""
    return word if isinstance(word, Message) else lazy(word)


def check_text(text: object, max_chars: int, what: str | Message = lazy("text")) -> str:
    """The text if it is usable, else InputError (not text, empty, or longer than `max_chars`)."""
    what = translatable(what)
    if not isinstance(text, str):
        raise InputError(lazy("The {what} must be text, not {type}.", what=what, type=type(text).__name__))
    if not text.strip():
        raise InputError(lazy("Please type some {what} first: it is empty.", what=what))
    if len(text) > max_chars:
        raise InputError(
            lazy(
                "The {what} is {length} characters long; the limit here is {limit}. Please shorten it.",
                what=what,
                length=f"{len(text):,}",
                limit=f"{max_chars:,}",
            )
        )
    return text


def check_int(value: object, name: str | Message, low: int, high: int) -> int:
    """`value` as an int within [low, high], else InputError naming the setting."""
    name = translatable(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise InputError(
            lazy("{name} must be a whole number between {low} and {high}.", name=name, low=low, high=high)
        )
    if not float(value).is_integer() or not low <= value <= high:
        raise InputError(
            lazy(
                "{name} must be a whole number between {low} and {high}; got {value}.",
                name=name,
                low=low,
                high=high,
                value=value,
            )
        )
    return int(value)


def check_float(value: object, name: str | Message, low: float, high: float) -> float:
    """`value` as a float within [low, high], else InputError naming the setting."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise InputError(
            lazy(
                "{name} must be a number between {low} and {high}; got {value}.",
                name=translatable(name),
                low=f"{low:g}",
                high=f"{high:g}",
                value=value,
            )
        )
    return float(value)


def token_strings(tokenizer: PreTrainedTokenizerBase, ids: list[int]) -> list[str]:
    """Each token as a reader sees it: 'Ġcat' -> ' cat'; special tokens like [CLS] kept as they are."""
    return [tokenizer.decode([i]) for i in ids]


# Chinese characters, Japanese kana, CJK and full-width punctuation: written without spaces between them.
_CJK = "\u2e80-\u2fdf\u3000-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}]) +(?=[{_CJK}])")


def spaced_decoding(tokenizer: PreTrainedTokenizerBase) -> bool:
    """True for tokenizers whose decode puts a space between any two tokens (BERT's WordPiece: '今 天')."""
    try:
        return tokenizer.convert_tokens_to_string(["中", "文"]) == "中 文"
    except (KeyError, ValueError, TypeError):  # a tokenizer that cannot even spell them does not space them
        return False


def readable_text(
    tokenizer: PreTrainedTokenizerBase, ids: list[int], skip_special_tokens: bool = True
) -> str:
    """`decode(ids)` as a person writes it: without the spaces a WordPiece tokenizer puts between Chinese
    characters ('今天天气', not '今 天 天 气'). Other tokenizers' text is left exactly as decode gives it."""
    text = tokenizer.decode(ids, skip_special_tokens=skip_special_tokens)
    return _SPACE_BETWEEN_CJK.sub("", text) if spaced_decoding(tokenizer) else text


def token_text(tokenizer: PreTrainedTokenizerBase, token_id: int, previous_id: int | None = None) -> str:
    """What a token adds to the text after the token before it: ' cat' for GPT-2's 'Ġcat'; for WordPiece,
    'ing' for '##ing' after 'walk', ' cat' after 'the', '天' after '今'; special tokens as they are ('[SEP]')."""
    if previous_id is None or token_id in tokenizer.all_special_ids or not spaced_decoding(tokenizer):
        return tokenizer.decode([token_id])
    before = readable_text(tokenizer, [previous_id], skip_special_tokens=False)
    return readable_text(tokenizer, [previous_id, token_id], skip_special_tokens=False)[len(before) :]


def encode_row(
    tokenizer: PreTrainedTokenizerBase, text: str, max_length: int, add_special_tokens: bool = True
) -> tuple[dict[str, list[int]], list[Message]]:
    """`text` as lists of ids (one row of a batch), cut to `max_length` tokens, and a notice when it was cut."""
    full = tokenizer(text, add_special_tokens=add_special_tokens)
    n_tokens = len(full["input_ids"])
    if n_tokens <= max_length:
        return dict(full), []
    row = tokenizer(text, add_special_tokens=add_special_tokens, truncation=True, max_length=max_length)
    cut = lazy(
        "The text has {count} tokens, more than the {limit} used here: only the first {limit} were used.",
        count=n_tokens,
        limit=max_length,
    )
    return dict(row), [cut]


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


def is_continuation(piece: str) -> bool:
    """A WordPiece piece that continues the word before it, like `##ing`."""
    return piece.startswith("##") and len(piece) > 2


def word_groups(pieces: Sequence[str], special: Collection[str] = ()) -> list[list[int]]:
    """Indices of the pieces that make up each word: WordPiece continuations (`##ing`) join the word before
    (never a special token). ["[CLS]", "walk", "##ing", "home"] -> [[0], [1, 2], [3]].
    """
    groups: list[list[int]] = []
    for i, piece in enumerate(pieces):
        if is_continuation(piece) and groups and pieces[groups[-1][0]] not in special:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups
