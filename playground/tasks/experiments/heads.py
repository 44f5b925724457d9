"""Head finder: four scores per head from the model's own eager attention weights (`tasks/attention.py`).

From the weights A of one head (T positions, the model's special tokens included, 0-based indices):
- previous-token = mean over i = 1..T−1 of A[i, i−1];
- first-token (attention sink) = mean over i = 0..T−1 of A[i, 0];
- duplicate-token = mean, over the positions i whose token appeared earlier, of Σ_{j<i, t_j = t_i} A[i, j]
  (0 when no token repeats);
- induction: on the text's tokens r (n of them) repeated twice inside the same special tokens (GPT-2: r r;
  BERT: [CLS] r r [SEP]), o the position of r's first token: mean over k = 0..n−2 of A[o+n+k, o+k+1], each
  token of the second copy attending to the token after its earlier occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.registry import REGISTRY
from playground.tasks import attention
from playground.tasks.chat import special_ids
from playground.tasks.validation import check_text

KINDS = ("previous_token", "first_token", "duplicate_token", "induction")
KIND_NAMES = {  # English; the page translates them
    "previous_token": "Previous token",
    "first_token": "First token (attention sink)",
    "duplicate_token": "Duplicate token",
    "induction": "Induction",
}


@dataclass
class HeadScores:
    model_id: str
    tokens: list[str]  # the text's tokens as the model reads them (special tokens included)
    ids: list[int]
    scores: dict[str, np.ndarray]  # kind -> (L, H): [layer - 1][head - 1]
    attention: attention.AttentionResult  # the weights (L, H, T, T) the scores come from: a head's pattern
    repeated_tokens: list[str]  # the sequence the induction score reads: r r inside the special tokens
    causal: bool
    notices: list[Message] = field(default_factory=list)

    @property
    def num_layers(self) -> int:
        return self.attention.num_layers

    @property
    def num_heads(self) -> int:
        return self.attention.num_heads

    def top(self, kind: str, n: int = 3) -> list[tuple[int, int, float]]:
        """The n heads with the highest score of `kind`: (layer, head, score), 1-based."""
        matrix = self.scores[kind]
        order = np.argsort(-matrix, axis=None, kind="stable")[:n]
        return [
            (int(i // matrix.shape[1]) + 1, int(i % matrix.shape[1]) + 1, float(matrix.flat[i]))
            for i in order
        ]


def previous_token(weights: np.ndarray) -> np.ndarray:
    """(..., T, T) -> (...): mean over i = 1..T−1 of A[i, i−1]; 0 for one token."""
    diagonal = np.diagonal(weights, offset=-1, axis1=-2, axis2=-1)
    return diagonal.mean(-1) if diagonal.shape[-1] else np.zeros(weights.shape[:-2])


def first_token(weights: np.ndarray) -> np.ndarray:
    """(..., T, T) -> (...): mean over i of A[i, 0]."""
    return weights[..., :, 0].mean(-1)


def duplicate_token(weights: np.ndarray, ids: list[int]) -> np.ndarray:
    """(..., T, T) -> (...): mean over the positions whose token appeared earlier of the weight on its earlier
    occurrences; 0 when no token repeats."""
    tokens = np.asarray(ids)
    same = (tokens[:, None] == tokens[None, :]) & np.tri(
        len(ids), k=-1, dtype=bool
    )  # [i, j]: j < i, t_j = t_i
    rows = same.any(axis=1)
    if not rows.any():
        return np.zeros(weights.shape[:-2])
    return (weights * same).sum(-1)[..., rows].mean(-1)


def induction(weights: np.ndarray, offset: int, n: int) -> np.ndarray:
    """(..., T, T) of the repeated sequence -> (...): mean over k = 0..n−2 of A[o+n+k, o+k+1]; 0 when n < 2."""
    if n < 2:
        return np.zeros(weights.shape[:-2])
    k = np.arange(n - 1)
    return weights[..., offset + n + k, offset + k + 1].mean(-1)


def repeated(loaded: LoadedModel, ids: list[int]) -> tuple[list[int], int, int, list[Message]]:
    """The text's own tokens r twice, inside the special tokens the model's task put around them ([CLS] r r
    [SEP]; a causal model: r r), cut so that both copies fit the model: (ids, o, n, notices)."""
    special = set() if REGISTRY[loaded.task].causal else special_ids(loaded.tokenizer)
    special -= {loaded.tokenizer.unk_token_id}  # [UNK] stands for a piece of the text
    lead = next((i for i, t in enumerate(ids) if t not in special), len(ids))
    trail = next((i for i, t in enumerate(reversed(ids[lead:])) if t not in special), 0)
    text_ids = ids[lead : len(ids) - trail]
    room = (loaded.context_length - lead - trail) // 2
    notices = []
    if room < len(text_ids):
        notices.append(
            lazy(
                "For the induction score the text is read twice; only its first {n} tokens fit twice.", n=room
            )
        )
        text_ids = text_ids[:room]
    doubled = ids[:lead] + text_ids + text_ids + ids[len(ids) - trail :]
    return doubled, lead, len(text_ids), notices


def head_scores(loaded: LoadedModel, text: str, max_chars: int, max_tokens: int) -> HeadScores:
    """The four scores of every head on `text` (cut to `max_tokens`), from two forward passes with eager
    attention: the text, and its tokens repeated."""
    text = check_text(text, max_chars)
    result = attention.attention(loaded, text, max_chars, max_tokens)
    ids = result.token_ids
    doubled, offset, n, notices = repeated(loaded, ids)
    twice = attention.attention_of_ids(loaded, doubled, max(len(doubled), 1))
    weights = result.attentions.astype(np.float64)
    scores = {
        "previous_token": previous_token(weights),
        "first_token": first_token(weights),
        "duplicate_token": duplicate_token(weights, ids),
        "induction": induction(twice.attentions.astype(np.float64), offset, n),
    }
    if result.part == "encoder":  # the head finder reads a translation model's encoder
        notices.append(
            lazy(
                "These are the heads of the translation model's encoder: its self-attention over the text "
                "(the Attention tab shows its decoder and cross-attention too)."
            )
        )
    if len(set(ids)) == len(ids):
        notices.append(lazy("No token of the text repeats, so every duplicate-token score is 0."))
    return HeadScores(
        model_id=result.model_id,
        tokens=result.tokens,
        ids=ids,
        scores=scores,
        attention=result,
        repeated_tokens=twice.tokens,
        causal=result.causal,
        notices=list(result.notices) + notices,
    )
