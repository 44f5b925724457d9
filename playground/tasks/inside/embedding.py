"""What enters layer 1: token, position (and token type) embeddings, read by hooks on the model's own modules."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.tasks.inside.adapters import Parts
from playground.tasks.inside.hooks import Pass, Recorder, hooked, to_numpy
from playground.tasks.inside.reading import read
from playground.tasks.validation import check_text

POSITION_ROWS = 64  # rows of a learned position-embedding matrix shown at most


@dataclass
class Embeddings:
    """What enters layer 1: the token embedding, plus the position (and BERT's token type) embedding."""

    model_id: str
    tokens: list[str]
    ids: list[int]
    token: np.ndarray  # (T, d) rows of the token embedding matrix
    position: np.ndarray | None  # (T, d) learned absolute position embeddings; None for rotary models
    token_type: np.ndarray | None  # (T, d) BERT's segment embedding (all segment 0 here)
    sum: np.ndarray  # (T, d) token + position (+ token type)
    after_norm: np.ndarray | None  # (T, d) the embedding LayerNorm of the sum (BERT, DistilBERT)
    layer_input: np.ndarray  # (T, d) what the model reports as hidden_states[0]
    similarity: np.ndarray  # (T, T) cosine similarity of the tokens' embeddings (before positions)
    input_similarity: np.ndarray  # (T, T) cosine similarity of the layer-1 inputs (with positions)
    position_matrix: np.ndarray | None  # (N, d) the first N rows of the learned position embedding
    rotary: bool  # position enters by rotating q and k in every layer (RoPE), not as an added vector
    position_note: Message | None = None
    notices: list[Message] = field(default_factory=list)


def embeddings(
    loaded: LoadedModel,
    text: str,
    max_chars: int,
    max_tokens: int,
    position_rows: int = POSITION_ROWS,
    part: str | None = None,
    target: str = "",
) -> Embeddings:
    """The input embeddings of `text`, read by hooks on the model's own embedding modules (an encoder-decoder:
    of its `part`, "encoder" or "decoder")."""
    text = check_text(text, max_chars)
    reading = read(loaded, text, max_chars, max_tokens, part, target)
    with hooked(loaded, reading, record_embeddings) as run:
        return embeddings_of(loaded, run, reading.notices, position_rows)


def record_embeddings(recorder: Recorder, parts: Parts) -> None:
    recorder.output("token", parts.token_embedding)
    recorder.output("position", parts.position_embedding)
    recorder.output("token_type", parts.token_type_embedding)
    recorder.output("norm", parts.embedding_norm)


def embeddings_of(
    loaded: LoadedModel, run: Pass, notices: list[Message], position_rows: int = POSITION_ROWS
) -> Embeddings:
    seen, parts, ids = run.seen, run.parts, run.ids
    # the model's own factor on the token embedding (Marian multiplies by √d_model before adding positions)
    token = to_numpy(seen["token"][0]) * parts.embedding_scale
    position = None
    if "position" in seen:  # (1, T, d), or (T, d) from a sinusoidal table indexed by position ids
        position = seen["position"]
        position = to_numpy(position[0] if position.dim() == 3 else position)
    token_type = to_numpy(seen["token_type"][0]) if "token_type" in seen else None
    total = token + (position if position is not None else 0) + (token_type if token_type is not None else 0)
    matrix = None
    if parts.position_embedding is not None and hasattr(parts.position_embedding, "weight"):
        weight = parts.position_embedding.weight
        matrix = to_numpy(weight[: min(max(position_rows, len(ids)), weight.shape[0])])
    layer_input = to_numpy(run.hidden_states[0])
    rotary = parts.rotary is not None
    note = None
    if rotary:
        note = lazy(
            "This model has no position vectors to add: position enters in every layer by rotating each "
            "query and key by an angle that grows with the token's position (rotary embeddings, RoPE)."
        )
    elif parts.embedding_scale != 1.0:
        note = lazy(
            "This model multiplies each token embedding by √d = {scale} before adding the position "
            "vector (fixed sines and cosines, as in the original Transformer).",
            scale=f"{parts.embedding_scale:.3g}",
        )
    return Embeddings(
        model_id=loaded.model_id,
        tokens=run.tokens,
        ids=ids,
        token=token,
        position=position,
        token_type=token_type,
        sum=total,
        after_norm=to_numpy(seen["norm"][0]) if "norm" in seen else None,
        layer_input=layer_input,
        similarity=_cosine(token),
        input_similarity=_cosine(layer_input),
        position_matrix=matrix,
        rotary=rotary,
        position_note=note,
        notices=notices,
    )


def _cosine(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    unit = rows / np.where(norms == 0, 1, norms)
    return unit @ unit.T
