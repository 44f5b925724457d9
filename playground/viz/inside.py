"""Pictures of the Inside tab: the tokens as the model's tokenizer cut them, one attention head step by step
(every matrix a heatmap titled with its shape), and the logit lens (the top token after each layer).

Every token is HTML-escaped: texts are user-controlled, and plotly renders a subset of HTML in labels.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.i18n import _
from playground.tasks.inside import Embeddings, HeadStep, LogitLens, Tokenization
from playground.viz.attention import axis_labels
from playground.viz.charts import FONT, label

DIVERGING = "RdBu"  # q, k, v, scores: signed numbers, 0 in white
WEIGHTS = "Blues"  # softmax weights and probabilities: 0..1


def tokens_html(result: Tokenization) -> str:
    """Each token as a chip: its readable text, the raw piece and the id; special tokens marked."""
    chips = []
    for token in result.tokens:
        kind = "inside-special" if token.special else "inside-token"
        shown = token.text.replace("\n", "↵") or " "
        title = _(
            "id {id} · piece {piece} · characters {start}–{end}",
            id=token.id,
            piece=token.piece,
            start="–" if token.start is None else token.start,
            end="–" if token.end is None else token.end,
        )
        chips.append(
            f"<span class='{kind}' title='{html.escape(title, quote=True)}'>"
            f"<span class='inside-text'>{html.escape(shown)}</span>"
            f"<span class='inside-piece'>{html.escape(token.piece)}</span>"
            f"<span class='inside-id'>{token.id}</span></span>"
        )
    count = _("{count} tokens", count=len(result.tokens))
    return f"<div class='inside-tokens'><div class='inside-count'>{html.escape(count)}</div>{''.join(chips)}</div>"


def _heatmap(matrix: np.ndarray, rows: list[str], columns: list[str] | None, colorscale: str, **options):
    """One heatmap trace; `columns` None: numbered dimensions (q, k, v have d_k columns)."""
    values = np.asarray(matrix, dtype=np.float64).round(3)
    x = columns if columns is not None else list(range(1, values.shape[1] + 1))
    return go.Heatmap(z=values.tolist(), x=x, y=rows, colorscale=colorscale, showscale=False, **options)


def embeddings_sum_text(result: Embeddings) -> str:
    """The sum that makes the input of layer 1, with the shapes (Markdown)."""
    n, d = result.token.shape
    parts = [_("token embedding ({n} × {d})", n=n, d=d)]
    if result.position is not None:
        parts.append(_("position embedding ({n} × {d})", n=n, d=d))
    if result.token_type is not None:
        parts.append(_("token type embedding ({n} × {d})", n=n, d=d))
    text = " + ".join(parts) + " = " + _("the input of layer 1 ({n} × {d})", n=n, d=d)
    if result.after_norm is not None:
        text += " " + _("(after a LayerNorm)")
    return text


def embeddings_figure(result: Embeddings) -> go.Figure:
    """The cosine similarity between the tokens' embeddings and, for learned absolute positions, the position
    embedding matrix (positions × dimensions: GPT-2's shows waves)."""
    tokens = axis_labels(result.tokens)
    panels = [(_("cosine similarity of the token embeddings"), result.similarity, tokens, tokens, WEIGHTS)]
    if result.position_matrix is not None:
        rows = [str(i) for i in range(result.position_matrix.shape[0])]
        title = _("position embeddings ({n} positions × {d})", n=len(rows), d=result.position_matrix.shape[1])
        panels.append((title, result.position_matrix, None, rows, DIVERGING))
    fig = make_subplots(
        rows=1, cols=len(panels), subplot_titles=[p[0] for p in panels], horizontal_spacing=0.12
    )
    for i, (_title, matrix, columns, rows, colorscale) in enumerate(panels):
        zmid = None if colorscale == WEIGHTS else 0
        trace = _heatmap(
            matrix, rows, columns, colorscale, zmid=zmid, hovertemplate="%{y} · %{x}: %{z}<extra></extra>"
        )
        fig.add_trace(trace, row=1, col=i + 1)
    fig.update_yaxes(autorange="reversed", tickfont={"size": 11})
    fig.update_xaxes(tickfont={"size": 11})
    fig.update_layout(
        template="plotly_white",
        font=FONT,
        height=max(380, 120 + 16 * len(tokens)),
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        showlegend=False,
    )
    fig.update_annotations(font={"size": 14})
    return fig


def head_step_figure(step: HeadStep) -> go.Figure:
    """X, Q, K, V, the scores QKᵀ/√d_k (masked cells blank), the softmax weights and the head output A·V,
    each titled with its shape."""
    tokens = axis_labels(step.tokens)
    n, d, d_k = len(tokens), step.x.shape[1], step.d_k
    scores = np.where(step.masked, np.nan, step.scores)
    panels = [
        (_("X: the input ({n} × {d})", n=n, d=d), step.x, None, DIVERGING),
        (_("Q = X·W_Q ({n} × {d_k})", n=n, d_k=d_k), step.q, None, DIVERGING),
        (_("K = X·W_K ({n} × {d_k})", n=n, d_k=d_k), step.k, None, DIVERGING),
        (_("V = X·W_V ({n} × {d_k})", n=n, d_k=d_k), step.v, None, DIVERGING),
        (_("scores Q·Kᵀ/√d_k, masked ({n} × {n})", n=n), scores, tokens, DIVERGING),
        (_("A = softmax(scores) ({n} × {n})", n=n), step.weights, tokens, WEIGHTS),
        (_("head output A·V ({n} × {d_k})", n=n, d_k=d_k), step.head_output, None, DIVERGING),
    ]
    columns = 2
    rows = (len(panels) + 1) // columns
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[title for title, *_ in panels],
        horizontal_spacing=0.12,
        vertical_spacing=0.12 / rows * 2,
    )
    for i, (_title, matrix, x, colorscale) in enumerate(panels):
        zmid = None if colorscale == WEIGHTS else 0
        trace = _heatmap(
            matrix, tokens, x, colorscale, zmid=zmid, hovertemplate="%{y} · %{x}: %{z}<extra></extra>"
        )
        fig.add_trace(trace, row=i // columns + 1, col=i % columns + 1)
    fig.update_yaxes(autorange="reversed", tickfont={"size": 12})
    fig.update_xaxes(tickfont={"size": 11})
    fig.update_layout(
        title={
            "text": _("Layer {layer}, head {head}: one head step by step", layer=step.layer, head=step.head)
        },
        template="plotly_white",
        font=FONT,
        height=max(520, rows * (140 + 16 * n)),
        margin={"l": 10, "r": 10, "t": 90, "b": 10},
        showlegend=False,
    )
    fig.update_annotations(font={"size": 14})
    return fig


def logit_lens_figure(lens: LogitLens, causal: bool) -> go.Figure:
    """Layers (rows, 0 = embeddings) × positions (every token of a causal model, each [MASK] of a masked one):
    the top token after each layer, coloured by its probability, the top 5 on hover."""
    columns = [label(lens.tokens[p]) + "\u200b" * i for i, p in enumerate(lens.positions)]
    rows = [
        _("embeddings") if layer == 0 else _("layer {layer}", layer=layer)
        for layer in range(len(lens.layers))
    ]
    probs = [[top[0].score for top in row] for row in lens.layers]
    words = [[label(top[0].shown) for top in row] for row in lens.layers]
    hover = [
        ["<br>".join(f"{label(p.shown)}: {p.score:.1%}" for p in top[:5]) for top in row]
        for row in lens.layers
    ]
    fig = go.Figure(
        go.Heatmap(
            z=np.asarray(probs).round(3).tolist(),
            x=columns,
            y=rows,
            text=words,
            texttemplate="%{text}",
            customdata=hover,
            hovertemplate="%{y} · %{x}<br>%{customdata}<extra></extra>",
            colorscale=WEIGHTS,
            zmin=0,
            zmax=1,
            colorbar={"title": {"text": _("probability"), "side": "right"}},
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(
        title={"text": _("Logit lens: what the model would predict after each layer")},
        template="plotly_white",
        font=FONT,
        height=max(360, 90 + 36 * len(rows)),
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        xaxis={
            "title": {
                "text": _("each token (the prediction is of the token after it)")
                if causal
                else _("each [MASK]")
            }
        },
    )
    return fig
