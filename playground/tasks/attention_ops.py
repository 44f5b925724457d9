"""Attention arithmetic, pure numpy: mean over heads, rollout, hiding special tokens, and what a view shows.

Everything here works on row-stochastic matrices (each row, a query, sums to 1 over the keys) and keeps
them so: the mean of such matrices is one, rollout multiplies them, and hiding tokens renormalises the rows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np

from playground.i18n import Message, lazy
from playground.tasks.validation import InputError, translatable

# What one view may draw: plotly grids draw at most this many cells (a 128-token, 12 x 12 model stays under
# 1 MB of plotly JSON), bertviz at most this many attention lines (its SVG crawls beyond that).
PLOT_CELL_BUDGET = 120_000
BERTVIZ_LINE_BUDGET = 150_000

VIEWS = {  # display names, translated where they are shown: _(VIEWS[kind])
    "head": "One head",
    "mean": "Mean over the heads of a layer",
    "rollout": "Rollout up to a layer",
    "layer": "All heads of a layer",
    "overview": "Model overview (layers × heads)",
}


def mean_over_heads(layer: np.ndarray) -> np.ndarray:
    """(heads, T, T) -> (T, T): the average head. Rows still sum to 1."""
    return layer.mean(axis=0)


def rollout(attentions: np.ndarray) -> np.ndarray:
    """Attention rollout (Abnar & Zuidema 2020) after every layer: (layers, heads, T, T) -> (layers, T, T).

    Each layer's heads are averaged, the identity is added for the residual connection and the rows are
    renormalised (0.5 A + 0.5 I); the result after layer l is the product of those matrices from layer 1 to l,
    so row q of layer l says how much token q's representation there draws on each input token.
    """
    n = attentions.shape[-1]
    identity = np.eye(n, dtype=np.float64)
    flow = identity
    out = np.empty((attentions.shape[0], n, n), dtype=np.float64)
    for i, layer in enumerate(attentions.astype(np.float64)):
        mixed = mean_over_heads(layer) + identity
        mixed /= mixed.sum(axis=-1, keepdims=True)
        flow = mixed @ flow
        out[i] = flow
    return out


def keep_tokens(matrices: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Only the rows and columns of the tokens in `keep` (a bool mask), each row renormalised to sum to 1."""
    kept = matrices[..., keep, :][..., keep].astype(np.float64)
    totals = kept.sum(axis=-1, keepdims=True)
    return np.divide(kept, totals, out=np.zeros_like(kept), where=totals > 0)


def hide_special_tokens(
    tokens: list[str], special: list[bool], matrices: np.ndarray
) -> tuple[list[str], np.ndarray, list[Message]]:
    """Tokens and matrices (..., T, T) without [CLS], [SEP], <|endoftext|>..., rows renormalised; a notice."""
    keep = ~np.asarray(special, dtype=bool)
    if not keep.any():
        raise InputError(lazy("The text has only special tokens, so hiding them leaves nothing to show."))
    hidden = [t for t, k in zip(tokens, keep, strict=True) if not k]
    if not hidden:
        return tokens, matrices, []
    said = lazy(
        "Hidden: {tokens}; each row is renormalised to sum to 1 over the tokens left.",
        tokens=", ".join(dict.fromkeys(hidden)),
    )
    return [t for t, k in zip(tokens, keep, strict=True) if k], keep_tokens(matrices, keep), [said]


def parse_selection(spec: str | None, count: int, what: str | Message) -> list[int]:
    """'1-3, 7' -> [0, 1, 2, 6] (1-based in, 0-based out); empty means all `count` of them. `what`: "layer"
    or "head" (the word in the errors)."""
    if spec is None or not str(spec).strip() or str(spec).strip().lower() == "all":
        return list(range(count))
    chosen: list[int] = []
    for part in str(spec).split(","):
        match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not match:
            raise InputError(
                lazy(
                    "Could not read the {what}s {spec}: write numbers and ranges such as '1-3, 7'.",
                    what=translatable(what),
                    spec=repr(spec),
                )
            )
        # Checked against the model's size before a range is expanded: "1-20000000" (or a number of
        # 5,000 digits) is refused at once instead of becoming a list of millions of numbers.
        for number in filter(None, match.groups()):
            if len(number) > 9 or not 1 <= int(number) <= count:
                raise InputError(_no_such(what, number, count))
        low = int(match.group(1))
        high = int(match.group(2) or low)
        chosen += range(low, high + 1)
    return check_selection(chosen, count, what, one_based=True)


def _no_such(what: str | Message, value, count: int) -> Message:
    return lazy(
        "There is no {what} {value}: this model has {count} {what}s (1 to {count}).",
        what=translatable(what),
        value=value if len(str(value)) <= 12 else f"{str(value)[:9]}…",
        count=count,
    )


def check_selection(values: list[int], count: int, what: str | Message, one_based: bool = True) -> list[int]:
    """Sorted, distinct, 0-based indices from a user's choice; InputError when empty or out of range."""
    what = translatable(what)
    if not values:
        raise InputError(lazy("Choose at least one {what}.", what=what))
    offset = 1 if one_based else 0
    for value in values:
        if not isinstance(value, (int, np.integer)) or not 0 <= int(value) - offset < count:
            raise InputError(_no_such(what, value, count))
    return sorted({int(v) - offset for v in values})


def token_cap(matrices: int, budget: int, limit: int) -> int:
    """Most tokens a view of `matrices` T x T matrices may show within `budget` cells (and `limit`)."""
    return max(2, min(limit, math.isqrt(budget // max(1, matrices))))


def panels_in_view(kind: str, n_heads: int, layers: list[int], heads: list[int]) -> int:
    """How many T x T matrices view `kind` draws."""
    if kind == "layer":
        return n_heads
    if kind == "overview":
        return len(layers) * len(heads)
    return 1


def fit_to_budget(
    result,
    matrices: int,
    budget: int,
    limit: int,
    reread: Callable[[int], object],
    view_name: str | Message,
    what: str | Message,
):
    """`result` if `matrices` T x T matrices of it fit `budget` cells; else the text read again, cut to the
    tokens that fit (`reread(max_tokens)`), and a notice saying so. Cutting the text rather than the matrix
    keeps every row a full distribution: it is the model's attention on the shorter text."""
    cap = token_cap(matrices, budget, limit)
    total = len(result.tokens)
    if total <= cap:
        return result, []
    said = lazy(
        "This view ({view}) draws at most {budget} {what}, so it reads only the first {cap} of the {total} "
        "tokens (the text is cut there, as if it were shorter). Choose fewer layers or heads to see more "
        "tokens.",
        view=view_name,
        budget=f"{budget:,}",
        what=translatable(what),
        cap=cap,
        total=total,
    )
    return reread(cap), [said]
