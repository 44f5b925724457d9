"""Byte tokens in every chart and table (issue 28, point 5): a character that several tokens make reads as that
character on each of them, with its place among them ('中 1/3', '中 2/3', '中 3/3'), never as '�' nor as its
bytes '<0xE4>'; one axis category per token still. Checked on Chinese text with the tiny GPT-2 (byte-level BPE
trained on English: every Chinese character is three byte tokens) and a tiny Llama with SentencePiece-style
byte fallback (each byte a `<0xE4>` token)."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from playground.i18n import using
from playground.tasks import attention, evaluation, generation, inside
from playground.tasks.chat import chat_prompt
from playground.tasks.experiments import ablation, kv_cache, patching
from playground.tasks.text import token_strings
from playground.ui.inside import _query_choices
from playground.viz import attention as attention_viz
from playground.viz import bertviz, charts, chat
from playground.viz import evaluation as evaluation_viz
from playground.viz import experiments as experiments_viz
from playground.viz import inside as inside_viz
from playground.viz.marks import grouped_note, piece_label, token_labels
from tests.tiny_models import tiny_byte_fallback_llama

TEXT = "The 中文好。"  # 中 and 文 are three byte tokens each in both tokenizers


@pytest.fixture(scope="module")
def models(manager) -> dict:
    return {"gpt2": manager.get("generation"), "llama": tiny_byte_fallback_llama()}


def strings(value) -> list[str]:
    """Every string inside a figure's JSON (or a list/dict/table of them)."""
    if isinstance(value, go.Figure):
        value = value.to_plotly_json()
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in strings(item)]
    if hasattr(value, "tolist"):
        return strings(value.tolist())
    return []


def assert_reads_as_characters(value, characters: str = "中文") -> None:
    shown = strings(value)
    text = "\n".join(shown)
    assert "\ufffd" not in text and "<0x" not in text
    for character in characters:
        assert any(f"{character} 1/3" in s for s in shown), character
        assert any(f"{character} 3/3" in s for s in shown), character


@pytest.mark.parametrize("name", ["gpt2", "llama"])
def test_each_token_of_a_character_is_labelled_with_it_and_its_place(models, name):
    tokenizer = models[name].tokenizer
    ids = tokenizer(TEXT)["input_ids"]
    raw = token_strings(tokenizer, ids)
    assert any("<0x" in t for t in raw)  # the text really is cut into bytes
    labels = token_labels(raw)
    assert len(labels) == len(raw)  # one label per token: axis categories stay one per token
    assert labels.count("中 1/3") == labels.count("中 2/3") == labels.count("中 3/3") == 1
    assert ["文 1/3", "文 2/3", "文 3/3"] == [label for label in labels if label.startswith("文")]
    assert "好" in "".join(labels) and not any("<0x" in label for label in labels)
    assert grouped_note(raw).startswith("A character made of several tokens") and "中 3/3" in grouped_note(
        raw
    )
    assert grouped_note(["The", " cat"]) == ""
    assert token_labels(["a", "<0xE4>"]) == ["a", "byte E4"]  # a text cut inside a character
    assert token_labels(["<0xCB>", "\x18"]) == ["byte CB", "\x18"]  # invalid UTF-8: no character to show
    assert piece_label("<0xE4><0xB8>") == "bytes E4 B8" and piece_label(" cat") == " cat"
    with using("zh"):
        assert piece_label("<0xE4>") == "字节 E4" and "「中」的 3 个词元" in grouped_note(raw)


@pytest.mark.parametrize("name", ["gpt2", "llama"])
def test_attention_views_read_characters(models, name):
    result = attention.attention(models[name], TEXT, 100, 64)
    for kind in ("head", "layer", "overview"):
        figure = attention_viz.view_figure(attention_viz.make_view(result, kind))
        assert_reads_as_characters(figure)
    heatmap = attention_viz.view_figure(attention_viz.make_view(result, "head")).data[0]
    assert len(set(heatmap.x)) == len(heatmap.x) == len(result.tokens)  # still one column per token
    document = bertviz.bertviz_document("head", result.tokens, result.attentions[:1], [0], [0], 4, "t")
    assert '"\\u4e2d 1/3"' in document  # the JSON bertviz reads: 中 1/3
    assert "<0x" not in document and "\\u003c0x" not in document


@pytest.mark.parametrize("name", ["gpt2", "llama"])
def test_inside_charts_read_characters(models, name):
    loaded = models[name]
    step = inside.head_step(loaded, TEXT, 100, 64, 1, 1)
    for figure in inside_viz.head_step_figures(step).values():
        if figure is not None and figure.data and figure.data[0].y is not None:
            assert "<0x" not in "".join(strings(figure)) and "\ufffd" not in "".join(strings(figure))
    assert_reads_as_characters(inside_viz.head_step_figures(step)["weights"])
    lens = inside.logit_lens(loaded, TEXT, 100, 64, top_k=3)
    figure = inside_viz.logit_lens_figure(lens, causal=True)
    assert_reads_as_characters(figure)  # the columns; the predictions: a lone byte as 'byte E4'
    assert_reads_as_characters(inside_viz.embeddings_figure(inside.embeddings(loaded, TEXT, 100, 64)))
    assert_reads_as_characters([name for name, _i in _query_choices(inside.tokenize(loaded, TEXT, 100))])


@pytest.mark.parametrize("name", ["gpt2", "llama"])
def test_evaluate_and_generate_charts_read_characters(models, name):
    loaded = models[name]
    assert_reads_as_characters(
        evaluation_viz.surprise_figure(evaluation.text_perplexity(loaded, TEXT, 100), "A")
    )
    ids = loaded.tokenizer(TEXT)["input_ids"]
    assert_reads_as_characters(charts.perplexity_figure(generation.perplexity(loaded, ids[:2], ids[2:])))
    params = generation.GenerationParams(max_new_tokens=1, temperature=1.0, top_k=0, seed=0)
    candidates = charts.next_token_figure(generation.next_token(loaded, ids[:3], params, top_n=40))
    assert "<0x" not in "".join(strings(candidates)) and "\ufffd" not in "".join(strings(candidates))


@pytest.mark.parametrize("name", ["gpt2", "llama"])
def test_experiments_read_characters(models, name):
    loaded = models[name]
    answers = (" the", " cat") if name == "gpt2" else ("The", "T")  # one token each
    patched = patching.patch(loaded, "The 中文好。", "The 中字好。", 100, *answers)
    figure = experiments_viz.patching_figure(patched)
    assert_reads_as_characters(figure)
    assert any("字 1/3" in s for s in strings(figure.data[0].x))  # the clean → corrupted columns
    assert len(set(figure.data[0].x)) == len(patched.tokens)
    ablated = ablation.ablate(loaded, TEXT, 100, 64, "1.1")
    shown = strings(experiments_viz.ablation_figure(ablated)) + [experiments_viz.ablation_summary(ablated)]
    assert "<0x" not in "".join(shown) and "\ufffd" not in "".join(shown)
    cache = kv_cache.kv_cache(loaded, TEXT, 100, 64, new_tokens=6)
    table = experiments_viz.kv_table(cache)
    assert not any("<0x" in s or "\ufffd" in s for s in strings(table.to_dict("list")))


def test_inside_groups_a_byte_fallback_character_under_it(models):
    """Llama's byte-fallback pieces give each byte the whole character's offsets: they read as the bytes they are,
    so the chips group them under 中 with the mark, as GPT-2's byte-level pieces are."""
    tokens = inside.tokenize(models["llama"], TEXT, 100)
    assert [t.text for t in tokens.tokens[2:5]] == ["<0xE4>", "<0xB8>", "<0xAD>"]
    assert (tokens.tokens[2].start, tokens.tokens[2].end) == (4, 5)  # the character they share
    assert "中<sub class='tokens-mark'>3 tokens</sub>" in inside_viz.tokens_html(tokens)


def test_the_chat_template_boxes_read_characters(manager):
    loaded = manager.get("chat")  # Llama-like, byte-level BPE: Chinese is cut into bytes
    prompt = chat_prompt(loaded, [{"role": "user", "content": "中文"}], 100)
    assert any("<0x" in t.text for t in prompt.tokens)
    shown = chat.prompt_html(prompt)
    assert "<0x" not in shown and "&lt;0x" not in shown and "\ufffd" not in shown
    assert "中 1/3" in shown and "文 3/3" in shown


def test_sentiment_why_names_a_byte_level_words_pieces_as_characters(models):
    """Sentiment's "Why?" colours each word of a byte-level classifier's text once (a character's three byte
    pieces are one word, not 中 three times) and lists its pieces in the tooltip as the characters they make
    ('中 1/3'), not as GPT-2's raw byte pieces ('ä¸Ń')."""
    import copy

    import torch
    from transformers import GPT2Config, GPT2ForSequenceClassification

    from playground.models import LoadedModel
    from playground.tasks.explain import explain
    from playground.viz.highlight import attribution_html

    generation_model = models["gpt2"]
    tokenizer = copy.deepcopy(generation_model.tokenizer)  # the shared one stays as it is
    tokenizer.pad_token = tokenizer.eos_token
    config = GPT2Config(
        vocab_size=len(tokenizer), n_embd=32, n_layer=2, n_head=2, n_positions=64, num_labels=2
    )
    config.pad_token_id = tokenizer.pad_token_id
    torch.manual_seed(0)
    model = GPT2ForSequenceClassification(config).eval()
    classifier = LoadedModel("sentiment", "tiny-gpt2-classifier", model, tokenizer, torch.device("cpu"))
    result = explain(classifier, "The 中文好", 1000, None)
    assert [word.text for word in result.words] == ["The", " ", "中", "文", "好"]  # one word a character
    pieces = [piece for word in result.words for piece, _score in word.pieces]
    assert "\ufffd" not in "".join(pieces) and not any("ä" in piece for piece in pieces)
    shown = attribution_html(result)
    assert "中 1/3" in shown and "文 3/3" in shown and "<0x" not in shown
