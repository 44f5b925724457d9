"""The shared decoding loop: many generations as rows of one batch give each the text it gets alone and the
text `model.generate` gives with the same settings and seed; rows join and leave between steps; stopped rows
leave; a bad request fails alone; an out-of-memory error shrinks the batch; identical requests are computed
once."""

from __future__ import annotations

import random
import threading
import time

import pytest
import torch

from playground.engine import Engine, engine_for
from playground.engine.loop import AHEAD
from playground.settings import Settings
from playground.tasks.chat import stream_reply
from playground.tasks.generation import (
    GenerationParams,
    draw_step,
    encode_prompt,
    generate,
    next_token,
    stream,
)

MAX_CHARS, CAP = 2000, 60
WORDS = "the cat sat on a mat once upon time in small village dog ran to park and".split()


@pytest.fixture(scope="module")
def gpt2(manager):
    return manager.get("generation")


def mixed_requests(count: int, seed: int = 0) -> list[tuple[str, GenerationParams]]:
    """`count` prompts of 1 to 14 words with mixed settings: greedy and sampled, top-k, top-p, repetition
    penalty, 1 or 2 samples, 3 to 30 new tokens, each its own seed."""
    rng = random.Random(seed)
    made = []
    for i in range(count):
        prompt = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 14)))
        temperature = rng.choice([0.0, 0.7, 1.0, 1.5])
        params = GenerationParams(
            max_new_tokens=rng.randint(3, 30),
            temperature=temperature,
            top_k=rng.choice([0, 10, 50]),
            top_p=rng.choice([1.0, 0.9]),
            repetition_penalty=rng.choice([1.0, 1.3]),
            seed=1000 + i,
            num_samples=1 if temperature == 0 else rng.choice([1, 1, 2]),
        )
        made.append((prompt, params))
    return made


def reference_texts(loaded, prompt: str, params: GenerationParams) -> list[list[int]]:
    """New token ids of each sample from transformers' own generate, seeded as the playground seeds."""
    ids = torch.tensor([encode_prompt(loaded, prompt, params.max_new_tokens)[0]])
    sampling = {"do_sample": False}
    if not params.greedy:
        sampling = {"do_sample": True, "temperature": params.temperature, "top_k": params.top_k}
        sampling |= {"top_p": params.top_p, "num_return_sequences": params.num_samples}
    torch.manual_seed(params.seed)
    out = loaded.model.generate(
        ids,
        attention_mask=torch.ones_like(ids),
        max_new_tokens=params.max_new_tokens,
        repetition_penalty=params.repetition_penalty,
        pad_token_id=loaded.tokenizer.eos_token_id,
        **sampling,
    )
    eos = loaded.tokenizer.eos_token_id
    rows = []
    for row in out[:, ids.shape[1] :].tolist():
        cut = row.index(eos) + 1 if eos in row else len(row)
        rows.append(row[:cut])
    return rows


def concurrently(fn, items) -> list:
    """fn(item) for every item, each in its own thread, all started together; their results in order."""
    results = [None] * len(items)
    start = threading.Barrier(len(items))

    def run(i):
        start.wait()
        results[i] = fn(items[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(items))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def token_ids(result) -> list[list[int]]:
    return [sample.token_ids for sample in result.samples]


def test_sixteen_concurrent_requests_equal_alone_and_generate(gpt2):
    work = mixed_requests(16)
    engine = Engine(gpt2, max_rows=16)
    together = concurrently(lambda item: generate(gpt2, *item, MAX_CHARS, CAP, engine=engine), work)
    for (prompt, params), result in zip(work, together, strict=True):
        alone = generate(gpt2, prompt, params, MAX_CHARS, CAP)
        assert result.generated_texts == alone.generated_texts, (prompt, params)
        assert token_ids(result) == token_ids(alone)
        assert token_ids(result) == reference_texts(gpt2, prompt, params), (prompt, params)
        for ours, theirs in zip(result.samples, alone.samples, strict=True):  # the distributions shown too
            assert [s.prob for s in ours.steps] == pytest.approx([s.prob for s in theirs.steps], abs=1e-5)
    assert engine.stats.prefills == 16
    assert engine.stats.peak_rows > 1  # they really shared forward passes
    assert engine.stats.rows_stepped > engine.stats.steps


@pytest.mark.parametrize("parallel", [True, False])
def test_draws_in_parallel_or_in_turn_give_the_same_tokens(gpt2, parallel):
    """On a CPU the requests of a step draw in a pool of threads; drawing in turn gives the same tokens."""
    work = mixed_requests(8, seed=7)
    engine = Engine(gpt2, max_rows=16)
    engine._parallel_draws = parallel
    together = concurrently(lambda item: generate(gpt2, *item, MAX_CHARS, CAP, engine=engine), work)
    assert engine.stats.peak_rows > 1
    for (prompt, params), result in zip(work, together, strict=True):
        assert token_ids(result) == token_ids(generate(gpt2, prompt, params, MAX_CHARS, CAP))


def test_the_engine_thread_ends_with_the_last_request_and_starts_with_the_next(gpt2):
    engine = Engine(gpt2, max_rows=16)
    assert engine._thread is None
    first = generate(
        gpt2, "The cat", GenerationParams(4, temperature=0.9, seed=1), MAX_CHARS, CAP, engine=engine
    )
    wait_until(lambda: engine._thread is None)
    again = generate(
        gpt2, "The cat", GenerationParams(4, temperature=0.9, seed=2), MAX_CHARS, CAP, engine=engine
    )
    wait_until(lambda: engine._thread is None)
    assert len(first.token_ids) == len(again.token_ids) == 4
    assert engine.stats.prefills == 2 and engine.stats.shared == 0


def test_step_mode_draws_through_the_engine_equal_the_draws_alone_and_the_stream(gpt2):
    """Step mode's draws are requests of the engine: token by token they give what a draw alone gives (the
    same distribution, the same sampler state) and the text `stream` gives with the same seed; students
    drawing from the same state at once share one computation."""
    engine = Engine(gpt2, max_rows=16)
    params = GenerationParams(1, temperature=1.2, top_k=40, top_p=0.9, repetition_penalty=1.2, seed=5)
    shared, alone = None, None
    for _ in range(8):
        results = concurrently(
            lambda state: draw_step(gpt2, state, "Once upon a time", params, MAX_CHARS, 10, engine=engine)[1],
            [shared] * 3,
        )
        shared, _ = draw_step(gpt2, shared, "Once upon a time", params, MAX_CHARS, 10, engine=engine)
        alone, by_itself = draw_step(gpt2, alone, "Once upon a time", params, MAX_CHARS, 10)
        for result in results:
            assert result.drawn_id == by_itself.drawn_id and result.rng_state == by_itself.rng_state
            assert [c.token_id for c in result.choices] == [c.token_id for c in by_itself.choices]
            for ours, theirs in zip(result.choices, by_itself.choices, strict=True):
                assert (ours.logit, ours.prob, ours.prob_after, ours.kept) == pytest.approx(
                    (theirs.logit, theirs.prob, theirs.prob_after, theirs.kept), abs=1e-5
                )
    assert [s.token_id for s in shared.steps] == [s.token_id for s in alone.steps]
    whole = generate(gpt2, "Once upon a time", GenerationParams(8, **sampling_of(params)), MAX_CHARS, CAP)
    assert [s.token_id for s in shared.steps][: len(whole.token_ids)] == whole.token_ids
    assert engine.stats.prefills == 8 and engine.stats.shared == 24  # each state drawn 4 times, computed once


def test_a_distribution_alone_is_not_a_draw(gpt2):
    ids = encode_prompt(gpt2, "Paris is", 1)[0]
    shown = next_token(gpt2, ids, GenerationParams(temperature=0.7), top_n=5)
    assert shown.drawn_id is None and shown.rng_state is None and len(shown.choices) == 5


def sampling_of(params: GenerationParams) -> dict:
    return {
        "temperature": params.temperature,
        "top_k": params.top_k,
        "top_p": params.top_p,
        "repetition_penalty": params.repetition_penalty,
        "seed": params.seed,
    }


def test_prompts_that_join_together_are_prefilled_in_one_pass_and_equal_alone(gpt2):
    """Requests waiting together (prompts of 1 to 14 words: left padding) join in one batched prefill; each
    text and each distribution is still the one of the request alone, and what generate gives."""
    work = mixed_requests(6, seed=5)
    engine = Engine(gpt2, max_rows=16)
    assert engine.batched_prefill
    prompts = [encode_prompt(gpt2, prompt, params.max_new_tokens)[0] for prompt, params in work]
    assert len({len(ids) for ids in prompts}) > 1  # the batched prefill pads
    eos = [gpt2.tokenizer.eos_token_id]
    subscriptions = [engine.submit(ids, params, eos) for ids, (_, params) in zip(prompts, work, strict=True)]
    together = [[record.tokens for record in subscription] for subscription in subscriptions]
    assert engine.stats.prefills == 6 and engine.stats.prefill_passes == 1
    for (prompt, params), steps in zip(work, together, strict=True):
        samples = [[step[i] for step in steps] for i in range(params.num_samples)]
        alone = generate(gpt2, prompt, params, MAX_CHARS, CAP)
        for ours, theirs in zip(samples, token_ids(alone), strict=True):
            assert ours[: len(theirs)] == theirs and set(ours[len(theirs) :]) <= set(eos)
        assert token_ids(alone) == reference_texts(gpt2, prompt, params), (prompt, params)


def test_rows_join_between_steps_and_stream_token_by_token(gpt2):
    """A long generation runs while others join and leave; each stream grows one token per result."""
    engine = Engine(gpt2, max_rows=16)
    long_prompt, long_params = "Once upon a time", GenerationParams(40, temperature=1.0, seed=3)
    long_run = stream(gpt2, long_prompt, long_params, MAX_CHARS, CAP, engine=engine)
    counts = [len(next(long_run).token_ids) for _ in range(5)]
    joined = [
        generate(gpt2, prompt, params, MAX_CHARS, CAP, engine=engine)
        for prompt, params in mixed_requests(4, 1)
    ]
    counts += [len(result.token_ids) for result in long_run]
    assert counts == list(range(1, len(counts) + 1))
    last = generate(gpt2, long_prompt, long_params, MAX_CHARS, CAP)
    assert len(last.token_ids) == counts[-1]
    for (prompt, params), result in zip(mixed_requests(4, 1), joined, strict=True):
        assert result.generated_texts == generate(gpt2, prompt, params, MAX_CHARS, CAP).generated_texts


def test_at_most_max_rows_per_step_and_all_answered(gpt2):
    work = mixed_requests(8, seed=2)
    engine = Engine(gpt2, max_rows=3)
    together = concurrently(lambda item: generate(gpt2, *item, MAX_CHARS, CAP, engine=engine), work)
    assert 1 < engine.stats.peak_rows <= 3
    for (prompt, params), result in zip(work, together, strict=True):
        assert result.generated_texts == generate(gpt2, prompt, params, MAX_CHARS, CAP).generated_texts


def wait_until(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_stopped_stream_leaves_the_batch_at_the_next_step(gpt2):
    engine = Engine(gpt2, max_rows=16)
    params = GenerationParams(50, temperature=1.0, top_k=0, seed=1)
    stopped = stream(gpt2, "The cat", params, MAX_CHARS, CAP, engine=engine)
    for _ in range(3):
        next(stopped)
    stopped.close()  # what gradio does on Stop and when the browser tab closes
    wait_until(lambda: not engine._batch and not engine._waiting)
    steps = engine.stats.steps
    assert (
        steps <= 2 + AHEAD
    )  # the steps the reader took (the first token comes from the prefill), AHEAD more
    time.sleep(0.3)
    assert engine.stats.steps == steps
    # Another request with other settings runs to the end; the stopped one was not kept as finished.
    done = generate(gpt2, "The cat", GenerationParams(5, temperature=0), MAX_CHARS, CAP, engine=engine)
    assert len(done.token_ids) >= 1
    assert engine.stats.shared == 0


def test_a_reader_that_stops_reading_holds_its_row_back(gpt2):
    """A stream nobody reads any more (but that was not closed) does not run on to max_new_tokens."""
    engine = Engine(gpt2, max_rows=16)
    params = GenerationParams(50, temperature=1.0, top_k=0, seed=2)
    idle = stream(gpt2, "The dog", params, MAX_CHARS, CAP, engine=engine)
    next(idle)
    time.sleep(0.5)
    assert (
        engine.stats.steps <= AHEAD
    )  # the reader took the prefill's token; the engine drew AHEAD more at most
    idle.close()


def test_identical_requests_are_computed_once(gpt2):
    prompt, params = "Once upon a time, in a small village,", GenerationParams(20, temperature=0.8, seed=42)
    engine = Engine(gpt2, max_rows=16)
    results = concurrently(lambda _: generate(gpt2, prompt, params, MAX_CHARS, CAP, engine=engine), range(8))
    alone = generate(gpt2, prompt, params, MAX_CHARS, CAP)
    assert {tuple(r.generated_texts) for r in results} == {tuple(alone.generated_texts)}
    assert engine.stats.prefills == 1 and engine.stats.shared == 7
    replayed = stream(gpt2, prompt, params, MAX_CHARS, CAP, engine=engine)  # replayed, still streamed
    again = [(len(r.token_ids), r.generated_texts) for r in replayed]
    assert [count for count, _ in again] == list(range(1, len(alone.token_ids) + 1))
    assert again[-1][1] == alone.generated_texts and engine.stats.prefills == 1
    other_seed = generate(
        gpt2, prompt, GenerationParams(20, temperature=0.8, seed=43), MAX_CHARS, CAP, engine=engine
    )
    assert engine.stats.prefills == 2 and other_seed.seed == 43


def test_a_bad_request_fails_alone(gpt2):
    engine = Engine(gpt2, max_rows=16)
    good = GenerationParams(12, temperature=1.0, seed=5)
    vocab = gpt2.model.config.vocab_size

    def run(bad: bool):
        if bad:  # ids the model has no embedding for: its prefill raises
            return list(engine.submit([1, vocab + 5], GenerationParams(5).validated(CAP), [0]))
        return generate(gpt2, "The cat sat", good, MAX_CHARS, CAP, engine=engine)

    outcomes = concurrently(lambda bad: _outcome(run, bad), [False, True, False, True, False])
    for bad, outcome in zip([False, True, False, True, False], outcomes, strict=True):
        if bad:
            assert isinstance(outcome, IndexError)
        else:
            assert (
                outcome.generated_texts == generate(gpt2, "The cat sat", good, MAX_CHARS, CAP).generated_texts
            )


def _outcome(fn, arg):
    try:
        return fn(arg)
    except Exception as error:
        return error


def test_out_of_memory_shrinks_the_batch_and_every_request_is_answered(gpt2):
    """A forward pass over more than 4 rows runs out of memory once: half the batch waits and joins again
    (its ids prefilled anew); nobody fails and every text is the one it gets alone."""
    work = mixed_requests(10, seed=4)
    engine = Engine(gpt2, max_rows=16)
    failed = []

    def out_of_memory_once(module, args, kwargs):
        rows = kwargs["input_ids"].shape[0]
        if rows > 4 and kwargs["input_ids"].shape[1] == 1 and not failed:
            failed.append(rows)
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")

    handle = gpt2.model.register_forward_pre_hook(out_of_memory_once, with_kwargs=True)
    try:
        together = concurrently(lambda item: generate(gpt2, *item, MAX_CHARS, CAP, engine=engine), work)
    finally:
        handle.remove()
    assert failed and engine.stats.out_of_memory == 1
    assert engine._row_cap < failed[0]
    for (prompt, params), result in zip(work, together, strict=True):
        assert result.generated_texts == generate(gpt2, prompt, params, MAX_CHARS, CAP).generated_texts


def test_chat_replies_in_one_batch_equal_the_replies_alone(manager):
    llama = manager.get("chat")
    engine = engine_for(llama, 16)
    assert engine is not None
    conversations = [
        [{"role": "user", "content": text}]
        for text in ("Hello!", "What is a cat?", "What is the capital of France?", "Tell me a story.")
    ]
    settings = [GenerationParams(20, temperature=0), GenerationParams(20, temperature=0.7, seed=9)]
    work = [(c, p) for c in conversations for p in settings]

    def last_reply(item, engine=None):
        *_, last = stream_reply(llama, item[0], item[1], MAX_CHARS, CAP, engine=engine)
        return last

    together = concurrently(lambda item: last_reply(item, engine), work)
    for item, result in zip(work, together, strict=True):
        alone = last_reply(item)
        assert result.reply == alone.reply
        assert result.generation.token_ids == alone.generation.token_ids


def test_one_engine_per_model_and_none_when_switched_off(gpt2):
    assert engine_for(gpt2, 16) is engine_for(gpt2, 16)
    assert engine_for(gpt2, 0) is None
    assert Settings().max_generation_batch == 16
    assert Settings.from_args(["--max-generation-batch", "4"], environ={}).max_generation_batch == 4
    assert Settings.from_args([], environ={"PLAYGROUND_MAX_GENERATION_BATCH": "0"}).max_generation_batch == 0
