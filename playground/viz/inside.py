"""Pictures of the Inside tab: the tokens as the model's tokenizer cut them, one attention head step by step
(every matrix a heatmap titled with its shape), and the logit lens (the top token after each layer).

Every token is HTML-escaped: texts are user-controlled, and plotly renders a subset of HTML in labels.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.demo import shown_model_id
from playground.i18n import _
from playground.tasks.inside import BlockView, Embeddings, HeadStep, LogitLens, Tokenization
from playground.tasks.text import character_runs
from playground.viz.attention import axis_labels
from playground.viz.charts import BAR_COLOR, FONT, fit_line, label, own_title, white_figure
from playground.viz.marks import piece_label, token_labels, tokens_mark

DIVERGING = "RdBu"  # q, k, v, scores: signed numbers, 0 in white
WEIGHTS = "Blues"  # softmax weights and probabilities: 0..1
PANEL_COLUMNS = 17  # a line of a title over one of two panels side by side (13 px), on a phone's chart


def tokens_html(result: Tokenization) -> str:
    """The text with the characters of each token shaded in turn, then each token as a chip: its readable
    text, the raw piece and the id; special tokens marked."""
    count = _("{count} tokens", count=len(result.tokens))
    return (
        f"<div class='inside-tokens'><div class='inside-count'>{html.escape(count)}</div>"
        f"{highlighted_text(result)}{_chips(result)}</div>"
    )


def compare_tokens_html(results: list[tuple[str, Tokenization]]) -> str:
    """The same text as several tokenizers cut it, side by side: per model its name, count and chips."""
    columns = []
    for name, result in results:
        count = _("{count} tokens", count=len(result.tokens))
        columns.append(
            f"<div class='inside-compare-model'><div class='inside-count'><b>{html.escape(name)}</b> · "
            f"{html.escape(shown_model_id(result.model_id))} · {html.escape(count)}</div>"
            f"<div class='inside-tokens'>{_chips(result)}</div></div>"
        )
    return f"<div class='inside-compare'>{''.join(columns)}</div>"


def highlighted_text(result: Tokenization) -> str:
    """The input text with each token's characters shaded, alternating two colours; a character that two
    byte-level tokens share belongs to the first."""
    owner = [-1] * len(result.text)
    for i, token in enumerate(result.tokens):
        if token.start is not None and token.end is not None:
            for c in range(token.start, min(token.end, len(owner))):
                if owner[c] == -1:
                    owner[c] = i
    spans, c = [], 0
    while c < len(owner):
        end = c
        while end < len(owner) and owner[end] == owner[c]:
            end += 1
        piece = html.escape(result.text[c:end])
        i = owner[c]
        if i == -1:
            spans.append(piece)
        else:
            title = html.escape(result.tokens[i].piece, quote=True)
            spans.append(f"<span class='inside-cut inside-cut-{i % 2}' title='{title}'>{piece}</span>")
        c = end
    return f"<div class='inside-highlight'>{''.join(spans)}</div>" if spans else ""


def _chips(result: Tokenization) -> str:
    """Each token a chip (its text, piece and id); the tokens that make one character together (byte-level
    pieces of a Chinese character) grouped under that character with its "N tokens" mark."""
    chips = [_chip(token) for token in result.tokens]
    grouped = []
    for first, count, text in character_runs([token.text for token in result.tokens]):
        if count == 1:
            grouped.append(chips[first])
        else:
            grouped.append(
                f"<span class='tokens-group'><span class='tokens-group-text'>{html.escape(text)}"
                f"{tokens_mark(count)}</span><span class='tokens-group-chips'>"
                f"{''.join(chips[first : first + count])}</span></span>"
            )
    return "".join(grouped)


def _chip(token) -> str:
    kind = "inside-special" if token.special else "inside-token"
    shown = token.text.replace("\n", "↵") or " "
    title = _(
        "id {id} · piece {piece} · characters {start}–{end}",
        id=token.id,
        piece=token.piece,
        start="–" if token.start is None else token.start,
        end="–" if token.end is None else token.end,
    )
    return (
        f"<span class='{kind}' title='{html.escape(title, quote=True)}'>"
        f"<span class='inside-text'>{html.escape(shown)}</span>"
        f"<span class='inside-piece'>{html.escape(token.piece)}</span>"
        f"<span class='inside-id'>{token.id}</span></span>"
    )


def _heatmap(matrix: np.ndarray, rows: list[str], columns: list[str] | None, colorscale: str, **options):
    """One heatmap trace; `columns` None: numbered dimensions (q, k, v have d_k columns)."""
    values = np.asarray(matrix, dtype=np.float32)  # sent as binary: 4 bytes a number, and fast to check
    x = columns if columns is not None else list(range(1, values.shape[1] + 1))
    return go.Heatmap(z=values, x=x, y=rows, colorscale=colorscale, showscale=False, **options)


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


def two_lines(title: str, most: int = 28) -> str:
    """A title longer than `most` characters on two lines, broken at the space nearest its middle (anywhere
    near it in Chinese): on one line it ran past a phone's narrow chart."""
    if len(title) <= most:
        return title
    middle = len(title) // 2
    spaces = [i for i, c in enumerate(title) if c == " "]
    at = min(spaces, key=lambda i: abs(i - middle)) if spaces else middle
    return title[:at].rstrip() + "<br>" + title[at:].lstrip()


def embeddings_figure(result: Embeddings) -> go.Figure:
    """The cosine similarity between the tokens' embeddings and, for learned absolute positions, the position
    embedding matrix (positions × dimensions: GPT-2's shows waves)."""
    tokens = axis_labels(result.tokens)
    panels = [(_("cosine similarity of the token embeddings"), result.similarity, tokens, tokens, WEIGHTS)]
    if result.position_matrix is not None:
        rows = [str(i) for i in range(result.position_matrix.shape[0])]
        title = _("position embeddings ({n} positions × {d})", n=len(rows), d=result.position_matrix.shape[1])
        matrix, title = _first_columns(result.position_matrix, title)
        panels.append((title, matrix, None, rows, DIVERGING))
    # One above the other: side by side, their titles ran into each other on a phone.
    heights = [max(300, 90 + 16 * len(tokens)), 360][: len(panels)]
    fig = make_subplots(
        rows=len(panels),
        cols=1,
        subplot_titles=[two_lines(p[0]) for p in panels],
        row_heights=heights,
        vertical_spacing=90 / sum(heights),
        figure=white_figure(),
    )
    for i, (_title, matrix, columns, rows, colorscale) in enumerate(panels):
        zmid = None if colorscale == WEIGHTS else 0
        trace = _heatmap(
            matrix,
            rows,
            columns,
            colorscale,
            zmid=zmid,
            hovertemplate="%{y} · %{x}: %{z:.3~f}<extra></extra>",
        )
        fig.add_trace(trace, row=i + 1, col=1)
    fig.update_yaxes(autorange="reversed", tickfont={"size": 11})
    fig.update_xaxes(tickfont={"size": 11})
    fig.update_layout(
        font=FONT,
        height=sum(heights) + 90 * len(panels),
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        showlegend=False,
    )
    fig.update_annotations(font={"size": 14})
    return fig


HEAD_PANELS = ("x", "q", "k", "v", "scores", "weights", "head_output", "projected", "residual")
MAX_COLUMNS = 64  # dimensions of a (T, d) matrix drawn at most: d = 768 would send 100,000 numbers a panel


def head_step_figures(step: HeadStep) -> dict[str, go.Figure]:
    """Every step of the head as its own heatmap titled with its formula and shape, by the names of
    HEAD_PANELS: X, Q, K, V, the scores QKᵀ/√d_k (masked cells blank), the softmax weights A, the head
    output A·V, all heads joined and projected by W_O, and the residual stream after attention. A
    cross-attention head: Q from the decoder's stream Z₁, K and V from the encoder's output X⁽ᴸ⁾ (one row per
    source token), scores and weights target × source."""
    tokens = axis_labels(step.tokens)
    keys = axis_labels(step.keys) if step.cross else tokens
    n, s, d, d_k = len(tokens), len(keys), step.x.shape[1], step.d_k
    scores = np.where(step.masked, np.nan, step.scores)
    kv = "" if step.num_kv_heads == step.num_heads else " " + _("(key/value head {kv})", kv=step.kv_head)
    if step.cross:
        titles = {
            "x": _("Z₁: after the masked self-attention ({n} × {d})", n=n, d=d),
            "q": _("Q = Z₁·W_Q ({n} × {d_k})", n=n, d_k=d_k),
            "k": _("K = X⁽ᴸ⁾·W_K: the encoder's output ({s} × {d_k})", s=s, d_k=d_k),
            "v": _("V = X⁽ᴸ⁾·W_V: the encoder's output ({s} × {d_k})", s=s, d_k=d_k),
            "scores": _("scores Q·Kᵀ/√d_k: target × source ({n} × {s})", n=n, s=s),
            "weights": _("A = softmax(scores): target × source ({n} × {s})", n=n, s=s),
            "residual": _("residual stream: Z₁ + cross-attention ({n} × {d})", n=n, d=d),
        }
    else:
        titles = {
            "x": _("X: the input ({n} × {d})", n=n, d=d),
            "q": _("Q = X·W_Q ({n} × {d_k})", n=n, d_k=d_k),
            "k": _("K = X·W_K ({n} × {d_k})", n=n, d_k=d_k) + kv,
            "v": _("V = X·W_V ({n} × {d_k})", n=n, d_k=d_k) + kv,
            "scores": _("scores Q·Kᵀ/√d_k, masked ({n} × {n})", n=n),
            "weights": _("A = softmax(scores) ({n} × {n})", n=n),
            "residual": _("residual stream: X_in + attention ({n} × {d})", n=n, d=d),
        }
    panels = {  # name: (matrix, its rows, its columns (None: dimensions), colour scale)
        "x": (step.x, tokens, None, DIVERGING),
        "q": (step.q, tokens, None, DIVERGING),
        "k": (step.k, keys, None, DIVERGING),
        "v": (step.v, keys, None, DIVERGING),
        "scores": (scores, tokens, keys, DIVERGING),
        "weights": (step.weights, tokens, keys, WEIGHTS),
        "head_output": (step.head_output, tokens, None, DIVERGING),
        "projected": (step.attention_output, tokens, None, DIVERGING),
        "residual": (step.residual, tokens, None, DIVERGING),
    }
    titles["head_output"] = _("head output A·V ({n} × {d_k})", n=n, d_k=d_k)
    titles["projected"] = _("all heads joined, times W_O ({n} × {d})", n=n, d=d)
    return {
        name: _matrix_figure(titles[name], matrix, rows, x, scale)
        for name, (matrix, rows, x, scale) in panels.items()
    }


def _matrix_figure(
    title: str, matrix: np.ndarray, rows: list[str], columns: list[str] | None, colorscale: str
):
    """One heatmap with its title; a matrix wider than MAX_COLUMNS shows its first dimensions and says so."""
    if columns is None:
        matrix, title = _first_columns(matrix, title)
    zmid = None if colorscale == WEIGHTS else 0
    hover = "%{y} · %{x}: %{z:.3~f}<extra></extra>"
    fig = white_figure(_heatmap(matrix, rows, columns, colorscale, zmid=zmid, hovertemplate=hover))
    fig.update_yaxes(autorange="reversed", tickfont={"size": 12})
    fig.update_xaxes(tickfont={"size": 11})
    return own_title(
        fig, title, font=FONT, height=_height(len(rows)), margin={"l": 10, "r": 10, "t": 70, "b": 10}
    )


def _first_columns(matrix: np.ndarray, title: str) -> tuple[np.ndarray, str]:
    """A matrix wider than MAX_COLUMNS cut to its first dimensions, and its title saying so."""
    if matrix.shape[1] <= MAX_COLUMNS:
        return matrix, title
    note = _("the first {shown} of {d} dimensions", shown=MAX_COLUMNS, d=matrix.shape[1])
    return matrix[:, :MAX_COLUMNS], f"{title}<br>{note}"


def _height(n_rows: int) -> int:
    """Pixels for a chart of `n_rows` token rows: 18 a row, the longest texts squeezed to 720 px of rows."""
    return 110 + min(18 * n_rows, 720)


def query_row_figure(step: HeadStep, query: int) -> go.Figure:
    """For one query token (0-based), its row of scores before the softmax and of weights after it, one bar
    per key; hovering a score shows q_i·k_j as the sum over the d_k dimensions it is."""
    keys = axis_labels(step.keys)
    allowed = ~step.masked[query]
    # each title in lines that fit over its half of a phone's chart: on one line, in Chinese, they ran into
    # each other and past the chart's edge
    titles = [
        "<br>".join(fit_line(title, PANEL_COLUMNS))
        for title in (
            _("scores of “{token}” before the softmax", token=label(token_labels(step.tokens)[query])),
            _("weights after the softmax (sum 1)"),
        )
    ]
    lines = max(title.count("<br>") + 1 for title in titles)
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=titles,
        horizontal_spacing=0.15,
        figure=white_figure(),
    )
    sums = [_dot_product_text(step, query, key) for key in range(len(keys))]
    colors = [BAR_COLOR if ok else "#d1d5db" for ok in allowed]
    fig.add_trace(
        go.Bar(
            x=step.scores[query].round(3).tolist(),
            y=keys,
            orientation="h",
            marker_color=colors,
            customdata=sums,
            hovertemplate="%{y}: %{customdata}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=step.weights[query].round(3).tolist(),
            y=keys,
            orientation="h",
            marker_color=colors,
            hovertemplate="%{y}: %{x:.1%}<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_yaxes(autorange="reversed", tickfont={"size": 12})
    fig.update_xaxes(range=[0, 1], tickformat=".0%", row=1, col=2)
    fig.update_layout(
        font=FONT,
        height=_height(len(keys)) + 18 * (lines - 1),
        margin={"l": 10, "r": 10, "t": 32 + 18 * lines, "b": 10},
        showlegend=False,
    )
    fig.update_annotations(font={"size": 13})
    return fig


SUM_TERMS = 4  # the largest products q_i[m]·k_j[m] written out; the rest summed as one number


def _dot_product_text(step: HeadStep, query: int, key: int) -> str:
    """q_i·k_j/√d_k as the sum it is: the largest products written out, the others added up, times the scale.
    A masked key says it is hidden instead."""
    if step.masked[query, key]:
        return _("masked: the query may not look at this token")
    products = step.q[query].astype(np.float64) * step.k[key].astype(np.float64)
    largest = np.argsort(-np.abs(products))[:SUM_TERMS]
    terms = [f"{step.q[query, m]:.2f}×{step.k[key, m]:.2f}" for m in sorted(largest)]
    rest = len(products) - len(largest)
    if rest:
        other = products.sum() - products[largest].sum()
        terms.append(_("{count} more terms ({sum})", count=rest, sum=f"{other:.2f}"))
    return (
        f"({' + '.join(terms)}) × {step.scaling:.3g} = {products.sum():.3f} × {step.scaling:.3g} "
        f"= {step.scores[query, key]:.3f}"
    )


def residual_figure(view: BlockView) -> go.Figure:
    """The size (L2 norm) of the residual stream: rows = the embeddings and each layer's output, columns =
    the tokens."""
    rows = [_("embeddings")] + [_("layer {layer}", layer=i) for i in range(1, len(view.residual_norms))]
    fig = white_figure(
        go.Heatmap(
            z=view.residual_norms.round(2).tolist(),
            x=axis_labels(view.tokens),
            y=rows,
            colorscale="Viridis",
            colorbar={"title": {"text": _("norm"), "side": "right"}},
            hovertemplate="%{y} · %{x}: %{z:.2~f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    own_title(
        fig,
        _("Size of the residual stream (L2 norm) after each layer"),
        font=FONT,
        height=max(300, 90 + 30 * len(rows)),
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
    )
    return fig


def neurons_figure(view: BlockView) -> go.Figure:
    """The most active neurons of one layer's MLP for one token, largest |activation| on top."""
    names = [_("neuron {index}", index=n.index) for n in view.neurons]
    values = [round(n.activation, 3) for n in view.neurons]
    fig = white_figure(
        go.Bar(
            x=values,
            y=names,
            orientation="h",
            marker_color=[BAR_COLOR if v >= 0 else "#dc2626" for v in values],
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    title = _(
        "Layer {layer}'s MLP on “{token}”: its {top} most active of {total} neurons",
        layer=view.layer,
        token=label(token_labels(view.tokens)[view.position]),
        top=len(values),
        total=view.num_neurons,
    )
    return own_title(
        fig,
        title,
        font=FONT,
        height=max(300, 90 + 28 * len(values)),
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        xaxis={"title": {"text": _("activation")}},
    )


LENS_FONT = 13  # px: the predicted words of the logit lens
LENS_CELL = 72  # px: the width of a column, room for a word of about eight letters at LENS_FONT


def lens_width(columns: int, rows: list[str]) -> int | None:
    """A width that gives every column LENS_CELL pixels (None, the page's width, when few columns need no
    more than a laptop's page has)."""
    width = 40 + 9 * max(map(len, rows)) + LENS_CELL * columns + 110  # row names, cells, colour bar
    return width if columns > 8 else None


def logit_lens_figure(lens: LogitLens, causal: bool) -> go.Figure:
    """Layers (rows, 0 = embeddings) × positions (every token of a causal model, each [MASK] of a masked one):
    the top token after each layer, coloured by its probability, the top 5 on hover."""
    names = token_labels(lens.tokens)
    columns = [label(names[p]) + "\u200b" * i for i, p in enumerate(lens.positions)]
    rows = [
        _("embeddings") if layer == 0 else _("layer {layer}", layer=layer)
        for layer in range(len(lens.layers))
    ]
    probs = [[top[0].score for top in row] for row in lens.layers]
    words = [[label(piece_label(top[0].shown)) for top in row] for row in lens.layers]
    hover = [
        ["<br>".join(f"{label(piece_label(p.shown))}: {p.score:.1%}" for p in top[:5]) for top in row]
        for row in lens.layers
    ]
    fig = white_figure(
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
    # The words are the point of this picture: at a fixed, readable size (plotly would shrink them to fit
    # their cells, down to 5 px), in cells wide enough for them; a chart wider than the page scrolls sideways.
    fig.update_traces(textfont={"size": LENS_FONT})
    fig.update_layout(
        title={"text": _("Logit lens: what the model would predict after each layer")},
        font=FONT,
        height=max(360, 90 + 40 * len(rows)),
        width=lens_width(len(columns), rows),
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
