"""What every tab shares: turning task errors into gr.Error, loading a model with a progress bar, and
batched events (requests that arrive together share one forward pass)."""

from __future__ import annotations

import contextvars
import functools
import inspect
import logging
from collections.abc import Callable

import gradio as gr
from gradio.i18n import I18nData

from playground.i18n import LANGUAGES, _, language_of, ui, using
from playground.models import LoadedModel, ModelLoadError, ModelManager, free_memory, is_out_of_memory
from playground.tasks.validation import InputError

log = logging.getLogger("playground")

try:  # On Hugging Face Spaces (ZeroGPU), work that needs the GPU is declared with spaces.GPU.
    from spaces import GPU as on_gpu
except ImportError:  # Anywhere else it changes nothing.

    def on_gpu(fn: Callable) -> Callable:
        return fn


# Requests for one model share a concurrency group. The model's lock runs one forward pass at a time, so
# more parallel work would not be faster; but letting a few requests in at once lets streamed generations
# interleave token by token instead of waiting for each other to finish.
CONCURRENCY_LIMIT = 4


def _as_gr_error(error: Exception) -> gr.Error:
    if isinstance(error, gr.Error):
        return error
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


def friendly_errors(fn: Callable) -> Callable:
    """Wrap a handler (plain or generator) so every error reaches the user as a gr.Error sentence."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator_wrapper(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except Exception as error:
                raise _as_gr_error(error) from error

        return generator_wrapper

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as error:
            raise _as_gr_error(error) from error

    return wrapper


def load_model(manager: ModelManager, task: str, progress: gr.Progress | None = None) -> LoadedModel:
    """The task's model; the first time, a progress bar shows while it downloads and loads."""
    if progress is not None and not manager.is_loaded(task):
        progress(0, desc=_("Loading {model}…", model=manager.model_ids[task]))
    return manager.get(task)


def summary_markdown(summary: str, notices: list[str]) -> str:
    """A result's one-line summary followed by its notices (e.g. that the text was cut)."""
    return "\n\n".join([summary] + [f"⚠️ {notice}" for notice in notices])


# The English/中文 switch at the top of the page. Its JavaScript changes the language gradio shows the page in
# (gradio's own language setting, found in its `core` module); every UI event also sends the switch's value,
# so that what the server writes (errors, charts, summaries) comes back in the same language.
SWITCH_LANGUAGE_JS = """
async (language) => {
  try { localStorage.setItem("playground-language", language); } catch (error) {}
  const core = performance.getEntriesByType("resource").map((entry) => entry.name)
    .find((name) => /\\/assets\\/core-[^\\/]+\\.js$/.test(name));
  if (core) (await import(core)).changeLocale(language === "zh" ? "zh-CN" : "en");
  return [language];
}
"""
# The language chosen with the switch last time on this device, else the browser's.
PAGE_LANGUAGE_JS = """
() => {
  let saved = null;
  try { saved = localStorage.getItem("playground-language"); } catch (error) {}
  const language = saved || document.documentElement.lang || navigator.language || "en";
  return language.startsWith("zh") ? "zh" : "en";
}
"""


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


def page_language() -> gr.Radio | None:
    """The language switch of the page being built (None for a page without one)."""
    return getattr(gr.context.Context.root_block, "playground_language", None)


def _with_language_parameter(wrapper: Callable, fn: Callable) -> Callable:
    """Give `wrapper` the signature of `fn` plus a last `language` parameter (gradio reads signatures)."""
    functools.update_wrapper(wrapper, fn)
    signature = inspect.signature(fn)
    language = inspect.Parameter("language", inspect.Parameter.POSITIONAL_OR_KEYWORD, default="en")
    wrapper.__signature__ = signature.replace(parameters=[*signature.parameters.values(), language])
    return wrapper


def in_language(fn: Callable) -> Callable:
    """`fn`, called with one more argument, the page's language, in which its words are then written."""
    if inspect.isgeneratorfunction(fn):

        def generator_wrapper(*args):
            *args, language = args
            steps = fn(*args)
            while True:  # each step may run in another thread: set the language for every one
                with using(language):
                    try:
                        value = next(steps)
                    except StopIteration:
                        return
                yield value

        return _with_language_parameter(generator_wrapper, fn)

    def wrapper(*args):
        *args, language = args
        with using(language):
            return fn(*args)

    return _with_language_parameter(wrapper, fn)


_batch_languages: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "batch_languages", default=None
)


def in_languages(batch_fn: Callable) -> Callable:
    """A batch function called with one more list, each request's language (`batch_outputs` writes each
    request's answer in its own language)."""

    def wrapper(*columns):
        *columns, languages = columns
        token = _batch_languages.set([language_of(language) for language in languages])
        try:
            with using(languages[0] if languages else "en"):
                return batch_fn(*columns)
        finally:
            _batch_languages.reset(token)

    return _with_language_parameter(wrapper, batch_fn)


def with_language(inputs: list | None) -> list:
    """The inputs of a UI event, plus the page's language switch when the page has one."""
    language = page_language()
    return list(inputs or []) + ([language] if language is not None else [])


def on_page(triggers: list, fn: Callable, inputs: list | None, outputs: list, gpu: bool = False, **options):
    """A UI event (not part of the public API) whose words come back in the page's language; with `gpu`,
    its work is declared GPU work (see `on_gpu`)."""
    if page_language() is not None:
        fn = in_language(fn)
    return gr.on(
        triggers,
        on_gpu(fn) if gpu else fn,
        with_language(inputs),
        outputs,
        api_visibility="private",
        **options,
    )


def on(triggers: list, fn: Callable, inputs: list | None, outputs: list, model_group: str, **options):
    """A UI event in the concurrency group of the model it uses, in the page's language."""
    return on_page(
        triggers,
        fn,
        inputs,
        outputs,
        gpu=True,
        concurrency_id=model_group,
        concurrency_limit=CONCURRENCY_LIMIT,
        **options,
    )


def api_endpoint(fn: Callable, name: str, model_group: str, max_batch_size: int | None = None) -> None:
    """A public JSON endpoint `/name`, in the concurrency group of the model it uses.

    With `max_batch_size`, `fn` is a batch function (see `batched`): gradio gathers up to that many requests
    that wait in the queue and calls `fn` once for all of them. Its type hints describe one request, and so
    does the API schema clients see. A max_batch_size of 1 serves it unbatched, one request per call.
    """
    fn = on_gpu(fn)
    if max_batch_size is None:
        gr.api(fn, api_name=name, concurrency_id=model_group, concurrency_limit=CONCURRENCY_LIMIT)
    elif max_batch_size > 1:
        # One batch at a time: requests that arrive meanwhile wait and make up the next batch.
        gr.api(fn, api_name=name, batch=True, max_batch_size=max_batch_size, concurrency_limit=1)
    else:
        gr.api(
            one_at_a_time(fn), api_name=name, concurrency_id=model_group, concurrency_limit=CONCURRENCY_LIMIT
        )


def batched(triggers: list, fn: Callable, inputs: list, outputs: list, error: gr.Textbox, **options):
    """A UI event whose requests are answered in batches, each request's mistake shown to its sender only.

    `fn` takes one list per input and returns one list per output plus, last, a list of error messages
    ('' for the requests it answered; build it with `batch_outputs`). Gradio fails a whole batch when its
    function raises, so `fn` does not raise for one request's bad input: it sends the message to the hidden
    `error` box of that request's page, and a small follow-up event there raises it as a gr.Error.
    `options`: `max_batch_size` (1 means unbatched), `model_group`, and `load`, an unbatched first step that
    loads the model with a progress bar (a batch function cannot show one).
    """
    max_batch_size, model_group = options["max_batch_size"], options["model_group"]
    if page_language() is not None:
        fn = in_languages(fn)
    fn = on_gpu(fn)
    event = on(triggers, options["load"], None, outputs[:1], model_group).success
    if max_batch_size > 1:
        event = event(
            fn,
            with_language(inputs),
            outputs + [error],
            batch=True,
            max_batch_size=max_batch_size,
            concurrency_limit=1,
            api_visibility="private",
        )
    else:
        event = event(
            one_at_a_time(fn),
            with_language(inputs),
            outputs + [error],
            concurrency_id=model_group,
            concurrency_limit=CONCURRENCY_LIMIT,
            api_visibility="private",
        )
    return event.then(raise_error, [error], None, api_visibility="private", concurrency_limit=None)


def one_at_a_time(batch_fn: Callable) -> Callable:
    """A batch function as a function of one request (its signature kept for the API schema)."""

    @functools.wraps(batch_fn)
    def single(*args):
        outputs = batch_fn(*[[arg] for arg in args])
        return tuple(column[0] for column in outputs) if len(outputs) > 1 else outputs[0][0]

    return single


def batch_outputs(results: list, render: Callable, n_outputs: int) -> tuple[list, ...]:
    """The return value of a `batched` UI function: `render(result)` gives a tuple of `n_outputs` values for
    each answered request; a request refused (an exception in `results`) leaves its outputs as they are
    and gets its message in the last list."""
    languages = _batch_languages.get() or ["en"] * len(results)
    rows = []
    for result, language in zip(results, languages, strict=True):
        with using(language):
            if isinstance(result, Exception):
                rows.append((gr.skip(),) * n_outputs + (_as_gr_error(result).message,))
            else:
                rows.append((*render(result), ""))
    return tuple(list(column) for column in zip(*rows, strict=True))


def raise_error(message: str) -> None:
    """The follow-up of a batched event: the request's own error, if it had one, as a gr.Error."""
    if message:
        raise gr.Error(message, print_exception=False)


def api_answers(results: list) -> list:
    """The results of a batch of API requests, or a gr.Error if any request was refused.

    Gradio can only fail a batch as a whole. When every request in it was refused for the same reason (a
    batch of one, usually), that reason is the message; when others in the batch were fine, the message says
    so, so that their senders know to send them again.
    """
    errors = [result for result in results if isinstance(result, Exception)]
    if not errors:
        return results
    message = _as_gr_error(errors[0]).message
    if len(errors) < len(results) or len({str(error) for error in errors}) > 1:
        message = _(
            "{errors} of {requests} requests answered together could not be answered; the first: "
            "{message} If your request is not concerned, please send it again.",
            errors=len(errors),
            requests=len(results),
            message=message,
        )
    raise gr.Error(message, print_exception=False)


def examples_for(settings, examples: dict[str, list]) -> list:
    """The examples that fit the models served: Chinese ones for the Chinese preset, else English ones."""
    return examples["zh" if settings.preset == "zh" else "en"]
