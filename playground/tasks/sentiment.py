"""Sentiment (text classification): the probability of every label, as TextClassificationPipeline gives it.

Single-label classifiers get a softmax over their labels; multi-label ones (and single-logit models) a
sigmoid per label, the same rule as the pipeline's default `function_to_apply`. Several texts share one
padded forward pass (`classify_batch`); many texts (lines, or a CSV column) go through it in chunks.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
from transformers import PretrainedConfig

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.tasks.batching import encode_row, pad_batch, run_batch, single
from playground.tasks.text_files import text_lines
from playground.tasks.validation import InputError, check_text


@dataclass
class LabelScore:
    label: str
    score: float


@dataclass
class ClassificationResult:
    scores: list[LabelScore]  # every label, highest score first
    notices: list[Message] = field(default_factory=list)


@dataclass
class Prepared:
    row: dict[str, list[int]]
    notices: list[Message]


def probabilities(logits: torch.Tensor, config: PretrainedConfig) -> torch.Tensor:
    """Label probabilities from logits (..., labels): sigmoid for multi-label or single-logit models, else
    softmax."""
    if config.problem_type == "multi_label_classification" or config.num_labels == 1:
        return logits.sigmoid()
    return logits.softmax(dim=-1)


def preprocess(loaded: LoadedModel, text: str, max_chars: int) -> Prepared:
    row, notices = encode_row(loaded.tokenizer, check_text(text, max_chars), loaded.context_length)
    return Prepared(row, notices)


def forward(loaded: LoadedModel, batch: Sequence[Prepared]) -> torch.Tensor:
    """One padded forward pass; the label probabilities of every text (B, labels)."""
    encoded = pad_batch([p.row for p in batch], loaded.tokenizer.pad_token_id).to(loaded.device)
    with loaded.lock, torch.inference_mode():
        logits = loaded.model(**encoded).logits.float().cpu()  # (B, labels)
    return probabilities(logits, loaded.model.config)


def postprocess(loaded: LoadedModel, prepared: Prepared, probs: torch.Tensor) -> ClassificationResult:
    id2label = loaded.model.config.id2label
    scores = [LabelScore(label=id2label[i], score=p) for i, p in enumerate(probs.tolist())]
    scores.sort(key=lambda s: s.score, reverse=True)
    return ClassificationResult(scores=scores, notices=prepared.notices)


def classify_batch(
    loaded: LoadedModel, texts: Sequence[str], max_chars: int
) -> list[ClassificationResult | InputError]:
    """Classify several texts with one forward pass; an InputError in place of each text refused."""
    return run_batch(loaded, texts, max_chars, preprocess, forward, postprocess)


def classify(loaded: LoadedModel, text: str, max_chars: int) -> ClassificationResult:
    """One text; InputError if it cannot be classified."""
    return single(classify_batch(loaded, [text], max_chars))


# Many texts at once: a table of (text, label, score) rows.


@dataclass
class BatchRow:
    text: str
    label: str
    score: float  # the probability of `label`, the most likely one


@dataclass
class BatchResult:
    rows: list[BatchRow]
    labels: list[str]  # every label of the model, in its own order
    notices: list[Message] = field(default_factory=list)


Progress = Callable[[int, int], None]


def classify_many(
    loaded: LoadedModel,
    texts: Sequence[str],
    max_chars: int,
    chunk_size: int,
    progress: Progress | None = None,
) -> BatchResult:
    """Classify every text, `chunk_size` per forward pass; `progress(done, total)` after each pass.

    Texts are sorted by length before they are cut into chunks, so each pass pads little.
    A text that cannot be classified (too long) stops the whole run with an InputError naming its row.
    """
    if not texts:
        raise InputError(
            lazy("There are no texts to classify: write one text per line, or upload a CSV file.")
        )
    for number, text in enumerate(texts, start=1):
        try:
            check_text(text, max_chars)
        except InputError as error:
            raise InputError(lazy("Row {number}: {error}", number=number, error=error)) from None
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    results: dict[int, ClassificationResult] = {}
    for start in range(0, len(order), chunk_size):
        chunk = order[start : start + chunk_size]
        for i, result in zip(
            chunk, classify_batch(loaded, [texts[i] for i in chunk], max_chars), strict=True
        ):
            if isinstance(result, InputError):
                raise InputError(lazy("Row {number}: {error}", number=i + 1, error=result))
            results[i] = result
        if progress:
            progress(len(results), len(texts))
    rows = [
        BatchRow(texts[i], results[i].scores[0].label, results[i].scores[0].score) for i in range(len(texts))
    ]
    cut = sum(1 for result in results.values() if result.notices)
    notices = (
        [lazy("{count} of the texts were longer than the model reads; only their start was used.", count=cut)]
        if cut
        else []
    )
    config = loaded.model.config
    return BatchResult(
        rows=rows, labels=[config.id2label[i] for i in range(config.num_labels)], notices=notices
    )


def texts_from_lines(text: str | None, max_rows: int) -> tuple[list[str], list[Message]]:
    """One text per non-empty line, at most `max_rows` of them, and a notice if there were more."""
    lines = [line.strip() for line in (text or "").splitlines()]
    return _limit([line for line in lines if line], max_rows, "lines")


def csv_columns(path: str | Path) -> list[str]:
    """The column names of a CSV file (its first row), in whatever encoding it was saved (see text_files).
    Only the start of the file is read, whatever its size."""
    with text_lines(path) as lines:
        return _columns(_csv_rows(lines))


def _columns(rows: Iterator[list[str]]) -> list[str]:
    header = next(rows, None)
    if not header or not any(name.strip() for name in header):
        raise InputError(lazy("The CSV file is empty: its first row should name the columns, e.g. 'text'."))
    return [name.strip() for name in header]


def texts_from_csv(path: str | Path, column: str | None, max_rows: int) -> tuple[list[str], list[Message]]:
    """The non-empty cells of the column named `column`, at most `max_rows`, and notices. The file is read
    row by row: memory holds the texts kept, never the file (the rows past `max_rows` are only counted)."""
    with text_lines(path) as lines:
        rows = _csv_rows(lines)
        columns = _columns(rows)
        if not column:
            if len(columns) > 1:
                raise InputError(
                    lazy("Choose the column that holds the texts: {columns}.", columns=", ".join(columns))
                )
            column = columns[0]
        if column not in columns:
            raise InputError(
                lazy(
                    "The CSV file has no column named “{column}”; it has: {columns}.",
                    column=column,
                    columns=", ".join(columns),
                )
            )
        index = columns.index(column)
        texts, count = [], 0
        for row in rows:
            cell = row[index].strip() if len(row) > index else ""
            if cell:
                count += 1
                if count <= max_rows:
                    texts.append(cell)
    if not texts:
        raise InputError(lazy("The column “{column}” of the CSV file has no text in it.", column=column))
    return texts, _cut_notice(count, max_rows, "rows")


def _csv_rows(lines: Iterator[str]) -> Iterator[list[str]]:
    """The rows of a CSV file's lines, in the dialect its first 4,096 characters show (commas, semicolons
    as Excel saves them in many countries, or tabs)."""
    head, size = [], 0
    for line in lines:
        head.append(line)
        size += len(line)
        if size >= 4096:
            break
    try:
        dialect = csv.Sniffer().sniff("".join(head)[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return _rows(csv.reader(itertools.chain(head, lines), dialect))


def _rows(reader):
    """The rows of a csv reader; a cell longer than the csv module reads (131,072 characters) is one clear
    sentence, not csv.Error."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise InputError(
                    lazy(
                        "Row {row} of the CSV file has a cell longer than {limit} characters, far more than "
                        "one text may have here; shorten it.",
                        row=f"{reader.line_num:,}",
                        limit=f"{csv.field_size_limit():,}",
                    )
                ) from None
            raise InputError(
                lazy(
                    "The CSV file could not be read at row {row}: {error}.",
                    row=f"{reader.line_num:,}",
                    error=error,
                )
            ) from None
        yield row


def _limit(texts: list[str], max_rows: int, what: str) -> tuple[list[str], list[Message]]:
    """At most `max_rows` texts, and a notice if there were more; `what` they are: "lines" or "rows"."""
    return texts[:max_rows], _cut_notice(len(texts), max_rows, what)


def _cut_notice(total: int, max_rows: int, what: str) -> list[Message]:
    """A notice that only `max_rows` of the `total` texts are classified (none if all are)."""
    if total <= max_rows:
        return []
    count, limit = f"{total:,}", f"{max_rows:,}"
    if what == "lines":
        return [
            lazy(
                "There are {count} lines; only the first {limit} were classified (the limit here, set with "
                "--max-batch-rows).",
                count=count,
                limit=limit,
            )
        ]
    return [
        lazy(
            "There are {count} rows; only the first {limit} were classified (the limit here, set with "
            "--max-batch-rows).",
            count=count,
            limit=limit,
        )
    ]
