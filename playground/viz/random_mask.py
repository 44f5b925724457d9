"""The sentence as BERT's masking rule left it (every chosen token marked: masked, replaced or kept) and, at
each chosen place, the model's guesses beside the original token."""

from __future__ import annotations

import html

from playground.i18n import _
from playground.tasks.random_mask import RandomMask
from playground.viz.charts import percent

STYLES = {  # what the collator did: background, border
    "masked": ("#fef3c7", "#d97706"),
    "replaced": ("#fee2e2", "#dc2626"),
    "kept": ("#dbeafe", "#2563eb"),
    "": ("#f3f4f6", "#d1d5db"),
}


def kind_name(kind: str) -> str:
    return {"masked": _("masked"), "replaced": _("replaced"), "kept": _("kept")}.get(kind, "")


def random_mask_html(result: RandomMask) -> str:
    """The tokens as the model read them, then a table: each chosen place, what the model read there, its
    guesses, and whether the best guess is the original."""
    chips = []
    for cell in result.cells:
        background, border = STYLES.get(cell.kind, STYLES[""])
        title = html.escape(
            _("original: {original}", original=cell.original)
            + (f" · {kind_name(cell.kind)}" if cell.kind else ""),
            quote=True,
        )
        chips.append(
            f"<span title='{title}' style='display:inline-block;margin:2px;padding:1px 6px;border-radius:6px;"
            f"background:{background};border:1px solid {border}'>{html.escape(cell.token)}</span>"
        )
    legend = " ".join(
        f"<span style='padding:0 6px;border-radius:6px;background:{STYLES[k][0]};border:1px solid {STYLES[k][1]}'>"
        f"{html.escape(kind_name(k))}</span>"
        for k in ("masked", "replaced", "kept")
    )
    rows = []
    for place in result.places:
        guesses = ", ".join(f"{html.escape(g.token)} ({percent(g.score)})" for g in place.guesses)
        mark = "✓" if place.right else "✗"
        rows.append(
            f"<tr><td>{place.position}</td><td><b>{html.escape(place.original)}</b></td>"
            f"<td>{html.escape(place.shown)} <small>({html.escape(kind_name(place.kind))})</small></td>"
            f"<td>{guesses}</td><td style='text-align:center'>{mark}</td></tr>"
        )
    headers = [_("place"), _("original"), _("the model read"), _("the model's guesses"), _("right?")]
    head = "".join(f"<th style='text-align:left;padding-right:8px'>{html.escape(h)}</th>" for h in headers)
    table = (
        f"<div style='overflow-x:auto'><table class='random-mask-table'><tr>{head}</tr>{''.join(rows)}</table></div>"
        if rows
        else ""
    )
    return (
        f"<div class='random-mask'><div style='line-height:2'>{''.join(chips)}</div>"
        f"<div style='margin:6px 0;font-size:0.9em'>{legend}</div>{table}</div>"
    )


def random_mask_summary(result: RandomMask) -> str:
    """One sentence: how many were chosen, and how many the model got right."""
    if not result.places:
        return _(
            "This time no token was chosen ({percent} of {tokens} tokens is less than one): try another seed.",
            percent=f"{result.probability:.0%}",
            tokens=result.tokens,
        )
    return _(
        "Chosen: {chosen} of {tokens} tokens ({percent} each, at random). The model's best guess is the original "
        "token at {right} of them.",
        chosen=len(result.places),
        tokens=result.tokens,
        percent=f"{result.probability:.0%}",
        right=result.right,
    )
