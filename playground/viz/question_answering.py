"""Question answering as HTML: the context with the answer marked, the model's start and end probability under
every context token (two aligned rows), and the best spans with their scores.

Every piece of text is HTML-escaped: the question, the context and the tokens are user-controlled.
"""

from __future__ import annotations

from playground.i18n import _
from playground.markup import escape_html as _escape
from playground.tasks.question_answering import QuestionAnsweringResult, Span, Window
from playground.viz.charts import percent

START_RGB, END_RGB = "22, 163, 74", "37, 99, 235"  # green: where the answer begins; blue: where it ends
STRONGEST = 0.6  # the most opaque a cell gets: its dark text keeps WCAG's 4.5:1 contrast
SHOWN_PERCENT = 0.01  # a probability at least this large is written in its cell, not only shaded


def answer_html(result: QuestionAnsweringResult) -> str:
    """The context with the best answer marked (hover it for its score)."""
    best = result.best
    context = result.context
    if best is None:
        body = _escape(context)
    else:
        tip = _(
            "answer: {score}, characters {start}–{end}",
            score=percent(best.score),
            start=best.start,
            end=best.end,
        )
        body = (
            _escape(context[: best.start])
            + f'<mark class="qa-answer" title="{_escape(tip)}">{_escape(best.answer)}</mark>'
            + _escape(context[best.end :])
        )
    label = _("The context, with the answer marked")
    return f"<div class='qa-context'><span class='qa-label'>{label}</span><div class='qa-context-text'>{body}</div></div>"


def _shade(rgb: str, alpha: float) -> str:
    """A cell's colour over the row's pale ground (which shows where the probability is near zero)."""
    return f"background-image: linear-gradient(rgba({rgb}, {alpha:.2f}), rgba({rgb}, {alpha:.2f}))"


def _row_names() -> str:
    """The first cell of every window: the names of its two rows."""
    return (
        f'<span class="qa-tok qa-row-names" aria-hidden="true"><span class="qa-text"> </span>'
        f'<span class="qa-bar qa-start">{_("start")}</span><span class="qa-bar qa-end">{_("end")}</span></span>'
    )


def _cell(text: str, piece: str, start: float, end: float, top: tuple[float, float], in_answer: bool) -> str:
    """One context token: its text, then its start and its end probability, shaded by their share of the
    window's largest."""
    tip = _(
        "token {piece} · start {start} · end {end}", piece=repr(piece), start=percent(start), end=percent(end)
    )
    bars = []
    for prob, largest, rgb, kind in ((start, top[0], START_RGB, "start"), (end, top[1], END_RGB, "end")):
        alpha = STRONGEST * min(1.0, prob / largest) if largest > 0 else 0.0
        shown = f"{prob:.0%}" if prob >= SHOWN_PERCENT else ""
        bars.append(f'<span class="qa-bar qa-{kind}" style="{_shade(rgb, alpha)}">{shown}</span>')
    marked = " qa-in-answer" if in_answer else ""
    return (
        f'<span class="qa-tok{marked}" title="{_escape(tip)}" aria-label="{_escape(text + " · " + tip)}">'
        f'<span class="qa-text">{_escape(text)}</span>{"".join(bars)}</span>'
    )


def window_html(result: QuestionAnsweringResult, number: int, window: Window) -> str:
    """One window's context tokens, each with its start and end probability under it, in the context's order
    and spacing (so Chinese reads without gaps); the tokens of the best answer are framed."""
    best = result.best
    answer = range(best.first_token, best.last_token + 1) if best and best.window == number else range(0)
    top = (max(window.start_probs, default=0.0), max(window.end_probs, default=0.0))
    cells = []
    for i, ((first, last), piece) in enumerate(zip(window.offsets, window.pieces, strict=True)):
        if (
            i
            and window.offsets[i - 1][1] < first
            and result.context[window.offsets[i - 1][1] : first].strip() == ""
        ):
            cells.append(" ")
        text = result.context[first:last] or piece
        cells.append(_cell(text, piece, window.start_probs[i], window.end_probs[i], top, i in answer))
    before = "… " if window.offsets and window.offsets[0][0] > 0 else ""
    after = " …" if window.offsets and result.context[window.offsets[-1][1] :].strip() else ""
    return f"<div class='qa-tokens'>{_row_names()}{before}{''.join(cells)}{after}</div>"


def legend_html() -> str:
    start = _("start: where the answer begins")
    end = _("end: where it ends")
    how = _(
        "each row is a softmax over the context's tokens · darker, likelier · hover a token for its numbers"
    )
    return (
        f"<div class='legend qa-legend'><span class='qa-bar qa-start' style='{_shade(START_RGB, STRONGEST)}'>"
        f"{start}</span> <span class='qa-bar qa-end' style='{_shade(END_RGB, STRONGEST)}'>{end}</span>"
        f" · {how}</div>"
    )


def _window_title(result: QuestionAnsweringResult, number: int) -> str:
    window = result.windows[number]
    title = _(
        "Window {number} of {count}: characters {start}–{end}",
        number=number + 1,
        count=len(result.windows),
        start=window.offsets[0][0] if window.offsets else 0,
        end=window.offsets[-1][1] if window.offsets else 0,
    )
    if result.best and number == result.best.window:
        title += " · " + _("the best answer is here")
    return _escape(title)


def probabilities_html(result: QuestionAnsweringResult) -> str:
    """The tokens of every window with their start and end probabilities: with several windows, the best
    answer's window open first, then the others in one fold, each in a fold of its own, in order."""
    if len(result.windows) == 1:
        body = window_html(result, 0, result.windows[0])
    else:
        best = result.best.window if result.best else 0
        folds = [
            f"<details class='qa-window'><summary>{_window_title(result, number)}</summary>"
            f"{window_html(result, number, window)}</details>"
            for number, window in enumerate(result.windows)
            if number != best
        ]
        others = _("The other {count} windows", count=len(folds))
        body = (
            f"<details class='qa-window' open><summary>{_window_title(result, best)}</summary>"
            f"{window_html(result, best, result.windows[best])}</details>"
            f"<details class='qa-window qa-others'><summary>{others}</summary>{''.join(folds)}</details>"
        )
    return f"<div class='qa-probabilities'>{body}{legend_html()}</div>"


def _span_row(rank: int, span: Span, windows: bool) -> str:
    """One span; each number cell carries its column's name (`data-label`), which a phone shows beside the value
    when the row is laid out on two lines (assets/style.css, `.stack-rows`)."""
    cells = [
        ("qa-rank", "", str(rank)),
        ("qa-span-answer", "", _escape(span.answer)),
        ("", _("Score"), percent(span.score)),
        ("qa-chars", _("Characters"), f"{span.start}–{span.end}"),
    ]
    cells += [("", _("Window"), str(span.window + 1))] if windows else []
    return "<tr>" + "".join(_labelled_cell(kind, label, value) for kind, label, value in cells) + "</tr>"


def _labelled_cell(kind: str, label: str, value: str) -> str:
    """A table cell with its class and its column's name for a phone's two-line rows (both optional)."""
    attributes = (f" class='{kind}'" if kind else "") + (f" data-label='{_escape(label)}'" if label else "")
    return f"<td{attributes}>{value}</td>"


def spans_html(result: QuestionAnsweringResult) -> str:
    """The best spans, best first: answer, score (start × end probability) and characters in the context."""
    windows = len(result.windows) > 1
    headers = [("", _("Rank")), ("", _("Answer")), ("", _("Score")), ("qa-chars", _("Characters"))]
    headers += [("", _("Window"))] if windows else []
    head = "".join(
        f"<th class='{kind}'>{header}</th>" if kind else f"<th>{header}</th>" for kind, header in headers
    )
    rows = "".join(_span_row(rank, span, windows) for rank, span in enumerate(result.spans, start=1))
    caption = _("The best spans: score = P(start) × P(end)")
    return (
        f"<div class='qa-spans'><table class='stack-rows'><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )
