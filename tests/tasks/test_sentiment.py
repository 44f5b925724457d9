"""Sentiment agrees with transformers.pipeline("text-classification") on the same tiny DistilBERT."""

from __future__ import annotations

import csv
import io

import pytest
from transformers import pipeline

from playground.api import batch_csv, classify_json
from playground.tasks.sentiment import (
    classify,
    classify_batch,
    classify_many,
    csv_columns,
    texts_from_csv,
    texts_from_lines,
)
from playground.tasks.validation import InputError

MAX_CHARS = 2000


@pytest.fixture(scope="module")
def classifier(manager):
    return manager.get("sentiment")


@pytest.mark.parametrize(
    "text", ["I loved this film, the actors were wonderful.", "The food was cold.", "ok", "the mat " * 50]
)
def test_all_labels_equal_pipeline(classifier, text):
    reference = pipeline("text-classification", model=classifier.model, tokenizer=classifier.tokenizer)
    theirs = reference(text, top_k=None, truncation=True)
    ours = classify_json(classify(classifier, text, MAX_CHARS))
    assert [r["label"] for r in ours] == [r["label"] for r in theirs]
    for a, b in zip(ours, theirs, strict=True):
        assert a["score"] == pytest.approx(b["score"], abs=1e-5)
    assert sum(r["score"] for r in ours) == pytest.approx(1.0)


def test_over_long_text_has_a_notice(classifier):
    assert classify(classifier, "the mat " * 50, MAX_CHARS).notices


@pytest.mark.parametrize("text,message", [("", "empty"), ("\t ", "empty"), ("x" * (MAX_CHARS + 1), "limit")])
def test_bad_input_gets_a_clear_message(classifier, text, message):
    with pytest.raises(InputError, match=message):
        classify(classifier, text, MAX_CHARS)


TEXTS = [
    "I loved this film, the actors were wonderful.",
    "The food was cold.",
    "ok",
    "The lesson was not as boring as I expected, and the teacher was great fun to listen to.",
]


def test_a_batch_equals_single_texts_and_the_pipeline(classifier):
    reference = pipeline("text-classification", model=classifier.model, tokenizer=classifier.tokenizer)
    batch = classify_batch(classifier, TEXTS + [""], MAX_CHARS)
    assert isinstance(batch[-1], InputError)  # refused alone; the others are answered
    theirs = reference(TEXTS, top_k=None, truncation=True, batch_size=1)
    for text, result, ref in zip(TEXTS, batch, theirs, strict=False):
        alone = classify_json(classify(classifier, text, MAX_CHARS))
        ours = classify_json(result)
        assert [r["label"] for r in ours] == [r["label"] for r in alone] == [r["label"] for r in ref]
        for a, b, c in zip(ours, alone, ref, strict=True):
            assert a["score"] == pytest.approx(b["score"], abs=1e-5)
            assert a["score"] == pytest.approx(c["score"], abs=1e-5)


def test_many_texts_keep_their_order_and_report_progress(classifier):
    texts = TEXTS * 3
    seen = []
    result = classify_many(classifier, texts, MAX_CHARS, 4, lambda done, total: seen.append((done, total)))
    assert [row.text for row in result.rows] == texts
    assert seen == [(4, 12), (8, 12), (12, 12)]
    assert result.labels == ["NEGATIVE", "POSITIVE"]
    for row in result.rows:
        top = classify(classifier, row.text, MAX_CHARS).scores[0]
        assert row.label == top.label and row.score == pytest.approx(top.score, abs=1e-5)
    csv_text = batch_csv(result)
    assert csv_text.splitlines()[0] == "text,label,score"
    assert list(csv.reader(io.StringIO(csv_text)))[1][0] == texts[0]  # the comma inside is quoted


def test_many_texts_errors_name_the_row(classifier):
    with pytest.raises(InputError, match="Row 2: .*limit"):
        classify_many(classifier, ["fine", "x" * (MAX_CHARS + 1)], MAX_CHARS, 4)
    with pytest.raises(InputError, match="no texts"):
        classify_many(classifier, [], MAX_CHARS, 4)


def test_lines_skip_empty_ones_and_stop_at_the_limit():
    assert texts_from_lines("a\n\n  b  \n", 10) == (["a", "b"], [])
    texts, notices = texts_from_lines("\n".join("abcde"), 3)
    assert texts == ["a", "b", "c"] and "5 lines" in notices[0] and "first 3" in notices[0]


def test_csv_column_by_name(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text('id,review\n1,"Great, really great"\n2,\n3,Boring\n', encoding="utf-8")
    assert csv_columns(path) == ["id", "review"]
    assert texts_from_csv(path, "review", 10) == (["Great, really great", "Boring"], [])
    assert texts_from_csv(path, "review", 1)[0] == ["Great, really great"]
    semicolons = tmp_path / "excel.csv"
    semicolons.write_text("\ufefftext;stars\nNice;5\nBad;1\n", encoding="utf-8")
    assert texts_from_csv(semicolons, "text", 10) == (["Nice", "Bad"], [])


@pytest.mark.parametrize(
    "content,column,message",
    [
        (b"id,review\n1,x\n", "text", "no column named"),
        (b"id,review\n1,x\n", None, "Choose the column"),
        (b"", "text", "empty"),
        (b"review\n\n \n", "review", "no text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "text", "This file is not text"),
        (b"text\nnul\x00in the middle\n", "text", "This file is not text"),
    ],
)
def test_bad_csv_files_get_a_clear_message(tmp_path, content, column, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        texts_from_csv(path, column, 10)


CHINESE_CSV = "编号,评论\r\n1,这家餐厅的菜很好吃，服务也很周到。\r\n2,菜是凉的\r\n3,无聊\r\n"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-16-le", "utf-8-sig", "utf-8"])
@pytest.mark.parametrize("content", [CHINESE_CSV, "评论\n好看\n无聊\n"])  # the short one reads as Korean too
def test_chinese_csv_files_read_the_same_in_every_encoding_excel_saves(tmp_path, encoding, content):
    path = tmp_path / f"{encoding}.csv"
    path.write_bytes(content.encode(encoding))  # "utf-16": little-endian with a BOM, as Excel saves it
    column = content.split("\n")[0].split(",")[-1].strip()
    expected = [row.split(",")[-1].strip() for row in content.splitlines()[1:]]
    assert csv_columns(path)[-1] == column
    assert texts_from_csv(path, column, 10) == (expected, [])


def test_a_text_file_too_large_is_refused(tmp_path):
    """Whole-file reads (the Train tab's CSV) stop past their limit; CSV columns are streamed instead
    (tests/tasks/test_csv_streaming.py)."""
    from playground.tasks.text_files import read_text_file

    path = tmp_path / "big.csv"
    path.write_bytes(b"text\n" + b"x\n" * 2**20)
    with pytest.raises(InputError, match="larger than 1 MB"):
        read_text_file(path, 2**20)
