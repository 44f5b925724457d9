"""Evaluate: each token's surprise under the model (perplexity), BLEU's n-gram precisions and brevity penalty, and
the tokens behind BLEU and ROUGE highlighted where they match.

The charts share the look of the others (viz/charts.py). Every text is HTML-escaped: candidates, references and
tokens are typed by the user.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from playground.i18n import _
from playground.markup import escape_html as _escape
from playground.tasks.evaluation import NgramMatch, TextPerplexity, TextScores
from playground.viz import charts
from playground.viz.marks import token_labels

SURPRISE_COLOR = "#dc2626"  # the dashed line of the average surprise
ROUGE_NAMES = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L"}


# --- Perplexity -----------------------------------------------------------------------------------------------


def surprise_figure(result: TextPerplexity, title: str, top: float | None = None) -> go.Figure:
    """A bar per token after the first: its surprise −log p given the tokens before it (higher: the model
    expected it less), with the average as a dashed line; the perplexity in the subtitle. `top`: the height of
    the axis (charts side by side share one, so that their bars compare)."""
    names = [charts.label(token) for token in token_labels(result.tokens)[1:]]
    surprise = [-value for value in result.logprobs]
    fig = charts.white_figure(
        go.Bar(
            x=list(range(len(names))),
            y=surprise,
            marker_color=charts.BAR_COLOR,
            customdata=[[name, math.exp(-s)] for name, s in zip(names, surprise, strict=True)],
            hovertemplate="%{customdata[0]}<br>−log p = %{y:.2f} (p = %{customdata[1]:.2%})<extra></extra>",
            showlegend=False,
        )
    )
    _mean_line(fig, result.mean_surprise, _("average {value}", value=f"{result.mean_surprise:.2f}"))
    charts.token_ticks(fig, names)
    top = max(surprise) if top is None else top
    fig.update_yaxes(title_text=_("surprise −log p (nats)"), range=[0, top * 1.08])
    subtitle = _(
        "perplexity e^{mean} = {perplexity} · {count} tokens",
        mean=f"{result.mean_surprise:.2f}",
        perplexity=f"{result.perplexity:.1f}",
        count=len(surprise),
    )
    return charts.layout_with_legend_below(fig, title, 400, subtitle)


def _mean_line(fig: go.Figure, y: float, name: str) -> None:
    """A dashed line across the chart at `y`, named in the legend (below the chart), not beside the line: there,
    on its white ground, the name covered the bars it crossed and the "n/n" over them."""
    fig.add_hline(y=y, line_dash="dash", line_color=SURPRISE_COLOR)
    fig.add_trace(  # a trace with no points: the legend's entry for the line
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            line={"dash": "dash", "color": SURPRISE_COLOR},
            name=name,
            hoverinfo="skip",
        )
    )


# --- BLEU -----------------------------------------------------------------------------------------------------


def bleu_figure(scores: TextScores) -> go.Figure:
    """BLEU's four n-gram precisions (matched / total n-grams of the candidate), the geometric mean of which,
    times the brevity penalty, is the score."""
    bleu = scores.bleu
    orders = [_("{n}-grams", n=n) for n in range(1, len(bleu.precisions) + 1)]
    texts = [
        f"{correct}/{total}" + (" *" if correct == 0 and total else "")
        for correct, total in zip(bleu.counts, bleu.totals, strict=True)
    ]
    fig = charts.white_figure(
        go.Bar(
            x=orders,
            y=bleu.precisions,
            marker_color=charts.BAR_COLOR,
            text=texts,
            textposition="outside",
            hovertemplate="%{x}: %{y:.1f}% (%{text})<extra></extra>",
            showlegend=False,
        )
    )
    mean = bleu.score / bleu.brevity_penalty if bleu.brevity_penalty else 0.0
    _mean_line(fig, mean, _("geometric mean {value}", value=f"{mean:.1f}"))
    fig.update_yaxes(title_text=_("precision (%)"), range=[0, 115])
    subtitle = _(
        "BLEU {score} = penalty {bp} × mean {mean}",  # short enough for a phone
        score=f"{bleu.score:.1f}",
        bp=f"{bleu.brevity_penalty:.3f}",
        mean=f"{mean:.1f}",
    )
    return charts.layout_with_legend_below(fig, _("BLEU: n-gram precisions"), 380, subtitle)


def matched_orders(tokens: list[str], matches: list[NgramMatch]) -> list[int]:
    """For each token, the length of the longest matched n-gram it is part of (0: none). An n-gram is marked
    where it occurs, left to right, as many times as it counts as matched."""
    left = {match.ngram: match.count for match in matches}
    longest = [0] * len(tokens)
    for n in sorted({len(ngram) for ngram in left}):
        for i in range(len(tokens) - n + 1):
            ngram = tuple(tokens[i : i + n])
            if left.get(ngram, 0) > 0:
                left[ngram] -= 1
                for j in range(i, i + n):
                    longest[j] = max(longest[j], n)
    return longest


def _token_spans(tokens: list[str], orders: list[int], joiner: str) -> str:
    spans = []
    for token, order in zip(tokens, orders, strict=True):
        if order:
            tip = _("part of a matched {n}-gram", n=order)
            spans.append(f'<span class="ev-tok ev-o{order}" title="{_escape(tip)}">{_escape(token)}</span>')
        else:
            spans.append(f'<span class="ev-tok">{_escape(token)}</span>')
    return joiner.join(spans)


def _text_row(title: str, body: str) -> str:
    return f"<div class='ev-row'><div class='ev-row-title'>{_escape(title)}</div><div class='ev-tokens'>{body}</div></div>"


def _joiner(language: str) -> str:
    return "" if language == "zh" else " "


def bleu_matches_html(scores: TextScores) -> str:
    """The candidate and every reference as sacrebleu's tokenizer cut them, each token shaded by the longest
    matched n-gram it belongs to."""
    bleu = scores.bleu
    joiner = (
        " "  # sacrebleu's tokens are separated by spaces (its zh tokenizer puts one around each character)
    )
    rows = [
        _text_row(
            _("Candidate"),
            _token_spans(bleu.candidate_tokens, matched_orders(bleu.candidate_tokens, bleu.matches), joiner),
        )
    ]
    for number, tokens in enumerate(bleu.reference_tokens, start=1):
        reference = _token_spans(tokens, matched_orders(tokens, bleu.matches), joiner)
        rows.append(_text_row(_("Reference {number}", number=number), reference))
    legend = " ".join(
        f"<span class='ev-tok ev-o{n}'>{_escape(_('{n}-gram', n=n))}</span>"
        for n in range(1, len(bleu.counts) + 1)
    )
    how = _(
        "The tokens as sacrebleu's {tokenize} tokenizer cut them; shaded: part of a candidate n-gram that a "
        "reference has too (the darker, the longer the n-gram) · hover a token",
        tokenize=bleu.tokenize,
    )
    return (
        f"<div class='ev-matches'>{''.join(rows)}<div class='legend'>{legend} · {_escape(how)}</div>"
        f"<div class='ev-signature'>sacrebleu: <code>{_escape(bleu.signature)}</code></div></div>"
    )


def bleu_explanation(scores: TextScores) -> str:
    """BLEU's brevity penalty in numbers (Markdown; no user text)."""
    bleu = scores.bleu
    c, r = bleu.sys_len, bleu.ref_len
    if c >= r:
        penalty = _(
            "The candidate has {c} tokens, the reference closest in length {r}: no brevity penalty (1.000).",
            c=c,
            r=r,
        )
    else:
        penalty = _(
            "The candidate has {c} tokens, the reference closest in length {r}: too short, so BLEU is multiplied "
            "by the brevity penalty e^(1 − {r}/{c}) = {bp}.",
            c=c,
            r=r,
            bp=f"{bleu.brevity_penalty:.3f}",
        )
    notes = [_("BLEU = brevity penalty × the geometric mean of the four precisions."), penalty]
    if any(correct == 0 and total for correct, total in zip(bleu.counts, bleu.totals, strict=True)):
        notes.append(
            _(
                "\\* No n-gram of that length matched: sacrebleu's default smoothing (exp) replaces the 0 by a "
                "small precision, so that one missing order does not make the whole score 0."
            )
        )
    missing = next((n for n, total in enumerate(bleu.totals, start=1) if total == 0), None)
    if missing is not None:
        notes.append(
            _(
                "The candidate has no {n}-grams (it is shorter than {n} tokens): BLEU, which multiplies the "
                "precisions of every order from 1 to 4, is 0.",
                n=missing,
            )
        )
    return " ".join(notes)


# --- ROUGE ----------------------------------------------------------------------------------------------------


def subsequence_positions(tokens: list[str], subsequence: list[str]) -> set[int]:
    """Where `subsequence` occurs in `tokens`, in order, each token as early as possible."""
    positions, i = set(), 0
    for j, token in enumerate(tokens):
        if i < len(subsequence) and token == subsequence[i]:
            positions.add(j)
            i += 1
    return positions


def _ngram_chips(matches: list[NgramMatch], joiner: str) -> str:
    if not matches:
        return f"<span class='ev-none'>{_escape(_('none'))}</span>"
    chips = []
    for match in matches:
        times = f" ×{match.count}" if match.count > 1 else ""
        chips.append(
            f"<span class='ev-tok ev-o{len(match.ngram)}'>{_escape(joiner.join(match.ngram))}{times}</span>"
        )
    return " ".join(chips)


def rouge_html(scores: TextScores) -> str:
    """ROUGE's precision, recall and F-measure per kind, against the best reference; the n-grams each kind
    counted; the candidate and the best reference of ROUGE-L with their longest common subsequence marked."""
    joiner = _joiner(scores.language)
    names = (_("kind"), _("precision"), _("recall"), _("F-measure"), _("reference"))
    header = "".join(f"<th>{_escape(h)}</th>" for h in names)
    # each value carries its column's name, which a phone shows beside it (assets/style.css, `.stack-rows`)
    label = [f" data-label='{_escape(name)}'" for name in names]
    rows = "".join(
        f"<tr><td>{ROUGE_NAMES[kind]}</td><td{label[1]}>{rouge.precision:.3f}</td>"
        f"<td{label[2]}>{rouge.recall:.3f}</td><td{label[3]}><b>{rouge.fmeasure:.3f}</b></td>"
        f"<td{label[4]}>{rouge.reference + 1}</td></tr>"
        for kind, rouge in scores.rouge.items()
    )
    table = (
        f"<div class='ev-table-wrap'><table class='ev-table stack-rows'><thead><tr>{header}</tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )
    parts = [table]
    for kind in ("rouge1", "rouge2"):
        rouge = scores.rouge[kind]
        title = _(
            "{kind}: n-grams shared with reference {number}",
            kind=ROUGE_NAMES[kind],
            number=rouge.reference + 1,
        )
        parts.append(_text_row(title, _ngram_chips(rouge.matches, " ")))
    lcs = scores.rouge["rougeL"]
    candidate = scores.rouge_candidate_tokens
    reference = scores.rouge_reference_tokens[lcs.reference]
    marked = [subsequence_positions(candidate, lcs.lcs), subsequence_positions(reference, lcs.lcs)]
    lcs_title = _(
        "ROUGE-L: the longest common subsequence ({count} tokens, in order, gaps allowed)", count=len(lcs.lcs)
    )
    parts.append(f"<div class='ev-row-title ev-heading'>{_escape(lcs_title)}</div>")
    for title, tokens, positions in (
        (_("Candidate"), candidate, marked[0]),
        (_("Reference {number}", number=lcs.reference + 1), reference, marked[1]),
    ):
        spans = joiner.join(
            f'<span class="ev-tok ev-lcs">{_escape(t)}</span>'
            if i in positions
            else f'<span class="ev-tok">{_escape(t)}</span>'
            for i, t in enumerate(tokens)
        )
        parts.append(_text_row(title, spans or f"<span class='ev-none'>{_escape(_('no tokens'))}</span>"))
    how = (
        _("The tokens as rouge-score compares them: lower-cased words, punctuation dropped")
        if scores.language == "en"
        else _("The tokens as rouge-score compares them here: every character, spaces dropped")
    )
    parts.append(f"<div class='legend'>{_escape(how)}</div>")
    return f"<div class='ev-matches'>{''.join(parts)}</div>"


def scores_html(scores: TextScores) -> str:
    """The four numbers, large."""
    cards = [("BLEU", f"{scores.bleu.score:.1f}", _("0–100, sacrebleu"))]
    cards += [
        (ROUGE_NAMES[kind], f"{rouge.fmeasure:.3f}", _("F-measure, 0–1"))
        for kind, rouge in scores.rouge.items()
    ]
    return (
        "<div class='ev-cards'>"
        + "".join(
            f"<div class='ev-card'><div class='ev-card-name'>{name}</div><div class='ev-card-value'>{value}</div>"
            f"<div class='ev-card-note'>{_escape(note)}</div></div>"
            for name, value, note in cards
        )
        + "</div>"
    )
