"""Where each token is: the original Transformer's sinusoidal position encoding beside the served model's own
learned position embeddings, and a live check that without positions word order is lost.

The sinusoidal encoding is the formula of "Attention Is All You Need" (section 3.5), computed here because no
served model uses it: PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d)) (the same
numbers as transformers' DistilBERT `create_sinusoidal_embeddings`, which the tests compare against). The learned
table is read from the model's own position-embedding module; a rotary model (Llama, Qwen2) has none.

The word-order check runs the model four times through `hooked` (the model's own forward pass): the sentence and
the same tokens shuffled, each with the model's positions and with them removed by a forward hook on the model's
own module (the position embedding's output replaced by zeros; for a rotary model the rotation's cos, sin by
1, 0: no rotation). Without positions, self-attention is permutation-equivariant: the shuffled sentence's
attention, its rows and columns put back in the original order, is the sentence's attention. A causal model
still sees order through its mask (a token sees only what came before it), so for it the scores q·kᵀ/√d_k of
layer 1 before the mask are compared; for a model that reads both ways, the attention weights of every layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.registry import REGISTRY
from playground.tasks.inside.adapters import Parts, parts_of
from playground.tasks.inside.head import head_recorder, head_step_of
from playground.tasks.inside.hooks import Recorder, check_head, check_layer, hooked, to_numpy
from playground.tasks.inside.tokens import encode
from playground.tasks.text import token_strings
from playground.tasks.validation import InputError, check_int, check_text, refuse_two_stacks

POSITIONS = 64  # positions drawn by default
MAX_POSITIONS = 512
CURVES = 4  # dimensions of the encoding drawn as curves over the positions
MAX_SEED = 2**31 - 1


def sinusoidal(positions: int, d_model: int) -> np.ndarray:
    """(positions, d_model) the original Transformer's position encoding: even dimensions 2i the sine, odd
    dimensions 2i+1 the cosine of pos / 10000^(2i/d_model)."""
    pos = np.arange(positions, dtype=np.float64)[:, None]
    pair = np.arange(d_model, dtype=np.float64)[None, :] // 2  # i of dimension 2i and 2i+1
    angle = pos / np.power(10000.0, 2 * pair / d_model)
    encoding = np.where(np.arange(d_model) % 2 == 0, np.sin(angle), np.cos(angle))
    return encoding.astype(np.float32)


def curve_dimensions(d_model: int) -> list[int]:
    """A few even (sine) dimensions whose waves are slow and fast: i = 0, d/32, d/16, d/8."""
    picked = [2 * i for i in (0, d_model // 32, d_model // 16, d_model // 8)]
    return sorted({d for d in picked if d < d_model})[:CURVES]


@dataclass
class Positions:
    """The sinusoidal encoding at the model's width beside the model's learned position embeddings."""

    model_id: str
    d_model: int
    positions: int  # rows shown: positions 0 .. positions - 1
    sinusoidal: np.ndarray  # (positions, d_model)
    sinusoidal_dot: np.ndarray  # (positions, positions) PE[p]·PE[q]: depends only on |p − q|
    dimensions: list[int]  # the dimensions drawn as curves (of both tables)
    learned: np.ndarray | None  # (positions, d_model) rows of the model's position embedding; None: rotary
    learned_similarity: np.ndarray | None  # (positions, positions) cosine similarity of those rows
    table_size: int | None  # how many positions the model's table has (its longest input)
    rotary: bool
    family: str
    notices: list[Message] = field(default_factory=list)


def positions(loaded: LoadedModel, count: int = POSITIONS) -> Positions:
    """The sinusoidal encoding and the model's own learned position table, for positions 0 .. count - 1."""
    parts = parts_of(loaded.model)
    count = check_int(count, lazy("The number of positions"), 2, MAX_POSITIONS)
    d_model = parts.token_embedding.weight.shape[1]
    learned = similarity = size = None
    notices: list[Message] = []
    module = parts.position_embedding
    if module is not None:
        weight = module.weight.detach()
        size = weight.shape[0]
        if count > size:
            notices.append(lazy("This model has only {size} positions.", size=size))
            count = size
        learned = to_numpy(weight[:count])
        similarity = _cosine(learned)
    table = sinusoidal(count, d_model)
    return Positions(
        model_id=loaded.model_id,
        d_model=d_model,
        positions=count,
        sinusoidal=table,
        sinusoidal_dot=table @ table.T,
        dimensions=curve_dimensions(d_model),
        learned=learned,
        learned_similarity=similarity,
        table_size=size,
        rotary=parts.rotary is not None,
        family=parts.family,
        notices=notices,
    )


@dataclass
class OrderCheck:
    """One condition (with or without positions): the sentence's attention and the shuffled sentence's, put
    back in the original order; equal (up to rounding) when the model cannot see order."""

    original: np.ndarray  # (T, T) the chosen head
    shuffled_back: np.ndarray  # (T, T) the shuffled sentence's, rows and columns in the original order
    difference: float  # the largest |original − shuffled_back| over every head (and layer) compared
    size: float  # the largest |original| over the same heads: the scale of the difference


@dataclass
class WordOrder:
    model_id: str
    tokens: list[str]
    shuffled_tokens: list[str]
    order: list[int]  # shuffled position i holds the token of original position order[i]
    layer: int  # 1-based: the layer of the heads shown (always 1 for scores)
    head: int  # 1-based
    measure: str  # "weights": attention weights of every layer; "scores": layer 1's q·kᵀ/√d_k, no mask
    causal: bool
    rotary: bool
    with_positions: OrderCheck
    without_positions: OrderCheck
    notices: list[Message] = field(default_factory=list)


def shuffle_order(ids: list[int], special: set[int], seed: int) -> list[int]:
    """A seeded permutation of the positions that holds no special token ([CLS], [SEP] stay where they are);
    never the identity."""
    movable = [i for i, token in enumerate(ids) if token not in special]
    if len(movable) < 2:
        raise InputError(lazy("Write at least two words to shuffle."))
    generator = np.random.default_rng(seed)
    order = list(range(len(ids)))
    while order == list(range(len(ids))):
        shuffled = generator.permutation(movable).tolist()
        order = list(range(len(ids)))
        for place, source in zip(movable, shuffled, strict=True):
            order[place] = source
    return order


def remove_positions(recorder: Recorder, parts: Parts) -> None:
    """The model's own position signal switched off by a forward hook: the learned position embeddings' output
    replaced by zeros, or the rotary embedding's (cos, sin) by (1, 0): a rotation by no angle."""
    if parts.position_embedding is not None:
        recorder.change_output(parts.position_embedding, lambda _m, _a, output: torch.zeros_like(output))
    if parts.rotary is not None:

        def no_rotation(_module, _args, output):
            cos, sin = output
            return torch.ones_like(cos), torch.zeros_like(sin)

        recorder.change_output(parts.rotary, no_rotation)


def word_order(
    loaded: LoadedModel,
    text: str,
    max_chars: int,
    max_tokens: int,
    layer: int = 1,
    head: int = 1,
    seed: int = 0,
) -> WordOrder:
    """The attention of `text` and of its tokens shuffled (seeded), with and without the model's positions."""
    text = check_text(text, max_chars)
    refuse_two_stacks(loaded, lazy("The word-order check"))
    parts = parts_of(loaded.model)
    layer, head = check_layer(parts, layer), check_head(parts, head)
    seed = check_int(seed, lazy("Seed"), 0, MAX_SEED)
    ids, notices = encode(loaded, text, max_tokens)
    special = set(getattr(loaded.tokenizer, "all_special_ids", []) or [])
    order = shuffle_order(ids, special, seed)
    shuffled = [ids[i] for i in order]
    back = np.argsort(order)  # shuffled position of each original position
    causal = REGISTRY[loaded.task].causal
    if causal:
        layer = 1
    checks = []
    for without in (False, True):
        original = _attention(loaded, ids, causal, without)
        moved = _attention(loaded, shuffled, causal, without)[..., back, :][..., back]
        checks.append(
            OrderCheck(
                original=original[layer - 1, head - 1],
                shuffled_back=moved[layer - 1, head - 1],
                difference=float(np.abs(original - moved).max()),
                size=float(np.abs(original).max()),
            )
        )
    return WordOrder(
        model_id=loaded.model_id,
        tokens=token_strings(loaded.tokenizer, ids),
        shuffled_tokens=token_strings(loaded.tokenizer, shuffled),
        order=order,
        layer=layer,
        head=head,
        measure="scores" if causal else "weights",
        causal=causal,
        rotary=parts.rotary is not None,
        with_positions=checks[0],
        without_positions=checks[1],
        notices=notices,
    )


def _attention(loaded: LoadedModel, ids: list[int], causal: bool, without_positions: bool) -> np.ndarray:
    """(L, H, T, T): the attention weights of every layer, or for a causal model (1, H, T, T): layer 1's
    scores q·kᵀ/√d_k before the mask, every head; from the model's own forward pass."""

    def register(recorder: Recorder, parts: Parts) -> None:
        if without_positions:  # first: the hooks that record see what the change made
            remove_positions(recorder, parts)
        if causal:
            head_recorder(1)(recorder, parts)

    with hooked(loaded, ids, register) as run:
        if not causal:
            return np.stack([to_numpy(a) for a in run.attentions])
        heads = [head_step_of(loaded, run, 1, h, []).scores for h in range(1, run.parts.num_heads + 1)]
        return np.stack(heads)[None]


def _cosine(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    unit = rows / np.where(norms == 0, 1, norms)
    return unit @ unit.T
