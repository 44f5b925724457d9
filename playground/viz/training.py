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
from playground.viz.charts import LEGEND_BELOW, LEGEND_ROOM, layout

LOSS_COLOR = "#4f46e5"
VALIDATION_COLOR = "#ea580c"
ACCURACY_COLOR = "#16a34a"


def _layout(fig: go.Figure, title: str, total_steps: int) -> go.Figure:
    layout(fig, title, 380 + LEGEND_ROOM)
    fig.update_layout(showlegend=True, legend=LEGEND_BELOW, margin={"b": 10 + LEGEND_ROOM})
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
    fig.update_yaxes(title_text=_("perplexity"), type="log", secondary_y=True)
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
