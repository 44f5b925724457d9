"""Plotly pictures of attention: one matrix as a large heatmap, several as a grid of small multiples, and what
each [MASK] attended to, layer by layer.

Queries run down, keys across; hovering a cell shows `query → key: weight`. Weights go over the wire rounded
to 3 decimals as plain JSON numbers (most of them become a short `0.0`), which is what keeps a 128-token view
small. Future tokens of a causal model (GPT-2) are left blank on a grey background: they are masked, not
merely small. Every token is HTML-escaped, since plotly renders a subset of HTML in labels.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.i18n import Message, _, lazy
from playground.tasks.attention import MaskAttention
from playground.tasks.attention_ops import (
    VIEWS,
    check_selection,
    hide_special_tokens,
    mean_over_heads,
    rollout,
)
from playground.tasks.validation import InputError
from playground.viz.charts import _layout as base_layout
from playground.viz.charts import label, title_room
from playground.viz.marks import token_labels


@dataclass
class AttentionView:
    """What one picture shows: a few T x T matrices (panels) over the same tokens, each row summing to 1.
    Its titles and names are written in the language of the request (`make_view` runs while answering it)."""

    kind: str
    tokens: list[str]
    panels: np.ndarray  # (panels, T, T)
    panel_titles: list[str]
    columns: int  # panels per row in a grid
    title: str
    causal: bool
    prompt_length: int | None = None  # Generate: tokens before this index are the prompt
    notices: list[Message] = field(default_factory=list)
    row_names: list[str] = field(default_factory=list)  # overview: one per row of panels (layers)
    column_names: list[str] = field(default_factory=list)  # overview: one per column (heads)
    short_column_names: list[str] = field(default_factory=list)  # overview: "H3" for "Head 3"
    own_scale: bool = False  # colours run to each panel's largest weight, not to 1
    key_tokens: list[str] | None = None  # the cross-attention's columns: the source tokens (None: `tokens`)

    @property
    def keys(self) -> list[str]:
        return self.tokens if self.key_tokens is None else self.key_tokens


def make_view(
    result,
    kind: str,
    layer: int = 1,
    head: int = 1,
    layers: list[int] | None = None,
    heads: list[int] | None = None,
    hide_special: bool = False,
    own_scale: bool = False,
) -> AttentionView:
    """The panels of view `kind` (see VIEWS) from an AttentionResult; `layer`, `head` 1-based, `layers`,
    `heads` 0-based lists (the overview's choice). Special tokens are hidden after mean or rollout.
    `own_scale`: colours run from 0 to each panel's own largest weight (a head that spreads its attention
    thinly looks blank on the fixed 0-1 scale)."""
    if kind not in VIEWS:
        raise InputError(
            lazy("Unknown view {view}: choose one of {views}.", view=repr(kind), views=", ".join(VIEWS))
        )
    weights = result.attentions  # (layers, heads, T, T); the cross-attention (layers, heads, T, S)
    n_layers, n_heads = weights.shape[:2]
    cross = getattr(result, "key_tokens", None) is not None
    if cross and kind in ("rollout", "overview"):
        raise InputError(
            lazy(
                "The cross-attention joins the translation to the source, so it cannot be followed through "
                "the layers (rollout) nor drawn as the overview: choose one head, the mean or all heads of a "
                "layer."
            )
        )
    li = check_selection([int(layer)], n_layers, lazy("layer"))[0]
    hi = check_selection([int(head)], n_heads, lazy("head"))[0]
    if kind == "head":
        panels, titles = weights[li, hi][None], [_("Layer {layer}, head {head}", layer=li + 1, head=hi + 1)]
    elif kind == "mean":
        panels = mean_over_heads(weights[li])[None]
        titles = [_("Layer {layer}, mean over {heads} heads", layer=li + 1, heads=n_heads)]
    elif kind == "rollout":
        panels = rollout(weights)[li][None]
        titles = [_("Rollout through layers 1–{layer} (heads averaged, residual added)", layer=li + 1)]
    elif kind == "layer":
        panels, titles = weights[li], [_("Head {head}", head=h + 1) for h in range(n_heads)]
    else:
        layers = list(range(n_layers)) if layers is None else layers
        heads = list(range(n_heads)) if heads is None else heads
        panels = weights[np.ix_(layers, heads)].reshape(-1, *weights.shape[2:])
        titles = [_("L{layer} H{head}", layer=lay + 1, head=h + 1) for lay in layers for h in heads]
    tokens, prompt_length = list(result.tokens), result.prompt_length
    key_tokens = list(result.key_tokens) if cross else None
    notices: list[Message] = []
    if hide_special and cross:  # rows (the translation) and columns (the source) each lose their own
        tokens, key_tokens, panels, notices = _hide_special_cross(result, panels)
    elif hide_special:
        tokens, panels, notices = hide_special_tokens(tokens, result.special, panels)
        if prompt_length is not None:
            prompt_length = int((~np.asarray(result.special[:prompt_length], dtype=bool)).sum())
    if kind == "layer":
        title = _("Layer {layer}: all {heads} heads", layer=li + 1, heads=n_heads)
    elif kind == "overview":
        title = _("Overview: {layers} layers × {heads} heads", layers=len(layers), heads=len(heads))
    else:
        title = titles[0]
    columns = len(heads) if kind == "overview" else min(4, n_heads) if kind == "layer" else 1
    return AttentionView(
        kind=kind,
        tokens=tokens,
        panels=np.asarray(panels, dtype=np.float64),
        panel_titles=titles,
        columns=columns,
        title=title,
        causal=result.causal,
        prompt_length=prompt_length,
        notices=notices,
        row_names=[_("Layer {layer}", layer=i + 1) for i in layers] if kind == "overview" else [],
        column_names=[_("Head {head}", head=h + 1) for h in heads] if kind == "overview" else [],
        short_column_names=[_("H{head}", head=h + 1) for h in heads] if kind == "overview" else [],
        own_scale=own_scale,
        key_tokens=key_tokens,
    )


def _hide_special_cross(result, panels: np.ndarray):
    """The cross-attention without its special rows (the decoder's start token) and columns (the source's
    </s>), each row renormalised over the source tokens left."""
    rows = ~np.asarray(result.special, dtype=bool)
    columns = ~np.asarray(result.key_special, dtype=bool)
    if not rows.any() or not columns.any():
        raise InputError(lazy("The text has only special tokens, so hiding them leaves nothing to show."))
    kept = panels[:, rows][:, :, columns]
    totals = kept.sum(axis=-1, keepdims=True)
    kept = np.divide(kept, totals, out=np.zeros_like(kept), where=totals > 0)
    hidden = [t for t, k in zip(result.tokens, rows, strict=True) if not k]
    hidden += [t for t, k in zip(result.key_tokens, columns, strict=True) if not k]
    said = lazy(
        "Hidden: {tokens}; each row is renormalised to sum to 1 over the tokens left.",
        tokens=", ".join(dict.fromkeys(hidden)),
    )
    tokens = [t for t, k in zip(result.tokens, rows, strict=True) if k]
    keys = [t for t, k in zip(result.key_tokens, columns, strict=True) if k]
    return tokens, keys, kept, [said] if hidden else []


DECIMALS = 3
# Blues with more steps at the low end, where most attention weights lie.
COLORSCALE = [
    [0.0, "#ffffff"],
    [0.02, "#eff3ff"],
    [0.1, "#c6dbef"],
    [0.25, "#6baed6"],
    [0.5, "#2171b5"],
    [1.0, "#08306b"],
]
MASKED_BACKGROUND = "#d1d5db"
GRID_LABELS = 24  # small multiples name their tokens up to this many
PROMPT_LINE = "#f97316"
# One colour scale for every panel, its bar under the picture: on a phone the width is for the matrix.
COLOR_BAR = {"orientation": "h", "thickness": 12, "len": 0.6, "y": -0.02, "yanchor": "top"}


def color_axis(cmax: float = 1.0, title: str | None = None, **colorbar) -> dict:
    """The colour scale of every panel, 0 to `cmax`, its bar titled in the request's language (`colorbar`:
    changes)."""
    # the title above the bar: beside a horizontal bar it takes its room from the bar's length (on a phone the bar
    # shrank to a few pixels and its tick labels turned and overlapped)
    title = {"text": title or _("weight"), "side": "top", "font": {"size": 14}}
    return {
        "colorscale": COLORSCALE,
        "cmin": 0,
        "cmax": cmax,
        "colorbar": {"title": title, **COLOR_BAR, **colorbar},
    }


def _shown_panels(view: AttentionView) -> tuple[np.ndarray, dict]:
    """The panels as coloured, and their colour axis. With `own_scale`, one panel's colours run to its own
    largest weight; several panels are each divided by their own largest weight, so the colour (and the
    hover) is the share of that panel's maximum."""
    panels = view.panels
    if not view.own_scale:
        return panels, color_axis()
    if len(panels) == 1:
        return panels, color_axis(cmax=max(float(np.nanmax(panels)), 1e-9))
    largest = np.nanmax(panels, axis=(1, 2), keepdims=True)
    return panels / np.where(largest > 0, largest, 1), color_axis(
        title=_("share of the panel's largest weight")
    )


def axis_labels(tokens: list[str]) -> list[str]:
    """Escaped token labels, made distinct (invisible zero-width spaces) so a repeated token keeps its own
    row and column on a category axis; the tokens of one character read as it, '中 1/3' (`token_labels`)."""
    seen: Counter[str] = Counter()
    names = []
    for token in token_labels(tokens):
        name = label(token)
        names.append(name + "\u200b" * seen[name])
        seen[name] += 1
    return names


def rounded(matrix: np.ndarray, causal: bool = False) -> list:
    """The matrix as nested lists of 3-decimal floats (0 when it rounds to nothing, NaN as None); for a
    causal model None above the diagonal."""
    values = np.round(np.asarray(matrix, dtype=np.float64), DECIMALS)
    z = values.astype(object)
    z[values == 0] = 0
    z[np.isnan(values)] = None
    if causal:
        z[np.triu_indices(z.shape[-1], k=1)] = None
    return z.tolist()


def _tick_size(n: int) -> int:
    return 17 if n <= 16 else 15 if n <= 24 else 12 if n <= 48 else 11  # 11 px: the least that reads


def _layout(fig: go.Figure, title: str, height: int) -> None:
    """The app's chart layout, with a title small enough for a phone."""
    base_layout(fig, title, height)
    fig.update_layout(title_font_size=18)


def _text_width(names: list[str], size: int, most: int = 24) -> int:
    """Pixels the longest of `names` takes in a font of `size` pixels (about 0.6 em a character, 1 em a wide
    one such as 中; at most `most` characters counted)."""

    def width(name: str) -> float:
        chars = name.rstrip("\u200b")[:most] or " "
        return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in chars)

    return math.ceil(size * max((width(name) for name in names), default=0.6))


def _label_room(names: list[str], n: int) -> int:
    """Pixels that labels turned by -60 degrees need."""
    return int(10 + 0.87 * _text_width(names, _tick_size(n)))


def view_figure(view: AttentionView) -> go.Figure:
    """One panel as a large heatmap with token labels; several as a grid of small multiples."""
    return heatmap_figure(view) if len(view.panels) == 1 else grid_figure(view)


def heatmap_figure(view: AttentionView) -> go.Figure:
    n = len(view.tokens)
    names = axis_labels(view.tokens)
    keys = axis_labels(view.keys)
    panels, colors = _shown_panels(view)
    fig = go.Figure(
        go.Heatmap(
            z=rounded(panels[0], view.causal),
            x=keys,
            y=names,
            coloraxis="coloraxis",
            hoverongaps=False,
            hovertemplate="%{y} → %{x}: %{z:.3f}<extra></extra>",
        )
    )
    ticks = {"type": "category", "tickfont": {"size": _tick_size(n)}, "showgrid": False, "automargin": True}
    fig.update_xaxes(side="top", tickangle=-60, **ticks)
    fig.update_yaxes(autorange="reversed", **ticks)
    # axis names in the subtitle rather than beside the axes: on a phone every pixel of width counts
    title = f"{view.title}<br><sup>{heatmap_subtitle(view.causal)}</sup>"
    if view.prompt_length is not None and 0 < view.prompt_length < n:
        _mark_prompt(fig, view.prompt_length, n)
    # room above the plot for the title and for the key labels, which sit on top at -60 degrees
    tick_room = _label_room(keys, len(keys))
    size = min(900, 200 + 22 * max(n, len(keys)))
    _layout(fig, title, size + 120 + tick_room)
    fig.update_layout(coloraxis=colors, margin={"t": title_room(fig) + tick_room, "b": 70})
    if view.causal:
        fig.update_layout(plot_bgcolor=MASKED_BACKGROUND)
    return fig


def _mark_prompt(fig: go.Figure, prompt_length: int, n: int) -> None:
    """Orange lines between the prompt's tokens and the generated ones (category positions are indices)."""
    edge = prompt_length - 0.5
    line = {"color": PROMPT_LINE, "width": 2}
    fig.add_shape(type="line", x0=edge, x1=edge, y0=-0.5, y1=n - 0.5, line=line)
    fig.add_shape(type="line", x0=-0.5, x1=n - 0.5, y0=edge, y1=edge, line=line)
    fig.add_annotation(
        x=n - 0.5,
        y=edge,
        text=_("↑ prompt · generated ↓"),
        showarrow=False,
        xanchor="right",
        yanchor="bottom",
        font={"color": PROMPT_LINE, "size": 13},
        bgcolor="rgba(255,255,255,0.8)",
    )


def grid_figure(view: AttentionView) -> go.Figure:
    """Small multiples on one colour scale; hover names the panel, the query, the key and the weight."""
    if view.row_names:
        return mosaic_figure(view)
    count = len(view.panels)
    columns = max(1, min(view.columns, count))
    rows = math.ceil(count / columns)
    names = axis_labels(view.tokens)
    keys = axis_labels(view.keys)
    small = columns > 6
    panels, colors = _shown_panels(view)
    hover = "%{z:.0%}" if view.own_scale else "%{z:.3f}"
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=view.panel_titles,
        horizontal_spacing=min(0.02 if small else 0.04, 1 / max(1, columns - 1)),
        vertical_spacing=min(0.25 / rows if small else 0.3 / rows, 1 / max(1, rows - 1)),
    )
    traces = [
        go.Heatmap(
            z=rounded(panel, view.causal),
            x=keys,
            y=names,
            coloraxis="coloraxis",
            hoverongaps=False,
            hovertemplate=f"{name}<br>%{{y}} → %{{x}}: {hover}<extra></extra>",
        )
        for panel, name in zip(panels, view.panel_titles, strict=True)
    ]
    places = [divmod(i, columns) for i in range(count)]
    fig.add_traces(traces, rows=[r + 1 for r, _c in places], cols=[c + 1 for _r, c in places])
    axes = {"type": "category", "showticklabels": False, "ticks": "", "showgrid": False}
    fig.update_xaxes(**axes)
    fig.update_yaxes(autorange="reversed", **axes)
    room = 0  # pixels under the last row that its turned key labels take: the colour bar goes below them
    if (
        not small and max(len(names), len(keys)) <= GRID_LABELS
    ):  # token names beside the first column, under the last row
        font = {"size": 11 if len(names) > 12 else 12}
        room = int(10 + 0.87 * _text_width(keys, font["size"]))
        fig.update_yaxes(showticklabels=True, tickfont=font, col=1)
        for column in range(1, columns + 1):
            last_row = max(r + 1 for r, c in places if c + 1 == column)
            fig.update_xaxes(showticklabels=True, tickangle=-60, tickfont=font, row=last_row, col=column)
    fig.update_annotations(font={"size": 11 if small else 14})
    subtitle = grid_subtitle(view.causal)
    panel_height = 90 if small else 230
    height = 170 + rows * panel_height + room
    _layout(fig, f"{view.title}<br><sup>{subtitle}</sup>", height)
    top, bottom = title_room(fig) + 15, 70 + room
    # under the labels, not over them (in paper units: the plot's height is 1; at 390 px in 中文 the bar's title
    # sat on a panel's "[CLS]")
    colors["colorbar"]["y"] = COLOR_BAR["y"] - room / (height - top - bottom)
    fig.update_layout(coloraxis=colors, margin={"t": top, "b": bottom})
    if view.causal:
        fig.update_layout(plot_bgcolor=MASKED_BACKGROUND)
    return fig


def grid_subtitle(causal: bool) -> str:
    if causal:
        return _("rows attend to columns; hover a cell; grey = future, masked")
    return _("rows attend to columns; hover a cell")


# The overview names every token beside its panels where the panels can be made large enough: cells of at least
# MOSAIC_PITCH pixels under labels of MOSAIC_FONT pixels (upright, so that neighbours never touch), with no more
# than MOSAIC_SIDE pixels of panels across or down (the chart scrolls sideways past the page's width). Longer
# texts, or more layers and heads, get a caption instead: the labels would overlap.
MOSAIC_FONT = 11
MOSAIC_PITCH = 15
MOSAIC_FIT = 880  # pixels of panels across that fit beside the labels in the page's 1200 px: cells grow to it
MOSAIC_MAX_PITCH = 32
MOSAIC_SIDE = 2400
MOSAIC_NAME_FONT = 13  # the layer and head names
# The title at the top of the chart (not in the middle of its top margin, where the key tokens are)
MOSAIC_TITLE = {"y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 16}}
MOSAIC_TITLE_ROOM = 64  # the title and its subtitle line


def mosaic_labelled(tokens: int, rows: int, columns: int) -> bool:
    """Whether an overview of `rows` layers x `columns` heads over `tokens` tokens can name its tokens."""
    cells = max(rows, columns) * (tokens + 1) - 1
    return cells * MOSAIC_PITCH <= MOSAIC_SIDE


def mosaic_figure(view: AttentionView) -> go.Figure:
    """The layers x heads overview as one heatmap: the panels tiled with a one-cell gap, layers down and heads
    across. One trace instead of 144 keeps it fast to build and small to send; each row and column label
    says its layer or head and token, so hovering a cell reads `Layer 2 · the → Head 3 · cat: 0.120`.
    Query tokens run down the left of each layer's panels and key tokens along the top of each head's, the
    layer and head names beyond them (`mosaic_labelled`); a long text names only layers and heads."""
    n = len(view.tokens)
    rows, columns = len(view.row_names), len(view.column_names)
    step = n + 1  # a panel and its gap
    grid = np.full((rows * step - 1, columns * step - 1), np.nan)
    panels, colors = _shown_panels(view)
    for i, panel in enumerate(panels):
        r, c = divmod(i, columns)
        block = np.where(np.tril(np.ones((n, n), dtype=bool)), panel, np.nan) if view.causal else panel
        grid[r * step : r * step + n, c * step : c * step + n] = block
    names = axis_labels(view.tokens)

    def labels(prefixes: list[str]) -> list[str]:
        out = []
        for i, prefix in enumerate(prefixes):
            out += [f"{prefix} · {name}" for name in names] + (
                [f"\u200b{i}"] if i < len(prefixes) - 1 else []
            )
        return out

    fig = go.Figure(
        go.Heatmap(
            z=rounded(grid),
            x=labels(view.column_names),
            y=labels(view.row_names),
            coloraxis="coloraxis",
            hoverongaps=False,
            hovertemplate="%{y} → %{x}: "
            + ("%{z:.0%}" if view.own_scale else "%{z:.3f}")
            + "<extra></extra>",
        )
    )
    subtitle = heatmap_subtitle(view.causal)
    short_heads = view.short_column_names or view.column_names
    if mosaic_labelled(n, rows, columns):
        _name_tokens(fig, names, view.row_names, short_heads, step)
        title = f"{view.title}<br><sup>{subtitle}</sup>"
        across, down = columns * step - 1, rows * step - 1
        pitch = max(MOSAIC_PITCH, min(MOSAIC_MAX_PITCH, MOSAIC_FIT // across))
        _mosaic_gaps(fig, step, rows, columns, pitch)
        left = _mosaic_left_room(names, view.row_names)
        top = MOSAIC_TITLE_ROOM + MOSAIC_NAME_FONT + 10 + _mosaic_key_room(names)
        _layout(fig, title, top + down * pitch + 70)
        # the colour bar under the first panels, where the chart starts, not in the middle of a chart that scrolls
        colors["colorbar"] |= {
            "x": 0,
            "xanchor": "left",
            "lenmode": "pixels",
            "len": min(480, across * pitch),
        }
        # a fixed size, so that cells stay large enough for their labels; the chart scrolls if it is wider
        fig.update_layout(
            dragmode=False,
            width=left + across * pitch + 20,
            margin={"l": left, "r": 20, "t": top, "b": 70},
            title=MOSAIC_TITLE,
        )
    else:
        centres = [i * step + (n - 1) / 2 for i in range(max(rows, columns))]
        axes = {"showgrid": False, "ticks": "", "tickmode": "array", "tickfont": {"size": 11}}
        fig.update_xaxes(side="top", tickvals=centres[:columns], ticktext=short_heads, **axes)
        fig.update_yaxes(tickvals=centres[:rows], ticktext=view.row_names, **axes)
        _mosaic_gaps(fig, step, rows, columns, 3)
        # two short lines: one long line is cut at the edge of a phone's chart
        caption = _("Too many tokens to label: hover a cell,<br>or pick one layer for labelled heads")
        lines = [subtitle, *caption.split("<br>")]
        title = view.title + "".join(f"<br><sup>{line}</sup>" for line in lines)
        _layout(fig, title, 230 + rows * max(40, min(90, 960 // columns)))
        fig.update_layout(margin={"t": 150, "b": 70}, title=MOSAIC_TITLE)
    fig.update_xaxes(type="category", showgrid=False)
    fig.update_yaxes(type="category", showgrid=False, autorange="reversed")
    fig.update_layout(coloraxis=colors)
    if view.causal:
        fig.update_layout(plot_bgcolor=MASKED_BACKGROUND)
    return fig


def heatmap_subtitle(causal: bool) -> str:
    """What a picture with named rows and columns shows."""
    if causal:
        return _("rows (queries) attend to columns (keys); grey = future, masked")
    return _("rows (queries) attend to columns (keys)")


def _mosaic_gaps(fig: go.Figure, step: int, rows: int, columns: int, width: int) -> None:
    """White lines `width` pixels wide along the gaps between panels, so they stand apart on the grey of a
    causal model too (as wide as the gap, it reads as no row or column of its own)."""
    line = {"color": "#ffffff", "width": width}
    across = [
        {"xref": "x", "yref": "paper", "x0": i * step - 1, "x1": i * step - 1, "y0": 0, "y1": 1}
        for i in range(1, columns)
    ]
    down = [
        {"xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": i * step - 1, "y1": i * step - 1}
        for i in range(1, rows)
    ]
    fig.update_layout(shapes=[{"type": "line", **gap, "line": line} for gap in across + down])


def _name_tokens(fig: go.Figure, names: list[str], layers: list[str], heads: list[str], step: int) -> None:
    """Every panel's tokens on the axes (queries on the left, keys on top, upright), and the layer and head
    names beyond them."""
    n = len(names)
    font = {"size": MOSAIC_FONT}

    def ticks(count: int) -> dict:
        return {
            "tickmode": "array",
            "tickvals": [i * step + t for i in range(count) for t in range(n)],
            "ticktext": names * count,
            "tickfont": font,
            "ticks": "",
        }

    fig.update_xaxes(side="top", tickangle=-90, **ticks(len(heads)))
    fig.update_yaxes(**ticks(len(layers)))
    centre = (n - 1) / 2
    name_font = {"size": MOSAIC_NAME_FONT, "color": "#374151"}
    key_room, query_room = _mosaic_key_room(names), _mosaic_query_room(names)
    fig.update_layout(
        annotations=[
            {
                "text": head,
                "x": i * step + centre,
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": key_room,
                "showarrow": False,
                "font": name_font,
            }
            for i, head in enumerate(heads)
        ]
        + [
            {
                "text": layer,
                "x": 0,
                "xref": "paper",
                "xanchor": "right",
                "xshift": -query_room,
                "y": i * step + centre,
                "yref": "y",
                "showarrow": False,
                "font": name_font,
            }
            for i, layer in enumerate(layers)
        ]
    )


def _mosaic_key_room(names: list[str]) -> int:
    """Pixels above the panels for the upright key tokens."""
    return _text_width(names, MOSAIC_FONT) + 8


def _mosaic_query_room(names: list[str]) -> int:
    """Pixels left of the panels for the query tokens."""
    return _text_width(names, MOSAIC_FONT) + 10


def _mosaic_left_room(names: list[str], layers: list[str]) -> int:
    """Pixels left of the panels for the query tokens and, beyond them, the layer names."""
    return _mosaic_query_room(names) + _text_width(layers, MOSAIC_NAME_FONT) + 12


def mask_attention_figure(result: MaskAttention) -> go.Figure:
    """For each [MASK]: layers down, tokens across, the heads' mean attention from the mask to each token."""
    count = len(result.positions)
    names = axis_labels(result.tokens)
    n_layers = result.weights.shape[1]
    layers = [_("layer {layer}", layer=i + 1) for i in range(n_layers)]
    titles = (
        [_("[MASK] {number} of {count}", number=i + 1, count=count) for i in range(count)]
        if count > 1
        else None
    )
    per_mask = 40 + 34 * n_layers
    height = 200 + per_mask * count
    # one token axis for all masks (at the bottom); room between them for each mask's title
    fig = make_subplots(
        rows=count, cols=1, subplot_titles=titles, shared_xaxes=True, vertical_spacing=40 / height
    )
    for i, position in enumerate(result.positions):
        fig.add_trace(
            go.Heatmap(
                z=rounded(result.weights[i]),
                x=names,
                y=layers,
                coloraxis="coloraxis",
                hovertemplate="%{y}: [MASK] → %{x}: %{z:.3f}<extra></extra>",
            ),
            row=i + 1,
            col=1,
        )
        axis = "" if i == 0 else str(i + 1)
        fig.add_shape(  # outline the mask's own column
            type="rect",
            x0=position - 0.5,
            x1=position + 0.5,
            y0=-0.5,
            y1=n_layers - 0.5,
            xref=f"x{axis}",
            yref=f"y{axis}",
            line={"color": PROMPT_LINE, "width": 2},
        )
    n = len(result.tokens)
    fig.update_xaxes(type="category", tickangle=-60, tickfont={"size": _tick_size(n)})
    fig.update_yaxes(type="category", autorange="reversed")
    title = (
        f"{_('What each [MASK] looked at')}<br><sup>{_('mean over heads; orange box: the mask itself')}</sup>"
    )
    # the colour bar under the token labels, which hang below the last mask's heatmap
    labels = _label_room(names, n)
    plot_height = height - 40
    _layout(fig, title, height + labels + 100)
    fig.update_layout(
        coloraxis=color_axis(y=-(labels + 10) / plot_height),
        margin={"t": title_room(fig) + 5, "b": labels + 70},
    )
    return fig
