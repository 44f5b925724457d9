"""Generation with a GPT-2 that reads through a BERT tokenizer, like uer/gpt2-chinese-cluecorpussmall:
the same tokens as `model.generate`, Chinese text without the spaces WordPiece decoding puts between
characters, word pieces joined, no end-of-text token, [UNK] and [SEP] handled."""

from __future__ import annotations

import re

import pytest
import torch

from playground.models import ModelManager
from playground.tasks.attention import attention_of_ids
from playground.tasks.generation import (
    GenerationParams,
    encode_context,
    generate,
    next_token,
    perplexity,
    reproduction_code,
)
from playground.tasks.text import readable_text, readable_token, spaced_decoding, token_strings, token_text
from playground.viz import tokens

MAX_CHARS, CAP = 2000, 40
SPACE_BETWEEN_CHINESE = re.compile(r"[\u4e00-\u9fff，。] +[\u4e00-\u9fff，。]")


@pytest.fixture(scope="module")
def gpt2_zh(chinese_gpt2_dir, tiny_model_dirs):
    return ModelManager({**tiny_model_dirs, "generation": chinese_gpt2_dir}, device="cpu").get("generation")


def reference_ids(loaded, prompt: str, max_new_tokens: int, seed: int | None = None, **kwargs) -> list[int]:
    """New token ids from transformers' own generate, on the ids the playground feeds the model."""
    ids = loaded.tokenizer(prompt, add_special_tokens=False, return_tensors="pt").input_ids
    if seed is not None:
        torch.manual_seed(seed)
    kwargs = {
        "eos_token_id": loaded.tokenizer.sep_token_id,
        **kwargs,
    }  # the playground stops at [SEP] (issue 26)
    out = loaded.model.generate(
        ids, attention_mask=torch.ones_like(ids), pad_token_id=0, max_new_tokens=max_new_tokens, **kwargs
    )
    return out[0, ids.shape[1] :].tolist()


def without_chinese_spaces(text: str) -> str:
    return re.sub(r"(?<=[\u4e00-\u9fff，。]) +(?=[\u4e00-\u9fff，。])", "", text)


def test_the_tokenizer_is_bert_style_and_there_is_no_end_of_text_token(gpt2_zh):
    tokenizer = gpt2_zh.tokenizer
    assert type(tokenizer).__name__ == "BertTokenizer" and tokenizer.eos_token_id is None
    assert (
        spaced_decoding(tokenizer)
        and tokenizer.decode(tokenizer.convert_tokens_to_ids(["今", "天"])) == "今 天"
    )


@pytest.mark.parametrize("prompt", ["今天", "老师在教室里", "我喜欢学习"])
@pytest.mark.parametrize("penalty", [1.0, 1.3])
def test_greedy_equals_generate_and_reads_without_spaces(gpt2_zh, prompt, penalty):
    params = GenerationParams(CAP, temperature=0, repetition_penalty=penalty)
    ours = generate(gpt2_zh, prompt, params, MAX_CHARS, CAP)
    assert ours.token_ids == reference_ids(gpt2_zh, prompt, CAP, do_sample=False, repetition_penalty=penalty)
    # the model has no end-of-text token: its [SEP], which closed every text it learnt from, ends the text
    assert len(ours.token_ids) == CAP or ours.token_ids[-1] == gpt2_zh.tokenizer.sep_token_id
    reference_text = gpt2_zh.tokenizer.decode(ours.prompt_ids + ours.token_ids, skip_special_tokens=True)
    assert ours.generated_text == without_chinese_spaces(reference_text)
    assert ours.generated_text.startswith(prompt) and not SPACE_BETWEEN_CHINESE.search(ours.generated_text)


@pytest.mark.parametrize("temperature,top_k,top_p", [(1.0, 50, 1.0), (0.8, 10, 0.9), (1.5, 0, 0.5)])
def test_seeded_sampling_equals_generate_with_the_same_seed(gpt2_zh, temperature, top_k, top_p):
    params = GenerationParams(25, temperature, top_k, top_p, repetition_penalty=1.1, seed=2024)
    ours = generate(gpt2_zh, "北京是", params, MAX_CHARS, CAP)
    ref = reference_ids(
        gpt2_zh, "北京是", 25, seed=2024, do_sample=True, temperature=temperature, top_k=top_k, top_p=top_p,
        repetition_penalty=1.1,
    )  # fmt: skip
    assert ours.token_ids == ref
    assert not SPACE_BETWEEN_CHINESE.search(ours.generated_text)


def test_shown_tokens_read_as_the_text(gpt2_zh):
    result = generate(gpt2_zh, "我们一起", GenerationParams(30, temperature=0.9, seed=3), MAX_CHARS, CAP)
    steps = result.samples[0].steps
    special = set(gpt2_zh.tokenizer.all_special_ids)
    assert "".join(s.token for s in steps if s.token_id not in special) == result.samples[0].continuation
    assert all(" " not in s.token for s in steps)  # one character each, no space before it
    assert {s.token for s in steps if s.token_id in special} <= {"[SEP]", "[UNK]", "[CLS]", "[PAD]"}
    shown = re.findall(r'<span class="tok"[^>]*>([^<]*)</span>', tokens.result_html(result))
    assert shown == [s.token for s in steps]


def test_word_pieces_and_mixed_text(gpt2_zh):
    tokenizer = gpt2_zh.tokenizer
    walk, ing, jin, tian = tokenizer.convert_tokens_to_ids(["walk", "##ing", "今", "天"])
    assert readable_text(tokenizer, [walk, ing, jin, tian]) == "walking 今天"
    assert token_text(tokenizer, ing, walk) == "ing" and token_text(tokenizer, tian, jin) == "天"
    assert (
        token_text(tokenizer, jin, ing) == " 今"
    )  # between a Latin word and a character: a space, as decoded
    assert token_strings(tokenizer, [walk, ing]) == ["walk", "##ing"]  # attention labels keep the raw piece


def test_unknown_characters_and_upper_case_in_the_prompt(gpt2_zh):
    prompt = "Walk 😀 今天"
    result = generate(gpt2_zh, prompt, GenerationParams(10, temperature=0), MAX_CHARS, CAP)
    assert gpt2_zh.tokenizer.unk_token_id in result.prompt_ids  # the emoji is not in the vocabulary
    assert result.generated_text.startswith(prompt)  # the prompt stays as typed, not "walk [UNK] 今 天"
    assert result.token_ids == reference_ids(gpt2_zh, prompt, 10, do_sample=False)


def test_step_mode_next_token_perplexity_and_attention(gpt2_zh):
    params = GenerationParams(1, temperature=0.9, seed=11)
    context, _ = encode_context(gpt2_zh, "今天天气", MAX_CHARS)
    drawn, state = [], None
    for _ in range(6):
        step = next_token(gpt2_zh, context + drawn, params, top_n=5, draw_one=True, rng_state=state)
        drawn.append(step.drawn_id)
        state = step.rng_state
        assert " " not in step.drawn_text
    streamed = generate(gpt2_zh, "今天天气", GenerationParams(6, temperature=0.9, seed=11), MAX_CHARS, CAP)
    assert (
        drawn[: len(streamed.token_ids)] == streamed.token_ids
    )  # a generation ends at [SEP]; step mode goes on

    scored = perplexity(gpt2_zh, streamed.prompt_ids, drawn)
    assert scored.tokens[:4] == ["今", "天", "天", "气"] and len(scored.logprobs) == 10
    assert scored.generated_perplexity > 0

    seen = attention_of_ids(gpt2_zh, streamed.prompt_ids + drawn, 64, prompt_length=4)
    assert seen.tokens[:4] == ["今", "天", "天", "气"] and seen.attentions.shape[-1] == 10
    assert seen.causal


def test_show_code_reproduces_the_tokens(gpt2_zh, capsys):
    params = GenerationParams(12, temperature=0.8, top_k=20, seed=9)
    result = generate(gpt2_zh, "这是很久之前", params, MAX_CHARS, CAP)
    exec(compile(reproduction_code(gpt2_zh.model_id, "这是很久之前", params), "<snippet>", "exec"), {})
    printed = capsys.readouterr().out.strip()
    assert without_chinese_spaces(printed) == result.generated_text


def test_gpt2_text_and_tokens_are_left_as_decode_gives_them(manager):
    gpt2 = manager.get("generation")
    ids = gpt2.tokenizer("The cat sat on the mat.")["input_ids"]
    assert not spaced_decoding(gpt2.tokenizer)
    assert readable_text(gpt2.tokenizer, ids) == gpt2.tokenizer.decode(ids)
    shown = [token_text(gpt2.tokenizer, i, previous) for previous, i in zip(ids, ids[1:], strict=False)]
    assert shown == token_strings(gpt2.tokenizer, ids[1:])


def test_a_byte_level_piece_of_a_character_reads_as_its_bytes_never_as_a_replacement(manager):
    gpt2 = manager.get("generation")  # byte-level BPE trained on English: a Chinese character is 3 bytes
    tokenizer = gpt2.tokenizer
    halves = [i for i in range(len(tokenizer)) if "\ufffd" in tokenizer.decode([i])]
    assert halves  # the vocabulary has pieces that are part of a character
    for i in range(len(tokenizer)):
        assert "\ufffd" not in readable_token(tokenizer, i)
    ids = tokenizer("猫")["input_ids"]
    assert (
        "".join(token_strings(tokenizer, ids))
        == "<0xE7><0x8C><0xAB>"
        == "".join(token_text(tokenizer, i, None) for i in ids)
    )
    assert token_strings(tokenizer, tokenizer(" cat")["input_ids"]) == [
        tokenizer.decode(tokenizer(" cat")["input_ids"])
    ]


def test_the_kv_cache_view_ends_at_sep_as_generate_does(gpt2_zh):
    """Experiments' KV cache runs greedy decoding: it ends where Generate ends, at [SEP] (it wrote runs of
    [SEP] after the sentence), with the same tokens as `model.generate` told that [SEP] ends a text."""
    from playground.tasks.experiments import kv_cache

    prompt = "今天"
    new = kv_cache.MAX_NEW_TOKENS
    result = kv_cache.kv_cache(gpt2_zh, prompt, MAX_CHARS, 64, new_tokens=new)
    ids = [t.token_id for t in result.tokens]
    assert ids == reference_ids(gpt2_zh, prompt, new, do_sample=False)
    sep = gpt2_zh.tokenizer.sep_token_id
    assert ids[-1] == sep and sep not in ids[:-1] and len(ids) < new
