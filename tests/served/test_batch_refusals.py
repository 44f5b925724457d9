"""Batched events (Fill-Mask, Sentiment: their page events and API endpoints): when one client sends a value
the app refuses, or a value of the wrong type, among good requests answered in the same batch, that client
alone gets its error, the sentence it gets alone, and the others get exactly what they get alone (issue 30;
playground/ui/batch_rows.py)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.helpers import queue_call, refusal
from tests.served.test_hardening_served import same

GOOD = {
    "fill_mask": [["The cat sat on the [MASK].", 3, None], ["Paris is the [MASK] of France.", 5, None]],
    "classify": [["I loved this film."], ["The food was cold."]],
}
BAD = {  # hand-crafted values a client may send through the API
    "fill_mask": [
        [12345, 3, None],  # a number where text is expected
        [["a", "list"], 3, None],
        ["No blank here.", 3, None],  # refused by the task: no mask
        ["The cat sat on the [MASK].", "five", None],  # top_k not a number
        ["x" * 10_000_000 + " [MASK]", 3, None],  # 10 MB
    ],
    "classify": [[None], [{"text": "a dict"}]],
}
PAGE_GOOD = {  # the page's own events: their inputs and the page's language and session (ui/events.batched)
    "fill_mask": [
        ["The cat sat on the [MASK].", 3, "", "en", ""],
        ["Paris is the [MASK] of France.", 5, "", "zh", ""],
    ],
    "sentiment": [["I loved this film.", "en", ""], ["The food was cold.", "zh", ""]],
}
PAGE_BAD = {  # values gradio or the app refuses before the handler runs, and one the handler refuses
    "fill_mask": [
        ["The cat sat on the [MASK].", "five", "", "en", ""],  # the slider: not a number
        ["The cat sat on the [MASK].", 999, "", "zh", ""],  # the slider: out of its range
        ["No blank here.", 3, "", "zh", ""],
    ],
    "sentiment": [["   ", "zh", ""], ["I loved it.", "klingon", ""]],  # the language switch: no such choice
}
MODELS = {"fill_mask": "fill-mask", "classify": "sentiment", "sentiment": "sentiment"}


@pytest.fixture
def batch_sizes(served_demo, monkeypatch) -> list[int]:
    """The number of requests of every batch the app is asked to answer, as they come."""
    sizes = []
    process_api = served_demo.process_api

    async def counting(block_fn, inputs, *args, **kwargs):
        fn = served_demo.fns[block_fn] if isinstance(block_fn, int) else block_fn
        if fn.batch:
            sizes.append(len(inputs[0]) if inputs else 0)
        return await process_api(block_fn, inputs, *args, **kwargs)

    monkeypatch.setattr(served_demo, "process_api", counting)
    return sizes


def together(served_demo, manager, batch_sizes, task: str, index: int, rows: list[list]) -> list[dict]:
    """Send `rows` to event `index` so that they arrive together: a first request holds the model (its lock
    held here) while the others wait in the queue, then they are answered as one batch. Their answers."""
    url = served_demo.local_url
    loaded, before = manager.get(task), len(batch_sizes)
    with ThreadPoolExecutor(len(rows) + 1) as pool:
        with loaded.lock:
            first = pool.submit(queue_call, url, index, rows[0], 120)
            wait_for(lambda: len(batch_sizes) > before)  # the first request's batch has started: it waits
            answers = [pool.submit(queue_call, url, index, row, 120) for row in rows]
            wait_for(lambda: len(served_demo._queue) >= len(rows))  # all of them queued
        assert first.result(timeout=120)["success"]
        answered = [answer.result(timeout=120) for answer in answers]
    assert batch_sizes[before:] == [1, len(rows)], batch_sizes  # answered as one batch
    return answered


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def api_index(demo, name: str) -> int:
    [index] = [i for i, fn in demo.fns.items() if fn.api_name == name]
    assert demo.fns[index].batch
    return index


def page_index(demo, module: str) -> int:
    [index] = [
        i
        for i, fn in demo.fns.items()
        if fn.batch and fn.api_visibility == "private" and fn.fn.__module__ == f"playground.ui.{module}"
    ]
    return index


@pytest.mark.parametrize("endpoint", sorted(BAD))
def test_one_bad_api_request_among_good_ones_gets_its_own_error(served_demo, manager, batch_sizes, endpoint):
    index = api_index(served_demo, endpoint)
    url = served_demo.local_url
    good = GOOD[endpoint]
    alone_good = [queue_call(url, index, row, 120) for row in good]
    for bad in BAD[endpoint]:
        alone_bad = queue_call(url, index, bad, 120)
        assert not alone_bad["success"] and alone_bad["output"]["error"], alone_bad
        rows = [good[0], bad, good[1]]
        answers = together(served_demo, manager, batch_sizes, MODELS[endpoint], index, rows)
        first, refused, second = answers
        assert not refused["success"] and refused["output"] == alone_bad["output"], (bad[:1], refused)
        for answer, alone in ((first, alone_good[0]), (second, alone_good[1])):
            assert answer["success"], (bad[:1], answer["output"])
            assert same(answer["output"]["data"], alone["output"]["data"])


@pytest.mark.parametrize("tab", sorted(PAGE_BAD))
def test_one_bad_page_request_among_good_ones_gets_its_own_sentence(served_demo, manager, batch_sizes, tab):
    index = page_index(served_demo, tab)
    url = served_demo.local_url
    good = PAGE_GOOD[tab]
    alone_good = [queue_call(url, index, row, 120) for row in good]
    for bad in PAGE_BAD[tab]:
        alone_bad = queue_call(url, index, bad, 120)
        assert said(alone_bad), bad
        rows = [good[0], bad, good[1]]
        first, refused, second = together(served_demo, manager, batch_sizes, MODELS[tab], index, rows)
        assert said(refused) == said(alone_bad), bad
        for answer, alone in ((first, alone_good[0]), (second, alone_good[1])):
            assert answer["success"] and not said(answer), (bad, answer["output"])
            # the summary and, for Fill-Mask, the sentence with the best fills: as alone
            assert answer["output"]["data"][1:-2] == alone["output"]["data"][1:-2], bad


def said(answer: dict) -> str:
    """The sentence a page's batched event refused its request with: the error of an event that failed (a
    value refused before the handler ran), or the message for the page's error box (a follow-up event shows
    it: ui/events.batched); '' for none."""
    return refusal(answer) or "" if not answer["success"] else answer["output"]["data"][-1]


def test_the_batch_mechanism_is_used_by_every_batched_event(served_demo):
    """Every batched event of the app runs through the queue that answers refused requests alone."""
    from playground.ui.batch_rows import BatchQueue

    assert isinstance(served_demo._queue, BatchQueue)
    assert any(fn.batch for fn in served_demo.fns.values())
