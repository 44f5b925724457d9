"""One decoding step (`DecodingState.draw_next`, the engine's and the lone loop's per-token work) records what
the processors, the draw and the sampler's distribution give when computed in full, as `generate` does: its
shortcuts (no processing when greedy has no processor; the greedy sampler's certainty without a one-hot
vocabulary) change no token and no probability."""

from __future__ import annotations

import math

import pytest
import torch

from playground.tasks.generation import (
    DecodingState,
    GenerationParams,
    draw,
    processed_scores,
    sampler_distribution,
)

VOCAB, EOS = 500, 7


def expected_step(state: DecodingState, logits: torch.Tensor, generator: torch.Generator):
    """The step computed in full: processed scores, the draw, the sampler's distribution gathered."""
    params = state.params
    scores = processed_scores(params, state.processors, state.input_ids, logits)
    tokens = torch.where(state.unfinished, draw(scores, params, generator), state.pad_id)
    sampler = sampler_distribution(params, scores).gather(1, tokens[:, None]).squeeze(1)
    probs = logits.float().softmax(-1).gather(1, tokens[:, None]).squeeze(1)
    return tokens.tolist(), sampler.tolist(), probs.tolist()


@pytest.mark.parametrize(
    "params",
    [
        GenerationParams(6, temperature=0.0),
        GenerationParams(6, temperature=0.0, repetition_penalty=1.3),
        GenerationParams(6, temperature=0.8, top_k=20, top_p=0.9, seed=5, num_samples=3),
        GenerationParams(6, temperature=1.0, top_k=0, seed=2, num_samples=2),
        GenerationParams(6, temperature=1e-40, seed=1, num_samples=2),  # scores past float32's range
    ],
    ids=["greedy", "greedy-penalty", "sampled", "unfiltered", "tiny-temperature"],
)
def test_each_step_records_the_full_computation(params):
    torch.manual_seed(0)
    n = params.num_samples
    state = DecodingState([1, 2, 3], params, [EOS], "cpu")
    reference = torch.Generator().manual_seed(params.seed)
    for step in range(params.max_new_tokens):
        logits = torch.randn(n, VOCAB) * 3
        if step == 2:
            logits[0, EOS] = 50.0  # the first sample finishes: later steps give it padding
        tokens, sampler, probs = expected_step(state, logits, reference)
        record = state.draw_next(logits)
        assert record.tokens == tokens
        active = [i for i in range(n) if record.active[i]]
        assert [record.sampler_probs[i] for i in active] == [sampler[i] for i in active]
        assert [record.probs[i] for i in active] == [probs[i] for i in active]
        if params.greedy:
            assert all(record.sampler_probs[i] == 1.0 for i in active)
    assert not record.active[0] and record.tokens[0] == EOS  # the padding of a finished sample


def test_greedy_with_an_infinite_logit_draws_it_as_the_full_computation_does():
    params = GenerationParams(1, temperature=0.0)
    logits = torch.randn(1, VOCAB)
    logits[0, 42] = math.inf
    state = DecodingState([1, 2], params, [EOS], "cpu")
    tokens, sampler, _ = expected_step(state, logits, torch.Generator())
    record = state.draw_next(logits)
    assert record.tokens == tokens == [42]
    assert record.sampler_probs == sampler == [1.0]
