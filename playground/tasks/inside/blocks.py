"""The block: the size of the residual stream at every layer, and the most active neurons of one MLP."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.tasks.inside.adapters import Parts, parts_of
from playground.tasks.inside.hooks import Pass, Recorder, check_layer, hooked, to_numpy
from playground.tasks.inside.reading import read
from playground.tasks.validation import check_int, check_text

MAX_NEURONS = 100


@dataclass
class Neuron:
    index: int  # 0-based index among the MLP's hidden units
    activation: float


@dataclass
class BlockView:
    model_id: str
    tokens: list[str]
    ids: list[int]
    residual_norms: np.ndarray  # (L + 1, T) the L2 norm of the residual stream: embeddings, after each layer
    layer: int  # 1-based: the layer whose MLP is shown
    position: int  # 0-based: the token whose neurons are shown
    neurons: list[Neuron]  # the most active (largest |activation|) first
    num_neurons: int  # the width of the MLP's hidden layer
    notices: list[Message] = field(default_factory=list)


def block(
    loaded: LoadedModel,
    text: str,
    max_chars: int,
    max_tokens: int,
    layer: int = 1,
    position: int | None = None,
    top_n: int = 10,
    part: str | None = None,
    target: str = "",
) -> BlockView:
    """The size of the residual stream at every layer and position, and for one token (`position`,
    0-based; None: the last) the most active neurons of layer `layer`'s MLP (its down projection's input)."""
    text = check_text(text, max_chars)
    parts = parts_of(loaded.model, part)
    layer = check_layer(parts, layer)
    top_n = check_int(top_n, lazy("The number of neurons"), 1, MAX_NEURONS)
    reading = read(loaded, text, max_chars, max_tokens, part, target)
    position = _check_position(position, reading.ids)
    with hooked(loaded, reading, block_recorder(layer)) as run:
        return block_of(loaded, run, layer, position, top_n, reading.notices)


def _check_position(position: object, ids: list[int]) -> int:
    if position is None:
        return len(ids) - 1
    return check_int(position, lazy("The token position"), 0, len(ids) - 1)


def block_recorder(layer: int):
    """The hooks of the block view: every block's output, and the input of `layer`'s MLP down projection."""

    def register(recorder: Recorder, parts: Parts) -> None:
        for i, layer_parts in enumerate(parts.layers):
            recorder.output(f"block{i}", layer_parts.block)
        recorder.input("neurons", parts.layers[layer - 1].mlp_down)

    return register


def block_of(
    loaded: LoadedModel, run: Pass, layer: int, position: int, top_n: int, notices: list[Message]
) -> BlockView:
    parts = run.parts
    # hidden_states' last entry is after the final norm in pre-norm models: the blocks' own outputs are not
    streams = [run.hidden_states[0]] + [run.seen[f"block{i}"][0] for i in range(parts.num_layers)]
    norms = to_numpy(torch.stack([s.float().norm(dim=-1) for s in streams]))
    activations = run.seen["neurons"][0][position].float()
    top = activations.abs().topk(min(top_n, activations.numel())).indices.tolist()
    return BlockView(
        model_id=loaded.model_id,
        tokens=run.tokens,
        ids=run.ids,
        residual_norms=norms,
        layer=layer,
        position=position,
        neurons=[Neuron(i, float(activations[i])) for i in top],
        num_neurons=activations.numel(),
        notices=notices,
    )
