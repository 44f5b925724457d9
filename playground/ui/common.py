"""What every tab shares: turning task errors into gr.Error, loading a model with a progress bar."""

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


def api_endpoint(fn: Callable, name: str, model_group: str) -> None:
    """A public JSON endpoint `/name`, in the concurrency group of the model it uses."""
    gr.api(on_gpu(fn), api_name=name, concurrency_id=model_group, concurrency_limit=CONCURRENCY_LIMIT)
