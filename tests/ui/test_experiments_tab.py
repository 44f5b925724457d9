"""The Experiments tab's handlers and pictures: the maps are the task's scores, a click on a cell picks that
head, the ablation and patching charts carry the task's numbers, the KV cache table its steps, the tokenizer lab
its pieces (a Chinese character of three byte tokens as the character, "3 tokens"), and hostile text stays text."""

from __future__ import annotations

import types

import numpy as np
import pytest

from playground.i18n import using
from playground.tasks.experiments import heads, tokenizer_lab
from playground.tasks.validation import InputError
from playground.ui import experiments as tab
from playground.ui.context import Context

TEXT = "The cat sat on the mat. The cat sat on the mat."


@pytest.fixture(scope="module")
def context(settings, manager) -> Context:
    return Context.create(settings, manager)


@pytest.fixture(scope="module")
def found(context) -> dict:
    return tab.find_heads(context, "generation", TEXT, progress=None)


def test_the_maps_are_the_scores_and_a_click_picks_a_head(found):
    result = found["heads_state"]
    for kind in heads.KINDS:
        frame = found[f"map_{kind}"].data
        assert np.allclose(frame.iloc[:, 1:].to_numpy(dtype=float), np.round(result.scores[kind], 2))
        assert list(frame.columns[1:]) == [str(h) for h in range(1, result.num_heads + 1)]
    assert "**" in found["top"] and "Induction" in found["top"]
    pick = tab.head_picker("induction")
    picked = pick(result, "1.1", types.SimpleNamespace(index=[1, 2]))  # layer 2, head 2
    assert picked["chosen"] == "1.1, 2.2"
    assert "Layer 2, head 2" in picked["pattern"].layout.title.text
    assert pick(result, "1.1", types.SimpleNamespace(index=[1, 0])) == {}  # the layer column
    added = tab.heads_above(result, "first_token", 0.0, "")
    assert added["chosen"].count(".") == result.num_layers * result.num_heads
    with pytest.raises(InputError, match="Find heads"):
        pick(None, "", types.SimpleNamespace(index=[0, 1]))


def test_ablation_chart_shows_both_distributions(context):
    out = tab.knock_out(context, "generation", TEXT, "1.1, 2.2", "zero", progress=None)
    before, after = out["ablation_plot"].data
    assert len(before.x) == len(after.x) == 10 and "1.1, 2.2" in out["ablation_plot"].layout.title.text
    assert "before" in out["ablation_info"] and out["ablation_lens"] is not None
    classifier = tab.knock_out(context, "sentiment", TEXT, "1.1", "mean", progress=None)
    assert classifier["ablation_lens"] is None and "labels" in classifier["ablation_info"]


def test_patching_heatmap_has_the_tokens_on_its_axis(context):
    out = tab.run_patching(
        context, "generation", "The cat sat on the mat.", "The fox sat on the mat.", "", " the", progress=None
    )
    figure = out["patch_plot"].data[0]
    assert any("→" in name for name in figure.x)  # where the prompts differ: clean → corrupted
    assert np.asarray(figure.z, dtype=float).shape == (len(figure.y), len(figure.x))
    with pytest.raises(InputError, match="same number"):
        tab.run_patching(
            context, "generation", "The cat sat.", "The big dog sat down today.", "", "", progress=None
        )


def test_kv_cache_table_and_chart(context):
    out = tab.run_kv_cache(context, "chat", "Hello", 4, progress=None)
    table = out["kv_table"]
    assert table.iloc[0, 1] == "prefill" and len(table) == len(out["kv_plot"].data[0].x) <= 4
    assert "Grouped-query attention" in out["kv_info"]  # the tiny Llama: 4 query heads, 2 key/value heads
    with using("zh"):
        assert "分组查询注意力" in tab.run_kv_cache(context, "chat", "Hello", 2, progress=None)["kv_info"]


def test_tokenizer_lab_steps_through_merges_and_never_shows_a_replacement_character(context):
    text = "今天天气很好\n今天天气很好\n<b>bold</b>\n"
    out = tab.train_lab(context, text, 300, 2)
    trained = out["lab_state"]
    assert out["lab_merges"].maximum == len(trained.merges)
    bytes_only = tab.retokenize(trained, 0)["lab_pieces"]
    assert "今" in bytes_only and "3 tokens" in bytes_only and "\ufffd" not in bytes_only
    merged = tab.retokenize(trained, len(trained.merges))["lab_pieces"]
    assert (
        "&lt;" in merged and "<b>bold" not in merged and "<b>b" not in bytes_only
    )  # the user's text stays text
    assert tab.retokenize(trained, len(trained.merges))["lab_table"].shape[0] > 0
    compared = tab.compare_lab(context, "今天 cat", progress=None)["lab_compare"]
    assert compared.count("lab-pieces") == 3 and "\ufffd" not in compared
    with pytest.raises(InputError, match="Train"):
        tab.retokenize(None, 3)


def test_model_pieces_group_byte_tokens_into_characters(manager):
    pieces, count = tokenizer_lab.model_pieces(manager.get("generation").tokenizer, "今")
    assert [(p.text, p.tokens) for p in pieces] == [("今", 3)] and count == 3


def test_the_api_handlers_return_the_issue_s_shapes(context):
    assert set(tab.heads_api(context, TEXT)) == {"model", "tokens", "scores"}
    assert set(tab.ablate_api(context, TEXT, heads="1.1")) == {"before", "after"}
    body = tab.kv_cache_api(context, "The cat", new_tokens=2)
    assert [s["kind"] for s in body["steps"]] == ["prefill", "decode"][: len(body["steps"])]
    assert set(tab.train_tokenizer_api(context, "the cat the cat", 260)) == {"merges", "vocab_size"}
    with pytest.raises(InputError, match="Unknown model"):
        tab.heads_api(context, TEXT, model="nope")
