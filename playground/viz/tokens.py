"""Generated text as HTML, each token coloured by the model's probability of it (the softmax of the raw logits).

Hovering a token, or tapping it on a touch screen (each token can take the focus), shows that probability, the
sampler's (after temperature, top-k and top-p: what the token was really drawn with) and the model's most likely
alternatives at that step: a tooltip drawn by CSS from `data-tip` (assets/style.css), which a phone shows too,
unlike a `title`; screen readers read the same text from `aria-label`.
Every piece of text is HTML-escaped: prompts and tokens are user-controlled.
"""

from __future__ import annotations

import math

from playground.i18n import _
from playground.markup import escape_html as _escape
from playground.tasks.generation import GenerationResult, Sample
from playground.tasks.text import character_runs
from playground.viz.marks import piece_label, tokens_mark

# Probability -> background, from unlikely (warm) to likely (cool). Thresholds are upper bounds.
COLOUR_SCALE = [(0.05, "#fecaca"), (0.2, "#fed7aa"), (0.5, "#fef08a"), (0.8, "#bbf7d0"), (1.01, "#bfdbfe")]


def colour(prob: float) -> str:
    return next(c for limit, c in COLOUR_SCALE if prob < limit)


def _tooltip(step) -> str:
    """The token's two probabilities, each named (they differ: a greedy sampler draws the model's 60% token
    with certainty), then the model's most likely tokens at that step."""
    lines = [_("model's probability: {p}", p=f"{step.prob:.1%}")]
    if step.sampler_prob is not None:
        lines.append(_("sampler's probability: {p}", p=f"{step.sampler_prob:.1%}"))
    lines.append(_("most likely here (model):"))
    lines += [f"  {piece_label(token)!r}  {prob:.1%}" for token, prob in step.alternatives]
    return "\n".join(lines)


def sample_html(prompt: str, sample: Sample, title: str = "") -> str:
    """One sample: the prompt in plain text, then its tokens coloured by probability. The tokens that make one
    character together (byte-level pieces of a Chinese character) are one span: the character, its "N tokens"
    mark, coloured by the product of their probabilities (the model's probability of the character), each
    token's probabilities in the tooltip."""
    spans = []
    for first, count, text in character_runs([step.token for step in sample.steps]):
        steps = sample.steps[first : first + count]
        prob = math.prod(step.prob for step in steps)
        tip = "\n\n".join(_tooltip(step) for step in steps)
        spans.append(
            f'<span class="tok" style="background:{colour(prob)}" tabindex="0" role="button" '
            f'data-tip="{_escape(tip)}" aria-label="{_escape(text + " · " + tip)}">'
            f"{_escape(text)}{tokens_mark(count)}</span>"
        )
    spans = "".join(spans)
    heading = f"<div class='sample-title'>{_escape(title)}</div>" if title else ""
    return f"<div class='sample'>{heading}<span class='prompt'>{_escape(prompt)}</span>{spans}</div>"


def legend_html() -> str:
    lower = 0.0
    items = []
    for limit, c in COLOUR_SCALE:
        items.append(f"<span class='tok' style='background:{c}'>{lower:.0%}–{min(limit, 1):.0%}</span>")
        lower = limit
    legend = _(
        "The model's probability of each token: {scale} · hover or tap a token for the sampler's and the "
        "alternatives",
        scale=" ".join(items),
    )
    return f"<div class='legend'>{legend}</div>"


def samples_html(prompt: str, samples: list[Sample], titles: list[str] | None = None) -> str:
    """Samples side by side (they wrap on a phone), with the colour legend below."""
    if titles is None:
        titles = (
            [_("Sample {number}", number=i + 1) for i in range(len(samples))] if len(samples) > 1 else [""]
        )
    columns = "".join(sample_html(prompt, s, t) for s, t in zip(samples, titles, strict=True))
    return f"<div class='generation'><div class='samples'>{columns}</div>{legend_html()}</div>"


def result_html(result: GenerationResult, titles: list[str] | None = None) -> str:
    return samples_html(result.prompt, result.samples, titles)
