"""The attention explorer's views, bertviz documents and exports, without a browser.

Views must keep what the model computed: every row a probability distribution (also after mean, rollout and
hiding special tokens), GPT-2's future masked, the [MASK] rows and generated-text attention equal to the
model's own output_attentions. Payloads stay small; user text reaching HTML is escaped.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest
import torch
from transformers import AutoModel

from playground import export
from playground.tasks import attention_ops as ops
from playground.tasks.attention import attention, attention_of_ids, mask_attention
from playground.tasks.validation import InputError
from playground.viz import attention as attention_viz
from playground.viz import bertviz
from tests.helpers import synthetic

TEXT = "The cat sat on the mat, and the cat slept."
XSS = "<img src=x onerror=alert(1)>"
SCRIPT_CLOSE = "</script><script>alert(2)</script>"
URL = re.compile(r"https?://", re.IGNORECASE)


def script_elements(document: str) -> int:
    """How many <script> elements an HTML parser finds (a token cannot have closed one early)."""

    class Counter(HTMLParser):
        count = 0

        def handle_starttag(self, tag, attrs):
            self.count += tag == "script"

    parser = Counter()
    parser.feed(document)
    return parser.count


def model_attentions(loaded, ids: list[int]) -> np.ndarray:
    """(layers, heads, T, T) from a fresh eager copy of the model: the reference."""
    reference = AutoModel.from_pretrained(loaded.model_id, attn_implementation="eager").eval()
    with torch.no_grad():
        out = reference(input_ids=torch.tensor([ids]), output_attentions=True)
    return torch.stack(out.attentions)[:, 0].numpy()


# --- values equal the model's own ---------------------------------------------------------------


def test_generated_text_attention_equals_output_attentions(manager):
    loaded = manager.get("generation")
    ids = loaded.tokenizer("The cat sat on the mat")["input_ids"] + [5, 17, 42]  # prompt + "generated"
    result = attention_of_ids(loaded, ids, 128, prompt_length=6)
    np.testing.assert_allclose(result.attentions, model_attentions(loaded, ids), atol=1e-6)
    assert result.prompt_length == 6 and result.token_ids == ids and result.causal


def test_generated_text_is_cut_at_the_cap_and_empty_text_is_refused(manager):
    loaded = manager.get("generation")
    ids = loaded.tokenizer("the cat sat on the mat " * 10)["input_ids"]
    result = attention_of_ids(loaded, ids, 12, prompt_length=3)
    assert len(result.tokens) == 12 and "first 12" in result.notices[0]
    # causal: the first 12 tokens attend exactly as they do inside the longer text
    np.testing.assert_allclose(result.attentions, model_attentions(loaded, ids)[..., :12, :12], atol=1e-6)
    with pytest.raises(InputError, match="generate some first"):
        attention_of_ids(loaded, [], 12)


def test_mask_rows_equal_the_mean_over_heads_of_output_attentions(manager):
    loaded = manager.get("fill-mask")
    result = mask_attention(loaded, "The [MASK] sat on the <mask>.", 2000, 128)
    ids = loaded.tokenizer("The [MASK] sat on the [MASK].")["input_ids"]
    expected = model_attentions(loaded, ids).mean(axis=1)  # (layers, T, T)
    assert result.positions == [i for i, t in enumerate(ids) if t == loaded.tokenizer.mask_token_id]
    assert result.weights.shape == (2, expected.shape[0], len(ids))
    for i, position in enumerate(result.positions):
        np.testing.assert_allclose(result.weights[i], expected[:, position, :], atol=1e-6)
    np.testing.assert_allclose(result.weights.sum(-1), 1.0, atol=1e-5)
    with pytest.raises(InputError, match="no \\[MASK\\]"):
        mask_attention(loaded, "No blank here.", 2000, 128)


def test_special_tokens_are_marked(manager):
    bert = attention(manager.get("fill-mask"), TEXT, 2000, 128)
    assert bert.special[0] and bert.special[-1] and not any(bert.special[1:-1])
    assert bert.tokens[0] == "[CLS]" and bert.tokens[-1] == "[SEP]"
    gpt2 = attention(manager.get("generation"), TEXT + "<|endoftext|>", 2000, 128)
    assert gpt2.special[-1] and gpt2.tokens[-1] == "<|endoftext|>" and not any(gpt2.special[:-1])


# --- rows sum to 1, causal stays causal -----------------------------------------------------------


@pytest.mark.parametrize("task", ["fill-mask", "generation", "sentiment"])
@pytest.mark.parametrize("hide", [False, True])
def test_every_view_keeps_rows_summing_to_one(manager, task, hide):
    result = attention(manager.get(task), TEXT + " <|endoftext|>", 2000, 128)
    for kind in ops.VIEWS:
        view = attention_viz.make_view(result, kind, layer=2, head=2, hide_special=hide)
        np.testing.assert_allclose(view.panels.sum(-1), 1.0, atol=1e-5, err_msg=f"{task} {kind}")
        assert view.panels.shape[-1] == len(view.tokens)
        if result.causal:
            upper = np.triu_indices(len(view.tokens), k=1)
            assert np.all(view.panels[:, upper[0], upper[1]] == 0), kind
        if hide:
            assert not {"[CLS]", "[SEP]", "<|endoftext|>"} & set(view.tokens)
    assert attention_viz.make_view(result, "overview").panels.shape[0] == result.num_layers * result.num_heads
    assert attention_viz.make_view(result, "layer").panels.shape[0] == result.num_heads


def test_hiding_special_tokens_renormalises_the_rows_it_keeps():
    result = synthetic(["[CLS]", "a", "b", "c", "[SEP]"])
    view = attention_viz.make_view(result, "head", layer=1, head=2, hide_special=True)
    kept = result.attentions[0, 1][1:4, 1:4]
    np.testing.assert_allclose(view.panels[0], kept / kept.sum(-1, keepdims=True), rtol=1e-6)
    assert view.tokens == ["a", "b", "c"] and "[CLS], [SEP]" in view.notices[0]
    only_special = synthetic(["[CLS]", "[SEP]"])
    with pytest.raises(InputError, match="only special tokens"):
        attention_viz.make_view(only_special, "head", hide_special=True)


def test_rollout_follows_abnar_and_zuidema():
    result = synthetic(list("abcdef"), layers=3, heads=4)
    weights = result.attentions.astype(np.float64)
    flow = np.eye(6)
    for layer in range(3):
        mixed = 0.5 * weights[layer].mean(axis=0) + 0.5 * np.eye(6)  # rows of A sum to 1
        flow = mixed @ flow
        np.testing.assert_allclose(ops.rollout(weights)[layer], flow, atol=1e-12)
    np.testing.assert_allclose(ops.rollout(weights).sum(-1), 1.0, atol=1e-12)
    causal = ops.rollout(synthetic(list("abcdef"), layers=3, causal=True).attentions)
    assert np.all(causal[:, np.triu_indices(6, 1)[0], np.triu_indices(6, 1)[1]] == 0)


def test_mean_over_heads():
    result = synthetic(list("abcd"))
    view = attention_viz.make_view(result, "mean", layer=2)
    np.testing.assert_allclose(view.panels[0], result.attentions[1].mean(axis=0), rtol=1e-6)


def test_gpt2_figures_blank_the_future():
    view = attention_viz.make_view(synthetic(list("abcde"), causal=True), "head")
    z = attention_viz.view_figure(view).data[0].z
    assert all(z[q][k] is None for q in range(5) for k in range(5) if k > q)
    assert all(isinstance(z[q][k], float) for q in range(5) for k in range(q + 1))


def test_colours_can_follow_each_head_s_own_largest_weight():
    result = synthetic(list("abcdef"), layers=2, heads=3)
    one = attention_viz.view_figure(attention_viz.make_view(result, "head", 2, 3, own_scale=True))
    assert one.layout.coloraxis.cmax == pytest.approx(result.attentions[1, 2].max(), abs=1e-6)
    assert attention_viz.view_figure(attention_viz.make_view(result, "head")).layout.coloraxis.cmax == 1
    for kind in ("layer", "overview"):
        figure = attention_viz.view_figure(attention_viz.make_view(result, kind, own_scale=True))
        z = np.array([[np.nan if v is None else v for v in row] for trace in figure.data for row in trace.z])
        assert np.nanmax(z) == 1 and "%" in figure.data[0].hovertemplate  # a share of the panel's maximum
    layer = attention_viz.view_figure(attention_viz.make_view(result, "layer", 2, own_scale=True))
    for head, trace in enumerate(layer.data):  # each head divided by its own largest weight
        weights = result.attentions[1, head]
        assert np.allclose(trace.z, weights / weights.max(), atol=1e-3)


def test_small_multiples_name_their_tokens_when_they_are_few():
    figure = attention_viz.view_figure(attention_viz.make_view(synthetic(list("abcde"), heads=6), "layer"))
    assert figure.layout.yaxis.showticklabels and not figure.layout.yaxis2.showticklabels  # the first column
    shown_x = [axis for name, axis in figure.layout.to_plotly_json().items() if name.startswith("xaxis")]
    assert sum(bool(axis.get("showticklabels")) for axis in shown_x) == 4  # under the last row's 4 panels
    many = synthetic([f"t{i}" for i in range(30)], heads=6)
    assert not attention_viz.view_figure(attention_viz.make_view(many, "layer")).layout.yaxis.showticklabels


def test_small_multiples_colour_bar_is_under_their_token_labels():
    """The labels under the last row turn by 60 degrees down into the margin; the colour bar sat right under the
    panels, its title on a panel's "[CLS]" (a layer's 4 heads at 390 px in 中文)."""
    tokens = ["[CLS]", "小", "猫", "没", "有", "过", "马", "路", "[SEP]"]
    figure = attention_viz.view_figure(attention_viz.make_view(synthetic(tokens, heads=4), "layer"))
    layout = figure.layout
    plot = layout.height - layout.margin.t - layout.margin.b  # pixels of the panels, paper y 0 to 1
    labels = 0.87 * 0.6 * 12 * len("[CLS]")  # "[CLS]" at 12 px, turned by 60 degrees
    assert -layout.coloraxis.colorbar.y * plot >= labels
    assert layout.margin.b >= 70 + labels  # room for the labels and the bar below them


# --- choices, caps, payload -----------------------------------------------------------------------


def test_layer_and_head_choices():
    assert ops.parse_selection("1-3, 7", 12, "layer") == [0, 1, 2, 6]
    assert ops.parse_selection("", 4, "head") == [0, 1, 2, 3]
    assert ops.parse_selection("all", 2, "head") == [0, 1]
    for bad, message in [
        ("x", "Could not read"),
        ("0", "no layer 0"),
        ("13", "no layer 13"),
        ("2-", "Could not"),
    ]:
        with pytest.raises(InputError, match=message):
            ops.parse_selection(bad, 12, "layer")
    with pytest.raises(InputError, match="at least one head"):
        ops.check_selection([], 12, "head")


def test_token_caps_keep_big_views_in_budget():
    assert ops.token_cap(1, ops.PLOT_CELL_BUDGET, 128) == 128
    assert ops.token_cap(12, ops.PLOT_CELL_BUDGET, 128) == 100  # one layer's 12 heads
    assert ops.token_cap(144, ops.PLOT_CELL_BUDGET, 128) == 28  # 12 x 12 overview
    assert ops.token_cap(144, ops.BERTVIZ_LINE_BUDGET, 128) == 32


def test_plotly_payload_for_128_tokens_on_a_12_by_12_model_is_under_1_mb():
    tokens = ["[CLS]"] + [f"word{i}" for i in range(126)] + ["[SEP]"]
    full = synthetic(tokens, layers=12, heads=12)
    for kind in ("head", "mean", "rollout"):
        size = len(attention_viz.view_figure(attention_viz.make_view(full, kind, layer=12)).to_json())
        assert size < 1_000_000, (kind, size)
    # the grids read only as many tokens as their budget allows (the UI cuts the text there)
    for kind, matrices in (("layer", 12), ("overview", 144)):
        cap = ops.token_cap(matrices, ops.PLOT_CELL_BUDGET, 128)
        cut = synthetic(tokens[:cap], layers=12, heads=12)
        size = len(attention_viz.view_figure(attention_viz.make_view(cut, kind)).to_json())
        assert size < 1_000_000, (kind, size)


def test_values_are_rounded_for_transport():
    figure = attention_viz.view_figure(attention_viz.make_view(synthetic(list("abcdef")), "head"))
    assert all(round(v, 3) == v for row in figure.data[0].z for v in row)
    assert re.search(r"\d\.\d{4,}", json.dumps(figure.data[0].z)) is None


# --- escaping ---------------------------------------------------------------------------------------


def test_user_text_is_escaped_in_every_plotly_view():
    result = synthetic(["[CLS]", XSS, SCRIPT_CLOSE, "a & b", XSS, "[SEP]"])
    figures = [attention_viz.view_figure(attention_viz.make_view(result, kind)) for kind in ops.VIEWS]
    for figure in figures:
        payload = figure.to_json()
        assert "<img" not in payload and "<script" not in payload and "</script" not in payload
        assert "&lt;img src=x onerror=alert(1)&gt;" in json.loads(payload)["data"][0]["x"][1]
    x = figures[0].data[0].x
    assert len(set(x)) == len(x)  # the repeated token keeps its own column


def test_bertviz_document_is_offline_and_escaped():
    result = synthetic(["[CLS]", XSS, SCRIPT_CLOSE, "http://example.com", "[SEP]"])
    for view in ("head", "model"):
        document = bertviz.view_document(
            view, result.model_id, result.tokens, result.attentions, [0, 1], [0, 2]
        )
        assert document.startswith("<!DOCTYPE html>")
        assert not URL.search(document), URL.search(document)
        assert "cdnjs" not in document and not re.search(r"require\.config\(\{\s*paths", document)
        assert "<img" not in document and "alert(2)</script>" not in document
        assert script_elements(document) == 5  # d3, jQuery, require.js, the named modules, bertviz
        assert "d3 5.7.0" in document and "jQuery 2.2.4" in document and "require.js 2.3.6" in document
        params = re.search(r"const params = (\{.*?\}); // HACK", document).group(1)
        decoded = json.loads(params.replace("\\/", "/"))
        assert decoded["attention"][0]["left_text"][1:3] == [XSS, SCRIPT_CLOSE]
    frame = bertviz.iframe('<p>"quoted" & <b>bold</b></p>', "head", 5, 2, 3)
    assert 'sandbox="allow-scripts"' in frame and "allow-same-origin" not in frame
    assert 'srcdoc="&lt;p&gt;&quot;quoted&quot; &amp; &lt;b&gt;' in frame


# --- exports ------------------------------------------------------------------------------------------


def test_npz_and_json_exports_round_trip(manager):
    result = attention(manager.get("fill-mask"), TEXT, 2000, 128)
    with np.load(export.write_npz(result)) as npz:
        np.testing.assert_array_equal(npz["attentions"], result.attentions)
        assert npz["tokens"].tolist() == result.tokens
        assert npz["token_ids"].tolist() == result.token_ids
        assert str(npz["model"]) == result.model_id and not bool(npz["causal"])
    path = export.write_json(result)
    assert path.suffix == ".json" and path.name.startswith("tiny-bert")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["tokens"] == result.tokens and data["model"] == result.model_id
    np.testing.assert_allclose(np.array(data["attentions"]), result.attentions, atol=1e-6)


def test_export_file_names_are_safe():
    assert export.file_stem("google-bert/bert-base-uncased", "attention") == "bert-base-uncased-attention"
    assert export.file_stem("../../etc/<x>", "bertviz-head-view") == "x-bertviz-head-view"


# --- the /attention_view endpoint, served for real -------------------------------------------------


def test_a_view_over_budget_reads_a_shorter_text():
    result = synthetic([f"w{i}" for i in range(40)], layers=12, heads=12)
    asked = []

    def reread(max_tokens):
        asked.append(max_tokens)
        return synthetic([f"w{i}" for i in range(max_tokens)], layers=12, heads=12)

    shorter, notices = ops.fit_to_budget(result, 144, ops.PLOT_CELL_BUDGET, 128, reread, "overview", "cells")
    assert asked == [28] and len(shorter.tokens) == 28
    assert "first 28 of the 40 tokens" in notices[0] and "fewer layers or heads" in notices[0]
    same, notices = ops.fit_to_budget(result, 12, ops.PLOT_CELL_BUDGET, 128, reread, "grid", "cells")
    assert same is result and notices == [] and asked == [28]


def test_overview_hover_names_layer_head_and_tokens():
    result = synthetic(["a", "b", "c"], layers=2, heads=2, causal=True)
    figure = attention_viz.view_figure(attention_viz.make_view(result, "overview"))
    (trace,) = figure.data
    assert trace.x[:4] == ("Head 1 · a", "Head 1 · b", "Head 1 · c", "\u200b0")
    assert trace.y[4:] == ("Layer 2 · a", "Layer 2 · b", "Layer 2 · c")
    z = np.array(trace.z, dtype=float)  # None (gaps, the future) -> nan
    np.testing.assert_allclose(
        z[4:, 4:], np.round(np.tril(result.attentions[1, 1]), 3) + np.triu(np.full((3, 3), np.nan), 1)
    )
    assert np.isnan(z[3]).all() and np.isnan(z[:, 3]).all()


def overview_of(tokens: list[str], layers: int, heads: int, causal: bool = False, **options):
    result = synthetic(tokens, layers=layers, heads=heads, causal=causal)
    return attention_viz.view_figure(attention_viz.make_view(result, "overview", **options))


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("own_scale", [False, True])
def test_overview_names_the_tokens_of_every_panel_for_a_short_text(causal, own_scale):
    tokens = ["[CLS]", "the", "cat", "sat", "on", "the", "mat", ".", "[SEP]"]  # "the" twice: its own row
    figure = overview_of(tokens, layers=12, heads=12, causal=causal, own_scale=own_scale)
    layout, step = figure.layout, len(tokens) + 1
    names = attention_viz.axis_labels(tokens)
    for axis in (layout.xaxis, layout.yaxis):  # keys along the top of each head, queries left of each layer
        assert axis.ticktext == tuple(names * 12)
        assert axis.tickvals == tuple(i * step + t for i in range(12) for t in range(len(tokens)))
        assert axis.tickfont.size >= 10
    assert layout.xaxis.side == "top" and layout.xaxis.tickangle == -90  # upright: neighbours never overlap
    texts = [a.text for a in layout.annotations]
    assert texts == [f"H{h}" for h in range(1, 13)] + [f"Layer {la}" for la in range(1, 13)]
    # every cell at least MOSAIC_PITCH pixels each way, in a chart of a fixed size that scrolls if it must
    across = (layout.width - layout.margin.l - layout.margin.r) / (12 * step - 1)
    down = (layout.height - layout.margin.t - layout.margin.b) / (12 * step - 1)
    assert min(across, down) >= attention_viz.MOSAIC_PITCH >= 1.2 * layout.xaxis.tickfont.size
    assert "hover a cell" not in layout.title.text
    assert layout.coloraxis.colorbar.x == 0 and layout.coloraxis.colorbar.len <= 480  # where the chart starts
    # hover and colours as without the labels
    (trace,) = figure.data
    assert trace.x[:2] == ("Head 1 · [CLS]", "Head 1 · the") and trace.y[step] == "Layer 2 · [CLS]"
    assert ("%{z:.0%}" in trace.hovertemplate) == own_scale


def test_overview_cells_grow_to_the_page_for_a_small_model():
    figure = overview_of(list("abcdef"), layers=2, heads=3)
    layout = figure.layout
    across = (layout.width - layout.margin.l - layout.margin.r) / (3 * 7 - 1)
    assert across == attention_viz.MOSAIC_MAX_PITCH and layout.width < 1200
    assert layout.xaxis.ticktext == tuple("abcdef" * 3)


def test_overview_of_a_long_text_says_to_hover_instead_of_overlapping_labels():
    tokens = [f"w{i}" for i in range(20)]
    figure = overview_of(tokens, layers=12, heads=12)
    layout = figure.layout
    assert layout.xaxis.ticktext == tuple(f"H{h}" for h in range(1, 13))  # heads and layers named only
    assert layout.yaxis.ticktext == tuple(f"Layer {la}" for la in range(1, 13))
    assert "<sup>Too many tokens to label: hover a cell,</sup><br><sup>or pick one layer" in layout.title.text
    assert not layout.annotations
    assert layout.width is None  # as wide as the page
    # fewer heads leave room for the same tokens
    fewer = overview_of(tokens, layers=2, heads=2).layout
    assert fewer.xaxis.ticktext == tuple(attention_viz.axis_labels(tokens) * 2)
    assert attention_viz.mosaic_labelled(12, 12, 12) and not attention_viz.mosaic_labelled(13, 12, 12)


def test_old_downloads_are_removed_and_new_ones_kept():
    import os
    import time

    from playground import export

    old = export.new_file("org/model", "attention", ".json")
    old.write_text("{}")
    an_hour_ago = time.time() - export.KEEP_SECONDS - 60
    os.utime(old.parent, (an_hour_ago, an_hour_ago))
    new = export.new_file("org/model", "attention", ".json")
    new.write_text("{}")
    assert not old.exists() and new.exists() and new.parent.parent == export.downloads_root()
