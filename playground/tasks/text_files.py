"""Text files people upload, decoded whatever saved them: UTF-8 (with or without Excel's BOM), UTF-16 (Excel's
"Unicode text"), and the legacy code page of the computer, GBK / GB18030 on Chinese Windows.

UTF-8 is tried first (a legacy encoding almost never decodes as valid UTF-8 by chance), then a byte order
mark, then charset-normalizer's best guess. Short Chinese files are often guessed as Korean (cp949) or
Japanese: the same byte ranges decode in each. This app speaks English and Chinese, so where the guess is
an East Asian code page and GB18030 decodes the bytes too, GB18030 wins.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import charset_normalizer

from playground.i18n import lazy
from playground.tasks.validation import InputError

# Code pages whose byte ranges overlap GB18030's: a guess of one of them for a short Chinese file is a tie.
_EAST_ASIAN = {"cp949", "euc_kr", "johab", "big5", "big5hkscs", "cp950", "shift_jis", "cp932", "euc_jp"}
_BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]


def read_text_file(path: str | Path, max_bytes: int) -> str:
    """The text of the file at `path` (at most `max_bytes` long), decoded; InputError if it is not text."""
    try:
        with open(path, "rb") as file:
            data = file.read(max_bytes + 1)
    except OSError as error:
        raise InputError(
            lazy("The file could not be read ({error}).", error=error.strerror or error)
        ) from None
    if len(data) > max_bytes:
        raise InputError(
            lazy(
                "The file is larger than {limit} MB, the most read here. Upload a smaller part of it.",
                limit=f"{max_bytes / 2**20:,.0f}",
            )
        )
    return decode_text(data)


def decode_text(data: bytes) -> str:
    """`data` decoded as UTF-8, by its byte order mark, or as charset-normalizer guesses (see the module)."""
    text = _decoded(data)
    if text is None or "\x00" in text:
        raise InputError(
            lazy(
                "This file is not text. Upload a CSV file (an Excel workbook, .xlsx, must be saved as CSV "
                "first)."
            )
        )
    return text


def _decoded(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        return None
    if best.encoding in _EAST_ASIAN:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            pass
    return str(best)
