"""Step mode with --generation-server, against the fake OpenAI server: "Next token" and "Undo" say who drew the
tokens (" · drawn by vLLM at …", as a streamed generation does), in English and 中文, and say nothing of it when
this app drew them."""

from __future__ import annotations

import pytest

from playground.i18n import using
from playground.settings import Settings
from playground.ui import generate
from playground.ui.context import Context
from tests.fake_openai import FakeOpenAIServer

PROMPT = "Once upon a time"
SAMPLER = (0.8, 50, 1.0, 1.0, 7)  # temperature, top_k, top_p, repetition_penalty, seed


@pytest.fixture(scope="module")
def fake(tiny_model_dirs):
    with FakeOpenAIServer(tiny_model_dirs["generation"]) as server:
        yield server


@pytest.fixture
def served(fake, settings, manager) -> Context:
    return Context.create(Settings(models=settings.models, generation_server=fake.url), manager)


def test_next_token_and_undo_say_the_server_drew(fake, served):
    fake.bodies.clear()
    first = generate.next_step(served, None, PROMPT, *SAMPLER)
    assert fake.bodies, "the token was drawn by the server"
    assert first["info"] == f"Step mode · tokens drawn one at a time: 1 · drawn by vLLM at {fake.url}"
    second = generate.next_step(served, first["step_state"], PROMPT, *SAMPLER)
    assert second["info"].endswith(f"2 · drawn by vLLM at {fake.url}")
    undone = generate.undo_step(served, second["step_state"], *SAMPLER)
    assert undone["info"] == f"Step mode · tokens drawn one at a time: 1 · drawn by vLLM at {fake.url}"
    empty = generate.undo_step(served, undone["step_state"], *SAMPLER)
    assert empty["info"] == "Step mode · tokens drawn one at a time: 0", "no token left: nobody drew one"


def test_the_line_reads_in_chinese(fake, served):
    with using("zh"):
        stepped = generate.next_step(served, None, PROMPT, *SAMPLER)
    assert stepped["info"].endswith(f" · 由 vLLM at {fake.url} 抽取")
    assert "drawn by" not in stepped["info"] and "Step mode" not in stepped["info"]


def test_undo_after_a_generation_on_the_server_says_who_drew(fake, served):
    *_, generated = generate.run(served, PROMPT, 4, *SAMPLER, 1, False)
    undone = generate.undo_step(served, generated["step_state"], *SAMPLER)
    assert undone["info"] == f"Step mode · tokens drawn one at a time: 3 · drawn by vLLM at {fake.url}"


def test_tokens_this_app_drew_name_no_server(settings, manager):
    local = Context.create(settings, manager)
    stepped = generate.next_step(local, None, PROMPT, *SAMPLER)
    assert stepped["info"] == "Step mode · tokens drawn one at a time: 1"
    *_, generated = generate.run(local, PROMPT, 4, *SAMPLER, 1, False)
    assert "drawn by" not in generate.undo_step(local, generated["step_state"], *SAMPLER)["info"]
