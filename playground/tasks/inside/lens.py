"""The logit lens: each layer's residual stream through the final norm and the unembedding."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.registry import REGISTRY
from playground.tasks.fill_mask import normalise_masks
from playground.tasks.inside.adapters import check_stack, parts_of
from playground.tasks.inside.hooks import Pass, hooked
from playground.tasks.inside.reading import is_encoder_decoder, read
from playground.tasks.text import readable_token
from playground.tasks.validation import InputError, check_int, check_text

MAX_TOP_K = 50


@dataclass
class LensPrediction:
    token: int  # the token id (as the fill-mask pipeline's "token")
    token_str: str
    score: float  # probability
    shown: str = ""  # as a reader sees it: half a UTF-8 character as its bytes ('<0xE4>'), never '�'


@dataclass
class LogitLens:
    model_id: str
    tokens: list[str]
    ids: list[int]
    positions: list[int]  # 0-based: every position (causal models), the [MASK] positions (fill-mask)
    layers: list[list[list[LensPrediction]]]  # [l][i] top_k for layer l = 0 (embeddings) .. L, position i
    notices: list[Message] = field(default_factory=list)


def logit_lens(
    loaded: LoadedModel,
    text: str,
    max_chars: int,
    max_tokens: int,
    top_k: int = 5,
    part: str | None = None,
    target: str = "",
) -> LogitLens:
    """What the model would predict if it stopped after each layer: the final norm and the unembedding (the
    MLM head for fill-mask) applied to each layer's residual stream; the last layer is the model's own
    output. Causal models and a translation model's decoder: the next token at every position; fill-mask
    models: each [MASK]."""
    text = check_text(text, max_chars)
    top_k = check_int(top_k, lazy("Top-k"), 1, MAX_TOP_K)
    text = lens_text(loaded, text, part)
    reading = read(loaded, text, max_chars, max_tokens, part, target)
    positions = lens_positions(loaded, reading.ids, reading.causal)
    with hooked(loaded, reading, lambda recorder, parts: None, positions, top_k) as run:
        return lens_of(loaded, run, positions, top_k, reading.notices)


def lens_text(loaded: LoadedModel, text: str, part: str | None = None) -> str:
    """The text the lens reads, or InputError when the model has no token head to look through; a masked
    LM's masks written as its own mask token. A translation model: its decoder predicts tokens, its encoder
    does not."""
    if is_encoder_decoder(loaded):
        if check_stack(part) == "decoder":
            return text
        raise InputError(
            lazy(
                "The logit lens needs a stack that predicts tokens: this translation model's encoder hands "
                "its output to the decoder instead. Choose the decoder."
            )
        )
    if parts_of(loaded.model).head is None and loaded.task == "question-answering":
        raise InputError(
            lazy(
                "The logit lens needs a model that predicts tokens; this one ({model}) points at where an answer "
                "starts and ends instead. Choose the generation, chat or fill-mask model.",
                model=loaded.model_id,
            )
        )
    if parts_of(loaded.model).head is None:
        raise InputError(
            lazy(
                "The logit lens needs a model that predicts tokens; this one ({model}) answers with labels. "
                "Choose the generation, chat or fill-mask model.",
                model=loaded.model_id,
            )
        )
    if REGISTRY[loaded.task].causal:
        return text
    if loaded.tokenizer.mask_token_id is None:
        raise InputError(lazy("This model has no [MASK] token, so there is no prediction to look into."))
    return normalise_masks(text, loaded.tokenizer.mask_token)


def lens_positions(loaded: LoadedModel, ids: list[int], causal: bool | None = None) -> list[int]:
    """Every position of a causal model (or of a decoder: `causal`); each [MASK] of a masked one (InputError
    when there is none)."""
    if causal or REGISTRY[loaded.task].causal:
        return list(range(len(ids)))
    positions = [i for i, t in enumerate(ids) if t == loaded.tokenizer.mask_token_id]
    if not positions:
        raise InputError(
            lazy(
                "There is no [MASK] in the text (or it was cut off): put [MASK] where the model should guess."
            )
        )
    return positions


def lens_of(
    loaded: LoadedModel, run: Pass, positions: list[int], top_k: int, notices: list[Message]
) -> LogitLens:
    layers = [_predictions(loaded.tokenizer, probs, ids) for probs, ids in run.lens_top]
    return LogitLens(loaded.model_id, run.tokens, run.ids, positions, layers, notices)


def _predictions(tokenizer, probs: torch.Tensor, top: torch.Tensor) -> list[list[LensPrediction]]:
    """(positions, k) probabilities and token ids -> per position its k predictions."""

    def prediction(token_id: int, prob: float) -> LensPrediction:
        decoded = tokenizer.decode([token_id])
        return LensPrediction(token_id, decoded, prob, readable_token(tokenizer, token_id))

    return [
        [prediction(int(t), float(p)) for p, t in zip(row_p, row_t, strict=True)]
        for row_p, row_t in zip(probs.tolist(), top.tolist(), strict=True)
    ]
