"""Tokens as people read them: decoded pieces, Chinese without WordPiece's spaces, words made of pieces."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from tokenizers import decoders
from transformers import PreTrainedTokenizerBase


def token_strings(tokenizer: PreTrainedTokenizerBase, ids: list[int]) -> list[str]:
    """Each token as a reader sees it: 'Ġcat' -> ' cat'; special tokens like [CLS] kept as they are; half a
    UTF-8 character as its bytes ('<0xE4>'), never '�'."""
    return [readable_token(tokenizer, i) for i in ids]


def readable_token(tokenizer: PreTrainedTokenizerBase, token_id: int) -> str:
    """One token as text, where a token that is only part of a character (a byte-level piece of a Chinese
    character or an emoji, a SentencePiece byte-fallback token) reads as its bytes, '<0xE4><0xBB>', rather than
    the replacement character '�' that decode would give."""
    decoded = tokenizer.decode([token_id])
    if "\ufffd" not in decoded:
        return decoded
    piece = tokenizer.convert_ids_to_tokens(token_id)
    if is_byte_level(tokenizer) and all(c in _BYTE_DECODER for c in piece):
        return bytes_text(bytes(_BYTE_DECODER[c] for c in piece))
    return piece  # SentencePiece byte fallback: '<0xE4>'


def is_byte_level(tokenizer) -> bool:
    """GPT-2's kind of tokenizer: pieces of UTF-8 bytes, so a piece may be half a character."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    return backend is not None and isinstance(backend.decoder, decoders.ByteLevel)


def _byte_decoder() -> dict[str, int]:
    """GPT-2's map from the printable characters of byte-level pieces back to bytes ('Ġ' -> 0x20)."""
    printable = (
        list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    )
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return {chr(code): byte for byte, code in zip(printable, codes, strict=True)}


_BYTE_DECODER = _byte_decoder()


def bytes_text(data: bytes) -> str:
    """`data` as text, each byte that is not part of a whole UTF-8 character written as <0xE4>."""
    out, i = [], 0
    while i < len(data):
        for width in (1, 2, 3, 4):
            try:
                out.append(data[i : i + width].decode("utf-8"))
            except UnicodeDecodeError:
                continue
            i += width
            break
        else:
            out.append(f"<0x{data[i]:02X}>")
            i += 1
    return "".join(out)


_BYTE_NOTATION = re.compile(r"<0x([0-9A-F]{2})>")


def _text_bytes(text: str) -> bytes:
    """A readable token text back to its bytes: '<0xE4><0xBB>' -> b'\\xe4\\xbb', other characters as UTF-8."""
    out, at = b"", 0
    for match in _BYTE_NOTATION.finditer(text):
        out += text[at : match.start()].encode("utf-8") + bytes([int(match[1], 16)])
        at = match.end()
    return out + text[at:].encode("utf-8")


def character_runs(texts: Sequence[str]) -> list[tuple[int, int, str]]:
    """Readable token texts (`readable_token`: half a character as '<0xE4><0xBB>') grouped into the characters
    they form: (first token, number of tokens, text). A Chinese character cut into three byte tokens is one run
    '今' of 3 tokens; a token that is whole characters is a run of 1 with its own text."""
    runs: list[tuple[int, int, str]] = []
    start, data = 0, b""
    for i, text in enumerate(texts):
        if not data and not _BYTE_NOTATION.search(text):
            runs.append((i, 1, text))
            start = i + 1
            continue
        data += _text_bytes(text)
        try:
            joined = data.decode("utf-8")
        except UnicodeDecodeError as error:
            if (
                error.reason == "unexpected end of data"
                and len(data) - error.start < 4
                and i + 1 < len(texts)
            ):
                continue  # the character goes on in the next token
            joined = bytes_text(data)
        runs.append((start, i + 1 - start, joined))
        start, data = i + 1, b""
    return runs


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
    'ing' for '##ing' after 'walk', ' cat' after 'the', '天' after '今'; special tokens as they are ('[SEP]');
    half a character as its bytes ('<0xE4>')."""
    if previous_id is None or token_id in tokenizer.all_special_ids or not spaced_decoding(tokenizer):
        return readable_token(tokenizer, token_id)
    before = readable_text(tokenizer, [previous_id], skip_special_tokens=False)
    return readable_text(tokenizer, [previous_id, token_id], skip_special_tokens=False)[len(before) :]


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
