"""Training, live: the loss per step and the validation per epoch (fine-tuning), the loss and perplexity per
step (tiny GPT), as plotly figures redrawn after every step; and the progress bar with the time left."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.i18n import _
from playground.tasks.training import Epoch
from playground.viz.charts import layout_with_legend_below

LOSS_COLOR = "#4f46e5"
VALIDATION_COLOR = "#ea580c"
ACCURACY_COLOR = "#16a34a"


def _layout(fig: go.Figure, title: str, total_steps: int) -> go.Figure:
    layout_with_legend_below(fig, title, 380)
    fig.update_xaxes(title_text=_("step"), range=[0, max(1, total_steps)])
    return fig


def fine_tune_figure(losses: Sequence[float], epochs: Sequence[Epoch], total_steps: int) -> go.Figure:
    """Training loss per step; validation loss and accuracy (right axis) at the end of each epoch."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    steps = list(range(1, len(losses) + 1))
    fig.add_trace(
        go.Scatter(
            x=steps, y=list(losses), mode="lines", name=_("training loss"), line={"color": LOSS_COLOR}
        ),
        secondary_y=False,
    )
    shown = [e for e in epochs if e.val_loss is not None]
    if shown:
        ends = [e.step for e in shown]
        fig.add_trace(
            go.Scatter(
                x=ends,
                y=[e.val_loss for e in shown],
                mode="lines+markers",
                name=_("validation loss"),
                line={"color": VALIDATION_COLOR},
            ),
            secondary_y=False,
        )
        fig.add_trace(
            go.Scatter(
                x=ends,
                y=[e.val_accuracy for e in shown],
                mode="lines+markers",
                name=_("validation accuracy"),
                line={"color": ACCURACY_COLOR, "dash": "dot"},
            ),
            secondary_y=True,
        )
    fig.update_yaxes(title_text=_("loss"), rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text=_("accuracy"), range=[0, 1.05], tickformat=".0%", secondary_y=True)
    return _layout(fig, _("Fine-tuning: the loss falls as the model learns"), total_steps)


def tiny_figure(losses: Sequence[float], total_steps: int) -> go.Figure:
    """The training loss per step, and the perplexity e^loss (right axis, log scale)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    steps = list(range(1, len(losses) + 1))
    fig.add_trace(
        go.Scatter(x=steps, y=list(losses), mode="lines", name=_("loss"), line={"color": LOSS_COLOR}),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=steps,
            y=[math.exp(min(loss, 50.0)) for loss in losses],
            mode="lines",
            name=_("perplexity"),
            line={"color": VALIDATION_COLOR, "dash": "dot"},
        ),
        secondary_y=True,
    )
    fig.update_yaxes(title_text=_("loss"), rangemode="tozero", secondary_y=False)
    # a label at every doubling (1, 2, 4, 8 ...): plotly's own labelled every digit between the powers of ten
    # in smaller type, 7, 8, 9 and 10 over one another on a laptop
    fig.update_yaxes(title_text=_("perplexity"), type="log", tick0=0, dtick=math.log10(2), secondary_y=True)
    return _layout(fig, _("Pretraining: loss and perplexity per step"), total_steps)


def progress_html(step: int, total: int, seconds: float, loss: float | None = None) -> str:
    """A progress bar with the step, the loss and the time left (estimated from the steps so far)."""
    left = seconds / step * (total - step) if step else 0.0
    words = _("Step {step} of {total}", step=step, total=total)
    if loss is not None:
        words += " · " + _("loss {loss}", loss=f"{loss:.3f}")
    words += " · " + _("about {seconds} s left", seconds=f"{left:.0f}")
    return (
        f"<div class='training-progress'><progress max='{max(1, total)}' value='{step}' "
        f"style='width:100%;height:1.2em'></progress><div>{html.escape(words)}</div></div>"
    )


# --- the tiny BERT ---------------------------------------------------------------------------------------

KIND_COLORS = {"masked": "#c7d2fe", "replaced": "#fed7aa", "kept": "#bbf7d0"}  # indigo, orange, green
KIND_WORDS = {
    "masked": "masked: [MASK] put in its place",
    "replaced": "replaced by a random token",
    "kept": "kept as it was",
}


def mlm_figure(losses: Sequence[float], accuracies: Sequence[float], total_steps: int) -> go.Figure:
    """The loss on the chosen tokens per step, and the share of them predicted right (right axis)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    steps = list(range(1, len(losses) + 1))
    fig.add_trace(
        go.Scatter(x=steps, y=list(losses), mode="lines", name=_("loss"), line={"color": LOSS_COLOR}),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=steps,
            y=list(accuracies),
            mode="lines",
            name=_("accuracy (chosen tokens)"),
            line={"color": ACCURACY_COLOR, "dash": "dot"},
        ),
        secondary_y=True,
    )
    fig.update_yaxes(title_text=_("loss"), rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text=_("accuracy"), range=[0, 1.05], tickformat=".0%", secondary_y=True)
    return _layout(fig, _("BERT: loss and accuracy"), total_steps)


def _visible(token: str) -> str:
    """A token as a reader can see it: a space as ␣, a line break as ↵."""
    return token.replace(" ", "␣").replace("\n", "↵") if token.strip() == "" else token


def _cell(cell) -> str:
    if not cell.kind:
        text = "↵ " if cell.token == "\n" else cell.token
        style = "color:#6b7280" if cell.token in ("[CLS]", "[SEP]", "[PAD]") else ""
        return f"<span style='{style}'>{html.escape(text)}</span>"
    tip = _("{kind}; the text has {original} here", kind=_(KIND_WORDS[cell.kind]), original=cell.original)
    return (
        f"<span class='mlm-chosen' title='{html.escape(tip, quote=True)}' "
        f"style='display:inline-flex;flex-direction:column;align-items:center;vertical-align:top;"
        f"background:{KIND_COLORS[cell.kind]};color:#111827;border-radius:4px;padding:0 3px;margin:0 1px;"
        f"line-height:1.2'><span>{html.escape(_visible(cell.token))}</span>"
        f"<small style='font-size:70%;color:#374151'>{html.escape(_visible(cell.original))}</small></span>"
    )


def masked_batch_html(batch) -> str:
    """One batch as the model sees it: each chosen token marked (masked / replaced / kept) with the text's own
    token under it, the counts of the whole batch, and a legend."""
    if batch is None:
        return ""
    counts = batch.counts
    chosen = max(1, counts["chosen"])
    legend = " ".join(
        f"<span style='display:inline-block;margin:1px 0;background:{KIND_COLORS[kind]};color:#111827;"
        f"border-radius:4px;padding:0 4px'>"
        f"{html.escape(_(KIND_WORDS[kind]))}: {counts[kind]} ({counts[kind] / chosen:.0%})</span>"
        for kind in KIND_COLORS
    )
    words = _(
        "Step {step}: the collator chose {chosen} of the batch's {tokens} tokens ({share}); the model must "
        "predict the text's own token (small, under each) at every one of them.",
        step=batch.step,
        chosen=counts["chosen"],
        tokens=counts["tokens"],
        share=f"{counts['chosen'] / max(1, counts['tokens']):.0%}",
    )
    # word tokens (a word vocabulary, not one token per character) are shown apart, a piece (##) joined on
    words_apart = any(
        len(c.original) > 1 and not c.original.startswith("[") for row in batch.rows for c in row
    )

    def apart(i: int, cell) -> str:
        return " " if words_apart and i and not cell.original.startswith("##") else ""

    rows = "".join(
        f"<div style='margin:6px 0;line-height:2.2;word-break:break-all;white-space:pre-wrap'>"
        f"{''.join(apart(i, cell) + _cell(cell) for i, cell in enumerate(row))}</div>"
        for row in batch.rows
    )
    heading = html.escape(_("The first {count} sequences of the batch:", count=len(batch.rows)))
    return (
        f"<div class='mlm-batch'><div>{html.escape(words)}</div><div style='margin:4px 0'>{legend}</div>"
        f"<div style='font-size:90%'>{heading}</div>"
        f"<div style='font-family:ui-monospace,monospace'>{rows}</div></div>"
    )


def probes_html(probes: Sequence) -> str:
    """The probe sentence and, for every probe, the model's top guesses for its [MASK] with their probability."""
    if not probes:
        return ""
    title = html.escape(_("Probe: {text}", text=probes[-1].text))
    rows = []
    for probe in probes:
        guesses = " ".join(
            f"<span style='display:inline-block;margin:1px 2px;padding:0 4px;border-radius:4px;"
            f"background:rgba(79,70,229,{0.1 + 0.8 * p.score:.2f});color:{'#fff' if p.score > 0.5 else 'inherit'}'>"
            f"{html.escape(_visible(p.token_str))} {p.score:.0%}</span>"
            for p in probe.predictions
        )
        rows.append(
            f"<tr><td style='padding-right:8px;white-space:nowrap'>{probe.step}</td><td>{guesses}</td></tr>"
        )
    header = f"<tr><th>{html.escape(_('step'))}</th><th>{html.escape(_('top guesses for [MASK]'))}</th></tr>"
    return (
        f"<div class='mlm-probes'><div><b>{title}</b></div>"
        f"<table style='width:100%'>{header}{''.join(rows)}</table></div>"
    )
