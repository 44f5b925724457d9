"""The Transformer block as a diagram (HTML): the model's own norms, attention and feed-forward modules in the
order the loaded model applies them (pre-norm or post-norm), their classes and shapes, and the two residual
sums x + f(x) with the difference measured between the model's sum and x + f(x)."""

from __future__ import annotations

import html

from playground.i18n import _
from playground.tasks.inside.structure import BlockStructure, Part, Residual

BOX = "border:1px solid {border};background:{fill};border-radius:8px;padding:6px 10px;margin:0 auto;max-width:520px"
COLORS = {
    "norm": ("#a78bfa", "#f5f3ff"),
    "attention": ("#60a5fa", "#eff6ff"),
    "mlp": ("#34d399", "#ecfdf5"),
    "sum": ("#f59e0b", "#fffbeb"),
    "stream": ("#9ca3af", "#f9fafb"),
}
ARROW = "<div style='text-align:center;color:#6b7280;line-height:1.1'>↓</div>"


def _parts(parts: list[Part]) -> str:
    rows = []
    for part in parts:
        shape = f" <b>{html.escape(part.shape)}</b>" if part.shape else ""
        rows.append(
            f"<div style='font-size:0.85em'><code>{html.escape(part.module)}</code> · "
            f"{html.escape(part.kind)}{shape}</div>"
        )
    return "".join(rows)


def _box(kind: str, title: str, body: str = "") -> str:
    border, fill = COLORS[kind]
    return (
        f"<div class='block-box block-{kind}' style='{BOX.format(border=border, fill=fill)}'>"
        f"<div style='font-weight:600'>{title}</div>{body}</div>"
    )


def _sum(formula: str, residual: Residual) -> str:
    check = _(
        "the model's sum − (x + f(x)): largest difference {difference} (f(x) reaches {size})",
        difference=f"{residual.difference:.1e}",
        size=f"{residual.size:.3g}",
    )
    return _box(
        "sum", f"⊕ {html.escape(formula)}", f"<div style='font-size:0.85em'>{html.escape(check)}</div>"
    )


def block_diagram_html(result: BlockStructure) -> str:
    """The block `result.layer` of the model, top (its input) to bottom (its output)."""
    d, T = result.d_model, result.tokens
    heads = _("{heads} heads × d_k {d_k}", heads=result.num_heads, d_k=result.head_dim)
    if result.num_kv_heads < result.num_heads:
        heads += " · " + _("{kv} key/value heads", kv=result.num_kv_heads)
    attention = _box("attention", html.escape(_("Self-attention") + f" ({heads})"), _parts(result.attention))
    mlp = _box(
        "mlp",
        html.escape(_("Feed-forward (MLP): {d} → {d_ff} → {d}", d=d, d_ff=result.d_ff)),
        _parts(result.mlp),
    )
    first = _box("norm", html.escape(_("Norm") + " 1"), _parts([result.first_norm]))
    second = _box("norm", html.escape(_("Norm") + " 2"), _parts([result.second_norm]))
    stream_in = _box(
        "stream",
        html.escape(
            _("x: the residual stream entering layer {layer} ({T} × {d})", layer=result.layer, T=T, d=d)
        ),
    )
    stream_out = _box(
        "stream",
        html.escape(
            _("out: the residual stream leaving layer {layer} ({T} × {d})", layer=result.layer, T=T, d=d)
        ),
    )
    attention_sum, mlp_sum = result.residuals
    if result.pre_norm:
        kind = _(
            "Pre-norm (as GPT-2 and Llama): each sublayer reads a normed copy; the stream itself is never normed."
        )
        steps = [stream_in, first, attention, _sum("h = x + Attention(Norm₁(x))", attention_sum), second, mlp]
        steps += [_sum("out = h + MLP(Norm₂(h))", mlp_sum), stream_out]
    else:
        kind = _("Post-norm (as BERT): each residual sum is normed before it goes on.")
        steps = [stream_in, attention, _sum("x + Attention(x)", attention_sum), first, mlp]
        steps += [_sum("h + MLP(h)", mlp_sum), second, stream_out]
    around = []
    if result.embedding_norm is not None:
        around.append(
            _(
                "Before layer 1, the embeddings are normed too: {part}.",
                part=_part_text(result.embedding_norm),
            )
        )
    if result.final_norm is not None:
        around.append(_("After the last layer, a final norm: {part}.", part=_part_text(result.final_norm)))
    repeat = _(
        "This block is repeated {layers} times (layer {layer} shown).",
        layers=result.num_layers,
        layer=result.layer,
    )
    notes = "".join(f"<p style='margin:4px 0'>{html.escape(text)}</p>" for text in [kind, repeat, *around])
    return (
        f"<div class='block-diagram' style='display:flex;flex-direction:column;gap:2px'>{notes}"
        f"{ARROW.join(steps)}</div>"
    )


def _part_text(part: Part) -> str:
    return f"{part.module} ({part.kind} {part.shape})".strip()
