"""Chat agrees with the text-generation pipeline and `model.generate` on a tiny Llama chat model, shows the
templated prompt as the tokenizer makes it, and refuses bad conversations in one clear sentence."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline

from playground.api import chat_json, chat_template_json
from playground.i18n import using
from playground.models import LoadedModel
from playground.tasks.attention import attention
from playground.tasks.chat import (
    chat_prompt,
    check_messages,
    end_of_turn_ids,
    has_chat_template,
    reply,
    stream_reply,
)
from playground.tasks.generation import GenerationParams
from playground.tasks.validation import InputError
from playground.translations import ZH
from playground.viz.chat import prompt_html, reply_html
from tests.helpers import transformers_messages
from tests.tiny_models import build_gpt2, build_llama_chat

MAX_CHARS, CAP = 2000, 60
GREEDY = GenerationParams(20, temperature=0)

HELLO = [{"role": "user", "content": "Hello!"}]
CONVERSATIONS = [
    HELLO,
    [{"role": "user", "content": "What is the capital of France?"}],
    [{"role": "system", "content": "You are a teacher."}, {"role": "user", "content": "What is a cat?"}],
    [
        {"role": "user", "content": "Hello!"},
        {"role": "assistant", "content": "Hello! How can I help you?"},
        {"role": "user", "content": "Thank you!"},
    ],
    [{"role": "user", "content": "What is a dog?"}],  # not in the training conversations
]


def load(path, task: str) -> LoadedModel:
    model = AutoModelForCausalLM.from_pretrained(path).eval()
    tokenizer = AutoTokenizer.from_pretrained(path)
    return LoadedModel(
        task=task, model_id=str(path), model=model, tokenizer=tokenizer, device=torch.device("cpu")
    )


@pytest.fixture(scope="session")
def llama_dir(tmp_path_factory):
    return build_llama_chat(tmp_path_factory.mktemp("chat") / "tiny-llama-chat")


@pytest.fixture(scope="session")
def llama(llama_dir) -> LoadedModel:
    return load(llama_dir, "chat")


@pytest.fixture(scope="session")
def pipe(llama):
    return pipeline("text-generation", model=llama.model, tokenizer=llama.tokenizer)


def template_ids(loaded, messages) -> list[int]:
    """The ids the text-generation pipeline feeds the model for chat input."""
    inputs = loaded.tokenizer.apply_chat_template(
        messages, add_generation_prompt=True, return_dict=True, return_tensors="pt"
    )
    return inputs["input_ids"][0].tolist()


# --- the model is what the tests assume ---------------------------------------------------------------------


def test_the_tiny_chat_model_is_a_grouped_query_llama_with_chatml(llama):
    config = llama.model.config
    assert config.model_type == "llama"
    assert config.num_key_value_heads < config.num_attention_heads
    assert has_chat_template(llama.tokenizer)
    im_end = llama.tokenizer.convert_tokens_to_ids("<|im_end|>")
    assert llama.tokenizer.eos_token == "<|im_end|>" and llama.model.generation_config.eos_token_id == im_end
    assert end_of_turn_ids(llama) == {im_end}


# --- the prompt as the model reads it ------------------------------------------------------------------------


@pytest.mark.parametrize("messages", CONVERSATIONS)
def test_the_prompt_is_the_chat_template_s_text_and_ids(llama, messages):
    prompt = chat_prompt(llama, messages, MAX_CHARS)
    tokenizer = llama.tokenizer
    assert prompt.text == tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    assert prompt.ids == template_ids(llama, messages)
    assert [t.id for t in prompt.tokens] == prompt.ids
    assert [t.piece for t in prompt.tokens] == tokenizer.convert_ids_to_tokens(prompt.ids)
    assert [t.text for t in prompt.tokens] == [tokenizer.decode([i]) for i in prompt.ids]
    assert prompt.text.endswith("<|im_start|>assistant\n")


def test_special_tokens_are_flagged_and_message_words_belong_to_their_message(llama):
    messages = CONVERSATIONS[2]
    prompt = chat_prompt(llama, messages, MAX_CHARS)
    special = [t.piece for t in prompt.tokens if t.special]
    assert special == ["<|im_start|>", "<|im_end|>"] * 2 + ["<|im_start|>"]
    assert not any(t.special for t in prompt.tokens if t.piece not in ("<|im_start|>", "<|im_end|>"))
    for index, message in enumerate(messages):
        words = "".join(t.text for t in prompt.tokens if t.message == index)
        assert words == message["content"]
    template = [t.text for t in prompt.tokens if t.message is None and not t.special]
    assert template == ["system", "\n", "\n", "user", "\n", "\n", "assistant", "\n"]


def test_chat_template_json(llama):
    prompt = chat_prompt(llama, HELLO, MAX_CHARS)
    answer = chat_template_json(prompt)
    assert answer["text"] == prompt.text
    assert answer["tokens"][0] == {"id": 1, "piece": "<|im_start|>", "text": "<|im_start|>", "special": True}
    assert [set(t) for t in answer["tokens"]] == [{"id", "piece", "text", "special"}] * len(prompt.ids)


# --- the reply, against the reference library --------------------------------------------------------------


@pytest.mark.parametrize("messages", CONVERSATIONS)
def test_greedy_reply_equals_the_text_generation_pipeline(llama, pipe, messages):
    ours = reply(llama, messages, GREEDY, MAX_CHARS, CAP)
    theirs = pipe(messages, max_new_tokens=20, do_sample=False)
    assert chat_json(ours) == theirs
    assert ours.reply == theirs[0]["generated_text"][-1]["content"]
    ids = torch.tensor([template_ids(llama, messages)])
    generated = llama.model.generate(
        ids, attention_mask=torch.ones_like(ids), max_new_tokens=20, do_sample=False
    )
    assert ours.generation.token_ids == generated[0, ids.shape[1] :].tolist()


def test_the_reply_stops_at_the_end_of_turn_token_and_leaves_it_out(llama):
    ours = reply(llama, HELLO, GREEDY, MAX_CHARS, CAP)
    assert ours.finished and ours.ended_turn
    assert llama.tokenizer.convert_ids_to_tokens(ours.generation.token_ids[-1]) == "<|im_end|>"
    assert len(ours.generation.token_ids) < 20
    assert ours.reply == "Hello! How can I help you?"
    assert "<|" not in ours.reply
    assert chat_json(ours) == [{"generated_text": [*HELLO, {"role": "assistant", "content": ours.reply}]}]


def test_a_reply_cut_by_max_new_tokens_has_not_ended_its_turn(llama, pipe):
    ours = reply(llama, HELLO, GenerationParams(3, temperature=0), MAX_CHARS, CAP)
    assert ours.finished and not ours.ended_turn and len(ours.generation.token_ids) == 3
    assert ours.reply == pipe(HELLO, max_new_tokens=3, do_sample=False)[0]["generated_text"][-1]["content"]


@pytest.mark.parametrize("temperature,top_k,top_p,penalty", [(1.0, 50, 1.0, 1.0), (1.5, 0, 0.9, 1.2)])
def test_seeded_reply_is_reproducible_and_equals_generate_with_the_same_seed(
    llama, pipe, temperature, top_k, top_p, penalty
):
    messages = CONVERSATIONS[4]
    params = GenerationParams(20, temperature, top_k, top_p, penalty, seed=1234)
    first = reply(llama, messages, params, MAX_CHARS, CAP)
    assert reply(llama, messages, params, MAX_CHARS, CAP).reply == first.reply
    sampling = {
        "max_new_tokens": 20,
        "do_sample": True,
        "temperature": temperature,
        "top_k": top_k,
        "top_p": top_p,
        "repetition_penalty": penalty,
    }
    ids = torch.tensor([template_ids(llama, messages)])
    torch.manual_seed(1234)
    generated = llama.model.generate(ids, attention_mask=torch.ones_like(ids), **sampling)
    assert first.generation.token_ids == generated[0, ids.shape[1] :].tolist()
    torch.manual_seed(1234)
    assert pipe(messages, **sampling)[0]["generated_text"][-1]["content"] == first.reply


def test_the_reply_streams_token_by_token(llama):
    """Each result is shown as it comes (the generation inside grows in place, as in `stream`)."""
    seen = [
        (len(r.generation.token_ids), r.reply, r.finished)
        for r in stream_reply(llama, HELLO, GREEDY, MAX_CHARS, CAP)
    ]
    assert [count for count, _, _ in seen] == list(range(1, len(seen) + 1))
    assert [finished for *_, finished in seen] == [False] * (len(seen) - 1) + [True]
    assert all(later[1].startswith(earlier[1]) for earlier, later in zip(seen, seen[1:], strict=False))
    last = reply(llama, HELLO, GREEDY, MAX_CHARS, CAP)
    assert last.reply == seen[-1][1] and last.generation.prompt == last.prompt.text
    assert all(step.alternatives for step in last.generation.samples[0].steps)


def test_a_chat_reply_gives_no_deprecation_warning(llama):
    with transformers_messages() as said:
        reply(llama, HELLO, GREEDY, MAX_CHARS, CAP)
    assert not [m for m in said if "deprecat" in m.lower() or "past_key_values" in m], said


# --- refusals --------------------------------------------------------------------------------------------


def user(content="Hi"):
    return {"role": "user", "content": content}


@pytest.mark.parametrize(
    "messages,message",
    [
        ("Hello", "must be a list of messages"),
        ({"role": "user", "content": "Hi"}, "must be a list of messages"),
        ([], "no messages yet"),
        (["Hello"], "Message 1 must be a role and a content"),
        ([{"content": "Hi"}], "Message 1 has no role"),
        ([{"role": "user"}], "Message 1 has no content"),
        ([user(), {"role": "robot", "content": "Hi"}, user()], "Message 2 has the role 'robot'"),
        ([{"role": "user", "content": 5}], "content of message 1 must be text"),
        ([user(), {"role": "assistant", "content": "  \n"}, user()], "Message 2 is empty"),
        (
            [
                user(""),
            ],
            "Message 1 is empty",
        ),
        ([user(), {"role": "system", "content": "Be kind."}, user()], "system message must come first"),
        (
            [{"role": "system", "content": "A"}, {"role": "system", "content": "B"}, user()],
            "at most one system message",
        ),
        ([user(), {"role": "assistant", "content": "Hello"}], "last message must be from the user"),
        ([{"role": "system", "content": "Be kind."}], "last one is from the system"),
        ([user("x" * 1500), user("y" * 600)], "2,100 characters long; the limit here is 2,000"),
        (
            [user(), {"role": "assistant", "content": "Hi"}] * 40 + [user()],
            "81 messages; the limit here is 64",
        ),
    ],
)
def test_every_bad_conversation_gets_its_sentence(llama, messages, message):
    with pytest.raises(InputError, match=message):
        reply(llama, messages, GREEDY, MAX_CHARS, CAP)


def test_every_chat_sentence_reads_in_chinese_too():
    with pytest.raises(InputError) as error:
        check_messages([user(), {"role": "assistant", "content": "Hi"}], MAX_CHARS)
    assert error.value.args[0].english in ZH
    with using("zh"):
        assert "最后一条消息必须来自用户" in str(error.value)


def test_a_model_without_a_chat_template_is_refused_clearly(tmp_path_factory):
    gpt2 = load(build_gpt2(tmp_path_factory.mktemp("gpt2") / "tiny-gpt2"), "generation")
    assert not has_chat_template(gpt2.tokenizer)
    with pytest.raises(InputError, match="has no chat template"):
        reply(gpt2, HELLO, GREEDY, MAX_CHARS, CAP)
    with pytest.raises(InputError, match="has no chat template"):
        chat_prompt(gpt2, HELLO, MAX_CHARS)


def test_a_conversation_over_the_context_is_refused_clearly(llama):
    long = [user("the cat sat on the mat " * 12)]  # about 70 tokens, the context is 64
    with pytest.raises(
        InputError, match=r"The conversation is \d+ tokens long, but with 20 new tokens only 44 fit"
    ):
        reply(llama, long, GREEDY, MAX_CHARS, CAP)
    fits = len(chat_prompt(llama, CONVERSATIONS[3], MAX_CHARS).ids)
    # one token too many: the oldest turn is left out (issue 26), as long as the last message fits alone
    over = reply(llama, CONVERSATIONS[3], GenerationParams(64 - fits + 1, temperature=0), MAX_CHARS, CAP)
    assert over.finished and over.dropped == 2
    last = len(chat_prompt(llama, CONVERSATIONS[3][-1:], MAX_CHARS).ids)
    with pytest.raises(InputError, match="fewer new tokens"):
        reply(llama, CONVERSATIONS[3], GenerationParams(64 - last + 1, temperature=0), MAX_CHARS, CAP)
    assert (
        reply(llama, CONVERSATIONS[3], GenerationParams(64 - fits, temperature=0), MAX_CHARS, CAP).dropped
        == 0
    )


def test_one_sample_only(llama):
    with pytest.raises(InputError, match="number of samples must be 1"):
        reply(llama, HELLO, GenerationParams(5, num_samples=2), MAX_CHARS, CAP)


def test_bad_settings_are_refused_as_in_generate(llama):
    with pytest.raises(InputError, match="Temperature"):
        reply(llama, HELLO, GenerationParams(5, temperature=-1), MAX_CHARS, CAP)


# --- attention of a grouped-query model ------------------------------------------------------------------


def test_attention_of_the_grouped_query_llama_equals_its_own_output_attentions(llama, llama_dir):
    text = chat_prompt(llama, CONVERSATIONS[2], MAX_CHARS).text
    result = attention(llama, text, MAX_CHARS, 64)
    config = llama.model.config
    tokens = len(llama.tokenizer(text, add_special_tokens=False)["input_ids"])
    assert result.causal
    assert result.attentions.shape == (config.num_hidden_layers, config.num_attention_heads, tokens, tokens)
    eager = AutoModelForCausalLM.from_pretrained(llama_dir, attn_implementation="eager").eval()
    ids = torch.tensor([result.token_ids])
    with torch.inference_mode():
        own = eager(input_ids=ids, output_attentions=True).attentions
    np.testing.assert_allclose(result.attentions, torch.stack([a[0] for a in own]).numpy(), atol=1e-6)
    np.testing.assert_allclose(result.attentions.sum(-1), 1.0, atol=1e-5)
    assert np.all(np.triu(result.attentions, k=1) == 0)  # causal: nothing after a token is looked at


# --- the picture ---------------------------------------------------------------------------------------------


def test_the_prompt_picture_escapes_hostile_text_and_shows_the_special_tokens(llama):
    hostile = [user('<script>alert("x")</script> & <b>bold</b>')]
    page = prompt_html(chat_prompt(llama, hostile, MAX_CHARS))
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page or "&lt;" in page
    assert "&lt;|im_start|&gt;" in page and "&lt;|im_end|&gt;" in page
    assert page.count("chat-special") - 1 == 3  # two <|im_start|>, one <|im_end|> (and the legend's box)
    assert "↵" in page and "<br>" in page
    assert 'title="token 1: &#x27;&lt;|im_start|&gt;&#x27;"' in page
    assert "<sub" in page


def test_the_prompt_picture_marks_each_kind_of_token(llama):
    page = prompt_html(chat_prompt(llama, CONVERSATIONS[2], MAX_CHARS))
    for kind in ("special", "template", "system", "user"):
        assert f"chat-tok chat-{kind}" in page
    with using("zh"):
        assert "特殊词元" in prompt_html(chat_prompt(llama, HELLO, MAX_CHARS))


def test_the_reply_picture_colours_its_tokens(llama):
    page = reply_html(reply(llama, HELLO, GREEDY, MAX_CHARS, CAP))
    assert page.count('class="tok"') == len(reply(llama, HELLO, GREEDY, MAX_CHARS, CAP).generation.token_ids)
    assert "&lt;|im_end|&gt;" in page
