"""A stream's updates, paced (`update_interval`): fewer updates than tokens, each the same as the per-token
stream's after as many tokens, and the same last result; the first update comes after the first token; steps
the engine has already drawn are read before the next update."""

from __future__ import annotations

import time

import pytest

from playground.engine import Engine
from playground.engine.loop import AHEAD
from playground.tasks.generation import GenerationParams, stream

MAX_CHARS, CAP = 2000, 60
PROMPT = "Once upon a time"


@pytest.fixture(scope="module")
def gpt2(manager):
    return manager.get("generation")


def seen(results, pause: float = 0.0) -> list[tuple[int, list[str], bool]]:
    """Each update as the reader saw it: its token count, texts and whether it was the last; `pause` seconds
    after each (a slow reader: a page being drawn, a client far away)."""
    shown = []
    for result in results:
        shown.append((len(result.token_ids), result.generated_texts, result.finished))
        time.sleep(pause)
    return shown


def each_token(gpt2, params, engine=None) -> list[tuple[int, list[str], bool]]:
    return seen(stream(gpt2, PROMPT, params, MAX_CHARS, CAP, engine))


def as_dict(shown) -> dict[int, tuple[list[str], bool]]:
    return {count: (texts, finished) for count, texts, finished in shown}


@pytest.mark.parametrize(
    "params",
    [GenerationParams(20, temperature=0), GenerationParams(20, temperature=1.0, seed=3, num_samples=2)],
    ids=["greedy", "two samples"],
)
def test_a_long_interval_shows_the_first_tokens_then_the_whole_result(gpt2, params):
    expected = each_token(gpt2, params)
    assert [count for count, *_ in expected] == list(range(1, len(expected) + 1))  # one update per token
    paced = seen(stream(gpt2, PROMPT, params, MAX_CHARS, CAP, update_interval=3600))
    assert paced == [expected[0], expected[-1]]
    # through the engine: the first update once the reader has caught up with the steps drawn (AHEAD at most)
    engine = Engine(gpt2, max_rows=4)
    paced = seen(stream(gpt2, PROMPT, params, MAX_CHARS, CAP, engine, update_interval=3600))
    assert len(paced) == 2 and paced[-1] == expected[-1] and paced[0][0] <= 1 + AHEAD
    assert paced[0] == expected[paced[0][0] - 1]


def test_a_slow_reader_of_the_engine_reads_the_drawn_steps_together_and_sees_each_text_as_it_was(gpt2):
    params = GenerationParams(30, temperature=0.8, seed=5)
    expected = as_dict(each_token(gpt2, params))  # alone: the engine draws the same tokens
    engine = Engine(gpt2, max_rows=4)
    paced = seen(stream(gpt2, PROMPT, params, MAX_CHARS, CAP, engine, update_interval=0.0), pause=0.05)
    counts = [count for count, *_ in paced]
    assert paced[-1][2] and counts[-1] == max(expected)
    assert len(paced) < len(expected)  # the engine drew ahead while the reader paused: read together
    assert counts == sorted(set(counts))
    assert all(expected[count] == (texts, finished) for count, texts, finished in paced)


def test_no_interval_is_one_update_per_token_as_before(gpt2):
    params = GenerationParams(8, temperature=0)
    engine = Engine(gpt2, max_rows=4)
    shown = seen(stream(gpt2, PROMPT, params, MAX_CHARS, CAP, engine), pause=0.02)
    assert [count for count, *_ in shown] == list(range(1, len(shown) + 1))
    assert shown == each_token(gpt2, params)
