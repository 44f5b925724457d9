"""The lessons' "predict, then check" questions whose right answer is whatever the served model says.

Each function reads the model (through the other tasks of this package, never a hard-coded answer) and returns
a ModelAnswer: the choices a student predicts among (in a fixed order that gives nothing away: sorted, or a
range of numbers) and the model's own answer. The Lessons tab calls them to show the choices and again when a
student checks, so a lesson holds for any model: the English or Chinese preset, --demo, a teacher's own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.i18n import lazy
from playground.models import LoadedModel
from playground.tasks import attention as attention_task
from playground.tasks import fill_mask, generation, sentiment
from playground.tasks.generation import GenerationParams
from playground.tasks.inside import tokenize
from playground.tasks.validation import InputError

CHOICES = 4  # how many candidates a student picks among


@dataclass
class ModelAnswer:
    choices: list[str]  # what a student may pick, in an order that says nothing about the answer
    answer: str  # the model's own answer, one of the choices
    score: float | None = None  # its probability (next token, fill, label) or attention weight


def _distinct(items: list[str], count: int) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
        if len(seen) == count:
            break
    return seen


def next_token(loaded: LoadedModel, text: str, max_chars: int, count: int = CHOICES) -> ModelAnswer:
    """Which token the generation model ranks first after `text`: its top `count` candidates as choices."""
    ids, _notices = generation.encode_context(loaded, text, max_chars)
    result = generation.next_token(loaded, ids, GenerationParams(1, 1.0, 0, 1.0).validated(1), count * 2)
    best = result.choices[0]  # ordered by raw logit
    tokens = _distinct([choice.token for choice in result.choices], count)
    return ModelAnswer(sorted(tokens, key=str.casefold), best.token, best.prob)


def fill(loaded: LoadedModel, text: str, max_chars: int, count: int = CHOICES) -> ModelAnswer:
    """Which word the fill-mask model puts first in the (first) mask of `text`."""
    result = fill_mask.fill_mask(loaded, text, count * 2, max_chars)
    candidates = result.masks[0]
    words = _distinct([c.token_str.strip() or c.token_str for c in candidates], count)
    best = candidates[0]
    return ModelAnswer(sorted(words, key=str.casefold), best.token_str.strip() or best.token_str, best.score)


def label(loaded: LoadedModel, text: str, max_chars: int) -> ModelAnswer:
    """Which label the sentiment model gives `text`: every label is a choice."""
    result = sentiment.classify(loaded, text, max_chars)
    labels = sorted(score.label for score in result.scores)
    return ModelAnswer(labels, result.scores[0].label, result.scores[0].score)


def _named(tokens: list[str]) -> list[str]:
    """Tokens as choices: a token that occurs again is told apart by its place ("the (2)")."""
    names, seen = [], {}
    for token in tokens:
        seen[token] = seen.get(token, 0) + 1
        names.append(token if seen[token] == 1 else f"{token} ({seen[token]})")
    return names


def most_attended(
    loaded: LoadedModel, text: str, max_chars: int, max_tokens: int, layer: int = 1, head: int = 1
) -> ModelAnswer:
    """Which token the last word of `text` attends to most in `layer`, `head` (1-based): every token it
    can see is a choice, in the order of the text."""
    result = attention_task.attention(loaded, text, max_chars, max_tokens)
    if not 1 <= int(layer) <= result.num_layers or not 1 <= int(head) <= result.num_heads:
        raise InputError(
            lazy(
                "This model has {layers} layers of {heads} heads: choose a layer and head within them.",
                layers=result.num_layers,
                heads=result.num_heads,
            )
        )
    words = [i for i, special in enumerate(result.special) if not special] or list(range(len(result.tokens)))
    query = words[-1]
    row = result.attentions[int(layer) - 1, int(head) - 1, query]
    visible = list(range(query + 1)) if result.causal else list(range(len(result.tokens)))
    names = _named(result.tokens)
    best = max(visible, key=lambda key: row[key])
    return ModelAnswer([names[key] for key in visible], names[best], float(row[best]))


def token_count(loaded: LoadedModel, text: str, max_chars: int) -> ModelAnswer:
    """How many tokens the model cuts `text` into (special tokens not counted): four numbers around it, where
    the answer sits at a place that depends on the text, not always in the middle."""
    count = sum(not token.special for token in tokenize(loaded, text, max_chars).tokens)
    shift = int(np.frombuffer(text.encode(), dtype=np.uint8).sum()) % CHOICES
    first = max(1, count - shift)
    return ModelAnswer([str(n) for n in range(first, first + CHOICES)], str(count), None)
