"""The engine's scheduling under load (issue 29, a class of 60): a request that arrives while the batch is full
is prefilled at once and draws its first token before the running rows finish (prefill first), then joins the
batch when a row leaves; every request still gets exactly the tokens it gets alone; at most `max_waiting` rows
wait, and one more is refused in one sentence."""

from __future__ import annotations

import contextlib
import threading

import pytest

from playground.engine import Engine
from playground.engine.loop import EngineBusy
from playground.tasks.generation import GenerationParams, decode_steps, encode_prompt, generate, stream
from tests.tasks.test_engine import CAP, MAX_CHARS, concurrently, mixed_requests, token_ids, wait_until


@pytest.fixture(scope="module")
def gpt2(manager):
    return manager.get("generation")


class HeldSteps:
    """An engine's decoding steps (forward passes of one token per row) wait for `allow`; prefills do not, nor
    does any other thread's forward pass (another test's engine still finishing on the same model)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.permits = threading.Semaphore(0)
        self.opened = threading.Event()
        self.steps = 0

    def hook(self, module, args, kwargs):
        mine = threading.current_thread() is self.engine._thread
        if mine and kwargs["input_ids"].shape[1] == 1:
            if not self.opened.is_set():
                assert self.permits.acquire(timeout=60), "a step waited too long"
            self.steps += 1

    def allow(self, steps: int = 1) -> None:
        for _ in range(steps):
            self.permits.release()


@contextlib.contextmanager
def held_steps(loaded, engine: Engine):
    held = HeldSteps(engine)
    handle = loaded.model.register_forward_pre_hook(held.hook, with_kwargs=True)
    try:
        yield held
    finally:
        held.opened.set()
        held.allow(100)
        handle.remove()


def test_a_request_arriving_while_the_batch_is_full_gets_its_first_token_before_the_running_rows_finish(gpt2):
    engine = Engine(gpt2, max_rows=2, max_waiting=1)
    long_params = GenerationParams(60, temperature=0).validated(CAP)
    prompts = [encode_prompt(gpt2, text, 60)[0] for text in ("The cat sat", "A dog ran")]
    late_prompt, late_params = "Once upon a time", GenerationParams(12, temperature=0.9, seed=5)
    with held_steps(gpt2, engine) as held:
        held.opened.set()  # steps run freely until both rows are in the batch
        running = [engine.submit(ids, long_params, []) for ids in prompts]  # no end of text: 60 tokens each
        firsts = [
            next(run) for run in running
        ]  # both rows are in the batch, each with its first token: it is full
        wait_until(lambda: len(engine._batch) == 2)
        held.opened.clear()  # from now on each step waits for `allow`
        before = held.steps
        late = stream(gpt2, late_prompt, late_params, MAX_CHARS, CAP, engine=engine)
        held.allow(1)  # the step the engine waits in ends; at the next iteration the late request is parked
        first = next(late)
        assert len(first.token_ids) == 1
        wait_until(lambda: engine.stats.parked == 1)  # its draw comes just before its parking
        assert held.steps - before <= 2  # the running rows took a step or two meanwhile, of their 60
        assert len(engine._batch) == 2 and not any(request.done for request in engine._batch)
        other, _ = encode_prompt(gpt2, "A bird flew", 5)
        with pytest.raises(EngineBusy):  # the parked request's row counts as waiting
            engine.submit(other, GenerationParams(5, temperature=0).validated(CAP), [])
        held.opened.set()
        held.allow(2)
        late_result = list(late)[-1]
        running_tokens = [
            [first.tokens] + [r.tokens for r in run] for first, run in zip(firsts, running, strict=True)
        ]
    assert token_ids(late_result) == token_ids(generate(gpt2, late_prompt, late_params, MAX_CHARS, CAP))
    for ids, tokens in zip(prompts, running_tokens, strict=True):
        assert tokens == [record.tokens for record in decode_steps(gpt2, ids, long_params, [])]
    wait_until(lambda: not engine._parked and engine._parked_rows == 0)


@pytest.mark.parametrize("batched_prefill", [True, False])
def test_parked_requests_of_mixed_settings_equal_alone(gpt2, batched_prefill):
    """Twelve requests (1 or 2 samples each) through 3 rows: most are parked, prefilled together or alone,
    and join as rows leave; each gets the tokens it gets alone."""
    work = mixed_requests(12, seed=11)
    engine = Engine(gpt2, max_rows=3, batched_prefill=batched_prefill)
    together = concurrently(lambda item: generate(gpt2, *item, MAX_CHARS, CAP, engine=engine), work)
    assert engine.stats.parked > 0
    assert engine.stats.peak_rows <= 3
    for (prompt, params), result in zip(work, together, strict=True):
        assert token_ids(result) == token_ids(generate(gpt2, prompt, params, MAX_CHARS, CAP)), (
            prompt,
            params,
        )


def test_without_prefill_first_a_request_waits_for_room(gpt2):
    engine = Engine(gpt2, max_rows=1, prefill_first=False)
    running = stream(gpt2, "The cat", GenerationParams(30, temperature=0), MAX_CHARS, CAP, engine=engine)
    next(running)
    ids, _ = encode_prompt(gpt2, "A dog", 5)
    waiting = engine.submit(ids, GenerationParams(5, temperature=0).validated(CAP), [0])
    assert len(list(waiting)) == 5
    assert engine.stats.parked == 0
    running.close()


def test_beyond_max_waiting_a_request_is_refused_in_one_sentence(gpt2):
    engine = Engine(gpt2, max_rows=1, max_waiting=1, prefill_first=False)
    params = GenerationParams(40, temperature=0).validated(CAP)
    ids = {text: encode_prompt(gpt2, text, 40)[0] for text in ("The cat sat", "A dog ran", "A bird flew")}
    with held_steps(gpt2, engine) as held:
        running = engine.submit(ids["The cat sat"], params, [])
        next(running)  # the batch (one row) is full
        waiting = engine.submit(ids["A dog ran"], params, [])
        with pytest.raises(
            EngineBusy, match=r"^The model is busy: 1 generations are waiting already\. Try again"
        ):
            engine.submit(ids["A bird flew"], params, [])
        assert engine.stats.refused == 1
        waiting.close()
        running.close()
        held.opened.set()
        held.allow(2)
    wait_until(lambda: engine._thread is None)
    short = GenerationParams(3, temperature=0).validated(CAP)
    assert len(list(engine.submit(ids["A bird flew"], short, []))) == 3


def test_timing_marks_a_request_s_way_to_its_first_token(gpt2, tmp_path, monkeypatch):
    """PLAYGROUND_TIMING (off by default): one JSON line per request, the seconds from its submit to each mark."""
    import json
    import time

    from playground import timing

    path = tmp_path / "timing.jsonl"
    monkeypatch.setattr(timing, "PATH", str(path))
    engine = Engine(gpt2, max_rows=2)
    ids, _ = encode_prompt(gpt2, "The cat sat", 3)
    submitted = time.monotonic()
    token = timing.begin("generate", submitted, active=1)
    records = engine.submit(ids, GenerationParams(3, temperature=0).validated(CAP), [])
    next(records)
    timing.mark("first_sent")
    assert len(list(records)) == 2  # the stream read to its end
    timing.end(token)
    (line,) = [json.loads(text) for text in path.read_text().splitlines()]
    assert line["name"] == "generate" and line["active"] == 1 and line["rows"] == 0
    assert line["enqueued"] == round(submitted, 4)
    marks = ["submitted", "admitted", "prefilled", "first_record", "first_sent", "last_record"]
    assert [line[mark] for mark in marks] == sorted(line[mark] for mark in marks)
    monkeypatch.setattr(timing, "PATH", "")
    assert timing.begin("generate", time.monotonic()) is None  # off: nothing is kept nor written
