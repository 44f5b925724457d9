"""Plotly charts for the task results, readable on a projector (large fonts) and a phone (autosize).

Every piece of user text that goes into a chart is HTML-escaped: plotly renders a subset of HTML in labels.
Titles, axis names, legends and hover texts are written in the language of the request (`_`); plotly's own
`%{...}` references go into the translated sentences as their {placeholders}.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata

import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from playground.i18n import _
from playground.tasks.fill_mask import FillMaskResult
from playground.tasks.generation import NextToken, Perplexity
from playground.tasks.sentiment import BatchResult, ClassificationResult
from playground.viz.marks import piece_label, token_labels

# The page's font (gradio's Soft theme: Montserrat, then the system's sans-serif; see ui/layout.theme), with the
# Chinese font the page serves (assets/style.css) before the generic family: a chart reads like the page around
# it in both languages, rather than in plotly's own "Open Sans".
PAGE_FONT_FAMILY = "'Montserrat', ui-sans-serif, system-ui, 'Playground Zhongwen', sans-serif"
FONT = {"size": 16, "family": PAGE_FONT_FAMILY}
TITLE_FONT = {"size": 18}  # a title one line long on a phone (a longer one is cut at the chart's edge)
# Below the chart, not between its title and its bars: beside a title it collides (in 中文, in a phone's width).
LEGEND_BELOW = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0}
LEGEND_ROOM = 60  # pixels under the axis for a legend below
MAX_TOKEN_TICKS = 16  # token labels under a chart, at most: more overlap on a phone
MODEBAR_ROOM = (
    24  # pixels more above the plot for plotly's buttons, at the right of the title (hidden on a phone)
)
BAR_COLOR = "#4f46e5"
_WHITE = pio.templates["plotly_white"].to_plotly_json()


def on_white(fig: go.Figure) -> go.Figure:
    """`fig` on plotly's white template. Plotly validates and copies a template each time one is assigned
    (about 20 ms, more than most charts cost to build); this one is plotly's own, so it is assigned unchecked,
    and everything set afterwards is validated as usual."""
    fig._layout_obj._validate = False
    try:
        fig.layout.template = _WHITE
    finally:
        fig._layout_obj._validate = True
    return fig


def white_figure(data=None) -> go.Figure:
    """A figure of `data` on plotly's white template (see `on_white`)."""
    return on_white(go.Figure(data))


def visible_text(text: str) -> str:
    """Whitespace made visible, so ' the' and 'the', or a newline token, can be told apart."""
    return text.replace("\n", "\\n") if text.strip() else repr(text)


def label(text: str) -> str:
    """Text safe to show in a plotly label (plotly renders a subset of HTML), whitespace made visible."""
    return html.escape(visible_text(text))


def percent(p: float) -> str:
    """A probability as a percentage with three significant digits: 48.3%, 3.52%, 0.0382%."""
    return f"{p * 100:.3g}%"


def _columns(text: str) -> int:
    """How wide `text` reads, in columns: a Chinese character (or another wide one) two, anything else one."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


WIDE = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"  # Chinese characters and punctuation
# Chinese punctuation that never starts a line (a comma, a full stop, a colon, a closing bracket) and that never
# ends one (an opening bracket or quote): a line is not broken before the one or after the other
CLOSING = "，。、：；！？）》」』】〉”’"
OPENING = "（《「『【〈“‘"


def fit_line(line: str, columns: int) -> list[str]:
    """`line` broken into lines of at most `columns` (see `_columns`): plotly never wraps a title, and a phone's
    chart cuts a long one at its edge. It breaks at " · " where that is enough, else at a space or beside a
    Chinese character (never before its closing punctuation nor after an opening one); never inside markup
    such as <b>…</b>."""
    if _visible_columns(line) <= columns:
        return [line]
    parts = line.split(" · ")
    if len(parts) > 1:
        return _pack(
            [piece for part in parts for piece in _mark_last(fit_line(part, columns))], columns, " · "
        )
    breaks = rf"(?:(?<=\s)|(?<=[{WIDE}])|(?=[{WIDE}]))(?![{CLOSING}])(?<![{OPENING}])"
    return _pack(_outside_markup([piece for piece in re.split(breaks, line) if piece]), columns, "")


def _outside_markup(pieces: list[str]) -> list[str]:
    """Pieces joined again where a break would fall inside markup (a tag, or between <b> and </b>)."""
    joined, open_tags = [], 0
    for piece in pieces:
        if open_tags or (joined and joined[-1].count("<") > joined[-1].count(">")):
            joined[-1] += piece
        else:
            joined.append(piece)
        open_tags += len(re.findall(r"<[a-z][^>]*>", piece)) - len(re.findall(r"</[^>]*>", piece))
    return joined


def _mark_last(lines: list[str]) -> list[str]:
    """A part's lines, all but its last to be kept apart when packed (they are already a full line each)."""
    return [f"\0{line}" for line in lines[:-1]] + lines[-1:]


def _pack(pieces: list[str], columns: int, joiner: str) -> list[str]:
    """Pieces put on lines greedily, each line at most `columns` where a piece allows it."""
    lines, current = [], None
    for piece in pieces:
        whole = piece.startswith("\0")
        piece = piece.removeprefix("\0")
        joined = piece if current is None else current + joiner + piece
        if current is not None and (_visible_columns(joined.rstrip()) > columns):
            lines.append(current.rstrip())
            current = piece.lstrip()
        else:
            current = joined
        if whole:
            lines.append(current.rstrip())
            current = None
    if current is not None:
        lines.append(current.rstrip())
    return lines


def _visible_columns(line: str) -> int:
    return _columns(html.unescape(re.sub(r"<[^>]*>", "", line)))


# From the top of the chart down (`title_room` gives the margin its lines need). Plotly draws a title of
# several lines higher than its top anchor by about one line: the pad makes up for it.
TITLE_AT_TOP = {"y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 30}}
TITLE_COLUMNS = 28  # a title line, at 18 px: what a phone's chart holds (390 px wide page)
SUBTITLE_COLUMNS = 40  # a line of the smaller type under it


def title_text(title: str, subtitle: str = "") -> str:
    """A chart's title and its smaller lines under it (`subtitle`, or <sup> lines already in `title`), each
    line fitted to a phone's chart (`fit_line`)."""
    lines = title.split("<br>") + ([f"<sup>{subtitle}</sup>"] if subtitle else [])
    fitted = []
    for line in lines:
        small = line.startswith("<sup>") and line.endswith("</sup>")
        if small:
            fitted += [f"<sup>{part}</sup>" for part in fit_line(line[5:-6], SUBTITLE_COLUMNS)]
        else:
            fitted += fit_line(line, TITLE_COLUMNS)
    return "<br>".join(fitted)


def own_title(fig: go.Figure, title: str, **layout) -> go.Figure:
    """`fig` with its own size and margins (`layout`, as fig.update_layout takes them) and the app's rule for
    a title (15 px): its lines fitted to a phone's chart (`title_text`), at the chart's top, with the room they
    need above the plot."""
    fig.update_layout(title={"text": title_text(title), "font": {"size": 15}, **TITLE_AT_TOP}, **layout)
    fig.update_layout(margin={"t": max(fig.layout.margin.t or 0, title_room(fig))})
    return fig


def title_room(fig: go.Figure) -> int:
    """Pixels above the plot that `fig`'s title needs (its lines of 18 px and of smaller type, see `layout`)."""
    lines = (fig.layout.title.text or "").split("<br>")
    small = sum(line.startswith("<sup>") for line in lines)
    return 38 + 22 * (len(lines) - small) + 15 * small


def layout(fig: go.Figure, title: str, height: int, subtitle: str = "") -> go.Figure:
    """The layout every chart of the app shares: the page's font, a title (and a smaller `subtitle` line
    under it, e.g. which step or sample the chart shows) fitted to a phone's width, no legend, axes that make
    room for their labels. The title pushes the plot down when it needs more lines than the margin holds."""
    text = title_text(title, subtitle)
    on_white(fig)
    fig.update_layout(
        title={"text": text, "font": TITLE_FONT, **TITLE_AT_TOP},
        font=FONT,
        height=height,
        margin={"l": 10, "r": 10, "b": 10},
        showlegend=False,
    )
    fig.update_layout(margin={"t": title_room(fig) + MODEBAR_ROOM})
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


_layout = layout  # the name the modules of viz/ import


def layout_with_legend_below(
    fig: go.Figure, title: str, height: int, subtitle: str = "", under_axis: int = 10
) -> go.Figure:
    """`layout` with the legend under the plot: LEGEND_ROOM more pixels for it, `under_axis` pixels below the
    axis's labels."""
    layout(fig, title, height + LEGEND_ROOM, subtitle)
    fig.update_layout(showlegend=True, legend=LEGEND_BELOW, margin={"b": under_axis + LEGEND_ROOM})
    return fig


PHONE_PLOT_WIDTH = 250  # pixels of a chart's plot area on a phone (390 px page), past its y axis labels


def upright_tick_size(count: int) -> int:
    """The font size at which `count` upright labels (turned by 90 degrees: each as thick as its font is high)
    stand side by side in a phone's plot: at 16 px, 20 of them overlapped. 11 px at least (the least that reads),
    16 at most."""
    return max(11, min(16, PHONE_PLOT_WIDTH // max(1, count)))


def token_ticks(fig: go.Figure, names: list[str], **axis) -> None:
    """Token labels under the x axis, at most MAX_TOKEN_TICKS (every k-th token; hover shows each), upright
    so that neighbours never overlap."""
    stride = max(1, math.ceil(len(names) / MAX_TOKEN_TICKS))
    shown = list(range(0, len(names), stride))
    fig.update_xaxes(
        tickmode="array",
        tickvals=shown,
        ticktext=[names[i] for i in shown],
        tickangle=-90,
        tickfont={"size": 12},
        automargin=True,
        **axis,
    )


def fill_mask_figure(result: FillMaskResult) -> go.Figure:
    """One horizontal bar chart per mask: the candidates and their probabilities.

    A WordPiece continuation (`##ing`) is shown joined to the word before the mask ("walking"); hovering a
    bar shows the raw vocabulary piece.
    """
    n = len(result.masks)
    per_mask = 60 + 32 * max(len(c) for c in result.masks)  # pixels
    height = 80 + (per_mask + 40) * n
    fig = make_subplots(
        rows=n,
        cols=1,
        subplot_titles=[_("Mask {number}", number=i + 1) for i in range(n)] if n > 1 else None,
        vertical_spacing=80 / height if n > 1 else 0.0,  # room for the axis below and the next title
    )
    for row, candidates in enumerate(result.masks, start=1):
        shown = candidates[::-1]  # the best at the top
        words = [label(piece_label(c.word)) for c in shown]
        y = list(range(len(shown)))  # numeric, so that two candidates that read the same keep two bars
        fig.add_trace(
            go.Bar(
                x=[c.score for c in shown],
                y=y,
                orientation="h",
                marker_color=BAR_COLOR,
                text=[percent(c.score) for c in shown],
                textposition="auto",
                customdata=[[w, label(c.piece), percent(c.score)] for w, c in zip(words, shown, strict=True)],
                hovertemplate="%{customdata[0]}: %{customdata[2]}<br>"
                + _("token: {piece}", piece="%{customdata[1]}")
                + "<extra></extra>",
            ),
            row=row,
            col=1,
        )
        fig.update_yaxes(tickmode="array", tickvals=y, ticktext=words, row=row, col=1)
    fig.update_xaxes(tickformat=".2~p", rangemode="tozero")  # significant digits: 0.005% stays readable
    per_mask = 60 + 32 * max(len(c) for c in result.masks)
    if result.targets:
        title = _("Scores of the target words")
    else:
        title = _("Candidates for the masks") if n > 1 else _("Candidates for the mask")
    return _layout(fig, title, 80 + per_mask * n)


def label_figure(result: ClassificationResult) -> go.Figure:
    """The probability of every label, highest first."""
    labels = [label(s.label) for s in result.scores][::-1]
    scores = [s.score for s in result.scores][::-1]
    fig = go.Figure(
        go.Bar(
            x=scores,
            y=labels,
            orientation="h",
            marker_color=BAR_COLOR,
            text=[f"{s:.1%}" for s in scores],
            textposition="auto",
            hovertemplate="%{y}: %{x:.2%}<extra></extra>",
        )
    )
    fig.update_xaxes(tickformat=".0%", range=[0, 1], dtick=0.25)  # to 100%: automargin keeps its label
    fig = _layout(fig, _("Label probabilities"), 140 + 50 * len(labels))
    fig.update_layout(margin={"r": 30})  # half the width of the label "100%", which is centred on its tick
    return fig


def batch_figure(result: BatchResult) -> go.Figure:
    """How many texts got each label, with the mean probability of the label among them."""
    counts = {name: [] for name in result.labels}
    for row in result.rows:
        counts.setdefault(row.label, []).append(row.score)
    names = list(counts)[::-1]
    fig = go.Figure(
        go.Bar(
            x=[len(counts[n]) for n in names],
            y=[label(n) for n in names],
            orientation="h",
            marker_color=BAR_COLOR,
            text=[str(len(counts[n])) for n in names],
            textposition="auto",
            customdata=[sum(counts[n]) / len(counts[n]) if counts[n] else 0.0 for n in names],
            hovertemplate="%{y}: "
            + _("{count} texts, mean probability {mean}", count="%{x}", mean="%{customdata:.1%}")
            + "<extra></extra>",
        )
    )
    fig.update_xaxes(
        title_text=_("number of texts"), rangemode="tozero", dtick=max(1, len(result.rows) // 10)
    )
    return _layout(fig, _("Predicted labels of {count} texts", count=len(result.rows)), 140 + 50 * len(names))


KEPT_COLOR, FILTERED_COLOR, DRAWN_COLOR, RAW_COLOR = BAR_COLOR, "#d1d5db", "#f97316", "#a5b4fc"


def two_lines(text: str) -> str:
    """A legend entry broken before its parenthesis (plotly never wraps one: on a phone it runs off the chart)."""
    for opening in ("（", " ("):
        if opening in text:
            head, tail = text.split(opening, 1)
            return f"{head}<br>{opening.strip()}{tail}"
    return text


def next_token_figure(result: NextToken, step: int | None = None, sample: int | None = None) -> go.Figure:
    """The top candidates by raw score: raw probability, and the probability the sampler really uses
    (grey where temperature, top-k or top-p filtered the token away; orange for the token drawn).

    Its subtitle says which distribution it is: that of new token `step` (counted from 1) of `sample` (when
    several were drawn side by side)."""
    names = [label(piece_label(c.token)) for c in result.choices]
    x = list(range(len(names)))
    after_colors = [
        DRAWN_COLOR if c.token_id == result.drawn_id else KEPT_COLOR if c.kept else FILTERED_COLOR
        for c in result.choices
    ]
    raw_hover = [f"{n}<br>logit {c.logit:.2f}" for n, c in zip(names, result.choices, strict=True)]
    fig = go.Figure(
        [
            go.Bar(
                x=x,
                y=[c.prob for c in result.choices],
                name=_("model's probability (raw)"),
                marker_color=RAW_COLOR,
                customdata=raw_hover,
                hovertemplate="%{customdata}<br>" + _("raw: {p}", p="%{y:.2%}") + "<extra></extra>",
            ),
            go.Bar(
                x=x,
                y=[c.prob_after for c in result.choices],
                name=two_lines(_("sampler's probability (after temperature, top-k, top-p)")),
                marker_color=after_colors,
                customdata=names,
                hovertemplate="%{customdata}<br>" + _("sampled from: {p}", p="%{y:.2%}") + "<extra></extra>",
            ),
        ]
    )
    fig.update_xaxes(
        tickmode="array",
        tickvals=x,
        ticktext=names,
        tickangle=-90,  # upright: neighbours never overlap, at a size that fits them side by side on a phone
        tickfont={"size": upright_tick_size(len(names))},
        automargin=True,
        ticklabeloverflow="allow",
    )
    fig.update_yaxes(tickformat=".2~%", rangemode="tozero")
    where = []  # under the title, in smaller type: a phone's width holds the title on one line
    if result.drawn_id is not None:
        drawn = next((c for c in result.choices if c.token_id == result.drawn_id), None)
        if drawn:
            where.append(_("drew {token}", token=label(piece_label(drawn.token))))
        else:
            where.append(_("drew a token outside the top {count}", count=len(names)))
    if step is not None:
        where.append(_("new token {step}", step=step))
    if sample is not None:
        where.append(_("Sample {number}", number=sample))
    layout_with_legend_below(fig, _("Next-token distribution"), 440, " · ".join(where))
    fig.update_layout(barmode="group")
    return fig


def perplexity_figure(result: Perplexity, sample: int | None = None) -> go.Figure:
    """Log-probability of every token given the ones before it; prompt and generated tokens in two colours
    (of `sample`, said in the subtitle, when several were drawn side by side)."""
    names = [label(t) for t in token_labels(result.tokens)]
    x = list(range(len(names)))
    values = [v if v is not None else 0.0 for v in result.logprobs]
    colors = [RAW_COLOR if i < result.prompt_length else BAR_COLOR for i in x]
    fig = go.Figure(
        go.Bar(
            x=x,
            y=values,
            marker_color=colors,
            customdata=[[n, math.exp(v)] for n, v in zip(names, values, strict=True)],
            hovertemplate="%{customdata[0]}<br>log p = %{y:.2f} (p = %{customdata[1]:.2%})<extra></extra>",
        )
    )
    token_ticks(fig, names)
    fig.update_yaxes(title_text=_("log-probability"))
    parts = [] if sample is None else [_("Sample {number}", number=sample)]
    if result.prompt_perplexity is not None:
        parts.append(_("prompt perplexity {value}", value=f"{result.prompt_perplexity:.1f}"))
    if result.generated_perplexity is not None:
        parts.append(_("generated perplexity {value}", value=f"{result.generated_perplexity:.1f}"))
    return _layout(fig, _("How surprising each token was"), 380, " · ".join(parts))
