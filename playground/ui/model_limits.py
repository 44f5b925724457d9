"""Sliders whose range depends on a model (max new tokens, layer, head) follow the model the server serves:
when the page loads, each takes its maximum and, where the default would not fit, its value from that model's
config, so a tiny 64-token demo model is never offered 128 new tokens, nor a 2-layer model layer 12.

A tab marks such a slider with `follows_model(slider, task, what)` while it builds; `fit_to_models` (ui/layout.py)
wires one page-load event that answers all of them. Only the model's config is read (no weights load); a model
whose config cannot be read without the network leaves its sliders as they were built.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
from transformers import AutoConfig

from playground.ui.context import Context

# what a slider counts: "new_tokens" (of a generation), "layers", "heads"; the least a head slider allows (0 =
# mean over heads) stays as built
KINDS = ("new_tokens", "layers", "heads")


@dataclass(frozen=True)
class Follower:
    slider: gr.Slider
    task: str
    what: str
    default: float


@dataclass(frozen=True)
class Shape:
    context: int | None
    layers: int | None
    heads: int | None


def follows_model(slider: gr.Slider, task: str, what: str) -> gr.Slider:
    """Mark `slider` as one whose range follows the `task` model's `what` (one of KINDS)."""
    assert what in KINDS, what
    page = gr.context.Context.root_block
    if page is not None:
        page.__dict__.setdefault("playground_followers", []).append(
            Follower(slider, task, what, slider.value)
        )
    return slider


def followers(demo: gr.Blocks) -> list[Follower]:
    return list(getattr(demo, "playground_followers", []))


@functools.lru_cache(maxsize=64)
def _config_shape(model_id: str) -> Shape | None:
    try:
        config = AutoConfig.from_pretrained(model_id, local_files_only=True, trust_remote_code=False)
    except (OSError, ValueError):
        return None
    config = getattr(config, "text_config", None) or config
    return Shape(
        getattr(config, "max_position_embeddings", None),
        getattr(config, "num_hidden_layers", None),
        getattr(config, "num_attention_heads", None),
    )


def model_shape(context: Context, task: str) -> Shape | None:
    """The context length, layers and heads of the task's model: from the loaded model, else its config."""
    manager = context.manager
    if manager.is_loaded(task):
        loaded = manager.get(task)
        config = loaded.model.config
        return Shape(loaded.context_length, config.num_hidden_layers, config.num_attention_heads)
    model_id = manager.model_ids.get(task)
    if not model_id:
        return None
    folder = Path(model_id).expanduser()
    return _config_shape(str(folder) if folder.is_dir() else model_id)


def new_tokens_limit(context_length: int, cap: int) -> int:
    """The most new tokens to offer: the server's cap, and at most all but 8 positions of the context (a
    prompt needs room too)."""
    return max(1, min(cap, context_length - 8))


def limits(context: Context, follower: Follower) -> tuple[int, int] | None:
    """The maximum and the value that fit one slider to its model (None when the model's shape is unknown)."""
    shape = model_shape(context, follower.task)
    if shape is None:
        return None
    if follower.what == "new_tokens":
        if not shape.context:
            return None
        most = new_tokens_limit(shape.context, context.settings.max_new_tokens_cap)
        return most, int(min(follower.default, max(1, shape.context // 2), most))
    count = shape.layers if follower.what == "layers" else shape.heads
    return (count, int(min(follower.default, count))) if count else None


def fitted(context: Context, follower: Follower):
    """The update that fits one slider to its model (gr.skip() when the model's shape is unknown)."""
    fit = limits(context, follower)
    return gr.skip() if fit is None else gr.update(maximum=fit[0], value=fit[1])


def fit_to_models(demo: gr.Blocks, context: Context) -> None:
    """Every slider marked with `follows_model` fits the model it follows: as the page is built, and again
    when a page loads (the models may have changed since: System tab)."""
    marked = followers(demo)
    if not marked:
        return
    for follower in marked:  # the page as built already fits the models the server starts with: a click
        fit = limits(context, follower)  # before the page-load event has answered sends a value that fits
        if fit is not None:
            follower.slider.maximum, follower.slider.value = fit

    def fit():
        return [fitted(context, follower) for follower in marked]

    demo.load(fit, None, [f.slider for f in marked], api_visibility="private", queue=False)
