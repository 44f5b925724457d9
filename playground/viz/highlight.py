"""Text with highlighted words, as HTML: the best fill of every mask, and the words that drove a prediction.

Hovering a word shows what lies under it (a `title` tooltip): the raw WordPiece pieces and their numbers.
Every piece of text is HTML-escaped: texts and tokens are user-controlled.
"""

from __future__ import annotations

import html

from playground.tasks.explain import Explanation
from playground.tasks.fill_mask import FillMaskResult
from playground.viz.charts import percent

# Attribution colours: towards the explained label (green) or away from it (red), alpha by strength.
TOWARDS_RGB, AGAINST_RGB = "22, 163, 74", "220, 38, 38"


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def best_fill_html(result: FillMaskResult) -> str:
    """The text with every mask replaced by its most likely word, the filled words marked."""
    spans = []
    for text, mask in result.best_fill_parts():
        if mask is None:
            spans.append(_escape(text))
            continue
        best = result.masks[mask][0]
        tooltip = f"mask {mask + 1}: {percent(best.score)}, token {best.piece!r}"
        if best.joined:
            tooltip += f" joined to the word before ({best.word})"
        spans.append(f'<mark class="fill" title="{_escape(tooltip)}">{_escape(text)}</mark>')
    return (
        "<div class='best-fill'><span class='best-fill-label'>Sentence with the best fills</span>"
        f"<div class='best-fill-text'>{''.join(spans)}</div></div>"
    )


def attribution_html(result: Explanation) -> str:
    """The text, each word on a green (pushed towards the label) or red (pushed away) background whose
    strength is the word's share of the largest attribution; hover for the number and the pieces."""
    largest = max((abs(word.score) for word in result.words), default=0.0) or 1.0
    spans = []
    for word in result.words:
        rgb = TOWARDS_RGB if word.score >= 0 else AGAINST_RGB
        alpha = min(1.0, abs(word.score) / largest) * 0.85
        lines = [f"{word.score:+.4f} towards {result.label}"]
        if len(word.pieces) > 1:
            lines += [f"  {piece}  {score:+.4f}" for piece, score in word.pieces]
        spans.append(
            _escape(word.space_before) + f'<span class="attr" style="background: rgba({rgb}, {alpha:.2f})" '
            f'title="{_escape(chr(10).join(lines))}">{_escape(word.text)}</span>'
        )
    legend = (
        f"<div class='legend'><span class='attr' style='background: rgba({TOWARDS_RGB}, 0.6)'>pushed towards "
        f"{_escape(result.label)}</span> <span class='attr' style='background: rgba({AGAINST_RGB}, 0.6)'>pushed "
        "away from it</span> · stronger colour, bigger push · hover a word for its number</div>"
    )
    return f"<div class='attributions'><div class='attr-text'>{''.join(spans)}</div>{legend}</div>"
