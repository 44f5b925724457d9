"""What one Inside pass reads: the text's ids for an encoder or a decoder-only model; for an encoder-decoder
(a translation model), its encoder's ids (the source) or its decoder's (the start token, then a target prefix:
by default the model's own greedy translation but its closing </s>), with the source its cross-attention reads.

The decoder reads the target as `model.generate` fed it: row i of the decoder is the position that writes
target token i, so the last row predicts what follows the prefix (</s> after a whole translation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.registry import REGISTRY
from playground.tasks.inside.adapters import check_stack
from playground.tasks.inside.tokens import encode
from playground.tasks.text import token_strings
from playground.tasks.validation import InputError, check_text

MAX_TARGET_CHARS = 2000  # a typed target prefix is cut to the decoder's positions anyway


@dataclass
class Reading:
    """The ids of the stack shown and, for an encoder-decoder's decoder, the source ids it attends to."""

    ids: list[int]  # what the stack shown reads (the decoder: its start token first)
    tokens: list[str]  # each as a reader sees it
    stack: str | None = None  # None: not an encoder-decoder; else "encoder" or "decoder"
    source_ids: list[int] = field(default_factory=list)  # the decoder's cross-attention reads their encoding
    source_tokens: list[str] = field(default_factory=list)
    target_typed: bool = False  # the decoder reads a prefix the visitor typed, not the model's translation
    notices: list[Message] = field(default_factory=list)

    @property
    def causal(self) -> bool | None:
        """True for a decoder (its self-attention is masked); None: the task decides."""
        return True if self.stack == "decoder" else None


def is_encoder_decoder(loaded: LoadedModel) -> bool:
    return bool(getattr(loaded.model.config, "is_encoder_decoder", False))


def causal(loaded: LoadedModel, reading: Reading | None) -> bool:
    """Whether the stack read masks each token's future: a decoder's does, an encoder's does not."""
    if reading is not None and reading.stack is not None:
        return reading.stack == "decoder"
    return REGISTRY[loaded.task].causal


def read(
    loaded: LoadedModel,
    text: str,
    max_chars: int,
    max_tokens: int | None,
    part: object = None,
    target: object = "",
) -> Reading:
    """The ids one Inside pass reads for a checked text. An encoder-decoder reads `text` as its source; its
    decoder (`part="decoder"`) reads the start token then `target` (empty: the model's greedy translation of
    the source), cut to `max_tokens`."""
    if not is_encoder_decoder(loaded):
        ids, notices = encode(loaded, text, max_tokens)
        return Reading(ids, token_strings(loaded.tokenizer, ids), notices=notices)
    from playground.tasks import translation  # the translation task reads the source and translates

    stack = check_stack(part)
    source = translation.encode_source(loaded, text, max_chars, max_tokens)
    if stack == "encoder":
        return Reading(source.ids, list(source.tokens), stack, notices=list(source.notices))
    limit = translation.decoder_positions(loaded)
    if max_tokens is not None:
        limit = min(limit, max_tokens)
    typed = isinstance(target, str) and target.strip() != ""
    notices = list(source.notices)
    if typed:
        prefix = _typed_prefix(loaded, check_text(target, MAX_TARGET_CHARS, lazy("translation")))
    else:
        written = translation.translate(
            loaded,
            text,
            # one more than the decoder reads: a translation cut by max_new_tokens ends with a forced </s>
            translation.TranslationParams(max_new_tokens=limit, num_beams=1),
            max_chars,
            max_new_tokens_cap=limit,
            max_beams=1,
            max_source_tokens=max_tokens,
        )
        prefix = written.target_ids[:-1] if written.ended else written.target_ids
    ids = [translation.start_id(loaded), *prefix]
    if len(ids) > limit:
        notices.append(
            lazy(
                "The translation has {count} tokens; the decoder reads the first {limit} (with its start token).",
                count=len(ids),
                limit=limit,
            )
        )
        ids = ids[:limit]
    tokens = translation.pieces(loaded.tokenizer, ids)
    return Reading(ids, tokens, stack, source.ids, list(source.tokens), typed, notices)


def _typed_prefix(loaded: LoadedModel, target: str) -> list[int]:
    """A typed target as the decoder's tokens (the target language's tokenizer), without its closing </s>."""
    ids = loaded.tokenizer(text_target=target)["input_ids"]
    eos = loaded.tokenizer.eos_token_id
    if ids and ids[-1] == eos:
        ids = ids[:-1]
    if not ids:
        raise InputError(lazy("The translation has no tokens the model knows. Please type some words."))
    return list(ids)


def stack_size(loaded: LoadedModel, part: object = None) -> tuple[int, int]:
    """The layers and heads of the stack shown (an encoder-decoder's encoder or decoder; else the model)."""
    from playground.tasks.inside.adapters import parts_of

    parts = parts_of(loaded.model, part if is_encoder_decoder(loaded) else None)
    return parts.num_layers, parts.num_heads
