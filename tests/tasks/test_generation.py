"""Generation agrees with `model.generate` on the same tiny GPT-2, and refuses bad settings clearly."""

from __future__ import annotations

import math

import pytest

from playground.tasks.generation import GenerationParams, generate, stream
from playground.tasks.validation import InputError
from tests.helpers import reference, transformers_messages

MAX_CHARS, CAP = 2000, 60


@pytest.fixture(scope="module")
def gpt2(manager):
    return manager.get("generation")


@pytest.mark.parametrize("prompt", ["The cat sat", "Once upon a time, in a small village,"])
@pytest.mark.parametrize("penalty", [1.0, 1.3])
def test_greedy_equals_generate(gpt2, prompt, penalty):
    ours = generate(
        gpt2, prompt, GenerationParams(12, temperature=0, repetition_penalty=penalty), MAX_CHARS, CAP
    )
    ref = reference(gpt2, prompt, max_new_tokens=12, do_sample=False, repetition_penalty=penalty)
    assert ours.token_ids == ref
    assert ours.generated_text.startswith(prompt)


@pytest.mark.parametrize(
    "temperature,top_k,top_p,penalty", [(1.0, 50, 1.0, 1.0), (0.7, 10, 0.9, 1.2), (1.5, 0, 0.5, 1.0)]
)
def test_seeded_sampling_equals_generate_with_the_same_seed(gpt2, temperature, top_k, top_p, penalty):
    params = GenerationParams(15, temperature, top_k, top_p, penalty, seed=1234)
    ours = generate(gpt2, "The best way to learn", params, MAX_CHARS, CAP)
    ref = reference(
        gpt2,
        "The best way to learn",
        seed=1234,
        max_new_tokens=15,
        do_sample=True,
        temperature=temperature,
        top_k=top_k,
        top_p=top_p,
        repetition_penalty=penalty,
    )
    assert ours.token_ids == ref


def test_top_k_one_sampling_is_greedy(gpt2):
    sampled = generate(
        gpt2, "Paris is", GenerationParams(10, temperature=1.0, top_k=1, seed=5), MAX_CHARS, CAP
    )
    greedy = generate(gpt2, "Paris is", GenerationParams(10, temperature=0), MAX_CHARS, CAP)
    assert sampled.token_ids == greedy.token_ids


def test_same_seed_same_text_other_seed_other_text(gpt2):
    def text(seed):
        return generate(
            gpt2, "The", GenerationParams(20, temperature=1.5, seed=seed), MAX_CHARS, CAP
        ).generated_text

    assert text(7) == text(7)
    assert len({text(seed) for seed in range(5)}) > 1


def test_random_seed_is_reported_and_reproduces(gpt2):
    first = generate(gpt2, "The", GenerationParams(10, seed=-1), MAX_CHARS, CAP)
    assert first.seed >= 0
    again = generate(gpt2, "The", GenerationParams(10, seed=first.seed), MAX_CHARS, CAP)
    assert again.token_ids == first.token_ids


def test_stream_grows_token_by_token(gpt2):
    results = [
        (len(r.token_ids), r.generated_text, r.finished)
        for r in stream(gpt2, "The cat", GenerationParams(6, temperature=0), MAX_CHARS, CAP)
    ]
    counts = [count for count, _, _ in results]
    assert counts == list(range(1, len(counts) + 1))
    assert [finished for *_, finished in results] == [False] * (len(results) - 1) + [True]
    assert results[-1][1].startswith("The cat")


def test_over_long_prompt_is_cut_to_fit_with_a_notice(gpt2):
    long_prompt = "the cat sat on the mat " * 40  # far beyond the 64-token context
    result = generate(gpt2, long_prompt, GenerationParams(20, temperature=0), MAX_CHARS, CAP)
    assert result.notices and "only its last" in result.notices[0]
    prompt_tokens = len(gpt2.tokenizer(result.prompt)["input_ids"])
    assert prompt_tokens + 20 <= gpt2.context_length
    assert len(result.token_ids) == 20


@pytest.mark.parametrize(
    "prompt,params,message",
    [
        ("", GenerationParams(), "empty"),
        ("   \n", GenerationParams(), "empty"),
        ("Hi", GenerationParams(temperature=-0.5), "Temperature"),
        ("Hi", GenerationParams(temperature=math.nan), "Temperature"),
        ("Hi", GenerationParams(top_k=-1), "Top-k"),
        ("Hi", GenerationParams(top_p=0), "Top-p"),
        ("Hi", GenerationParams(top_p=1.5), "Top-p"),
        ("Hi", GenerationParams(max_new_tokens=0), "Max new tokens"),
        ("Hi", GenerationParams(max_new_tokens=CAP + 1), "Max new tokens"),
        ("Hi", GenerationParams(max_new_tokens=2.5), "whole number"),
        ("Hi", GenerationParams(repetition_penalty=0), "Repetition penalty"),
        ("Hi", GenerationParams(seed=-2), "seed"),
        ("Hi", GenerationParams(num_samples=5), "samples"),
        ("Hi", GenerationParams(temperature=0, num_samples=2), "same"),
        ("x" * (MAX_CHARS + 1), GenerationParams(), "limit"),
    ],
)
def test_bad_input_gets_a_clear_message(gpt2, prompt, params, message):
    with pytest.raises(InputError, match=message):
        generate(gpt2, prompt, params, MAX_CHARS, CAP)


def test_max_new_tokens_must_leave_room_for_the_prompt(gpt2):
    with pytest.raises(InputError, match="context length of 64"):
        generate(gpt2, "Hi", GenerationParams(max_new_tokens=64), MAX_CHARS, 100)


def test_generation_gives_no_deprecation_warning(gpt2):
    """transformers 5.24 deprecates `past_key_values` (a FutureWarning on every step, and a log line);
    the loop passes its cache as transformers 5 wants."""
    with transformers_messages() as said:
        for params in (GenerationParams(5, temperature=0), GenerationParams(5, seed=1, num_samples=2)):
            generate(gpt2, "The cat", params, MAX_CHARS, CAP)
    assert not [m for m in said if "deprecat" in m.lower() or "past_key_values" in m], said


@pytest.mark.parametrize("temperature", [1e-40, 1e-320])
def test_a_tiny_temperature_draws_the_most_likely_token(gpt2, temperature):
    """Logits divided by 1e-40 overflow float32 (their softmax would be NaN); the limit of sampling as the
    temperature goes to 0 is greedy decoding."""
    greedy = generate(gpt2, "The cat sat", GenerationParams(8, temperature=0), MAX_CHARS, CAP)
    for seed in (0, 3):
        params = GenerationParams(8, temperature=temperature, seed=seed, num_samples=2)
        tiny = generate(gpt2, "The cat sat", params, MAX_CHARS, CAP)
        assert tiny.generated_texts == [greedy.generated_text] * 2
