"""A conversation that outgrows the chat model's context drops its oldest turns, and says how many (issue 26,
point 1), instead of refusing the next message."""

from __future__ import annotations

import pytest

from playground.api import chat_json
from playground.tasks.chat import chat_prompt, reply
from playground.tasks.generation import GenerationParams

MAX_CHARS, CAP = 2000, 60


@pytest.fixture(scope="module")
def llama(manager):
    return manager.get("chat")


def turns(count: int) -> list[dict]:
    messages = [{"role": "system", "content": "You are a teacher."}]
    for i in range(count):
        messages += [
            {"role": "user", "content": f"What is a cat? ({i})"},
            {"role": "assistant", "content": "A cat is a small animal."},
        ]
    return messages + [{"role": "user", "content": "Thank you!"}]


def test_a_long_conversation_goes_on_without_its_oldest_turns(llama):
    params = GenerationParams(16, temperature=0)
    messages = turns(6)
    assert len(chat_prompt(llama, messages, MAX_CHARS).ids) + 16 > llama.context_length  # it would not fit
    result = reply(llama, messages, params, MAX_CHARS, CAP)
    assert result.finished and result.dropped >= 2 and result.dropped % 2 == 0  # whole turns
    read = result.prompt.messages
    assert read[0] == messages[0] and read[-1] == messages[-1]  # the system prompt and the last message kept
    assert read[1:] == messages[1 + result.dropped :]  # the oldest turns left out, the rest as they were
    assert len(result.prompt.ids) + 16 <= llama.context_length
    assert chat_json(result)[0]["generated_text"][:-1] == messages  # the answer holds the whole conversation
    short = reply(llama, turns(0), params, MAX_CHARS, CAP)
    assert short.dropped == 0


def test_after_a_failed_send_the_page_shows_the_servers_conversation(settings, manager):
    """Point 2: the message goes back into its box and the conversation on screen is the one the server keeps;
    after a normal reply, "Show what the model reads" shows the prompt of that reply."""
    from playground.ui import chat as chat_tab
    from playground.ui.context import Context

    context = Context.create(settings, manager)
    history = [{"role": "user", "content": "Hello!"}, {"role": "assistant", "content": "Hello!"}]
    steps = chat_tab.send(context, history, "", "cat " * 300, 8, 0, 50, 1.0, 1.0, 0)
    shown = []
    with pytest.raises(Exception, match="conversation"):
        for step in steps:
            shown.append(step)
    assert shown[-1] == {"message": "cat " * 300, "chatbot": history}
    template = chat_tab.show_template(context, history, "", None)["template"]
    assert "What the model reads" in template  # it raised: "the last message is the assistant's"


def test_the_chinese_gpt_stops_at_its_sep_instead_of_printing_runs_of_it(tmp_path_factory):
    """Point 5: GPT-2 with a BERT tokenizer (uer/gpt2-chinese-*) has no end-of-text token; [SEP] closed every
    text it learnt from, so a generation ends there."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from playground.models import LoadedModel
    from playground.tasks.generation import generate
    from tests.tiny_models import build_chinese_gpt2

    path = build_chinese_gpt2(tmp_path_factory.mktemp("zh") / "gpt2-chinese")
    import torch

    loaded = LoadedModel(
        "generation",
        str(path),
        AutoModelForCausalLM.from_pretrained(path).eval(),
        AutoTokenizer.from_pretrained(path),
        torch.device("cpu"),
    )
    result = generate(loaded, "今天天气", GenerationParams(30, temperature=0), MAX_CHARS, CAP)
    text = result.samples[0].continuation
    assert text.count("[SEP]") <= 1 and "[SEP] [SEP]" not in text and "[SEP][SEP]" not in text


def test_in_the_demo_a_reply_says_next_to_it_that_it_is_a_tiny_models(settings, manager):
    import dataclasses

    from playground.ui import chat as chat_tab
    from playground.ui.context import Context

    for demo in (True, False):
        context = Context.create(dataclasses.replace(settings, demo=demo), manager)
        *_, last = chat_tab.send(context, [], "", "Hello!", 8, 0, 50, 1.0, 1.0, 0)
        assert ("small demo chat model" in last["info"]) == demo
