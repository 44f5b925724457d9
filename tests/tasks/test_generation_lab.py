"""The generation lab: next-token distribution, step mode, samples, perplexity and show-code, checked
against transformers' own logits processors, generate and loss."""

from __future__ import annotations

import math

import pytest
import torch
from transformers import TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

from playground.api import next_token_json
from playground.tasks.generation import (
    GenerationParams,
    generate,
    next_token,
    perplexity,
    reproduction_code,
)

MAX_CHARS, CAP = 2000, 60


@pytest.fixture(scope="module")
def gpt2(manager):
    return manager.get("generation")


def ids_of(loaded, text: str) -> list[int]:
    return loaded.tokenizer(text)["input_ids"]


@pytest.mark.parametrize(
    "temperature,top_k,top_p", [(1.0, 50, 1.0), (0.7, 20, 0.9), (2.0, 0, 0.3), (0.5, 3, 1.0)]
)
def test_next_token_is_softmax_of_transformers_processed_logits(gpt2, temperature, top_k, top_p):
    context = ids_of(gpt2, "The cat sat on the")
    params = GenerationParams(temperature=temperature, top_k=top_k, top_p=top_p)
    result = next_token_json(next_token(gpt2, context, params, top_n=len(gpt2.tokenizer)))
    input_ids = torch.tensor([context])
    with torch.no_grad():
        logits = gpt2.model(input_ids).logits[:, -1]
    expected = logits.clone()
    for processor in [TemperatureLogitsWarper(temperature), TopKLogitsWarper(top_k or len(gpt2.tokenizer))]:
        expected = processor(input_ids, expected)
    expected = TopPLogitsWarper(top_p)(input_ids, expected) if top_p < 1 else expected
    expected = expected.softmax(-1)[0]
    raw = logits.softmax(-1)[0]
    assert [c["logit"] for c in result] == sorted((c["logit"] for c in result), reverse=True)
    for choice in result:
        assert choice["prob"] == pytest.approx(float(raw[choice["token_id"]]), abs=1e-6)
        assert choice["prob_after"] == pytest.approx(float(expected[choice["token_id"]]), abs=1e-6)
        assert choice["kept"] == (float(expected[choice["token_id"]]) > 0)
    assert sum(c["prob_after"] for c in result if c["kept"]) == pytest.approx(1.0, abs=1e-5)
    if top_k:
        assert sum(c["kept"] for c in result) <= top_k


def test_greedy_next_token_keeps_only_the_most_likely(gpt2):
    result = next_token(gpt2, ids_of(gpt2, "Paris is"), GenerationParams(temperature=0), top_n=20)
    assert [c.kept for c in result.choices] == [True] + [False] * 19
    assert result.choices[0].prob_after == 1.0


def test_step_mode_draws_the_same_text_as_generate_with_the_same_seed(gpt2):
    params = GenerationParams(max_new_tokens=8, temperature=1.2, top_k=40, seed=99)
    context, state = ids_of(gpt2, "Once upon a time"), None
    drawn = []
    for _ in range(8):
        step = next_token(gpt2, context, params, top_n=5, draw_one=True, rng_state=state)
        drawn.append(step.drawn_id)
        context, state = context + [step.drawn_id], step.rng_state
    whole = generate(gpt2, "Once upon a time", params, MAX_CHARS, CAP)
    assert drawn[: len(whole.token_ids)] == whole.token_ids


@pytest.mark.parametrize("temperature", [0.9, 1.5])
def test_several_samples_equal_generate_num_return_sequences(gpt2, temperature):
    params = GenerationParams(max_new_tokens=10, temperature=temperature, seed=7, num_samples=3)
    ours = generate(gpt2, "The quick brown fox", params, MAX_CHARS, CAP)
    ids = torch.tensor([ids_of(gpt2, "The quick brown fox")])
    torch.manual_seed(7)
    reference = gpt2.model.generate(
        ids,
        attention_mask=torch.ones_like(ids),
        max_new_tokens=10,
        do_sample=True,
        temperature=temperature,
        num_return_sequences=3,
        pad_token_id=gpt2.tokenizer.eos_token_id,
    )[:, ids.shape[1] :]
    eos = gpt2.tokenizer.eos_token_id
    for sample, row in zip(ours.samples, reference.tolist(), strict=True):
        expected = row[: row.index(eos) + 1] if eos in row else row
        assert sample.token_ids == expected
    assert len(ours.generated_texts) == 3


def test_every_step_records_its_probability_and_alternatives(gpt2):
    result = generate(gpt2, "The cat", GenerationParams(6, temperature=0.8, seed=1), MAX_CHARS, CAP)
    for step in result.samples[0].steps:
        assert 0 < step.prob <= 1
        assert len(step.alternatives) == 5
        assert step.alternatives[0][1] >= step.prob - 1e-9 or step.token == step.alternatives[0][0]


def test_perplexity_equals_exp_of_the_models_own_loss(gpt2):
    prompt, generated = ids_of(gpt2, "The cat sat on the mat."), ids_of(gpt2, " The dog ran.")
    result = perplexity(gpt2, prompt, generated)
    ids = torch.tensor([prompt + generated])
    with torch.no_grad():
        loss = gpt2.model(ids, labels=ids).loss.item()
    logprobs = [v for v in result.logprobs if v is not None]
    assert math.exp(-sum(logprobs) / len(logprobs)) == pytest.approx(math.exp(loss), rel=1e-4)
    assert result.logprobs[0] is None and len(result.logprobs) == len(prompt + generated)
    with torch.no_grad():
        prompt_loss = gpt2.model(torch.tensor([prompt]), labels=torch.tensor([prompt])).loss.item()
    assert result.prompt_perplexity == pytest.approx(math.exp(prompt_loss), rel=1e-4)
    assert result.generated_perplexity > 0


@pytest.mark.parametrize(
    "params",
    [
        GenerationParams(12, temperature=0),
        GenerationParams(12, temperature=0.8, top_k=30, top_p=0.9, repetition_penalty=1.2, seed=2024),
        GenerationParams(8, temperature=1.0, seed=5, num_samples=2),
    ],
)
def test_show_code_reproduces_the_text(gpt2, params, capsys):
    prompt = 'He said "hi" and\nleft.'
    result = generate(gpt2, prompt, params, MAX_CHARS, CAP)
    exec(compile(reproduction_code(gpt2.model_id, prompt, result.params), "<snippet>", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    expected = [line for text in result.generated_texts for line in text.splitlines()]
    assert printed == expected
