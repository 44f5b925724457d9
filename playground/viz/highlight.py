"""Text with highlighted words, as HTML: the best fill of every mask, and the words that drove a prediction.

Hovering a word shows what lies under it (a `title` tooltip): the raw WordPiece pieces and their numbers.
Every piece of text is HTML-escaped: texts and tokens are user-controlled.
"""

from __future__ import annotations

from playground.i18n import _
from playground.markup import escape_html as _escape
from playground.tasks.explain import Explanation
from playground.tasks.fill_mask import FillMaskResult
from playground.viz.charts import percent
from playground.viz.marks import token_labels

# Attribution colours: towards the explained label (green) or away from it (red), alpha by strength.
TOWARDS_RGB, AGAINST_RGB = "22, 163, 74", "220, 38, 38"


def best_fill_html(result: FillMaskResult) -> str:
    """The text with every mask replaced by its most likely word, the filled words marked."""
    spans = []
    for text, mask in result.best_fill_parts():
        if mask is None:
            spans.append(_escape(text))
            continue
        best = result.masks[mask][0]
        facts = {"number": mask + 1, "score": percent(best.score), "piece": repr(best.piece)}
        if best.joined:
            tooltip = _(
                "mask {number}: {score}, token {piece} joined to the word before ({word})",
                word=best.word,
                **facts,
            )
        else:
            tooltip = _("mask {number}: {score}, token {piece}", **facts)
        spans.append(f'<mark class="fill" title="{_escape(tooltip)}">{_escape(text)}</mark>')
    return (
        f"<div class='best-fill'><span class='best-fill-label'>{_('Sentence with the best fills')}</span>"
        f"<div class='best-fill-text'>{''.join(spans)}</div></div>"
    )


# Below this difference between the label's probability for the text and for the baseline, there is nothing
# the words did to explain: their attributions are rounding noise, which colours scaled to the largest would paint
# as bright as a real push.
NOTHING_TO_EXPLAIN = 0.005


def attribution_html(result: Explanation) -> str:
    """The text, each word on a green (pushed towards the label) or red (pushed away) background whose
    strength is the word's share of the largest attribution; hover for the number and the pieces. When the
    text moves the label's probability by less than NOTHING_TO_EXPLAIN from the baseline's, the text plain
    and a sentence saying so."""
    if abs(result.score - result.baseline_score) < NOTHING_TO_EXPLAIN:
        text = "".join(_escape(word.space_before) + _escape(word.text) for word in result.words)
        note = _(
            "Nothing to explain: the model gives {label} {score} with these words and {baseline} without them "
            "(the baseline), so no word moved the prediction.",
            label=_escape(result.label),
            score=percent(result.score),
            baseline=percent(result.baseline_score),
        )
        return f"<div class='attributions'><div class='attr-text'>{text}</div><div class='legend'>{note}</div></div>"
    largest = max((abs(word.score) for word in result.words), default=0.0) or 1.0
    spans = []
    for word in result.words:
        rgb = TOWARDS_RGB if word.score >= 0 else AGAINST_RGB
        alpha = min(1.0, abs(word.score) / largest) * 0.85
        lines = [_("{score} towards {label}", score=f"{word.score:+.4f}", label=result.label)]
        if len(word.pieces) > 1:
            labels = token_labels([piece for piece, _score in word.pieces])  # a character's bytes: 中 1/3
            lines += [
                f"  {label}  {score:+.4f}" for label, (_piece, score) in zip(labels, word.pieces, strict=True)
            ]
        spans.append(
            _escape(word.space_before) + f'<span class="attr" style="background: rgba({rgb}, {alpha:.2f})" '
            f'title="{_escape(chr(10).join(lines))}">{_escape(word.text)}</span>'
        )
    towards = _("pushed towards {label}", label=_escape(result.label))
    away = _("pushed away from it")
    how = _("stronger colour, bigger push · hover a word for its number")
    legend = (
        f"<div class='legend'><span class='attr' style='background: rgba({TOWARDS_RGB}, 0.6)'>{towards}</span> "
        f"<span class='attr' style='background: rgba({AGAINST_RGB}, 0.6)'>{away}</span> · {how}</div>"
    )
    return f"<div class='attributions'><div class='attr-text'>{''.join(spans)}</div>{legend}</div>"
