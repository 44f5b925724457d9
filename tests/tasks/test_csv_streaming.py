"""Issue 16, point 4: a CSV is read as a stream. Listing its columns reads its first row, and taking a column's
texts keeps at most --max-batch-rows of them, so memory is bounded by those caps, not by the file's size
(measured with tracemalloc on a 50 MB file); the encoding is told from the file's first 64 KiB, and files in
every encoding Excel saves still read the same, also past that sample."""

from __future__ import annotations

import tracemalloc

import pytest

from playground.tasks import text_files
from playground.tasks.sentiment import csv_columns, texts_from_csv
from playground.tasks.validation import InputError

MB = 2**20
ROW = b'"A sentence about the lesson, long enough to look like a real review of it.",positive,3\n'


def peak_bytes(fn, *args):
    """What `fn(*args)` returns, and the most memory Python held for it while it ran."""
    tracemalloc.start()
    try:
        result = fn(*args)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def large_csv(tmp_path_factory):
    """A 50 MB CSV: a header and ~600,000 rows."""
    path = tmp_path_factory.mktemp("csv") / "large.csv"
    chunk = ROW * (MB // len(ROW))
    with path.open("wb") as file:
        file.write(b"text,label,stars\n")
        for _ in range(50):
            file.write(chunk)
    return path, 50 * (MB // len(ROW))


def test_listing_the_columns_of_a_large_csv_reads_its_start(large_csv):
    path, _rows = large_csv
    assert path.stat().st_size > 50 * 10**6
    columns, peak = peak_bytes(csv_columns, path)
    assert columns == ["text", "label", "stars"]
    assert peak < MB  # the file is 50 MB; read whole and decoded it took ~5x that


def test_a_column_of_a_large_csv_keeps_only_the_texts_classified(large_csv):
    path, rows = large_csv
    (texts, notices), peak = peak_bytes(texts_from_csv, path, "text", 500)
    assert texts == [ROW.decode().split('",')[0].strip('"')] * 500
    assert f"There are {rows:,} rows; only the first 500" in str(notices[0])  # the rest are counted
    assert peak < 2 * MB


CHINESE_ROWS = "编号,评论\r\n" + "".join(
    f"{i},这家餐厅的菜很好吃，服务也很周到。第{i}次\r\n" for i in range(6000)
)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-16-le", "utf-8-sig", "utf-8"])
def test_files_longer_than_the_sample_read_the_same_in_every_encoding(tmp_path, encoding):
    path = tmp_path / f"{encoding}.csv"
    path.write_bytes(CHINESE_ROWS.encode(encoding))
    assert path.stat().st_size > 3 * text_files.SAMPLE_BYTES  # the encoding is told from the start only
    expected = [line.split(",", 1)[1] for line in CHINESE_ROWS.splitlines()[1:]]
    assert csv_columns(path) == ["编号", "评论"]
    assert texts_from_csv(path, "评论", 10_000) == (expected, [])


@pytest.mark.parametrize(
    "tail", [b"caf\xe9 is not UTF-8\n", b"a NUL\x00 in a row\n"], ids=["not-utf-8", "nul"]
)
def test_bytes_past_the_sample_that_are_not_text_get_a_clear_sentence(tmp_path, tail):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"text\n" + b"A fine sentence.\n" * (text_files.SAMPLE_BYTES // 8) + tail)
    assert csv_columns(path) == ["text"]  # the start of the file is fine
    with pytest.raises(InputError, match="This file is not text"):
        texts_from_csv(path, "text", 10)


def test_a_line_too_long_to_be_a_text_is_one_sentence(tmp_path):
    path = tmp_path / "one-line.csv"
    path.write_bytes(b"text\n" + b"x," * (text_files.MAX_LINE_CHARS // 2 + 10))
    with pytest.raises(InputError, match=r"Line 2 of the file is longer than 1,048,576 characters"):
        texts_from_csv(path, "text", 10)
