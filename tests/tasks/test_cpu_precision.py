"""The CPU precisions `--dtype int8` and `--dtype bfloat16`: the reduced copy is made once at load from the float32
model, which stays beside it unchanged for the views that read internals; every task still works, generation
equals `model.generate` on the same (reduced) model, and next-token probabilities stay within 0.02 of float32's."""

from __future__ import annotations

import pytest
import torch
from transformers.pytorch_utils import Conv1D

from playground.models import ModelLoadError, ModelManager, pick_dtype
from playground.settings import Settings
from playground.tasks.fill_mask import fill_mask
from playground.tasks.generation import GenerationParams, generate
from playground.tasks.sentiment import classify
from tests.helpers import reference

MAX_CHARS, CAP = 2000, 60
BOUND = 0.02  # largest next-token probability difference from float32 (issue 29)
TEXT = "Once upon a time, in a small village, there lived a cat who sat on the mat and looked at the moon."
QUANTIZED_LINEAR = torch.ao.nn.quantized.dynamic.Linear


@pytest.fixture(scope="module", params=["int8", "bfloat16"])
def reduced(request, tiny_model_dirs) -> ModelManager:
    return ModelManager(tiny_model_dirs, device="cpu", dtype=request.param)


def test_dtype_flag_takes_int8_and_bfloat16():
    assert Settings.from_args(["--dtype", "int8"], environ={}).dtype == "int8"
    assert Settings.from_args([], environ={"PLAYGROUND_DTYPE": "int8"}).dtype == "int8"
    assert Settings.from_args(["--dtype", "bfloat16"], environ={}).dtype == "bfloat16"
    with pytest.raises(SystemExit):
        Settings.from_args(["--dtype", "int4"], environ={})


def test_int8_is_refused_on_a_gpu_in_one_sentence():
    assert pick_dtype(torch.device("cpu"), "int8") == torch.float32
    with pytest.raises(ModelLoadError, match="--dtype int8 runs on a CPU only"):
        pick_dtype(torch.device("cuda"), "int8")


def test_the_reduced_copy_runs_beside_an_unchanged_float32_model(reduced, manager):
    precision = reduced.requested_dtype
    loaded = reduced.get("generation")
    exact = loaded.exact()
    assert loaded.runs_at == precision and exact.runs_at == "float32"
    assert exact.model is loaded.exact_model and exact.exact() is exact and loaded.exact() is exact
    assert exact.lock is not loaded.lock  # the internals views do not wait for generation
    # the float32 model is the one transformers loaded, Conv1D layers and all, with the reference's numbers
    assert any(isinstance(m, Conv1D) for m in exact.model.modules())
    ids = loaded.tokenizer(TEXT, return_tensors="pt").input_ids
    with torch.inference_mode():
        torch.testing.assert_close(
            exact.model(ids).logits, manager.get("generation").model(ids).logits, rtol=0, atol=0
        )
    assert not any(isinstance(m, Conv1D) for m in loaded.model.modules())
    if precision == "int8":
        quantized = [m for m in loaded.model.modules() if isinstance(m, QUANTIZED_LINEAR)]
        assert len(quantized) == 4 * 2 + 1  # c_attn, c_proj, c_fc, mlp c_proj per layer, and lm_head
        # embeddings and layer norms are shared with the float32 model, not copied
        assert loaded.model.transformer.wte.weight is exact.model.transformer.wte.weight
        assert loaded.model.transformer.h[0].ln_1.weight is exact.model.transformer.h[0].ln_1.weight
        assert exact.memory_bytes < loaded.memory_bytes < 1.5 * exact.memory_bytes
    else:
        assert loaded.model.dtype == torch.bfloat16
        assert 1.4 * exact.memory_bytes < loaded.memory_bytes < 1.6 * exact.memory_bytes


def test_reduced_generation_equals_generate_on_the_same_model(reduced):
    loaded = reduced.get("generation")
    prompt = "Once upon a time, in a small village,"
    greedy = generate(loaded, prompt, GenerationParams(12, temperature=0), MAX_CHARS, CAP)
    assert greedy.token_ids == reference(loaded, prompt, max_new_tokens=12, do_sample=False)
    sampled = generate(loaded, prompt, GenerationParams(12, 0.8, 50, 0.95, seed=7), MAX_CHARS, CAP)
    assert sampled.token_ids == reference(
        loaded, prompt, seed=7, max_new_tokens=12, do_sample=True, temperature=0.8, top_k=50, top_p=0.95
    )


@pytest.mark.parametrize("task", ["generation", "fill-mask", "sentiment"])
def test_probabilities_stay_within_the_bound_of_float32(reduced, manager, task):
    loaded, exact = reduced.get(task), manager.get(task)
    inputs = loaded.tokenizer(TEXT, return_tensors="pt")
    with torch.inference_mode():
        got = loaded.model(**inputs).logits.float().softmax(-1)
        expected = exact.model(**inputs).logits.softmax(-1)
    gap = (got - expected).abs().max().item()
    assert 0 < gap < BOUND, gap  # changed (it is another precision), but within the bound


def test_every_task_works_and_agrees_with_float32(reduced, manager):
    text = "The cat sat on the [MASK]."
    ours, exact = (
        fill_mask(reduced.get("fill-mask"), text, 5, MAX_CHARS),
        fill_mask(manager.get("fill-mask"), text, 5, MAX_CHARS),
    )
    assert ours.masks[0][0].token == exact.masks[0][0].token
    review = "I loved this film, the actors were wonderful."
    ours, exact = (
        classify(reduced.get("sentiment"), review, MAX_CHARS),
        classify(manager.get("sentiment"), review, MAX_CHARS),
    )
    assert ours.scores[0].label == exact.scores[0].label
    assert abs(ours.scores[0].score - exact.scores[0].score) < BOUND


def test_chat_question_answering_and_translation_run_on_the_reduced_copy(reduced, manager):
    from playground.tasks.chat import stream_reply
    from playground.tasks.question_answering import answer
    from playground.tasks.translation import TranslationParams, attention_of, translate

    messages = [{"role": "user", "content": "hello"}]
    params = GenerationParams(6, temperature=0)
    *_, ours = stream_reply(reduced.get("chat"), messages, params, MAX_CHARS, CAP)
    assert ours.finished and ours.generation.token_ids

    question, context = "Where did the cat sit?", "The cat sat on the mat."
    ours, exact = (
        answer(reduced.get("question-answering"), question, context, MAX_CHARS),
        answer(manager.get("question-answering"), question, context, MAX_CHARS),
    )
    assert ours.spans[0].answer == exact.spans[0].answer

    loaded = reduced.get("translation")
    translated = translate(loaded, "I read a book.", TranslationParams(8, 2), MAX_CHARS, CAP, 4)
    assert translated.target_ids
    # its attention is read from the float32 model: the float32 server's numbers exactly
    ours = attention_of(loaded, translated.source, translated.target_ids)
    exact = attention_of(manager.get("translation"), translated.source, translated.target_ids)
    assert (ours.cross == exact.cross).all()
