"""The tokens the model is fed for a text: ids, vocabulary pieces, readable text and character offsets."""

from __future__ import annotations

from dataclasses import dataclass, field

from playground.i18n import Message
from playground.models import LoadedModel
from playground.registry import REGISTRY
from playground.tasks.batching import encode_cut, encode_truncated
from playground.tasks.chat import special_ids
from playground.tasks.text import is_byte_level, readable_token
from playground.tasks.validation import check_text


@dataclass
class Token:
    id: int
    piece: str  # the vocabulary entry (convert_ids_to_tokens): 'Ġcat', '##ing', '[CLS]'
    text: str  # what it stands for, readable: ' cat', 'ing'; half a UTF-8 character as its bytes: '<0xE4>'
    start: int | None  # character offsets of the token in the text; None for special tokens
    end: int | None
    special: bool


@dataclass
class Tokenization:
    model_id: str
    text: str
    tokens: list[Token]
    notices: list[Message] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [t.id for t in self.tokens]


def tokenize(loaded: LoadedModel, text: str, max_chars: int, max_tokens: int | None = None) -> Tokenization:
    """The tokens the model is fed for `text` (with the special tokens its task adds: none for causal
    models, [CLS] ... [SEP] for encoders), each with its piece, readable text and place in the text."""
    text = check_text(text, max_chars)
    tokenizer = loaded.tokenizer
    if getattr(loaded.model.config, "is_encoder_decoder", False):  # a translation model's source
        from playground.tasks.inside.reading import read

        return tokens_of(loaded, text, read(loaded, text, max_chars, max_tokens))
    ids, notices = encode(loaded, text, max_tokens)
    offsets: list[tuple[int, int] | None] = [None] * len(ids)
    if tokenizer.is_fast:
        encoded, _ = encode_cut(
            tokenizer,
            text,
            len(ids),
            add_special_tokens=not REGISTRY[loaded.task].causal,
            return_offsets_mapping=True,
        )
        if encoded["input_ids"] == ids:
            offsets = [tuple(o) for o in encoded["offset_mapping"]]
    special = special_ids(tokenizer) - {tokenizer.unk_token_id}  # [UNK] stands for a piece of the text
    tokens = []
    for token_id, piece, offset in zip(ids, tokenizer.convert_ids_to_tokens(ids), offsets, strict=True):
        is_special = token_id in special
        start, end = (None, None) if is_special or offset is None else offset
        tokens.append(
            Token(
                id=token_id,
                piece=piece,
                text=_token_text(tokenizer, token_id, piece, text, start, end, is_special),
                start=start,
                end=end,
                special=is_special,
            )
        )
    return Tokenization(loaded.model_id, text, tokens, notices)


def _token_text(tokenizer, token_id, piece, text, start, end, special) -> str:
    if special:
        return piece
    if (
        start is not None
        and end is not None
        and end > start
        and not is_byte_level(tokenizer)
        and "\ufffd" not in tokenizer.decode([token_id])  # not a byte-fallback piece: '<0xE4>' of 中
    ):
        return text[start:end]  # WordPiece: 'ing' for '##ing', the character an [UNK] stands for
    return readable_token(tokenizer, token_id)


def encode(loaded: LoadedModel, text: str, max_tokens: int | None) -> tuple[list[int], list[Message]]:
    """The ids the model reads for a checked text, as attention.py encodes it, cut to the limit."""
    limit = loaded.context_length if max_tokens is None else min(max_tokens, loaded.context_length)
    causal = REGISTRY[loaded.task].causal
    encoded, notices = encode_truncated(loaded.tokenizer, text, limit, add_special_tokens=not causal)
    return encoded["input_ids"][0].tolist(), notices


def tokens_of(loaded: LoadedModel, text: str, reading) -> Tokenization:
    """The tokens of a `reading.Reading` (an encoder-decoder's source or decoder input): pieces and their
    readable text, without character offsets (a slow SentencePiece tokenizer gives none)."""
    special = special_ids(loaded.tokenizer) - {loaded.tokenizer.unk_token_id}
    pieces = loaded.tokenizer.convert_ids_to_tokens(reading.ids)
    tokens = [
        Token(id=i, piece=piece, text=shown, start=None, end=None, special=i in special)
        for i, piece, shown in zip(reading.ids, pieces, reading.tokens, strict=True)
    ]
    return Tokenization(loaded.model_id, text, tokens, list(reading.notices))
