"""The CPU fast path, `--dtype float16`: GPT-2's Conv1D layers become the nn.Linear they compute, every task
still works, generation still equals `model.generate` on the same model, and the numbers stay close to
float32's."""

from __future__ import annotations

import copy

import pytest
import torch
from transformers.pytorch_utils import Conv1D

from playground.models import ModelManager, conv1d_as_linear
from playground.settings import Settings
from playground.tasks.attention import attention
from playground.tasks.explain import explain
from playground.tasks.fill_mask import fill_mask
from playground.tasks.generation import GenerationParams, generate
from playground.tasks.sentiment import classify
from tests.helpers import reference

MAX_CHARS, CAP = 2000, 60


@pytest.fixture(scope="module")
def half(tiny_model_dirs) -> ModelManager:
    return ModelManager(tiny_model_dirs, device="cpu", dtype="float16")


def test_dtype_flag():
    assert Settings.from_args(["--dtype", "float16"], environ={}).dtype == "float16"
    assert Settings.from_args([], environ={"PLAYGROUND_DTYPE": "bfloat16"}).dtype == "bfloat16"
    assert Settings.from_args([], environ={}).dtype == "auto"


def test_conv1d_as_linear_computes_the_same(manager):
    model = copy.deepcopy(manager.get("generation").model)
    ids = torch.tensor([[5, 17, 42, 8, 3]])
    with torch.inference_mode():
        before = model(ids).logits
        conv1d_as_linear(model)
        after = model(ids).logits
    assert not any(isinstance(m, Conv1D) for m in model.modules())
    torch.testing.assert_close(after, before, rtol=1e-5, atol=1e-5)


def test_half_precision_generation_equals_generate_on_the_same_model(half, manager):
    loaded = half.get("generation")
    assert loaded.model.dtype == torch.float16
    assert not any(isinstance(m, Conv1D) for m in loaded.model.modules())
    prompt = "Once upon a time, in a small village,"
    greedy = generate(loaded, prompt, GenerationParams(12, temperature=0), MAX_CHARS, CAP)
    assert greedy.token_ids == reference(loaded, prompt, max_new_tokens=12, do_sample=False)
    sampled = generate(loaded, prompt, GenerationParams(12, 0.8, 50, 0.95, seed=7), MAX_CHARS, CAP)
    assert sampled.token_ids == reference(
        loaded, prompt, seed=7, max_new_tokens=12, do_sample=True, temperature=0.8, top_k=50, top_p=0.95
    )
    exact = generate(manager.get("generation"), prompt, GenerationParams(12, temperature=0), MAX_CHARS, CAP)
    assert greedy.token_ids == exact.token_ids  # the tiny model's top tokens do not change in float16


def test_every_task_works_in_half_precision_and_stays_close_to_float32(half, manager):
    text = "The cat sat on the [MASK]."
    ours, exact = (
        fill_mask(half.get("fill-mask"), text, 5, MAX_CHARS),
        fill_mask(manager.get("fill-mask"), text, 5, MAX_CHARS),
    )
    assert [c.token for c in ours.masks[0]][:3] == [c.token for c in exact.masks[0]][:3]
    assert max(abs(a.score - b.score) for a, b in zip(ours.masks[0], exact.masks[0], strict=True)) < 1e-2

    review = "I loved this film, the actors were wonderful."
    ours, exact = (
        classify(half.get("sentiment"), review, MAX_CHARS),
        classify(manager.get("sentiment"), review, MAX_CHARS),
    )
    assert ours.scores[0].label == exact.scores[0].label
    assert abs(ours.scores[0].score - exact.scores[0].score) < 1e-2

    assert attention(half.get("fill-mask"), review, MAX_CHARS, 64).attentions.shape[0] > 0
    assert explain(half.get("sentiment"), review, MAX_CHARS).label == exact.scores[0].label
