"""The Inside tab's handlers and pictures: every panel drawn from the task's numbers, the query row's sums, the
block, the tokenizers side by side, and hostile text kept as text."""

from __future__ import annotations

import re

import numpy as np
import pytest

from playground.i18n import using
from playground.tasks import inside
from playground.ui import inside as inside_tab
from playground.ui.context import Context
from playground.viz import charts
from playground.viz import inside as inside_viz

TEXT = "The cat sat on the mat."


@pytest.fixture(scope="module")
def context(settings, manager) -> Context:
    return Context.create(settings, manager)


@pytest.fixture(scope="module")
def step(manager) -> inside.HeadStep:
    return inside.head_step(manager.get("generation"), TEXT, 100, 64, 2, 1)


def test_every_head_panel_is_the_task_s_matrix(step):
    figures = inside_viz.head_step_figures(step)
    assert list(figures) == list(inside_viz.HEAD_PANELS)
    expected = {
        "x": step.x,
        "q": step.q,
        "k": step.k,
        "v": step.v,
        "weights": step.weights,
        "head_output": step.head_output,
        "projected": step.attention_output,
        "residual": step.residual,
    }
    for name, matrix in expected.items():
        assert np.allclose(np.array(figures[name].data[0].z, dtype=float), matrix, atol=1e-3), name
    scores = np.array(figures["scores"].data[0].z, dtype=float)
    assert np.isnan(scores[step.masked]).all()  # the future, blank
    assert np.allclose(scores[~step.masked], step.scores[~step.masked], atol=1e-3)
    n = len(step.tokens)
    assert f"({n} × {step.d_k})" in figures["q"].layout.title.text


def test_wide_matrices_show_their_first_dimensions_and_say_so(step):
    wide = np.arange(len(step.tokens) * 100, dtype=float).reshape(len(step.tokens), 100)
    figure = inside_viz.head_step_figures(
        inside.HeadStep(**{**step.__dict__, "x": wide, "attention_output": wide, "residual": wide})
    )["x"]
    assert np.array(figure.data[0].z).shape == (len(step.tokens), inside_viz.MAX_COLUMNS)
    title = figure.layout.title.text
    assert "first 64 of 100 dimensions" in title.replace("<br>", " ")
    # its lines fit a phone's chart, as every chart's title (viz/charts.py own_title: this one was cut at 390 px)
    assert len(title.split("<br>")) > 1 and all(
        charts._columns(line) <= charts.TITLE_COLUMNS for line in title.split("<br>")
    )


def test_query_row_hover_is_the_dot_product_as_a_sum(step):
    query = len(step.tokens) - 1  # the last token sees every key
    figure = inside_viz.query_row_figure(step, query)
    scores_bar, weights_bar = figure.data
    assert np.allclose(scores_bar.x, step.scores[query], atol=1e-3)
    assert np.allclose(weights_bar.x, step.weights[query], atol=1e-3) and abs(sum(weights_bar.x) - 1) < 1e-2
    for key, text in enumerate(scores_bar.customdata):
        raw, total = (float(v) for v in re.findall(r"= (-?[\d.]+)", text))
        assert abs(raw - float(step.q[query] @ step.k[key])) < 2e-3
        assert abs(total - step.scores[query, key]) < 2e-3
    first = inside_viz.query_row_figure(step, 0).data[0]
    assert "masked" in first.customdata[1]  # the first token may not look at the second


@pytest.mark.parametrize("language", ["en", "zh"])
def test_query_rows_two_titles_fit_their_halves_of_a_phones_chart(step, language):
    """Side by side, each title on one line ran into the other and past the chart's edge at 390 px in 中文."""
    with using(language):
        figure = inside_viz.query_row_figure(step, len(step.tokens) - 1)
    lines = [line for note in figure.layout.annotations for line in note.text.split("<br>")]
    assert len(lines) > 2 and all(charts._visible_columns(line) <= inside_viz.PANEL_COLUMNS for line in lines)
    most = max(note.text.count("<br>") + 1 for note in figure.layout.annotations)
    assert figure.layout.margin.t >= 30 + 18 * most  # room above the bars for every line


def test_look_inside_draws_every_view_from_one_pass(context):
    shown = inside_tab.look_inside(context, "generation", TEXT, 2, 1)
    for name in inside_viz.HEAD_PANELS:
        assert shown[f"head_{name}"] is not None
    assert shown["query"].value == len(shown["query"].choices) - 1  # the last word
    assert shown["residual"].data[0].z and shown["neurons"].data[0].x
    assert "inside-highlight" in shown["tokens"] and shown["lens"] is not None
    again = inside_tab.look_at_head(context, "generation", TEXT, 1, 2, 0)  # a slider or the query moved
    assert again["head"].value == 2 and "“The”" in again["query_plot"].layout.annotations[0].text
    assert "lens" not in again and "tokens" not in again  # only the views that depend on them
    long = inside_tab.look_inside(context, "generation", " ".join(["cat"] * 40), 1, 1)
    assert re.search(r"The last 24 of 4\d positions", long["lens_info"]) and len(long["lens"].data[0].x) == 24


def test_the_tokenizers_side_by_side(context):
    shown = inside_tab.compare_tokenizers(context, "unbelievable <img src=x onerror=alert(1)>")["compare"]
    assert shown.count("inside-compare-model") == len(inside_tab.COMPARED)
    assert "<img" not in shown and "&lt;" in shown  # each tokenizer cuts "<img" into pieces


def test_the_highlighted_text_is_the_text(manager):
    for task, text in (("generation", "a cat <b>café</b>"), ("fill-mask", "the cat sat")):
        tokens = inside.tokenize(manager.get(task), text, 100)
        shown = inside_viz.highlighted_text(tokens)
        plain = re.sub(r"<[^>]+>", "", shown).replace("&lt;", "<").replace("&gt;", ">").replace("&#x27;", "'")
        assert plain == text and "<b>" not in shown
