"""Chat on a real vLLM (CPU build, float32): a tiny Llama with a ChatML template replies as the local model does."""

from __future__ import annotations

import pytest

from playground.engine.remote import RemoteEngine, check_same_model
from playground.models import ModelManager
from playground.tasks import chat
from playground.tasks.generation import GenerationParams


def test_chat_replies_on_vllm_are_the_local_models(vllm_chat):
    folder, url = vllm_chat
    loaded = ModelManager({"chat": folder}, "cpu").get("chat")
    engine = RemoteEngine(url, "--chat-server")
    check_same_model(engine, loaded.tokenizer, folder)
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hello! How are you?"},
    ]
    params = GenerationParams(24, temperature=0)
    *_, local = chat.stream_reply(loaded, messages, params, 2000, 60)
    *_, remote = chat.stream_reply(loaded, messages, params, 2000, 60, engine=engine)
    assert remote.generation.token_ids == local.generation.token_ids
    assert remote.messages == local.messages
    for ours, theirs in zip(
        local.generation.samples[0].steps, remote.generation.samples[0].steps, strict=True
    ):
        assert theirs.prob == pytest.approx(ours.prob, abs=1e-4)
    assert remote.generation.drawn_by.startswith("vLLM at ")
