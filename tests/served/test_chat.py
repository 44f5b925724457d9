"""The Chat tab and its endpoints, on the tiny Llama chat model (RoPE, grouped-query attention, ChatML): /chat
equals the text-generation pipeline, /chat_template the tokenizer, attention works on grouped-query heads, bad
conversations get one sentence; the tab's handlers stream the reply and show the text the model reads."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gradio_client.exceptions import AppError
from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline

from playground.models import ModelLoadError, ModelManager
from playground.settings import Settings
from playground.ui import chat as chat_tab
from playground.ui.context import Context

MESSAGES = [
    {"role": "system", "content": "You are a teacher."},
    {"role": "user", "content": "What is a cat?"},
]


@pytest.fixture(scope="module")
def reference(tiny_model_dirs):
    path = tiny_model_dirs["chat"]
    model = AutoModelForCausalLM.from_pretrained(path).eval()
    tokenizer = AutoTokenizer.from_pretrained(path)
    return model, tokenizer, pipeline("text-generation", model=model, tokenizer=tokenizer)


@pytest.fixture(scope="module")
def context(settings, manager) -> Context:
    return Context.create(settings, manager)


def test_greedy_chat_equals_the_text_generation_pipeline(client, reference):
    _model, _tokenizer, pipe = reference
    for messages in [
        MESSAGES,
        MESSAGES[1:],
        [*MESSAGES, {"role": "assistant", "content": "A pet."}, MESSAGES[1]],
    ]:
        expected = pipe(messages, max_new_tokens=20, do_sample=False)
        got = client.predict(messages=messages, max_new_tokens=20, temperature=0, api_name="/chat")
        assert got == expected
        assert got[0]["generated_text"][-1]["role"] == "assistant"


def test_a_seed_gives_the_same_sampled_reply(client):
    first = client.predict(messages=MESSAGES, max_new_tokens=20, seed=3, api_name="/chat")
    assert first == client.predict(messages=MESSAGES, max_new_tokens=20, seed=3, api_name="/chat")
    assert first[0]["generated_text"][:2] == MESSAGES


def test_chat_template_equals_the_tokenizer(client, reference):
    _model, tokenizer, _pipe = reference
    got = client.predict(messages=MESSAGES, api_name="/chat_template")
    assert got["text"] == tokenizer.apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=True)
    ids = tokenizer.apply_chat_template(MESSAGES, add_generation_prompt=True, return_dict=True)["input_ids"]
    assert [t["id"] for t in got["tokens"]] == list(ids)
    assert [t["piece"] for t in got["tokens"]] == tokenizer.convert_ids_to_tokens(list(ids))
    assert {t["piece"] for t in got["tokens"] if t["special"]} == {"<|im_start|>", "<|im_end|>"}
    assert set(got["tokens"][0]) == {"id", "piece", "text", "special"}


@pytest.mark.parametrize(
    "messages, words",
    [
        ([], "no messages"),
        ("hello", "list"),
        ([{"role": "wizard", "content": "hi"}], "wizard"),
        ([{"role": "user", "content": "  "}], "empty"),
        ([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}], "user"),
        ([{"role": "user", "content": "cat " * 400}], "context"),
    ],
)
def test_bad_conversations_get_one_sentence(client, messages, words):
    for api_name in ("/chat", "/chat_template"):
        if api_name == "/chat_template" and words in ("context", "user"):
            continue  # a template of a long or finished conversation is still a template
        length = {"max_new_tokens": 20} if api_name == "/chat" else {}
        with pytest.raises(AppError) as caught:
            client.predict(messages=messages, **length, api_name=api_name)
        message = str(caught.value)
        assert words.lower() in message.lower() and "Traceback" not in message
    assert client.predict(messages=MESSAGES[1:], max_new_tokens=3, api_name="/chat")  # still serving


def test_attention_of_the_grouped_query_chat_model_equals_output_attentions(client, reference):
    model, tokenizer, _pipe = reference
    text = "What is a cat?"
    got = client.predict(text=text, model="chat", api_name="/attention")
    eager = AutoModelForCausalLM.from_pretrained(model.name_or_path, attn_implementation="eager").eval()
    encoded = tokenizer(text, return_tensors="pt", add_special_tokens=False)
    with torch.inference_mode():
        expected = torch.stack(eager(**encoded, output_attentions=True).attentions)[:, 0].numpy()
    assert model.config.num_key_value_heads < model.config.num_attention_heads
    assert np.asarray(got["attentions"]).shape == expected.shape  # one matrix per query head
    np.testing.assert_allclose(got["attentions"], expected, atol=1e-5)
    view = client.predict(text=text, model="chat", view="model", api_name="/attention_view")
    assert "<html" in view.lower()


def test_send_streams_the_reply_and_shows_the_text_the_model_reads(context):
    steps = list(chat_tab.send(context, [], "You are a teacher.", "What is a cat?", 12, 0, 50, 1.0, 1.0, 0))
    assert steps[0] == {"message": "", "chatbot": [MESSAGES[1]]}
    last = steps[-1]
    assert last["history"][:1] == [MESSAGES[1]] and last["history"][-1]["role"] == "assistant"
    assert "&lt;|im_start|&gt;" in last["template"] and "&lt;|im_end|&gt;" in last["template"]
    assert "distribution" in last and len(steps) > 3  # streamed token by token, then the chart
    expected = chat_tab.chat.reply(
        context.model("chat"), MESSAGES, chat_tab.GenerationParams(12, 0), 2000, 60
    ).reply
    assert last["history"][-1]["content"] == expected


def test_reply_again_follows_a_new_system_prompt(context):
    *_, sent = chat_tab.send(context, [], "", "What is a cat?", 12, 0, 50, 1.0, 1.0, 0)
    *_, again = chat_tab.reply_again(context, sent["history"], "", 12, 0, 50, 1.0, 1.0, 0)
    assert again["history"] == sent["history"]  # the same settings give the same reply
    *_, pirate = chat_tab.reply_again(context, sent["history"], "You are a pirate.", 12, 0, 50, 1.0, 1.0, 0)
    assert len(pirate["history"]) == 2 and "chat-system" in pirate["template"]
    assert "chat-system" not in again["template"].split("chat-legend")[0]  # no system turn before
    with pytest.raises(Exception, match="no message"):
        list(chat_tab.reply_again(context, [], "", 12, 0, 50, 1.0, 1.0, 0))
    with pytest.raises(Exception, match="empty"):
        list(chat_tab.send(context, [], "", "   ", 12, 0, 50, 1.0, 1.0, 0))


def test_show_template_escapes_hostile_text(context):
    shown = chat_tab.show_template(context, [], "<script>alert(1)</script>", "<b>hi</b>")
    html = shown["template"]
    assert "<script" not in html and "<b>" not in html and "&lt;" in html


def test_a_model_without_a_chat_template_gets_one_sentence(tiny_model_dirs):
    manager = ModelManager({**tiny_model_dirs, "chat": tiny_model_dirs["generation"]}, "cpu")
    with pytest.raises(ModelLoadError, match="no chat template") as caught:
        manager.get("chat")
    assert "--chat-model" in str(caught.value)


def test_the_chat_model_flag_and_variable():
    assert Settings.from_args(["--chat-model", "./my-chat"], environ={}).model_id("chat") == "./my-chat"
    assert Settings.from_args([], environ={"PLAYGROUND_CHAT_MODEL": "./x"}).model_id("chat") == "./x"
    assert Settings.from_args([], environ={}).model_id("chat") == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert Settings(preset="zh").model_id("chat") == "Qwen/Qwen2.5-0.5B-Instruct"
