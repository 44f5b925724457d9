"""Checking a request's values: each bad one is refused with an InputError saying why, in plain words."""

from __future__ import annotations

from playground.i18n import Message, lazy


class InputError(ValueError):
    """The request cannot be answered as asked; the message says why in words a student understands.

    Its message is a lazy `Message` (playground.i18n): `str(error)` reads in the language of whoever is shown
    it, English for the JSON API."""


class StepOutOfRange(InputError):
    """A step asked for beyond either end (Next token after a translation has ended or reached its limit, Undo
    with no token left to take back): nothing is wrong with the request, so a page shows the sentence as
    information, not as an error, and keeps what it shows (ui.events.failing_quietly); API clients get it as any
    InputError."""


def translatable(word: str | Message) -> Message:
    """A word that fills in a sentence (`what`, `name`: "prompt", "Top-k"), translated with it. Plain text
    is looked up too, so callers may pass either "prompt" or lazy("prompt")."""
    return word if isinstance(word, Message) else lazy(word)


def check_text(text: object, max_chars: int, what: str | Message = lazy("text")) -> str:
    """The text if it is usable, else InputError (not text, empty, or longer than `max_chars`)."""
    what = translatable(what)
    if not isinstance(text, str):
        raise InputError(lazy("The {what} must be text, not {type}.", what=what, type=type_name(text)))
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


def two_stacks(loaded) -> bool:
    """Whether `loaded` (a LoadedModel) is an encoder-decoder (the translation model)."""
    return bool(getattr(loaded.model.config, "is_encoder_decoder", False))


def refuse_two_stacks(loaded, what: str | Message) -> None:
    """InputError where `loaded` is an encoder-decoder: `what` reads one stack of blocks."""
    if two_stacks(loaded):
        raise InputError(
            lazy(
                "{what} works on models of one stack of blocks (GPT, BERT, Llama), not on the translation "
                "model's encoder and decoder: choose another model.",
                what=translatable(what),
            )
        )


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


def type_name(value: object) -> str:
    """The name of a value's type in a sentence: "null" for nothing, as JSON writes it (not "NoneType")."""
    return "null" if value is None else type(value).__name__
