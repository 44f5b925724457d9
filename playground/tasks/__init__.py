"""Pure inference, one module per task. No gradio here: tasks take a LoadedModel and return dataclasses."""

from __future__ import annotations

from transformers import BatchEncoding, PreTrainedTokenizerBase


class InputError(ValueError):
    """The request cannot be answered as asked; the message says why in words a student understands."""


def check_text(text: object, max_chars: int, what: str = "text") -> str:
    """The text if it is usable, else InputError (not text, empty, or longer than `max_chars`)."""
    if not isinstance(text, str):
        raise InputError(f"The {what} must be text, not {type(text).__name__}.")
    if not text.strip():
        raise InputError(f"Please type some {what} first: it is empty.")
    if len(text) > max_chars:
        raise InputError(
            f"The {what} is {len(text):,} characters long; the limit here is {max_chars:,}. Please shorten it."
        )
    return text


def check_int(value: object, name: str, low: int, high: int) -> int:
    """`value` as an int within [low, high], else InputError naming the setting."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise InputError(f"{name} must be a whole number between {low} and {high}.")
    if not float(value).is_integer() or not low <= value <= high:
        raise InputError(f"{name} must be a whole number between {low} and {high}; got {value}.")
    return int(value)


def check_float(value: object, name: str, low: float, high: float) -> float:
    """`value` as a float within [low, high], else InputError naming the setting."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise InputError(f"{name} must be a number between {low:g} and {high:g}; got {value}.")
    return float(value)


def token_strings(tokenizer: PreTrainedTokenizerBase, ids: list[int]) -> list[str]:
    """Each token as a reader sees it: 'Ġcat' -> ' cat'; special tokens like [CLS] kept as they are."""
    return [tokenizer.decode([i]) for i in ids]


def encode_truncated(
    tokenizer: PreTrainedTokenizerBase, text: str, max_length: int, add_special_tokens: bool = True
) -> tuple[BatchEncoding, list[str]]:
    """`text` as a batch of one (tensors), cut to `max_length` tokens, and a notice when it was cut."""
    n_tokens = len(tokenizer(text, add_special_tokens=add_special_tokens)["input_ids"])
    encoded = tokenizer(
        text,
        add_special_tokens=add_special_tokens,
        truncation=True,
        max_length=max_length,
        return_tensors="pt",
    )
    notices = []
    if n_tokens > max_length:
        notices.append(
            f"The text has {n_tokens} tokens, more than the {max_length} used here: "
            f"only the first {max_length} were used."
        )
    return encoded, notices
