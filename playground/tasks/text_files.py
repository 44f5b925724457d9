"""Text files people upload, decoded whatever saved them: UTF-8 (with or without Excel's BOM), UTF-16 (Excel's
"Unicode text"), and the legacy code page of the computer, GBK / GB18030 on Chinese Windows.

UTF-8 is tried first (a legacy encoding almost never decodes as valid UTF-8 by chance), then a byte order
mark, then charset-normalizer's best guess. Short Chinese files are often guessed as Korean (cp949) or
Japanese: the same byte ranges decode in each. This app speaks English and Chinese, so where the guess is
an East Asian code page and GB18030 decodes the bytes too, GB18030 wins.
"""

from __future__ import annotations

import codecs
import contextlib
import io
from collections.abc import Iterator
from pathlib import Path

import charset_normalizer

from playground.i18n import lazy
from playground.tasks.validation import InputError

# Code pages whose byte ranges overlap GB18030's: a guess of one of them for a short Chinese file is a tie.
_EAST_ASIAN = {"cp949", "euc_kr", "johab", "big5", "big5hkscs", "cp950", "shift_jis", "cp932", "euc_jp"}
_BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
SAMPLE_BYTES = 64 * 2**10  # a streamed file's encoding is told from its first 64 KiB
MAX_LINE_CHARS = 2**20  # a streamed file's lines are read up to this long; a longer one is refused


def read_text_file(path: str | Path, max_bytes: int) -> str:
    """The text of the file at `path` (at most `max_bytes` long), decoded; InputError if it is not text."""
    with _opened(path) as file:
        data = file.read(max_bytes + 1)
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
    encoding = _encoding(data, complete=True)
    try:
        text = None if encoding is None else data.decode(encoding)
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise _not_text()
    return text


@contextlib.contextmanager
def text_lines(path: str | Path) -> Iterator[Iterator[str]]:
    """The lines of the text file at `path`, decoded while they are read (their line endings kept, as the csv
    module wants them), so that memory holds a line at a time, whatever the file's size. The encoding is told
    from the first SAMPLE_BYTES as `decode_text` tells it; bytes further on that are not text in it, a NUL or
    a line longer than MAX_LINE_CHARS raise an InputError when they are reached."""
    with _opened(path) as file:
        sample = file.read(SAMPLE_BYTES)
        encoding = _encoding(sample, complete=len(sample) < SAMPLE_BYTES)
        if encoding is None:
            raise _not_text()
        file.seek(0)
        yield _checked_lines(io.TextIOWrapper(file, encoding=encoding, newline=""))


def _opened(path: str | Path):
    try:
        return open(path, "rb")
    except OSError as error:
        raise InputError(
            lazy("The file could not be read ({error}).", error=error.strerror or error)
        ) from None


def _checked_lines(stream: io.TextIOWrapper) -> Iterator[str]:
    number = 0
    while True:
        number += 1
        try:
            line = stream.readline(MAX_LINE_CHARS + 1)
        except UnicodeDecodeError:
            raise _not_text() from None
        if not line:
            return
        if "\x00" in line:
            raise _not_text()
        if len(line) > MAX_LINE_CHARS:
            raise InputError(
                lazy(
                    "Line {line} of the file is longer than {limit} characters, far more than one text may "
                    "have here; shorten it.",
                    line=f"{number:,}",
                    limit=f"{MAX_LINE_CHARS:,}",
                )
            )
        yield line


def _not_text() -> InputError:
    return InputError(
        lazy(
            "This file is not text. Upload a CSV file (an Excel workbook, .xlsx, must be saved as CSV first)."
        )
    )


def _encoding(data: bytes, complete: bool) -> str | None:
    """The encoding `data` is in (see the module), or None if it is not text. `complete`: False when `data`
    is the start of a file, which may end inside a character."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding if _decodes(data, encoding, complete) else None
    if _decodes(data, "utf-8", complete):
        return "utf-8"
    if not complete:  # charset-normalizer reads whole characters: the sample up to its last line break
        end = data.rfind(b"\n") + 1
        data = data[: end + 1] if data[end : end + 1] == b"\x00" else data[:end] or data  # UTF-16's b"\n\0"
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        return None
    if best.encoding in _EAST_ASIAN and _decodes(data, "gb18030", complete):
        return "gb18030"
    return best.encoding


def _decodes(data: bytes, encoding: str, complete: bool) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=complete)
    except UnicodeDecodeError:
        return False
    return True
