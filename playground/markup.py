"""Text that people typed or uploaded, made safe to show in the page's HTML and Markdown.

A CSV column name, a target word or a model id reaches the page inside summaries (Markdown), pop-ups
(`gr.Info`, `gr.Warning`, `gr.Error`: gradio renders their text as HTML) and HTML views. Written as they are,
`<img src=…>` or `![](http://…)` would become live elements that fetch from other hosts. Everything such text
passes through one of these two functions on its way there.
"""

from __future__ import annotations

import html
import re

# Characters that start Markdown syntax inline: links and images, emphasis, code, headings, tables. (HTML
# and entities are escaped as HTML; line breaks become spaces, so no line of the text starts a block.)
_MARKDOWN = re.compile(r"([\\`*_\[\]()#!|~:])")  # ":" too: "http://…" would become a link (GFM autolinks)
_LINE_BREAKS = re.compile(r"[\r\n\v\f\u2028\u2029\x85]+")


def escape_html(text: object) -> str:
    """`text` as HTML text or an attribute value: it shows as written and creates no element."""
    return html.escape(str(text), quote=True)


def escape_markdown(text: object) -> str:
    """`text` inside Markdown: no element (HTML escaped), no link, image or emphasis (punctuation escaped)."""
    return _MARKDOWN.sub(r"\\\1", html.escape(_LINE_BREAKS.sub(" ", str(text)), quote=False))
