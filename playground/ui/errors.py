"""Every failure reaches the user as one gr.Error sentence: their mistakes plainly, the server's as a notice.

A failed page event shows that sentence once, as a pop-up (`show_error`), and does not fail the event: gradio
marks every output of a failed event with an "Error" badge, so the event ends normally instead, with the
results of the earlier request cleared (see events.on). API clients still get the gr.Error.

On the page, gradio renders the text of pop-ups (gr.Error, gr.Info, gr.Warning) as HTML, and their sentences
carry what people typed (a CSV column name, a model id): page events escape them (`page=True`, `info`,
`warning`); API clients get the plain sentence."""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable

import gradio as gr
from gradio.helpers import log_message

from playground.i18n import _
from playground.markup import escape_html
from playground.models import ModelLoadError, free_memory, is_out_of_memory
from playground.tasks.validation import InputError, StepOutOfRange
from playground.ui.batch_rows import Refused

log = logging.getLogger("playground")


def as_gr_error(error: Exception, page: bool = False) -> gr.Error:
    """The gr.Error that tells the user about `error`, in the request's language; with `page`, its text is
    escaped for the page's pop-up (shown as written, never as HTML)."""
    found = _as_gr_error(error)
    if not page or is_escaped(found):
        return found
    escaped = gr.Error(
        escape_html(found.message),
        duration=found.duration,
        visible=found.visible,
        title=_(found.title),  # the pop-up's title in the page's language too ("Error" -> "出错了")
        print_exception=found.print_exception,
    )
    escaped.playground_level = level_of(found)
    return mark_escaped(escaped)


def mark_escaped(error: gr.Error) -> gr.Error:
    """`error`, marked as escaped for the page (ui/blocks.py escapes every other error a page is sent)."""
    error.playground_escaped = True
    return error


def is_escaped(error: BaseException) -> bool:
    return getattr(error, "playground_escaped", False)


def level_of(error: gr.Error) -> str:
    """The pop-up `show_error` gives `error`: "error", or "info" for a step asked for beyond either end."""
    return getattr(error, "playground_level", "error")


def info(message: str) -> None:
    """gr.Info with `message` shown as written (it may hold a model id or a file's column name)."""
    gr.Info(escape_html(message), title=_("Info"))


def show_error(error: gr.Error) -> bool:
    """Show `error` as the page's red pop-up without failing the event (no "Error" badge on its outputs);
    False where it cannot be shown so (outside a queued page event): raise it instead."""
    from gradio.context import LocalContext

    if LocalContext.blocks.get(None) is None or LocalContext.event_id.get(None) is None:
        return False
    # gradio.helpers.log_message is what gr.Warning and gr.Info call; the page's client shows a "log" of level
    # "error" as the same pop-up a raised gr.Error gets (the message model of gradio.server_messages allows it),
    # and one of level "info" as gr.Info's.
    level = level_of(error)
    log_message(error.message, error.title, level=level, duration=error.duration, visible=error.visible)  # type: ignore[arg-type]
    return True


def warning(message: str) -> None:
    """gr.Warning with `message` shown as written."""
    gr.Warning(escape_html(message), title=_("Warning"))


def _as_gr_error(error: Exception) -> gr.Error:
    if isinstance(error, gr.Error):
        return error
    if isinstance(error, StepOutOfRange):  # nothing went wrong: information (a blue pop-up titled Info)
        information = gr.Error(str(error), title="Info", print_exception=False)
        information.playground_level = "info"
        return information
    if isinstance(error, (InputError, ModelLoadError)):
        return gr.Error(str(error), print_exception=False)  # the user's mistake, not the server's
    if is_out_of_memory(error):
        free_memory()
        log.warning("Out of memory while answering a request; memory freed: %s", error)
        return gr.Error(
            _(
                "The model ran out of memory for this request. Try a shorter text, fewer new tokens or fewer "
                "samples; the memory has been freed."
            ),
            print_exception=False,
        )
    log.exception("Unexpected error while answering a request")
    return gr.Error(
        _("Something went wrong on the server ({error}). Please try again.", error=type(error).__name__)
    )


def friendly_errors(fn: Callable, page: bool = False) -> Callable:
    """Wrap a handler (plain or generator) so every error reaches the user as a gr.Error sentence (escaped
    for the page's pop-up with `page`)."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator_wrapper(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except Exception as error:
                raise as_gr_error(error, page) from error

        return generator_wrapper

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as error:
            raise as_gr_error(error, page) from error

    return wrapper


def raise_error(message: str) -> None:
    """The follow-up of a batched event: the request's own error, if it had one, as a gr.Error (its title in
    the page's language: run it under `in_page_language`)."""
    if message:
        raise mark_escaped(gr.Error(escape_html(message), title=_("Error"), print_exception=False))


def api_answers(results: list, to_json: Callable) -> list:
    """The answers of a batch of API requests: `to_json(result)` for each request answered, `Refused(gr.Error)`
    for each request refused, which the queue sends that request alone (ui/batch_rows.py). A batch of one
    raises its gr.Error (as an unbatched endpoint does)."""
    if len(results) == 1 and isinstance(results[0], Exception):
        raise as_gr_error(results[0])
    return [
        Refused(as_gr_error(result)) if isinstance(result, Exception) else to_json(result)
        for result in results
    ]
