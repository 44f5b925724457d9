"""Tokenizer lab: train a byte-level BPE tokenizer on a text with the `tokenizers` library, then step through
its merges: the text tokenized with only the first k merges (k = 0: bytes), each token shown as the characters
its bytes form, with how many tokens make a character that a token alone cannot show (a Chinese character
made of three byte tokens reads as that character, "3 tokens", never "�").

Training: `BpeTrainer` with the `ByteLevel` pre-tokenizer (add_prefix_space=False), its 256-character
alphabet as the initial alphabet, no special tokens, on the text's non-empty lines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from playground.i18n import Message, lazy
from playground.tasks.text import _BYTE_DECODER, bytes_text, is_byte_level, readable_token
from playground.tasks.validation import InputError, check_int, check_text

ALPHABET = pre_tokenizers.ByteLevel.alphabet()  # the 256 printable stand-ins of the bytes ('Ġ' for a space)
MAX_VOCAB = 5000
MAX_MIN_FREQUENCY = 100


@dataclass
class TrainedTokenizer:
    merges: list[tuple[str, str]]  # in the order they were learned, as the library writes them ('Ġ', 't')
    vocab: dict[str, int]
    vocab_size: int
    text: str
    notices: list[Message] = field(default_factory=list)


def byte_level_tokenizer(vocab: dict[str, int] | None = None, merges: list | None = None) -> Tokenizer:
    """A byte-level BPE tokenizer as GPT-2's: no prefix space, no special tokens."""
    model = models.BPE(vocab=vocab, merges=merges) if vocab is not None else models.BPE()
    tokenizer = Tokenizer(model)
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    return tokenizer


def lines_of(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def train(text: str, max_chars: int, vocab_size: int = 300, min_frequency: int = 2) -> TrainedTokenizer:
    """A byte-level BPE tokenizer trained on `text`'s non-empty lines."""
    text = check_text(text, max_chars)
    if (
        isinstance(vocab_size, int | float)
        and not isinstance(vocab_size, bool)
        and vocab_size < len(ALPHABET)
    ):
        raise InputError(
            lazy(
                "The vocabulary must hold at least the {alphabet} bytes a byte-level tokenizer starts from; "
                "{size} is too small.",
                alphabet=len(ALPHABET),
                size=vocab_size,
            )
        )
    vocab_size = check_int(vocab_size, lazy("Vocabulary size"), len(ALPHABET), MAX_VOCAB)
    min_frequency = check_int(min_frequency, lazy("Minimum frequency"), 1, MAX_MIN_FREQUENCY)
    tokenizer = byte_level_tokenizer()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        initial_alphabet=ALPHABET,
        special_tokens=[],
        show_progress=False,
    )
    tokenizer.train_from_iterator(lines_of(text), trainer)
    model = json.loads(tokenizer.to_str())["model"]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ", 1)) for m in model["merges"]]
    notices = []
    if tokenizer.get_vocab_size() < vocab_size:
        notices.append(
            lazy(
                "The text has no more pairs seen {times} times or more: the vocabulary stopped at {size}.",
                times=min_frequency,
                size=tokenizer.get_vocab_size(),
            )
        )
    return TrainedTokenizer(merges, model["vocab"], tokenizer.get_vocab_size(), text, notices)


def with_merges(trained: TrainedTokenizer, k: int) -> Tokenizer:
    """The tokenizer that knows only the first `k` merges (0: the bytes alone)."""
    merges = trained.merges[:k]
    known = set(ALPHABET) | {left + right for left, right in merges}
    vocab = {token: i for token, i in trained.vocab.items() if token in known}
    return byte_level_tokenizer(vocab, list(merges))


@dataclass
class Piece:
    text: str  # the characters its tokens' bytes form (bytes that form no character as <0xE4>)
    tokens: int  # how many tokens make it: 1 for a token that is whole characters
    pieces: list[str]  # the tokens' vocabulary entries ('Ġthe', 'ä½', ...)


@dataclass
class Tokenized:
    k: int
    merges: int
    pieces: list[Piece]
    count: int  # tokens


def piece_bytes(piece: str) -> bytes:
    """A byte-level vocabulary entry ('Ġcat') as the bytes it stands for (b' cat')."""
    return bytes(_BYTE_DECODER[c] for c in piece)


def character_groups(tokens: list[tuple[str, bytes]]) -> list[Piece]:
    """Consecutive tokens joined until their bytes are whole UTF-8 characters: ('ä»', b'\\xe4\\xbb') and
    ('Ĭ', b'\\x8a') become one Piece '今' of 2 tokens; a token that is whole characters stays a Piece of 1."""
    out: list[Piece] = []
    names: list[str] = []
    data = b""
    for name, raw in tokens:
        names.append(name)
        data += raw
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.reason == "unexpected end of data" and len(data) - error.start < 4:
                continue  # the character goes on in the next token
            text = bytes_text(data)
        out.append(Piece(text, len(names), names))
        names, data = [], b""
    if names:  # the text ended inside a character
        out.append(Piece(bytes_text(data), len(names), names))
    return out


def tokenize_with(trained: TrainedTokenizer, k: int, text: str | None = None) -> Tokenized:
    """`text` (default: the training text) cut by the tokenizer with the first `k` merges."""
    k = check_int(k, lazy("Merges"), 0, len(trained.merges))
    encoding = with_merges(trained, k).encode(trained.text if text is None else text)
    pieces = character_groups([(token, piece_bytes(token)) for token in encoding.tokens])
    return Tokenized(k, len(trained.merges), pieces, len(encoding.tokens))


def piece_text(piece: str) -> str:
    """A byte-level vocabulary entry as readable text: 'Ġt' -> ' t'; bytes that form no character as <0xE4>."""
    return bytes_text(piece_bytes(piece))


def merge_text(pair: tuple[str, str]) -> tuple[str, str, str]:
    """A merge as readable text: its left side, its right side and the new token ('å', '¤©' -> ..., '天')."""
    left, right = pair
    return piece_text(left), piece_text(right), piece_text(left + right)


def model_pieces(tokenizer, text: str) -> tuple[list[Piece], int]:
    """`text` as a served model's tokenizer cuts it (no special tokens): byte-level pieces joined into the
    characters they form, other tokenizers' pieces as their text; and the number of tokens."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    pieces = tokenizer.convert_ids_to_tokens(ids)
    if is_byte_level(tokenizer) and all(c in _BYTE_DECODER for piece in pieces for c in piece):
        return character_groups([(piece, piece_bytes(piece)) for piece in pieces]), len(ids)
    return [
        Piece(readable_token(tokenizer, i), 1, [piece]) for i, piece in zip(ids, pieces, strict=True)
    ], len(ids)
