"""A conversation as the model reads it: the chat template's text as HTML, token by token.

Special tokens (`<|im_start|>`, `<|im_end|>`) are dark boxes, what the template wrote around the messages
(role names, newlines) is outlined, and the words of each message are tinted by who wrote them. Every token
shows its id (a small subscript, and in its tooltip); a newline reads ↵ and still breaks the line. Every piece
of text is HTML-escaped: messages are user-controlled.
"""

from __future__ import annotations

from playground.i18n import _
from playground.markup import escape_html as _escape
from playground.tasks.chat import ChatPrompt, ChatResult, ChatToken
from playground.viz.marks import token_labels
from playground.viz.tokens import samples_html

NEWLINE = "↵"
BASE = (
    "display:inline-block;margin:1px 1px;padding:0 2px;border-radius:3px;white-space:pre-wrap;color:#111827;"
)
STYLES = {
    "special": BASE + "background:#1e293b;color:#f8fafc;font-family:monospace;font-weight:600;",
    "template": BASE + "background:#f5f3ff;outline:1px dashed #7c3aed;font-family:monospace;",
    "system": BASE + "background:#fef3c7;",
    "user": BASE + "background:#dbeafe;",
    "assistant": BASE + "background:#dcfce7;",
}
ID_STYLE = "font-size:0.65em;opacity:0.7;margin-left:1px;"


def _kind(token: ChatToken, prompt: ChatPrompt) -> str:
    if token.special:
        return "special"
    if token.message is None:
        return "template"
    return prompt.messages[token.message]["role"]


def token_html(token: ChatToken, kind: str, show_ids: bool = True, text: str | None = None) -> str:
    """One token in its box: newlines shown as ↵ followed by a real line break; `text` instead of the
    token's own (a byte token as the character it helps make, '中 1/3': `token_labels`)."""
    lines = (token.text if text is None else text).split("\n")
    shown = NEWLINE.join(_escape(line) for line in lines)
    breaks = "<br>" * (len(lines) - 1)
    tooltip = _("token {id}: {piece}", id=token.id, piece=repr(token.piece))
    number = f'<sub style="{ID_STYLE}">{token.id}</sub>' if show_ids else ""
    return (
        f'<span class="chat-tok chat-{kind}" style="{STYLES[kind]}" title="{_escape(tooltip)}">'
        f"{shown}{number}</span>{breaks}"
    )


def legend_html() -> str:
    items = [
        ("special", _("special token")),
        ("template", _("written by the template")),
        ("system", _("system message")),
        ("user", _("user message")),
        ("assistant", _("assistant message")),
    ]
    spans = " ".join(
        f'<span class="chat-tok chat-{k}" style="{STYLES[k]}">{_escape(t)}</span>' for k, t in items
    )
    return f"<div class='chat-legend'>{spans}</div>"


def prompt_html(prompt: ChatPrompt, show_ids: bool = True) -> str:
    """The templated prompt, token by token, with a legend and a count of its tokens."""
    texts = token_labels([token.text for token in prompt.tokens])
    tokens = "".join(
        token_html(token, _kind(token, prompt), show_ids, text)
        for token, text in zip(prompt.tokens, texts, strict=True)
    )
    summary = _(
        "What the model reads: {count} tokens, {special} of them special",
        count=len(prompt.tokens),
        special=sum(t.special for t in prompt.tokens),
    )
    return (
        f"<div class='chat-template'><div class='chat-summary'>{_escape(summary)}</div>"
        f"<div class='chat-tokens' style='line-height:1.9'>{tokens}</div>{legend_html()}</div>"
    )


def reply_html(result: ChatResult) -> str:
    """The reply's tokens coloured by the probability each had when drawn, as Generate shows a sample
    (the end-of-turn token, where the model wrote it, is its last token)."""
    return samples_html("", result.generation.samples[:1])
