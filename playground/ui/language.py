"""The page's language enters the server here, and only here.

The English/中文 switch at the top of the page keeps its choice in a cookie (and, to remember it on the
device, in localStorage); every request the page sends carries the cookie, so `request_language()` reads it
from the request gradio is answering, falling back to the browser's Accept-Language. `in_page_language`
wraps each UI handler once (in ui/events.py) so that what it writes is in that language. Batched events are
the exception, see `in_languages`.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable

import gradio as gr
from gradio.context import LocalContext
from gradio.i18n import I18nData

from playground.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, language_of, ui, using
from playground.ui.context import each_step_in

COOKIE = "playground-language"
# Sets the cookie the server reads and the page's lang (screen readers, fonts, the pop-up titles of
# assets/style.css), remembers the choice on the device, and changes the language gradio shows the page in
# (gradio's own language setting, found in its `core` module).
SWITCH_LANGUAGE_JS = f"""
async (language) => {{
  document.cookie = "{COOKIE}=" + language + "; path=/; max-age=31536000; SameSite=Lax";
  document.documentElement.lang = language === "zh" ? "zh-CN" : "en";
  try {{ localStorage.setItem("{COOKIE}", language); }} catch (error) {{}}
  const core = performance.getEntriesByType("resource").map((entry) => entry.name)
    .find((name) => /\\/assets\\/core-[^\\/]+\\.js$/.test(name));
  if (core) (await import(core)).changeLocale(language === "zh" ? "zh-CN" : "en");
  return [language];
}}
"""
# The language chosen with the switch last time on this device, else the browser's; the cookie follows it.
PAGE_LANGUAGE_JS = f"""
() => {{
  let saved = null;
  try {{ saved = localStorage.getItem("{COOKIE}"); }} catch (error) {{}}
  const language = (saved || document.documentElement.lang || navigator.language || "en")
    .startsWith("zh") ? "zh" : "en";
  document.cookie = "{COOKIE}=" + language + "; path=/; max-age=31536000; SameSite=Lax";
  document.documentElement.lang = language === "zh" ? "zh-CN" : "en";
  return language;
}}
"""


def request_language(request: object = None) -> str:
    """The language of the request being answered ("en" or "zh"): the switch's cookie, else the browser's
    Accept-Language, else English (API clients)."""
    request = LocalContext.request.get(None) if request is None else request
    if request is None:
        return DEFAULT_LANGUAGE
    cookies = getattr(request, "cookies", None) or {}
    headers = getattr(request, "headers", None) or {}
    chosen = _lookup(cookies, COOKIE) or _lookup(headers, "accept-language")
    return language_of(chosen.strip() if isinstance(chosen, str) else None)


def _lookup(mapping: object, key: str) -> object:
    try:
        return dict(mapping).get(key)
    except (TypeError, ValueError):
        return None


def in_page_language(fn: Callable) -> Callable:
    """`fn` writing its words in the language of the request it answers (a generator: every step, since each
    may run in another thread)."""
    return each_step_in(fn, lambda: functools.partial(using, request_language()))


# Batched events: gradio hands a batch function only the first request of the batch (Blocks.call_function),
# so the others' languages cannot be read from their requests. For these events alone, the language switch is
# one more input, and each request's language arrives in that column.
_batch_languages: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "batch_languages", default=None
)


def in_languages(batch_fn: Callable) -> Callable:
    """A batch function called with one more list, each request's language (`batch_languages()` tells it)."""

    def wrapper(*columns):
        *columns, languages = columns
        token = _batch_languages.set([language_of(language) for language in languages])
        try:
            with using(languages[0] if languages else DEFAULT_LANGUAGE):
                return batch_fn(*columns)
        finally:
            _batch_languages.reset(token)

    functools.update_wrapper(wrapper, batch_fn)
    signature = inspect.signature(batch_fn)  # gradio reads the signature: it gains the `language` column
    language = inspect.Parameter("language", inspect.Parameter.POSITIONAL_OR_KEYWORD, default="en")
    wrapper.__signature__ = signature.replace(parameters=[*signature.parameters.values(), language])
    return wrapper


def batch_languages(count: int) -> list[str]:
    """The language of each request of the batch being answered (English outside a batched event)."""
    return _batch_languages.get() or [DEFAULT_LANGUAGE] * count


def language_switch(demo: gr.Blocks) -> gr.Radio:
    """The language switch; it starts in the language chosen last time on this device, else in the browser's
    (English unless that is Chinese)."""
    switch = gr.Radio(
        [(name, code) for code, name in LANGUAGES.items()],
        value="en",
        label=ui("Language"),
        elem_id="language-switch",
        container=False,
    )
    demo.load(None, None, switch, js=PAGE_LANGUAGE_JS, api_visibility="private")
    demo.playground_language = switch
    return switch


def page_language() -> gr.Radio | None:
    """The language switch of the page being built (None for a page without one)."""
    return getattr(gr.context.Context.root_block, "playground_language", None)


def follow_language_switch(switch: gr.Radio, demo: gr.Blocks) -> None:
    """When the switch changes, gradio translates what it draws next, but neither the names of the tabs already
    drawn nor the column headers of the examples (it never translates those): the server sends them in the
    new language."""
    tabs = [block for block in demo.blocks.values() if isinstance(block, gr.Tab)]
    datasets = [block for block in demo.blocks.values() if isinstance(block, gr.Dataset)]
    for dataset in datasets:  # the labels of the examples' inputs, which gradio would show as raw keys
        dataset.headers = [english_text(header) for header in dataset.headers]

    def retitle(language):
        with using(language):
            return [gr.Tab(label=_(english_text(tab.label))) for tab in tabs] + [
                gr.Dataset(headers=[_(header) for header in dataset.headers]) for dataset in datasets
            ]

    switch.change(
        retitle, switch, tabs + datasets, js=SWITCH_LANGUAGE_JS, api_visibility="private", queue=False
    )


def english_text(text: object) -> str:
    """The English of a page text: the key of a translation, or the text itself."""
    return text.key if isinstance(text, I18nData) else str(text or "")
