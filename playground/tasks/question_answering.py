"""Extractive question answering: the span of the context that answers the question, as transformers' classic
QuestionAnsweringPipeline found it (the pipeline itself is gone from transformers 5).

preprocess (question and context -> windows: the question, then as much of the context as fits, the next window
`stride` tokens back, exactly the rows `tokenizer(question, context, truncation="only_second", stride=...,
return_overflowing_tokens=True, return_offsets_mapping=True)` gives) -> forward (every window of every request
in one padded pass: start and end logits per token) -> postprocess (the best spans over all windows).

The windows are cut from per-call encodings (the Rust `Encoding.truncate` and the tokenizer's own
post-processor), never by switching truncation on: a fast tokenizer keeps that setting in the one tokenizer
every thread shares (issue 16, tasks/batching.encode_cut).

Score of the span of context tokens a..b (a <= b, b - a + 1 <= max_answer_len), in its window:
    softmax(start_logits)[a] * softmax(end_logits)[b]
each softmax over the window's context tokens only (the question and the special tokens take no share).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.tasks.batching import pad_batch, run_batch, single
from playground.tasks.validation import InputError, check_int, check_text

MAX_TOP_K = 20
MAX_ANSWER_LEN = 200  # tokens; the classic pipeline's default was 15, ours 30
MAX_SEQ_LEN = 384  # tokens of one window (question, context and special tokens), the pipeline's default
DOC_STRIDE = 128  # tokens two neighbouring windows share, at most (the pipeline's default)
WINDOWS_PER_PASS = 16  # windows in one forward pass: a very long context runs in several


@dataclass
class Span:
    score: float
    start: int  # character offsets in the context: context[start:end] == answer
    end: int
    answer: str
    window: int  # 0-based: the window it was found in
    first_token: int  # its first and last token, 0-based among that window's context tokens
    last_token: int


@dataclass
class Window:
    """One window's context tokens and what the model said about each."""

    offsets: list[tuple[int, int]]  # each context token's characters in the context
    pieces: list[str]  # the vocabulary entries ("##ing", "Ġcat")
    start_probs: list[float]  # softmax over the window's context tokens: where the answer begins
    end_probs: list[float]  # ... and where it ends


@dataclass
class QuestionAnsweringResult:
    question: str
    context: str
    spans: list[Span]  # the best spans, best first; no two the same characters
    windows: list[Window]
    window_tokens: int  # the most tokens one window holds (question, context, special tokens)
    stride: int  # tokens two neighbouring windows share
    question_tokens: int
    notices: list[Message] = field(default_factory=list)

    @property
    def best(self) -> Span | None:
        return self.spans[0] if self.spans else None


@dataclass
class QuestionAnsweringRequest:
    question: str
    context: str
    top_k: int = 1
    max_answer_len: int = 30


@dataclass
class Prepared:
    request: QuestionAnsweringRequest
    rows: list[dict[str, list[int]]]  # the model's inputs, one row per window
    context_positions: list[list[int]]  # per window: the positions of its context tokens in its row
    offsets: list[list[tuple[int, int]]]
    pieces: list[list[str]]
    window_tokens: int
    stride: int
    question_tokens: int


def window_size(loaded: LoadedModel) -> tuple[int, int]:
    """(tokens per window, most tokens two windows share) for this model, as the pipeline chose them."""
    max_seq_len = min(MAX_SEQ_LEN, loaded.context_length)
    return max_seq_len, min(DOC_STRIDE, max_seq_len // 2)


def longest_question(loaded: LoadedModel) -> int:
    """The most tokens a question may have: half a window leaves the context the other half at least."""
    max_seq_len, _ = window_size(loaded)
    return max_seq_len - max_seq_len // 2 - loaded.tokenizer.num_special_tokens_to_add(pair=True)


def preprocess(loaded: LoadedModel, request: QuestionAnsweringRequest, max_chars: int) -> Prepared:
    """Check one request and cut it into windows; InputError says what is wrong with it."""
    question = check_text(request.question, max_chars, lazy("question"))
    context = check_text(request.context, max_chars, lazy("context"))
    check_int(request.top_k, lazy("Top-k"), 1, MAX_TOP_K)
    check_int(request.max_answer_len, lazy("Longest answer"), 1, MAX_ANSWER_LEN)
    tokenizer = loaded.tokenizer
    max_seq_len, doc_stride = window_size(loaded)
    asked = tokenizer(question, add_special_tokens=False).encodings[0]
    if len(asked.ids) > longest_question(loaded):
        raise InputError(
            lazy(
                "The question is {count} tokens long; this model reads {window} tokens at a time, question and "
                "context together, so a question may have at most {limit}. Please shorten it.",
                count=len(asked.ids),
                window=max_seq_len,
                limit=longest_question(loaded),
            )
        )
    text = tokenizer(context, add_special_tokens=False).encodings[0]
    if not text.ids:
        raise InputError(lazy("The context gives no token to this model: please write a context in words."))
    room = max_seq_len - len(asked.ids) - tokenizer.num_special_tokens_to_add(pair=True)
    stride = min(doc_stride, room // 2)
    text.truncate(room, stride=stride)  # text becomes the first window; the others are its `overflowing`
    rows, positions, offsets, pieces = [], [], [], []
    for part in [text, *text.overflowing]:
        encoding = tokenizer.backend_tokenizer.post_process(asked, part, add_special_tokens=True)
        in_context = [i for i, sequence in enumerate(encoding.sequence_ids) if sequence == 1]
        row = {"input_ids": encoding.ids, "attention_mask": encoding.attention_mask}
        if "token_type_ids" in tokenizer.model_input_names:
            row["token_type_ids"] = encoding.type_ids
        rows.append(row)
        positions.append(in_context)
        offsets.append([encoding.offsets[i] for i in in_context])
        pieces.append([encoding.tokens[i] for i in in_context])
    return Prepared(
        request=QuestionAnsweringRequest(question, context, int(request.top_k), int(request.max_answer_len)),
        rows=rows,
        context_positions=positions,
        offsets=offsets,
        pieces=pieces,
        window_tokens=max_seq_len,
        stride=stride,
        question_tokens=len(asked.ids),
    )


def forward(loaded: LoadedModel, batch: Sequence[Prepared]) -> list[list[tuple[torch.Tensor, torch.Tensor]]]:
    """Every window of every request through the model, WINDOWS_PER_PASS at a time; per request, per window,
    the (start, end) probabilities of its context tokens, each a softmax over those tokens alone."""
    flat = [(p, w) for p in batch for w in range(len(p.rows))]
    logits: list[tuple[torch.Tensor, torch.Tensor]] = []
    for first in range(0, len(flat), WINDOWS_PER_PASS):
        chunk = flat[first : first + WINDOWS_PER_PASS]
        encoded = pad_batch([p.rows[w] for p, w in chunk], loaded.tokenizer.pad_token_id).to(loaded.device)
        with loaded.lock, torch.inference_mode():
            output = loaded.model(**encoded)
        for row, (p, w) in enumerate(chunk):
            kept = torch.tensor(p.context_positions[w])
            start = output.start_logits[row].float().cpu()[kept]  # (context tokens,)
            end = output.end_logits[row].float().cpu()[kept]
            logits.append((start.softmax(-1), end.softmax(-1)))
    probs, taken = [], 0
    for p in batch:
        probs.append(logits[taken : taken + len(p.rows)])
        taken += len(p.rows)
    return probs


def best_spans(
    start: torch.Tensor, end: torch.Tensor, max_answer_len: int, top_k: int
) -> list[tuple[float, int, int]]:
    """The top_k (score, a, b) of one window: score = start[a] * end[b], a <= b < a + max_answer_len."""
    scores = torch.triu(start[:, None] * end[None, :])  # (n, n): b >= a
    scores = torch.tril(scores, max_answer_len - 1)  # b - a <= max_answer_len - 1
    flat = scores.flatten()
    k = min(top_k, int((flat > 0).sum()) or 1)
    values, indices = flat.topk(k)
    n = scores.shape[1]
    return [(float(v), int(i) // n, int(i) % n) for v, i in zip(values, indices, strict=True)]


def postprocess(
    loaded: LoadedModel, prepared: Prepared, probs: list[tuple[torch.Tensor, torch.Tensor]]
) -> QuestionAnsweringResult:
    """The best spans over all windows, each as characters of the context; a span found in two overlapping
    windows is given once, with its better score."""
    request = prepared.request
    found: dict[tuple[int, int], Span] = {}
    windows = []
    for w, (start, end) in enumerate(probs):
        offsets = prepared.offsets[w]
        for score, a, b in best_spans(start, end, request.max_answer_len, request.top_k):
            first, last = offsets[a][0], offsets[b][1]
            if (first, last) not in found or found[first, last].score < score:
                found[first, last] = Span(score, first, last, request.context[first:last], w, a, b)
        windows.append(Window(offsets, prepared.pieces[w], start.tolist(), end.tolist()))
    spans = sorted(found.values(), key=lambda span: span.score, reverse=True)[: request.top_k]
    notices = []
    if len(windows) > 1:
        notices.append(
            lazy(
                "The context is longer than the model reads at once ({window} tokens with the question), so it "
                "was split into {count} overlapping windows that share {stride} tokens; each span's score comes "
                "from its own window, and the best spans of all the windows are shown.",
                window=prepared.window_tokens,
                count=len(windows),
                stride=prepared.stride,
            )
        )
    return QuestionAnsweringResult(
        question=request.question,
        context=request.context,
        spans=spans,
        windows=windows,
        window_tokens=prepared.window_tokens,
        stride=prepared.stride,
        question_tokens=prepared.question_tokens,
        notices=notices,
    )


def answer_batch(
    loaded: LoadedModel, requests: Sequence[QuestionAnsweringRequest], max_chars: int
) -> list[QuestionAnsweringResult | InputError]:
    """Answer several requests with shared forward passes; an InputError in place of each request refused."""
    return run_batch(loaded, requests, max_chars, preprocess, forward, postprocess)


def answer(
    loaded: LoadedModel, question: str, context: str, max_chars: int, top_k: int = 1, max_answer_len: int = 30
) -> QuestionAnsweringResult:
    """One request; InputError if it cannot be answered."""
    return single(
        answer_batch(loaded, [QuestionAnsweringRequest(question, context, top_k, max_answer_len)], max_chars)
    )
