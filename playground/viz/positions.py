"""Pictures of positions: the sinusoidal encoding and the model's learned position embeddings (a few dimensions
as curves over the positions, and how alike the positions are), and the word-order check (the attention of a
sentence beside the attention of its shuffled tokens, put back in the original order)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.i18n import _
from playground.tasks.inside.positions import Positions, WordOrder
from playground.viz.attention import axis_labels
from playground.viz.charts import FONT, own_title, white_figure
from playground.viz.inside import DIVERGING, WEIGHTS, two_lines

COLORS = ("#4f46e5", "#dc2626", "#059669", "#d97706")
CURVES_HEIGHT = 260
MAP_HEIGHT = 380


def sinusoidal_figure(result: Positions) -> go.Figure:
    """The original Transformer's encoding at the model's width: dimensions as curves, and PE[p]·PE[q]."""
    return _table_figure(
        result,
        result.sinusoidal,
        result.sinusoidal_dot,
        _("sinusoidal encoding: dimensions over the positions"),
        _("dot product PE[p]·PE[q] ({n} × {n} positions)", n=result.positions),
        DIVERGING,
    )


def learned_figure(result: Positions) -> go.Figure | None:
    """The model's learned position embeddings: the same dimensions as curves, and their cosine similarity."""
    if result.learned is None:
        return None
    return _table_figure(
        result,
        result.learned,
        result.learned_similarity,
        _("learned position embeddings: dimensions over the positions"),
        _("cosine similarity of the learned positions ({n} × {n})", n=result.positions),
        DIVERGING,
    )


def _table_figure(
    result: Positions,
    table: np.ndarray,
    similarity: np.ndarray,
    curves_title: str,
    map_title: str,
    scale: str,
) -> go.Figure:
    fig = make_subplots(
        rows=2,
        cols=1,
        subplot_titles=["", two_lines(map_title, 40)],
        row_heights=[CURVES_HEIGHT, MAP_HEIGHT],
        vertical_spacing=110 / (CURVES_HEIGHT + MAP_HEIGHT),
        figure=white_figure(),
    )
    positions = list(range(result.positions))
    for color, dimension in zip(COLORS, result.dimensions, strict=False):
        name = _("dimension {d}", d=dimension)
        fig.add_trace(
            go.Scatter(
                x=positions,
                y=np.asarray(table[:, dimension], dtype=np.float32),
                mode="lines",
                name=name,
                line={"color": color, "width": 2},
                hovertemplate=f"{name} · pos %{{x}}: %{{y:.3f}}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Heatmap(
            z=np.asarray(similarity, dtype=np.float32),
            x=positions,
            y=positions,
            colorscale=scale,
            zmid=0,
            showscale=False,
            hovertemplate="p %{y} · q %{x}: %{z:.3~f}<extra></extra>",
        ),
        row=2,
        col=1,
    )
    fig.update_yaxes(autorange="reversed", row=2, col=1)
    fig.update_xaxes(title_text=_("position"), row=1, col=1)
    fig.update_layout(  # the curves' title is the figure's, with the legend under it
        title={
            "text": two_lines(curves_title, 40),
            "font": {"size": 14},
            "x": 0.5,
            "xanchor": "center",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 10},
        },
        font=FONT,
        height=CURVES_HEIGHT + MAP_HEIGHT + 215,
        margin={"l": 10, "r": 10, "t": 125, "b": 10},  # the title, then the legend (two rows on a phone)
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "font": {"size": 11}},
    )
    fig.update_annotations(font={"size": 14})
    return fig


def word_order_figure(result: WordOrder, without: bool) -> go.Figure:
    """One condition of the check: the sentence's attention (or layer 1's scores) above the shuffled
    sentence's, its rows and columns put back in the original order; the largest difference in the title."""
    check = result.without_positions if without else result.with_positions
    tokens = axis_labels(result.tokens)
    if result.measure == "scores":
        what = _("layer 1 head {head}: scores q·kᵀ/√d_k", head=result.head)
        scale, zmid = DIVERGING, 0
    else:
        what = _("layer {layer} head {head}: attention", layer=result.layer, head=result.head)
        scale, zmid = WEIGHTS, None
    condition = _("without positions") if without else _("with positions")
    titles = [
        two_lines(_("the sentence ({what})", what=what), 40),
        two_lines(_("the shuffled sentence, put back in order"), 40),
    ]
    height = 90 + min(18 * len(tokens), 540)
    fig = make_subplots(
        rows=2,
        cols=1,
        subplot_titles=titles,
        vertical_spacing=100 / (2 * height + 100),
        figure=white_figure(),
    )
    both = np.concatenate([check.original.ravel(), check.shuffled_back.ravel()])
    low, high = (float(np.nanmin(both)), float(np.nanmax(both))) if both.size else (0.0, 1.0)
    for row, matrix in ((1, check.original), (2, check.shuffled_back)):
        fig.add_trace(
            go.Heatmap(
                z=np.asarray(matrix, dtype=np.float32),
                x=list(range(len(tokens))),
                y=list(range(len(tokens))),
                colorscale=scale,
                zmid=zmid,
                zmin=None if zmid == 0 else low,
                zmax=None if zmid == 0 else high,
                showscale=False,
                customdata=[
                    [f"{tokens[i]} → {tokens[j]}" for j in range(len(tokens))] for i in range(len(tokens))
                ],
                hovertemplate="%{customdata}: %{z:.3~f}<extra></extra>",
            ),
            row=row,
            col=1,
        )
    ticks = {"tickmode": "array", "tickvals": list(range(len(tokens))), "ticktext": tokens}
    fig.update_yaxes(autorange="reversed", tickfont={"size": 11}, **ticks)
    fig.update_xaxes(tickfont={"size": 11}, tickangle=-90, **ticks)
    title = _(
        "{condition}: largest difference {difference}",
        condition=condition,
        difference=_number(check.difference),
    )
    own_title(fig, title)
    fig.update_layout(
        font=FONT,
        height=2 * height + 200,
        margin={"l": 10, "r": 10, "t": max(90, fig.layout.margin.t), "b": 10},
        showlegend=False,
    )
    fig.update_annotations(font={"size": 13})
    return fig


def _number(value: float) -> str:
    return f"{value:.2e}" if 0 < abs(value) < 1e-3 else f"{value:.3g}"
