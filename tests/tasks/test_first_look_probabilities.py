"""One meaning of "probability" in Generate (issue 26, point 11): every generated token carries the model's
probability (the softmax of its raw logits) and the sampler's (of the distribution it was drawn from), named
apart, and Generate and step mode agree on both."""

from __future__ import annotations

import pytest
import torch

from playground.tasks.generation import GenerationParams, draw_step, generate
from playground.viz.tokens import sample_html

MAX_CHARS, CAP = 2000, 60


@pytest.fixture(scope="module")
def gpt2(manager):
    return manager.get("generation")


def model_probs(loaded, ids: list[int]) -> torch.Tensor:
    with torch.inference_mode():
        return loaded.model(input_ids=torch.tensor([ids])).logits[0, -1].float().softmax(-1)


@pytest.mark.parametrize("temperature", [0.0, 0.7])
def test_generate_and_step_mode_give_each_token_the_same_two_probabilities(gpt2, temperature):
    params = GenerationParams(4, temperature=temperature, top_k=20, seed=3)
    result = generate(gpt2, "The cat", params, MAX_CHARS, CAP)
    steps = result.samples[0].steps
    ids = gpt2.tokenizer("The cat", add_special_tokens=False)["input_ids"]
    state = None
    for step in steps:
        expected = model_probs(gpt2, ids)
        assert step.prob == pytest.approx(float(expected[step.token_id]), abs=1e-5)  # the model's own
        assert step.alternatives[0][1] == pytest.approx(float(expected.max()), abs=1e-5)
        if temperature == 0:
            assert step.sampler_prob == 1.0  # greedy draws its token with certainty
        else:
            assert 0 < step.sampler_prob <= 1 and step.sampler_prob != pytest.approx(step.prob, abs=1e-4)
        one = GenerationParams(1, temperature=temperature, top_k=20, seed=3)
        state, _ = draw_step(gpt2, state, "The cat", one, MAX_CHARS, top_n=len(gpt2.tokenizer))
        drawn = state.steps[-1]
        assert drawn.token_id == step.token_id
        assert (drawn.prob, drawn.sampler_prob) == pytest.approx((step.prob, step.sampler_prob), abs=1e-5)
        ids.append(step.token_id)


def test_the_token_tooltip_names_both_probabilities(gpt2):
    result = generate(gpt2, "The cat", GenerationParams(2, temperature=0.0), MAX_CHARS, CAP)
    html = sample_html(result.prompt, result.samples[0])
    assert "model&#x27;s probability" in html or "model's probability" in html
    assert "sampler" in html and "100.0%" in html
