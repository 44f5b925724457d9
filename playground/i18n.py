"""English and 中文: every sentence people read exists in both.

English text is the key; `playground.translations.ZH` maps it to Chinese. Three ways to mark text:

- `_("...", **params)`: translated now, into the language of the request being answered (chart titles,
  summaries, info messages).
- `lazy("...", **params)`: a `Message` translated when it is shown (errors and notices made inside the tasks,
  shown later to whoever asked). Without a language (the JSON API, logs) it reads in English.
- `ui("...")`: page text (labels, help, Markdown) that the browser translates, following its language or
  the switch at the top of the page (gradio's `gr.I18n`).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
from collections.abc import Iterator

from playground.translations import ZH

LANGUAGES = {"en": "English", "zh": "中文"}
DEFAULT_LANGUAGE = "en"

_language = contextvars.ContextVar("language", default=DEFAULT_LANGUAGE)
log = logging.getLogger("playground")


def language_of(code: object) -> str:
    """ "zh", "zh-CN", "zh-Hant-TW"... -> "zh"; anything else, including nothing, -> "en"."""
    return "zh" if isinstance(code, str) and code.lower().startswith("zh") else DEFAULT_LANGUAGE


def current_language() -> str:
    return _language.get()


@contextlib.contextmanager
def using(language: object) -> Iterator[None]:
    """Translate into `language` within this block (the language of one request)."""
    token = _language.set(language_of(language))
    try:
        yield
    finally:
        _language.reset(token)


def _(english: str, **params: object) -> str:
    """`english` translated into the current request's language (English where no translation exists),
    then filled in with `params`."""
    text = ZH.get(english, english) if _language.get() == "zh" else english
    return text.format(**params) if params else text


class Message:
    """A sentence translated when it is turned into text (`str()`, f-strings), in the language of that moment."""

    def __init__(self, english: str, **params: object):
        self.english = english
        self.params = params

    def __str__(self) -> str:
        return _(self.english, **{name: str(value) for name, value in self.params.items()})

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __contains__(self, part: str) -> bool:
        return part in str(self)

    def __add__(self, other: object) -> str:
        return str(self) + str(other)

    def __radd__(self, other: object) -> str:
        return str(other) + str(self)

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(self.english)

    def __repr__(self) -> str:
        return f"Message({self.english!r})"


def lazy(english: str, **params: object) -> Message:
    """A sentence to translate later, when it is shown (see `Message`)."""
    return Message(english, **params)


def ui(english: str):
    """Page text the browser shows in its language: a gr.I18n key, the English text itself (so a page
    launched without the translations still reads in English)."""
    if english not in ZH:
        log.warning("No Chinese translation for page text %r", english)
    if "}" in english:  # gradio reads the key up to the first "}"
        return english
    return page_translations()(english)


@functools.cache
def page_translations(values: frozenset[str] = frozenset()):
    """The gr.I18n of every translated text, for `launch(i18n=...)` and `ui()`. The browser translates any
    string that equals a key, a choice's value included ("head" became 头 and was sent back so): the
    page's choice values (`values`) are left out of it."""
    import gradio as gr

    return gr.I18n(en={}, zh={key: text for key, text in ZH.items() if key not in values})
