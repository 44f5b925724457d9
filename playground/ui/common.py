"""What every tab shares: turning task errors into gr.Error, loading a model with a progress bar, and
batched events (requests that arrive together share one forward pass)."""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable

import gradio as gr

from playground.models import LoadedModel, ModelLoadError, ModelManager, free_memory, is_out_of_memory
from playground.tasks import InputError

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
            "The model ran out of memory for this request. Try a shorter text, fewer new tokens or fewer "
            "samples; the memory has been freed.",
            print_exception=False,
        )
    log.exception("Unexpected error while answering a request")
    return gr.Error(f"Something went wrong on the server ({type(error).__name__}). Please try again.")


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
        progress(0, desc=f"Loading {manager.model_ids[task]}…")
    return manager.get(task)


def summary_markdown(summary: str, notices: list[str]) -> str:
    """A result's one-line summary followed by its notices (e.g. that the text was cut)."""
    return "\n\n".join([summary] + [f"⚠️ {notice}" for notice in notices])


def on(triggers: list, fn: Callable, inputs: list, outputs: list, model_group: str, **options):
    """A UI event (not part of the public API) in the concurrency group of the model it uses."""
    return gr.on(
        triggers,
        on_gpu(fn),
        inputs,
        outputs,
        api_visibility="private",
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
    fn = on_gpu(fn)
    event = on(triggers, options["load"], None, outputs[:1], model_group).success
    if max_batch_size > 1:
        event = event(
            fn,
            inputs,
            outputs + [error],
            batch=True,
            max_batch_size=max_batch_size,
            concurrency_limit=1,
            api_visibility="private",
        )
    else:
        event = event(
            one_at_a_time(fn),
            inputs,
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
    rows = [
        (gr.skip(),) * n_outputs + (_as_gr_error(result).message,)
        if isinstance(result, Exception)
        else (*render(result), "")
        for result in results
    ]
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
        message = (
            f"{len(errors)} of {len(results)} requests answered together could not be answered; the first: "
            f"{message} If your request is not concerned, please send it again."
        )
    raise gr.Error(message, print_exception=False)
