"""The one small mark every tab puts on a character that several tokens make (a Chinese character cut into three
byte-level tokens reads as that character, marked "3 tokens", never as "�" or its bytes).

HTML views group the tokens under the character (`tokens_mark`); charts and tables, which keep one row, column
or bar per token, label each of the tokens with the character and its place among them, '中 1/3', '中 2/3',
'中 3/3' (`token_labels`). Both group the tokens the same way: `character_runs`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from playground.i18n import _
from playground.tasks.text import character_runs

_BYTES = re.compile(r"(?:<0x[0-9A-F]{2}>)+")


def tokens_mark(count: int) -> str:
    """`<sub class="tokens-mark">3 tokens</sub>` for a character of `count` tokens; nothing for one token."""
    if count < 2:
        return ""
    return f"<sub class='tokens-mark'>{html.escape(_('{count} tokens', count=count))}</sub>"


def token_labels(texts: Sequence[str]) -> list[str]:
    """One plain-text label per token of a text, for a chart's axis or a table (readable token texts in, as
    `token_strings` gives them): the tokens that make one character together read as that character with their
    place among them ('中 1/3', '中 2/3', '中 3/3'), other tokens as they are. A byte that makes no character
    (a text cut inside one, a model's invalid UTF-8) reads as `piece_label` says."""
    labels: list[str] = []
    for first, count, text in character_runs(texts):
        if count == 1 or _BYTES.search(text):  # bytes that make no character (invalid UTF-8): each its own
            labels += [piece_label(token) for token in texts[first : first + count]]
        else:
            labels += [f"{text} {k}/{count}" for k in range(1, count + 1)]
    return labels


def piece_label(text: str) -> str:
    """One token on its own (a candidate for the next token): the text it reads as; bytes that are only part of a
    character, which cannot be shown alone, named as bytes ('<0xE4><0xB8>' -> 'bytes E4 B8'), never '�'."""

    def name(match: re.Match) -> str:
        values = match[0][3:-1].split("><0x")
        return _("byte {hex}", hex=values[0]) if len(values) == 1 else _("bytes {hex}", hex=" ".join(values))

    return _BYTES.sub(name, text)


def grouped_note(texts: Sequence[str]) -> str:
    """One sentence saying how `token_labels` names the tokens of a character, with the text's first such
    character as the example; '' when no character of the text is made of several tokens."""
    for _first, count, text in character_runs(texts):
        if count > 1:
            return _(
                "A character made of several tokens labels each of them with its place: {first} … {last} are "
                "the {count} tokens of {text}.",
                first=f"{text} 1/{count}",
                last=f"{text} {count}/{count}",
                count=count,
                text=text,
            )
    return ""
