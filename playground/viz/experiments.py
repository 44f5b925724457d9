"""Pictures of the Experiments tab: the head finder's four layers × heads maps (tables whose cells are clicked),
ablation before and after, the patching heatmap (the causal tracing figure), the KV cache's steps, and the
tokenizer lab's pieces. No model runs here; every token shown is HTML-escaped.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.i18n import _
from playground.tasks.experiments.ablation import Ablation
from playground.tasks.experiments.heads import KIND_NAMES, HeadScores
from playground.tasks.experiments.kv_cache import KVCache
from playground.tasks.experiments.patching import Patching
from playground.tasks.experiments.tokenizer_lab import Piece, Tokenized, TrainedTokenizer, merge_text
from playground.viz.attention import axis_labels
from playground.viz.charts import BAR_COLOR, label, layout, layout_with_legend_below, percent
from playground.viz.marks import piece_label, token_labels, tokens_mark

AFTER_COLOR = "#ea580c"
UNCACHED_COLOR = "#dc2626"


# --- head finder ----------------------------------------------------------------------------------


def _shade(value: float) -> str:
    """A cell's background: white at 0 to indigo at 1, with text that stays readable."""
    v = float(np.clip(value, 0, 1))
    red, green, blue = (round(255 + (c - 255) * v) for c in (79, 70, 229))
    text = "#ffffff" if v > 0.55 else "#111827"
    return f"background-color: rgb({red},{green},{blue}); color: {text}"


def head_table(result: HeadScores, kind: str):
    """One score as a layers × heads table (a row per layer, a column per head), each cell shaded by its
    score against the map's largest: a cell is clicked to pick that head. A pandas Styler, which gr.Dataframe draws with its colours."""
    matrix = result.scores[kind]
    frame = pd.DataFrame(
        np.round(matrix, 2),
        index=[str(layer) for layer in range(1, matrix.shape[0] + 1)],
        columns=[str(head) for head in range(1, matrix.shape[1] + 1)],
    )
    frame.insert(0, _("Layer"), frame.index)
    heads = [str(h) for h in range(1, matrix.shape[1] + 1)]
    finite = matrix[np.isfinite(matrix)]  # a linear-attention layer (no matrix) has no scores: "–"
    top = max(float(finite.max()) if finite.size else 0.0, 1e-9)  # colours run to the map's largest score
    return frame.style.format("{:.2f}", subset=heads, na_rep="–").map(
        lambda v: "" if v != v else _shade(v / top), subset=heads
    )


def top_heads_markdown(result: HeadScores, n: int = 3) -> str:
    """Per kind, its n highest-scoring heads, as "layer.head (score)"."""
    lines = []
    for kind, name in KIND_NAMES.items():
        top = ", ".join(f"**{layer}.{head}** ({score:.2f})" for layer, head, score in result.top(kind, n))
        lines.append(f"- {_(name)}: {top}")
    return "\n".join(lines)


# --- ablation -------------------------------------------------------------------------------------


def ablation_figure(result: Ablation) -> go.Figure:
    """The prediction before and after, side by side: each its own top outcomes, the most probable on top."""
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=(_("Before"), _("After")), horizontal_spacing=0.25, shared_xaxes=True
    )
    for column, (outcomes, color) in enumerate(((result.before, BAR_COLOR), (result.after, AFTER_COLOR)), 1):
        fig.add_trace(
            go.Bar(
                x=[o.prob for o in outcomes][::-1],
                y=[label(piece_label(o.token)) for o in outcomes][::-1],
                orientation="h",
                marker_color=color,
                text=[percent(o.prob) for o in outcomes][::-1],
                textposition="auto",
                hovertemplate="%{y}: %{x:.4f}<extra></extra>",
            ),
            row=1,
            col=column,
        )
    heads = ", ".join(str(h) for h in result.heads)
    title = _("Knocked out ({mode}): {heads}", mode=_(result.mode), heads=heads)
    layout(fig, title, 160 + 32 * max(len(result.before), 1))
    fig.update_xaxes(
        range=[0, max([o.prob for o in result.before + result.after] + [0.01]) * 1.05], tickformat=".0%"
    )
    fig.update_yaxes(type="category")
    return fig


def ablation_summary(result: Ablation) -> str:
    before, after = result.before[0], result.after[0]
    what = {"next token": _("next token"), "mask": _("word at the [MASK]"), "labels": _("label")}[result.kind]
    same = after.token_id == before.token_id
    moved = float(result.after_probs[before.token_id])
    sentence = _(
        "The model's {what}: “{before}” ({p_before}) before; after, “{after}” ({p_after}).",
        what=what,
        before=html.escape(piece_label(before.token)),
        p_before=percent(before.prob),
        after=html.escape(piece_label(after.token)),
        p_after=percent(after.prob),
    )
    if same:
        return sentence + " " + _("The top answer stays; its probability moves to {p}.", p=percent(moved))
    return (
        sentence
        + " "
        + _(
            "The top answer changes: “{before}” now has {p}.",
            before=html.escape(piece_label(before.token)),
            p=percent(moved),
        )
    )


# --- patching -------------------------------------------------------------------------------------


def patching_figure(result: Patching) -> go.Figure:
    """Layers (rows, 0 = the embeddings at the top) × positions (columns, the tokens; where the two prompts
    differ, "clean → corrupted"): the share of the logit difference that patching restores."""
    names = [
        clean if clean == corrupted else f"{clean} → {corrupted}"
        for clean, corrupted in zip(
            token_labels(result.tokens), token_labels(result.corrupted_tokens), strict=True
        )
    ]
    columns = axis_labels(names)
    rows = [_("embeddings") if layer == 0 else str(layer) for layer in range(result.effect.shape[0])]
    fig = go.Figure(
        go.Heatmap(
            z=np.round(result.effect, 3),
            x=columns,
            y=rows,
            colorscale="RdBu",
            reversescale=True,
            zmid=0,
            colorbar={"title": {"text": _("effect")}, "thickness": 12},
            hovertemplate=_(
                "layer {layer}, token {token}: {effect}", layer="%{y}", token="%{x}", effect="%{z:.3f}"
            )
            + "<extra></extra>",
        )
    )
    fig.update_xaxes(type="category", tickangle=-60, side="bottom", automargin=True)
    fig.update_yaxes(type="category", autorange="reversed", title=_("Layer"), automargin=True)
    title = _(
        "Patching the clean run into the corrupted one: “{clean}” vs “{corrupted}”",
        clean=label(piece_label(result.answers[0])),
        corrupted=label(piece_label(result.answers[1])),
    )
    layout(fig, title, 220 + 26 * result.effect.shape[0], _("1: the clean answer comes back; 0: no change"))
    return fig


# --- KV cache -------------------------------------------------------------------------------------


def kv_table(result: KVCache) -> pd.DataFrame:
    return pd.DataFrame(
        {
            _("Step"): [s.step for s in result.steps],
            _("Kind"): [_(s.kind) for s in result.steps],
            _("Token"): token_labels([t.token for t in result.tokens]),
            _("Tokens read"): [s.input_tokens for s in result.steps],
            _("Cache shape"): ["×".join(map(str, s.shape)) for s in result.steps],
            _("Cache size"): [f"{s.bytes / 1024:,.1f} KiB" for s in result.steps],
            _("ms with cache"): [round(s.ms_cached, 2) for s in result.steps],
            _("ms without"): [round(s.ms_uncached, 2) for s in result.steps],
        }
    )


def kv_figure(result: KVCache) -> go.Figure:
    """Per step: the time with the cache and without (lines), the cache's size (bars, right axis)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    steps = [s.step for s in result.steps]
    fig.add_trace(
        go.Bar(
            x=steps,
            y=[s.bytes / 1024 for s in result.steps],
            name=_("Cache size (KiB)"),
            marker_color="#c7d2fe",
            opacity=0.7,
        ),
        secondary_y=True,
    )
    fig.add_trace(
        go.Scatter(
            x=steps,
            y=[s.ms_cached for s in result.steps],
            name=_("With the cache (ms)"),
            mode="lines+markers",
            line={"color": BAR_COLOR},
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=steps,
            y=[s.ms_uncached for s in result.steps],
            name=_("Without: the whole sequence again (ms)"),
            mode="lines+markers",
            line={"color": UNCACHED_COLOR},
        ),
        secondary_y=False,
    )
    layout_with_legend_below(
        fig, _("Each step's time and the cache's size"), 380, _("step 1 is the prefill"), 40
    )
    fig.update_xaxes(title=_("Step"), dtick=1)
    fig.update_yaxes(title=_("ms"), secondary_y=False, rangemode="tozero")
    fig.update_yaxes(title="KiB", secondary_y=True, rangemode="tozero", showgrid=False)
    return fig


def kv_summary(result: KVCache) -> str:
    per_position = result.bytes_per_position
    text = _(
        "Each position keeps a key and a value per layer and key/value head: {layers} × 2 × {kv} × {dim} numbers "
        "({dtype}) = {bytes} bytes per token.",
        layers=result.num_layers,
        kv=result.num_kv_heads,
        dim=result.head_dim,
        dtype=result.dtype,
        bytes=f"{per_position:,}",
    )
    if result.num_kv_heads < result.num_heads:
        text += " " + _(
            "Grouped-query attention: {heads} query heads share {kv} key/value heads, so the cache is {times}× "
            "smaller than with one per query head.",
            heads=result.num_heads,
            kv=result.num_kv_heads,
            times=result.num_heads // result.num_kv_heads,
        )
    decode = [s for s in result.steps if s.kind == "decode"]
    if decode:
        cached = sum(s.ms_cached for s in decode) / len(decode)
        uncached = sum(s.ms_uncached for s in decode) / len(decode)
        text += " " + _(
            "A decode step took {cached:.1f} ms with the cache and {uncached:.1f} ms reading the whole sequence "
            "again (measured just now).",
            cached=cached,
            uncached=uncached,
        )
    return text


# --- tokenizer lab --------------------------------------------------------------------------------


def _visible(text: str) -> str:
    """Spaces and line breaks made visible: '␣the', '↵'."""
    return text.replace("\n", "↵").replace(" ", "␣")


def pieces_html(pieces: list[Piece], count: int, title: str = "") -> str:
    """Each piece as a chip showing the characters its tokens form; a piece of several tokens marked
    "N tokens" (a Chinese character of three byte tokens: 今 · 3 tokens), never "�"."""
    chips = []
    for piece in pieces:
        text = html.escape(_visible(piece.text)) or "&nbsp;"
        mark = tokens_mark(piece.tokens)
        hover = html.escape(" + ".join(piece.pieces))
        chips.append(f"<span class='lab-piece' title='{hover}'>{text}{mark}</span>")
    heading = html.escape(_("{count} tokens", count=count))
    if title:
        heading = f"<b>{html.escape(title)}</b> · {heading}"
    return f"<div class='lab-pieces'><div class='inside-count'>{heading}</div>{''.join(chips)}</div>"


def tokenized_html(result: Tokenized) -> str:
    title = _("With the first {k} of {n} merges", k=result.k, n=result.merges)
    return pieces_html(result.pieces, result.count, title)


def merges_table(trained: TrainedTokenizer, k: int, last: int = 12) -> pd.DataFrame:
    """The merges up to the k-th, the latest last: number, left, right and the new token."""
    rows = []
    for index in range(max(0, k - last), k)[::-1]:
        left, right, new = (_visible(side) for side in merge_text(trained.merges[index]))
        rows.append({"#": index + 1, _("Left"): left, _("Right"): right, _("New token"): new})
    return pd.DataFrame(rows, columns=["#", _("Left"), _("Right"), _("New token")])
