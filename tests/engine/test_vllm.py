"""The app's generation on a real vLLM (CPU build, float32) against the local transformers model: the same greedy
tokens, the same probabilities within 1e-4 (the model's, and the sampler's after penalty, temperature, top-k,
top-p), seeds, Stop, the start check, and the Generate tab saying who drew."""

from __future__ import annotations

import re
import time

import httpx
import pytest
import torch

from playground.engine.remote import RemoteEngine, ServerError, check_same_model
from playground.models import ModelManager
from playground.settings import Settings
from playground.tasks import generation
from playground.tasks.generation import GenerationParams
from playground.ui import generate
from playground.ui.context import Context

TOLERANCE = 1e-4
SETTINGS = [  # (temperature, top_k, top_p, repetition_penalty)
    (1.0, 0, 1.0, 1.0),
    (0.7, 5, 0.9, 1.3),
    (1.5, 50, 0.95, 1.0),
    (0.0, 50, 1.0, 1.2),
]


@pytest.fixture(scope="module")
def served(vllm_gpt2):
    folder, url = vllm_gpt2
    loaded = ModelManager({"generation": folder}, "cpu").get("generation")
    return loaded, RemoteEngine(url, "--generation-server")


def test_the_start_check_accepts_the_same_model_and_refuses_another(served, tiny_model_dirs):
    loaded, engine = served
    check_same_model(engine, loaded.tokenizer, loaded.model_id)
    other = ModelManager({"chat": tiny_model_dirs["chat"]}, "cpu").get("chat").tokenizer
    with pytest.raises(ServerError, match="whose tokens differ"):
        check_same_model(engine, other, "another-model")


def test_greedy_tokens_and_probabilities_are_transformers(served):
    loaded, engine = served
    params = GenerationParams(20, temperature=0)
    for prompt in ["The cat sat", "Once upon a time, in a small village,"]:
        local = generation.generate(loaded, prompt, params, 2000, 60)
        remote = generation.generate(loaded, prompt, params, 2000, 60, engine=engine)
        assert remote.token_ids == local.token_ids and remote.generated_text == local.generated_text
        for ours, theirs in zip(local.samples[0].steps, remote.samples[0].steps, strict=True):
            assert theirs.prob == pytest.approx(ours.prob, abs=TOLERANCE)
            assert [p for _, p in theirs.alternatives] == pytest.approx(
                [p for _, p in ours.alternatives], abs=TOLERANCE
            )
        reference = loaded.model.generate(  # transformers' own greedy decoding
            input_ids=torch.tensor([local.prompt_ids]), max_new_tokens=20, do_sample=False
        )[0, len(local.prompt_ids) :].tolist()
        eos = loaded.tokenizer.eos_token_id
        assert remote.token_ids == reference[: reference.index(eos) + 1 if eos in reference else None]


@pytest.mark.parametrize("temperature, top_k, top_p, repetition_penalty", SETTINGS)
def test_the_next_token_distribution_is_the_local_models(
    served, temperature, top_k, top_p, repetition_penalty
):
    loaded, engine = served
    params = GenerationParams(1, temperature, top_k, top_p, repetition_penalty)
    ids, _ = generation.encode_context(loaded, "The cat sat on the mat. The dog", 2000)
    local = generation.next_token(loaded, ids, params, 20)
    remote = generation.next_token(loaded, ids, params, 20, engine=engine)
    assert [c.token_id for c in remote.choices] == [c.token_id for c in local.choices]
    for ours, theirs in zip(local.choices, remote.choices, strict=True):
        assert theirs.prob == pytest.approx(ours.prob, abs=TOLERANCE)
        assert theirs.prob_after == pytest.approx(ours.prob_after, abs=TOLERANCE)
        assert theirs.kept == ours.kept


def test_a_seed_gives_the_same_text_on_the_server_with_the_samplers_probabilities(served):
    loaded, engine = served
    params = GenerationParams(12, temperature=1.2, top_k=40, top_p=0.95, seed=11, num_samples=2)
    first = generation.generate(loaded, "The dog", params, 2000, 60, engine=engine)
    again = generation.generate(loaded, "The dog", params, 2000, 60, engine=engine)
    assert [s.token_ids for s in first.samples] == [s.token_ids for s in again.samples]
    sample = first.samples[0]
    context = list(first.prompt_ids)
    for step in sample.steps[:4]:  # the sampler's probability of each drawn token: the local processors'
        local = generation.next_token(loaded, context, params, 400)
        after = {c.token_id: c.prob_after for c in local.choices}
        assert step.sampler_prob == pytest.approx(after[step.token_id], abs=TOLERANCE)
        context.append(step.token_id)


def _metric(root: str, name: str) -> float:
    """A counter or gauge of vLLM's /metrics (Prometheus text)."""
    found = re.search(
        rf"^vllm:{name}\{{[^}}]*\}} ([0-9.e+]+)$", httpx.get(root + "/metrics", timeout=5).text, re.M
    )
    return float(found.group(1))


def test_stop_aborts_the_servers_request_and_the_server_goes_on(served, vllm_gpt2):
    loaded, engine = served
    root = vllm_gpt2[1].removesuffix("/v1")
    before = _metric(root, "generation_tokens_total")
    steps = engine.submit([10, 11], GenerationParams(250, temperature=1.0, seed=1), [0])
    next(steps), next(steps)
    steps.close()  # what Stop or a closed tab does: the HTTP stream is closed, and vLLM aborts the request
    for _ in range(60):
        if _metric(root, "num_requests_running") == 0:
            break
        time.sleep(0.5)
    assert _metric(root, "num_requests_running") == 0
    assert _metric(root, "generation_tokens_total") - before < 100  # of the 250 asked for
    after = generation.generate(
        loaded, "The cat", GenerationParams(5, temperature=0), 2000, 60, engine=engine
    )
    assert len(after.token_ids) == 5


def test_the_generate_tab_says_vllm_drew_the_tokens(served, vllm_gpt2):
    folder, url = vllm_gpt2
    context = Context.create(Settings(models={"generation": folder}, generation_server=url))
    *_, last = generate.run(context, "The cat sat", 8, 0.8, 50, 1.0, 1.0, 3, 1, False)
    assert f"drawn by vLLM at {url}" in last["info"] and "Seed **3**" in last["info"]
    assert last["distribution"] is not None
    shown = generate.next_token_api(context, "The cat sat", 0.7, 5, 0.9, 10)
    local = generation.next_token(served[0], generation.encode_context(served[0], "The cat sat", 2000)[0],
                                  GenerationParams(1, 0.7, 5, 0.9), 10)  # fmt: skip
    assert [c["token_id"] for c in shown] == [c.token_id for c in local.choices]
    assert [c["prob"] for c in shown] == pytest.approx([c.prob for c in local.choices], abs=TOLERANCE)
