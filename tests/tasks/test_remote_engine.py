"""engine/remote.py against a fake OpenAI-compatible server (tests/fake_openai.py): the same interface as the
local engine, the same tokens and probabilities, seeds always sent, Stop closing the stream, and one sentence
naming the flag for a server that is down, slow, or serves another model."""

from __future__ import annotations

import socket
import threading

import pytest
from transformers import AutoTokenizer

from playground.engine.remote import RemoteEngine, ServerError, check_same_model, next_seed
from playground.tasks import chat, generation
from playground.tasks.generation import GenerationParams
from tests.fake_openai import FakeOpenAIServer


@pytest.fixture(scope="module")
def server(tiny_model_dirs):
    with FakeOpenAIServer(tiny_model_dirs["generation"]) as fake:
        yield fake


@pytest.fixture(scope="module")
def engine(server):
    return RemoteEngine(server.url, "--generation-server")


@pytest.fixture(scope="module")
def loaded(manager):
    return manager.get("generation")


def test_greedy_generation_on_the_server_is_the_local_one_with_the_models_own_probabilities(loaded, engine):
    params = GenerationParams(12, temperature=0)
    local = generation.generate(loaded, "The cat sat", params, 2000, 60)
    streamed = list(generation.stream(loaded, "The cat sat", params, 2000, 60, engine=engine))
    remote = streamed[-1]
    assert remote.finished and remote.token_ids == local.token_ids
    assert remote.generated_text == local.generated_text
    for ours, theirs in zip(local.samples[0].steps, remote.samples[0].steps, strict=True):
        assert theirs.prob == pytest.approx(ours.prob, abs=1e-5)  # the scoring call's, not the sampler's
        assert [t for t, _ in theirs.alternatives] == [t for t, _ in ours.alternatives]
        assert theirs.sampler_prob == 1.0
    assert remote.drawn_by.startswith("vLLM at http://127.0.0.1:")
    assert not local.drawn_by


def test_sampled_generation_sends_its_seed_and_the_same_seed_gives_the_same_text(loaded, engine, server):
    params = GenerationParams(10, temperature=1.0, top_k=20, top_p=0.9, repetition_penalty=1.2, seed=5)
    server.bodies.clear()
    first = generation.generate(loaded, "Once upon a time", params, 2000, 60, engine=engine)
    second = generation.generate(loaded, "Once upon a time", params, 2000, 60, engine=engine)
    assert first.token_ids == second.token_ids
    completions = [b for b in server.bodies if "prompt" in b and isinstance(b["prompt"], list)]
    assert completions and all("seed" in b for b in completions)
    streamed = [b for b in completions if b.get("stream")]
    assert streamed[0]["seed"] == 5 and streamed[0]["top_k"] == 20 and streamed[0]["top_p"] == 0.9
    assert streamed[0]["repetition_penalty"] == 1.2 and streamed[0]["max_tokens"] == 10
    for step in first.samples[0].steps:  # the sampler's probability of each drawn token, from the stream
        assert 0 < step.sampler_prob <= 1


def test_several_samples_stream_side_by_side(loaded, engine):
    params = GenerationParams(8, temperature=1.5, top_k=0, seed=3, num_samples=3)
    result = generation.generate(loaded, "The dog", params, 2000, 60, engine=engine)
    assert len(result.samples) == 3 and all(sample.steps for sample in result.samples)
    assert len({tuple(sample.token_ids) for sample in result.samples}) > 1


def test_the_next_token_distribution_matches_the_local_model(loaded, engine):
    params = GenerationParams(1, temperature=0.7, top_k=5, top_p=0.9, repetition_penalty=1.3)
    ids, _ = generation.encode_context(loaded, "The cat sat on the", 2000)
    local = generation.next_token(loaded, ids, params, 10)
    remote = generation.next_token(loaded, ids, params, 10, engine=engine)
    assert [c.token_id for c in remote.choices] == [c.token_id for c in local.choices]
    for ours, theirs in zip(local.choices, remote.choices, strict=True):
        assert theirs.prob == pytest.approx(ours.prob, abs=1e-5)
        assert theirs.prob_after == pytest.approx(ours.prob_after, abs=1e-5)
        assert theirs.kept == ours.kept
        # a server gives log-probabilities: the logits up to one constant
        assert theirs.logit - remote.choices[0].logit == pytest.approx(
            ours.logit - local.choices[0].logit, abs=1e-4
        )


def test_step_mode_draws_on_the_server_one_token_at_a_time(loaded, engine):
    params = GenerationParams(1, temperature=0)
    state = None
    for _ in range(3):
        state, result = generation.draw_step(loaded, state, "The cat", params, 2000, 10, engine=engine)
        assert result.choices and result.drawn_id == state.steps[-1].token_id
    greedy = generation.generate(loaded, "The cat", GenerationParams(3, temperature=0), 2000, 60)
    assert [s.token_id for s in state.steps] == greedy.token_ids
    assert state.rng_states[1] == next_seed(next_seed(0)).to_bytes(4, "big")  # the seed goes on, fixed


def test_stop_closes_the_stream_and_the_server_sees_it(tiny_model_dirs, loaded):
    with FakeOpenAIServer(tiny_model_dirs["generation"], delay=0.05) as slow:
        remote = RemoteEngine(slow.url, "--generation-server")
        stream = generation.stream(
            loaded, "The cat", GenerationParams(50, temperature=0), 2000, 60, engine=remote
        )
        next(stream), next(stream)
        stream.close()  # what Stop or a closed tab does to the generator
        for _ in range(100):
            if slow.aborted:
                break
            threading.Event().wait(0.05)
        assert slow.aborted == 1


def test_a_server_that_is_down_gets_one_sentence_naming_the_flag(loaded):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    remote = RemoteEngine(f"http://127.0.0.1:{port}/v1", "--generation-server")
    with pytest.raises(ServerError, match=r"--generation-server\) cannot be reached"):
        generation.generate(loaded, "The cat", GenerationParams(3), 2000, 60, engine=remote)


def test_a_slow_server_gets_one_sentence_naming_the_flag(tiny_model_dirs, loaded, monkeypatch):
    import httpx

    with FakeOpenAIServer(tiny_model_dirs["generation"], delay=1.0) as slow:
        client = httpx.Client(timeout=httpx.Timeout(0.2, connect=1.0))
        remote = RemoteEngine(slow.url, "--chat-server", client=client)
        with pytest.raises(ServerError, match=r"--chat-server\) did not answer in time"):
            generation.generate(loaded, "The cat", GenerationParams(3), 2000, 60, engine=remote)


def test_a_refused_request_is_one_sentence_with_the_servers_reason(engine, loaded):
    with pytest.raises(ServerError, match="refused the request"):
        engine._request("POST", "/nowhere", {})


def test_the_start_check_refuses_a_server_with_another_model(tiny_model_dirs, engine):
    same = AutoTokenizer.from_pretrained(tiny_model_dirs["generation"])
    check_same_model(engine, same, tiny_model_dirs["generation"])
    other = AutoTokenizer.from_pretrained(tiny_model_dirs["chat"])
    with pytest.raises(ServerError, match="whose tokens differ") as refused:
        check_same_model(engine, other, "my-chat-model")
    assert "--generation-server" in str(refused.value) and "my-chat-model" in str(refused.value)


def test_chat_replies_on_the_chat_server(tiny_model_dirs, manager):
    loaded = manager.get("chat")
    messages = [{"role": "user", "content": "Hello!"}]
    params = GenerationParams(12, temperature=0)
    local = chat.reply(loaded, messages, params, 2000, 60)
    with FakeOpenAIServer(tiny_model_dirs["chat"]) as fake:
        remote = RemoteEngine(fake.url, "--chat-server")
        *_, served = chat.stream_reply(loaded, messages, params, 2000, 60, engine=remote)
        stops = [b.get("stop_token_ids") for b in fake.bodies if b.get("stream")]
    assert served.generation.token_ids == local.generation.token_ids
    assert served.messages == local.messages
    assert stops and set(chat.end_of_turn_ids(loaded)) <= set(stops[0])


def test_a_stream_whose_end_comes_after_its_last_token_still_ends_with_the_models_probabilities(
    loaded, engine
):
    greedy = generation.generate(loaded, "The cat sat", GenerationParams(6, temperature=0), 2000, 60)
    stop = greedy.token_ids[2]  # the third token ends the generation, well before max_new_tokens
    prompt_ids = greedy.prompt_ids
    records = list(engine.submit(prompt_ids, GenerationParams(6, temperature=0), [stop]))
    drawn = [r.tokens[0] for r in records if r.active[0]]
    assert drawn == greedy.token_ids[: greedy.token_ids.index(stop) + 1]
    assert (
        records[-1].last and records[-1].rescored is not None and len(records[-1].rescored[0]) == len(drawn)
    )
    assert not any(r.last for r in records[:-1])
