"""The charts as the page draws them (issue 15, point 8): the page's font in every chart, titles that say which
step or sample they show with the legend away from them, token labels that do not crowd, the sentiment axis
to 100%. Checked on the figures the handlers return for the tiny models."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from playground.i18n import using
from playground.tasks import generation
from playground.ui import attention, generate, sentiment
from playground.ui.context import Context
from playground.ui.layout import theme
from playground.viz import charts, training
from playground.viz.charts import MAX_TOKEN_TICKS, PAGE_FONT_FAMILY


@pytest.fixture(scope="module")
def context(settings, manager) -> Context:
    return Context.create(settings, manager)


def finished(context, prompt="The cat sat", new_tokens=40, samples=1) -> dict:
    """The last outputs of Generate (greedy for one sample; several samples need a temperature)."""
    temperature = 0 if samples == 1 else 1.0
    return list(generate.run(context, prompt, new_tokens, temperature, 50, 1.0, 1.0, 0, samples, False))[-1]


def test_every_chart_is_in_the_page_font(context, tmp_path):
    # the page's own stack (gradio's theme), with the Chinese font the page serves before the generic family
    assert PAGE_FONT_FAMILY.replace(" 'Playground Zhongwen',", "") == theme().font
    last = finished(context)
    path = tmp_path / "texts.csv"
    path.write_text("text\nI loved it.\nIt was cold.\n", encoding="utf-8")
    many = sentiment.run_many(context, "", str(path), "text", progress=lambda *args, **kwargs: None)
    explained = sentiment.run_explain(context, "I loved this film.", "predicted")
    shown = attention.run(context, "fill-mask", "The cat sat.", "head", 1, 1, False, [1, 2], [1, 2])
    figures = [last["distribution"], last["perplexity"], many["plot"], explained["plot"], shown["plot"]]
    figures += [training.fine_tune_figure([1.0, 0.5], [], 4)]
    for figure in figures:
        assert isinstance(figure, go.Figure)
        assert figure.layout.font.family == PAGE_FONT_FAMILY, figure.layout.title.text


def test_the_next_token_charts_first_long_token_keeps_its_label():
    """At 45 degrees the label of the first bar reaches left of the chart: plotly hid `<|endoftext|>`, the demo
    GPT's likeliest token after a full sentence (a numeric axis hides a tick label past the figure's edge)."""
    choices = [generation.TokenChoice("<|endoftext|>", 0, 9.0, 0.9, 0.9, True)]
    choices += [generation.TokenChoice(" the", 1, 1.0, 0.1, 0.1, True)]
    figure = charts.next_token_figure(generation.NextToken([5], choices, drawn_id=0))
    assert figure.layout.xaxis.ticktext[0] == "&lt;|endoftext|&gt;"
    assert figure.layout.xaxis.ticklabeloverflow == "allow" and figure.layout.xaxis.automargin


def test_the_next_token_charts_labels_stand_side_by_side_on_a_phone():
    """Twenty upright labels at the page's 16 px overlapped in a phone's 250 px plot (Chinese characters turned on
    their side, each 16 px thick, every 12.5 px)."""
    choices = [generation.TokenChoice(f"字{i}", i, 9.0 - i, 0.05, 0.05, True) for i in range(generate.TOP_N)]
    figure = charts.next_token_figure(generation.NextToken([5], choices, drawn_id=0))
    size = figure.layout.xaxis.tickfont.size
    assert 11 <= size and size * generate.TOP_N <= charts.PHONE_PLOT_WIDTH


def test_the_next_token_chart_says_which_token_and_sample_it_shows(context):
    last = finished(context, new_tokens=12, samples=2)
    figure = last["distribution"]
    count = len(last["step_state"].steps)  # sample 1's tokens: its last one is the chart's
    assert figure.layout.title.text.startswith("Next-token distribution<br><sup>drew ")  # short on a phone
    assert figure.layout.title.text.endswith(f" · new token {count} · Sample 1</sup>")
    assert last["shown"].step == count and last["shown"].sample == 1  # a slider redraws the same title
    redrawn = generate.redraw_distribution(context, last["shown"], 0.5, 50, 1.0, 1.0, 0)["distribution"]
    assert redrawn.layout.title.text.endswith(f" · new token {count} · Sample 1</sup>")
    assert "Sample 1" in last["perplexity"].layout.title.text

    state = None
    for _ in range(3):
        stepped = generate.next_step(context, state, "Once upon a time", 1.0, 50, 1.0, 1.0, 7)
        state = stepped["step_state"]
    title = stepped["distribution"].layout.title.text  # "drew … · new token 3", in two lines where it is long
    assert "<sup>drew " in title and title.endswith("new token 3</sup>")
    undone = generate.undo_step(context, state, 1.0, 50, 1.0, 1.0, 7)
    assert undone["distribution"].layout.title.text.endswith("<sup>new token 3</sup>")  # to be drawn again
    with using("zh"):
        title = finished(context, new_tokens=12, samples=2)["distribution"].layout.title.text
    assert f"第 {count} 个新词元 · 样本 1" in title


def test_the_legend_is_below_the_chart_not_beside_its_title(context):
    figure = finished(context)["distribution"]
    legend, margin = figure.layout.legend, figure.layout.margin
    assert figure.layout.showlegend and legend.orientation == "h"
    assert (legend.yref, legend.y, legend.yanchor) == ("container", 0, "bottom")  # the figure's bottom edge
    assert margin.b >= charts.LEGEND_ROOM  # its own room, under the token labels
    title = figure.layout.title
    assert "<br><sup>" in title.text  # two lines: the distribution, then which token it is
    assert (title.yref, title.y, title.yanchor) == (
        "container",
        1,
        "top",
    )  # the top edge: far from the legend
    assert margin.t >= charts.MODEBAR_ROOM + 60  # room for the title's two lines and plotly's buttons
    fine_tune = training.fine_tune_figure([1.0, 0.5], [], 4).layout
    assert (fine_tune.legend.yref, fine_tune.legend.y) == ("container", 0)


def test_the_perplexity_labels_are_few_enough_not_to_overlap(context):
    loaded = context.model("generation")
    last = finished(context, new_tokens=50)
    ids = last["step_state"].context_ids
    prompt_ids = loaded.tokenizer("The cat sat")["input_ids"]
    expected = generation.perplexity(loaded, prompt_ids, ids[len(prompt_ids) :])
    axis = last["perplexity"].layout.xaxis
    assert len(expected.tokens) > MAX_TOKEN_TICKS  # more tokens than labels: every k-th token is labelled
    assert 0 < len(axis.tickvals) <= MAX_TOKEN_TICKS
    stride = axis.tickvals[1] - axis.tickvals[0]
    assert list(axis.tickvals) == list(range(0, len(expected.tokens), stride))
    assert list(axis.ticktext) == [charts.label(expected.tokens[i]) for i in axis.tickvals]
    assert axis.tickangle == -90 and axis.automargin  # upright: neighbours never overlap
    few = charts.perplexity_figure(generation.Perplexity(["a", "b", "c"], [None, -1.0, -2.0], 1))
    assert list(few.layout.xaxis.tickvals) == [0, 1, 2]  # a short text: every token


def test_pretrainings_perplexity_axis_labels_every_doubling():
    """A log axis labelled by plotly's default had every digit between two powers of ten, in smaller type, over
    one another (7, 8, 9, 10 at 1920 px); one label per doubling reads."""
    axis = training.tiny_figure([5.0, 3.0, 1.5], 3).layout.yaxis2
    assert axis.type == "log" and axis.tick0 == 0
    assert 10**axis.dtick == pytest.approx(2)  # 1, 2, 4, 8 ... (a log axis's dtick is in powers of ten)


def test_the_sentiment_axis_runs_to_100_percent(context):
    figure = sentiment.run_explain(context, "I loved this film.", "predicted")["plot"]
    axis = figure.layout.xaxis
    assert list(axis.range) == [0, 1] and axis.dtick == 0.25 and axis.tickformat == ".0%"  # ticks 0%…100%
    assert axis.automargin and figure.layout.margin.r >= 30  # room for the label "100%" at the right edge


def _lines(figure: go.Figure) -> list[tuple[bool, str]]:
    """A chart's title lines as (smaller type, text without markup)."""
    import html
    import re

    lines = figure.layout.title.text.split("<br>")
    return [(line.startswith("<sup>"), html.unescape(re.sub(r"<[^>]*>", "", line))) for line in lines]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_title_line_fits_a_phones_chart(context, language):
    # plotly never wraps a title: a phone's chart cut the cross-attention's at "第 1 层，4 个头的平"
    with using(language):
        last = finished(context)
        shown = attention.run(context, "fill-mask", "The cat sat.", "head", 1, 1, False, [1, 2], [1, 2])
        figures = [
            last["distribution"],
            last["perplexity"],
            shown["plot"],
            training.fine_tune_figure([1.0], [], 4),
        ]
        long = charts.layout(
            go.Figure(), "交叉注意力 · 第 1 层，4 个头的平均" * 2, 300, "行：译文的词元 · 列：原文的词元"
        )
        figures.append(long)
    for figure in figures:
        for small, line in _lines(figure):
            most = charts.SUBTITLE_COLUMNS if small else charts.TITLE_COLUMNS
            assert charts._columns(line) <= most, figure.layout.title.text
        assert figure.layout.margin.t >= charts.title_room(figure)  # room above the plot for every line
    assert [small for small, _line in _lines(long)].count(False) == 3  # the long title broke into lines


def test_fitted_lines_keep_the_text_and_break_at_its_dots():
    title = "Cross-attention · layer 1, mean of the 4 heads"
    assert charts.fit_line(title, 28) == ["Cross-attention", "layer 1, mean of the 4 heads"]
    assert charts.fit_line("Next-token distribution", 28) == ["Next-token distribution"]  # short: as it was
    chinese = "微调：随着模型学习，损失不断下降，这是一个很长的标题"
    assert "".join(charts.fit_line(chinese, 28)) == chinese
    assert (
        charts.fit_line("drew <b>a very long token indeed here</b> · new token 12", 20)[-1] == "new token 12"
    )
    assert charts.fit_line("I <b>one two three four</b> five", 10) == [
        "I",
        "<b>one two three four</b>",
        "five",
    ]


def test_a_chinese_line_never_starts_with_closing_punctuation_nor_ends_with_an_opening_one():
    """Activation patching's title at 390 px in 中文 broke as "…被破坏的运行" / "：“巴” 对 “罗”"."""
    title = "把干净运行修补进被破坏的运行：“巴” 对 “罗”"
    lines = charts.fit_line(title, charts.TITLE_COLUMNS)
    assert len(lines) == 2 and "".join(lines) == title
    for text, columns in (
        (title, charts.TITLE_COLUMNS),
        ("第 1 层的 MLP 对“。”：128 个神经元中最活跃的 12 个", 20),
    ):
        for line in charts.fit_line(text, columns):
            assert line[0] not in charts.CLOSING and line[-1] not in charts.OPENING, line
