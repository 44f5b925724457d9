"""Pictures of a translation: its tokens coloured by probability, the cross-attention as a target x source
heatmap (the alignment), bertviz's encoder-decoder model view, and the architecture with the course's formulas
and this model's shapes. No model calls: everything comes from a `tasks.translation` result.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.demo import shown_model_id
from playground.i18n import _
from playground.markup import escape_markdown
from playground.tasks.generation import Sample
from playground.tasks.translation import Architecture, CrossAttention
from playground.viz import bertviz
from playground.viz.attention import _label_room, _layout, _tick_size, axis_labels, color_axis, rounded
from playground.viz.charts import title_room
from playground.viz.tokens import samples_html


def translation_html(steps: list) -> str:
    """The translation's tokens coloured by the probability each had (hover or tap: the alternatives)."""
    return samples_html("", [Sample(steps=list(steps))])


def head_matrix(result: CrossAttention, layer: int, head: int) -> np.ndarray:
    """The (target, source) cross-attention of a layer (1-based) and head (1-based; 0 = mean of the heads)."""
    weights = result.cross[layer - 1]  # (heads, target, source)
    return weights.mean(axis=0) if head == 0 else weights[head - 1]


def cross_attention_figure(result: CrossAttention, layer: int, head: int) -> go.Figure:
    """Rows: the tokens of the translation; columns: the source tokens; each row adds up to 1. A row shows
    where the decoder looked in the source while it wrote that token: the alignment of the two sentences."""
    matrix = head_matrix(result, layer, head)
    rows, columns = axis_labels(result.target_tokens), axis_labels(result.source_tokens)
    fig = go.Figure(
        go.Heatmap(
            z=rounded(matrix),
            x=columns,
            y=rows,
            coloraxis="coloraxis",
            hovertemplate=_(
                "{target} looked at {source}: {weight}", target="%{y}", source="%{x}", weight="%{z:.3f}"
            )
            + "<extra></extra>",
        )
    )
    n = max(len(rows), len(columns))
    ticks = {"type": "category", "tickfont": {"size": _tick_size(n)}, "showgrid": False, "automargin": True}
    fig.update_xaxes(side="top", tickangle=-60, **ticks)
    fig.update_yaxes(autorange="reversed", **ticks)
    which = (
        _("mean of the {count} heads", count=result.num_heads) if head == 0 else _("head {head}", head=head)
    )
    title = _("Cross-attention · layer {layer}, {which}", layer=layer, which=which)
    subtitle = _("rows: the translation's tokens · columns: the source tokens · each row adds up to 1")
    tick_room = _label_room(columns, n)
    height = min(900, 160 + 26 * len(rows)) + 120 + tick_room
    _layout(fig, f"{title}<br><sup>{subtitle}</sup>", height)
    fig.update_layout(coloraxis=color_axis(), margin={"t": title_room(fig) + tick_room, "b": 70})
    return fig


def model_view_document(result: CrossAttention, notices: list[str] | None = None) -> str:
    """bertviz's model view of an encoder-decoder: its menu picks the encoder's self-attention, the decoder's
    masked self-attention or the cross-attention (decoder rows, source columns); every layer and head."""
    title = _(
        "bertviz model view · {model} · {source} source and {target} target tokens",
        model=shown_model_id(result.model_id),
        source=len(result.source_tokens),
        target=len(result.target_tokens),
    )
    return bertviz.encoder_decoder_document(
        result.source_tokens,
        result.decoder_tokens,
        result.encoder,
        result.decoder,
        result.cross,
        title,
        notices,
    )


def model_view_iframe(result: CrossAttention, document: str, notices: int = 0) -> str:
    longest = max(len(result.source_tokens), len(result.decoder_tokens))
    layers = max(result.encoder.shape[0], result.decoder.shape[0])
    return bertviz.iframe(document, "model", longest, layers, result.num_heads, notices + 1)


def _shape(*sizes: object) -> str:
    return "(" + " × ".join(str(s) for s in sizes) + ")"


def architecture_markdown(arch: Architecture, source_length: int | None, target_length: int | None) -> str:
    """The encoder and decoder layers as the course writes them, each tensor with its shape in this model
    (S source tokens, T target tokens: the translation shown, if there is one)."""
    s = source_length if source_length else "S"
    t = target_length if target_length else "T"
    d, h, dk, ff = arch.d_model, arch.encoder_heads, arch.d_k, arch.d_ff
    lines = [
        _(
            "**{model}** ({kind}): {enc} encoder layers and {dec} decoder layers, {heads} heads of d_k = {dk}, "
            "d_model = {d}, feed-forward {ff}, a vocabulary of {vocab:,} tokens, {params:,} parameters.",
            model=escape_markdown(shown_model_id(arch.model_id)),
            kind=arch.model_class,
            enc=arch.encoder_layers,
            dec=arch.decoder_layers,
            heads=h,
            dk=dk,
            d=d,
            ff=ff,
            vocab=arch.vocab_size,
            params=arch.parameters,
        ),
        "",
        _("**Encoder layer** (× {count}); X is the source, one row per token:", count=arch.encoder_layers),
        "",
        f"- Q = XW_Q, K = XW_K, V = XW_V · X {_shape(s, d)} → Q, K, V {_shape(h, s, dk)}",
        f"- Z = LayerNorm(X + MultiHead(X, X, X)) · softmax(QKᵀ/√d_k) {_shape(h, s, s)}",
        f"- X' = LayerNorm(Z + FFN(Z)) · FFN {_shape(s, d)} → {_shape(s, ff)} → {_shape(s, d)}",
        _("- the last layer's output is X⁽ᴸ⁾ {shape}: what the decoder reads", shape=_shape(s, d)),
        "",
        _("**Decoder layer** (× {count}); Y is the translation so far:", count=arch.decoder_layers),
        "",
        _(
            "- Z₁ = LayerNorm(Y + MaskedMultiHead(Y, Y, Y)) · weights {shape}, nothing above the diagonal: a "
            "token sees only the tokens before it",
            shape=_shape(arch.decoder_heads, t, t),
        ),
        _(
            "- Z₂ = LayerNorm(Z₁ + MultiHead(Z₁, X⁽ᴸ⁾, X⁽ᴸ⁾)) · encoder-decoder (cross) attention: queries from "
            "the decoder, keys and values from the encoder, weights {shape}",
            shape=_shape(arch.decoder_heads, t, s),
        ),
        f"- Y' = LayerNorm(Z₂ + FFN(Z₂)) · {_shape(t, d)}",
        _(
            "- finally a linear layer and softmax over the {vocab:,} tokens give the next token's distribution",
            vocab=arch.vocab_size,
        ),
    ]
    return "\n".join(lines)
