"""--generation-server / --chat-server through the UI handlers, against the fake OpenAI server: the page says who
drew the tokens, the chart and /next_token come from the server, a down server is one sentence naming the flag
while the other tabs work, and the app refuses to start beside a server of another model."""

from __future__ import annotations

import socket

import pytest

from playground.cli import create_demo
from playground.settings import Settings
from playground.tasks import generation
from playground.tasks.validation import InputError
from playground.ui import attention, fill_mask, generate
from playground.ui import chat as chat_ui
from playground.ui.context import Context
from tests.fake_openai import FakeOpenAIServer


@pytest.fixture(scope="module")
def fake(tiny_model_dirs):
    with FakeOpenAIServer(tiny_model_dirs["generation"]) as server:
        yield server


def test_generate_on_the_server_says_who_drew(fake, settings, manager):
    context = Context.create(Settings(models=settings.models, generation_server=fake.url), manager)
    fake.bodies.clear()
    *_, last = generate.run(context, "The cat sat", 6, 0.8, 50, 1.0, 1.0, 3, 1, False)
    assert f"drawn by vLLM at {fake.url}" in last["info"] and "Seed **3**" in last["info"]
    assert any(body.get("stream") for body in fake.bodies)
    fake.bodies.clear()
    shown = generate.next_token_api(context, "The cat sat", 0.7, 5, 0.9, 10)
    assert len(fake.bodies) == 2  # the raw and the sampler's distributions, one call each
    loaded = context.model("generation")
    ids, _ = generation.encode_context(loaded, "The cat sat", 2000)
    local = generation.next_token(loaded, ids, generation.GenerationParams(1, 0.7, 5, 0.9), 10)
    assert [c["token_id"] for c in shown] == [c.token_id for c in local.choices]
    assert [c["prob_after"] for c in shown] == pytest.approx([c.prob_after for c in local.choices], abs=1e-5)
    local_only = Context.create(settings, manager)
    *_, mine = generate.run(local_only, "The cat sat", 6, 0.8, 50, 1.0, 1.0, 3, 1, False)
    assert "drawn by" not in mine["info"]


def test_a_down_server_is_one_sentence_and_the_other_tabs_work(settings, manager):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    context = Context.create(
        Settings(models=settings.models, generation_server=url, chat_server=url), manager
    )
    with pytest.raises(InputError, match=r"--generation-server\) cannot be reached"):
        list(generate.run(context, "The cat sat", 6, 0.8, 50, 1.0, 1.0, 3, 1, False))
    with pytest.raises(InputError, match=r"--chat-server\) cannot be reached"):
        list(
            chat_ui.answer(
                context, "", [{"role": "user", "content": "Hello"}], generation.GenerationParams(4)
            )
        )
    _plots, summaries, _best, errors = fill_mask.run(context, ["The cat sat on the [MASK]."], [3], [""])
    assert errors == [""] and "Best fill" in summaries[0]
    shown = attention.run(context, "generation", "The cat sat.", "head", 1, 1, False, [1, 2], [1, 2])
    assert shown["shown"].result.num_layers == 2  # the local copy of the generation model still serves


def test_the_app_refuses_to_start_beside_a_server_of_another_model(fake, tiny_model_dirs):
    other = Settings(models={"generation": tiny_model_dirs["chat"]}, generation_server=fake.url)
    with pytest.raises(SystemExit) as refused:
        create_demo(other)
    message = str(refused.value)
    assert "--generation-server" in message and "whose tokens differ" in message
    assert message.count(". ") == 0 and message.endswith("as the app.")


def test_a_server_down_at_start_is_checked_when_it_first_answers(fake, tiny_model_dirs, manager):
    from transformers import AutoTokenizer

    from playground.engine.remote import ServerError, check_servers, engine_for_server

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = f"http://127.0.0.1:{port}/v1"
    check_servers(
        Settings(models={"chat": tiny_model_dirs["chat"]}, chat_server=down)
    )  # starts: no SystemExit
    assert engine_for_server(down, "chat").unchecked is not None
    later = engine_for_server(fake.url, "chat")  # the server answers later, serving another model
    later.unchecked = AutoTokenizer.from_pretrained(tiny_model_dirs["chat"]), "my-chat-model"
    with pytest.raises(ServerError, match="whose tokens differ"):
        generation.generate(
            manager.get("chat"), "Hello", generation.GenerationParams(3), 2000, 60, engine=later
        )
