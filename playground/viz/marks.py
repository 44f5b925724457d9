"""The one small mark every tab puts on a character that several tokens make (a Chinese character cut into three
byte-level tokens reads as that character, marked "3 tokens", never as "�" or its bytes)."""

from __future__ import annotations

import html

from playground.i18n import _


def tokens_mark(count: int) -> str:
    """`<sub class="tokens-mark">3 tokens</sub>` for a character of `count` tokens; nothing for one token."""
    if count < 2:
        return ""
    return f"<sub class='tokens-mark'>{html.escape(_('{count} tokens', count=count))}</sub>"
