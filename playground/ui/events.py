"""Wiring handlers to the page: UI events, public API endpoints and batched events.

Handlers are module-level functions whose first parameter is the Context; `bind` gives gradio the function
of the remaining parameters. A UI handler returns its outputs by name ({"plot": figure, "summary": text});
`on` maps the names to the event's components, and whatever it leaves out stays as it is on the page; a
handler gives CLEARED for an output that shows a result no longer current (it is emptied, as on a fresh page).

A page event that fails shows its one sentence as a pop-up and ends without failing (gradio would put an
"Error" badge on each of its outputs): the results it shows are cleared, so none stays on screen as if it
answered the request that failed.
"""

from __future__ import annotations

import functools
import inspect
import itertools
from collections.abc import Callable

import gradio as gr

from playground import timing
from playground.i18n import using
from playground.priority import behind_tokens
from playground.ui.context import Context, each_step_in, in_session
from playground.ui.errors import as_gr_error, friendly_errors, level_of, raise_error, show_error
from playground.ui.language import batch_languages, in_languages, in_page_language, page_language
from playground.ui.mcp import not_a_tool

try:  # On Hugging Face Spaces (ZeroGPU), work that needs the GPU is declared with spaces.GPU.
    from spaces import GPU as on_gpu
except ImportError:  # Anywhere else it changes nothing.

    def on_gpu(fn: Callable) -> Callable:
        return fn


def model_work(fn: Callable, tokens: bool = False) -> Callable:
    """A handler's work on a model: GPU work on Spaces (`on_gpu`), and on a CPU behind the class's tokens (at a
    lower priority than the generation engines' threads, playground/priority.py) unless it draws `tokens` itself
    (Next token)."""
    return on_gpu(fn if tokens else behind_tokens(fn))


# Requests for one model share a concurrency group. The model's lock runs one forward pass at a time, so
# more parallel work would not be faster; but letting a few requests in at once lets streamed generations
# interleave token by token instead of waiting for each other to finish.
CONCURRENCY_LIMIT = 4
# Generation models decode in a shared engine (playground/engine): every generation admitted is a row of one
# batch, and the requests beyond its rows (--max-generation-batch) wait in the engine, not in gradio's queue:
# it prefills them and draws their first token at once, and takes them into the batch as rows leave. So these
# groups admit the engine's rows and its waiting ones (--queue-size), and a streamed generation holding its
# slot for its whole answer keeps neither the next generation nor a next-token request from starting.
ENGINE_GROUPS = ("generation", "chat")
# How many events gradio's queue runs at once when nothing else is said (launch's max_threads: the jobs it
# starts, and the worker threads their handlers run in).
GRADIO_WORKERS = 40

Outputs = dict[str, gr.components.Component]

CLEARED = object()  # a handler's value for an output whose result is no longer current: see `cleared`
# The components that show a result of a request: they are what a failed request clears. (Not the inputs of
# the event, nor what the user edits or keeps: a conversation, sliders, an editable table. A dropdown an event
# fills holds choices taken from its result: a CSV's columns, a text's tokens.)
RESULT_COMPONENTS = (
    gr.HTML,
    gr.Markdown,
    gr.Plot,
    gr.Code,
    gr.JSON,
    gr.Label,
    gr.HighlightedText,
    gr.State,
    gr.Dropdown,
)
FILE_COMPONENTS = (gr.File, gr.DownloadButton, gr.Dataframe)


def shows_result(component: gr.components.Component) -> bool:
    """Whether `component` shows a result of a request (as opposed to something the user edits)."""
    if isinstance(component, RESULT_COMPONENTS):
        return True
    if isinstance(component, (gr.Textbox, gr.Dataframe)):  # a read-only box or table
        return component.interactive is False
    return isinstance(component, FILE_COMPONENTS)


def cleared(component: gr.components.Component):
    """The update that empties an output as it was on a fresh page: no value; a file, download button or table
    as visible (and clickable) as it was built; a dropdown without choices."""
    if isinstance(component, gr.Dropdown):
        return gr.update(choices=[], value=None)
    if not isinstance(component, FILE_COMPONENTS):
        return None
    initial = {"visible": component.visible}
    if component.interactive is not None:
        initial["interactive"] = component.interactive
    return gr.update(value=None, **initial)


def stale_outputs(outputs: Outputs, inputs: list | None) -> dict:
    """{component: update} that clears the outputs showing a result, the others left as they are."""
    kept = {id(component) for component in inputs or []}
    return {
        component: cleared(component) if shows_result(component) and id(component) not in kept else gr.skip()
        for component in outputs.values()
    }


def concurrency_limit(context: Context | None, model_group: str) -> int:
    """How many requests of a model's group run at once: CONCURRENCY_LIMIT, or for a generation model the rows
    its engine decodes together and those that may wait in it (`engine_limit`), so that they share its forward
    passes instead of queueing whole."""
    if context is None or model_group not in ENGINE_GROUPS:
        return CONCURRENCY_LIMIT
    return engine_limit(context.settings)


def engine_limit(settings) -> int:
    """The requests a generation model's group runs at once: its engine's rows and waiting rows (at least
    CONCURRENCY_LIMIT; without an engine, --max-generation-batch 0, CONCURRENCY_LIMIT take turns)."""
    if settings.max_generation_batch < 1:
        return CONCURRENCY_LIMIT
    return max(CONCURRENCY_LIMIT, settings.max_generation_batch + settings.queue_size)


def queue_workers(settings) -> int:
    """Events gradio's queue runs at once (launch's max_threads, GRADIO_WORKERS by default): room for both
    generation groups' limits beside everything else. A streamed generation holds one for its whole answer."""
    return GRADIO_WORKERS + len(ENGINE_GROUPS) * (engine_limit(settings) - CONCURRENCY_LIMIT)


def bind(handler: Callable, context: Context | None) -> Callable:
    """`handler` with its first argument, the context, given: gradio sees (and documents) the others."""
    if context is None:
        return handler
    if inspect.isgeneratorfunction(handler):

        @functools.wraps(handler)
        def bound(*args, **kwargs):
            timing.mark("handler")
            yield from handler(context, *args, **kwargs)
    else:

        @functools.wraps(handler)
        def bound(*args, **kwargs):
            timing.mark("handler")
            return handler(context, *args, **kwargs)

    signature = inspect.signature(handler)
    first, *rest = signature.parameters
    bound.__signature__ = signature.replace(parameters=[signature.parameters[name] for name in rest])
    bound.__annotations__ = {k: v for k, v in handler.__annotations__.items() if k != first}
    return bound


def by_component(fn: Callable, outputs: Outputs) -> Callable:
    """`fn` returning {name: value} as gradio's {component: value}; an unknown name is a bug, raised."""

    def components(values: dict) -> dict | None:
        if not outputs:
            return None
        if not values:  # nothing changes: gradio reads an empty dict as one value, so say so per output
            return {component: gr.skip() for component in outputs.values()}
        return {
            outputs[name]: cleared(outputs[name]) if value is CLEARED else value
            for name, value in values.items()
        }

    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator_wrapper(*args, **kwargs):
            for values in fn(*args, **kwargs):
                yield components(values)

        return generator_wrapper

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return components(fn(*args, **kwargs))

    return wrapper


def failing_quietly(fn: Callable, outputs: Outputs, inputs: list | None, clear: bool = True) -> Callable:
    """`fn` (raising a gr.Error) whose error is a pop-up and whose event ends normally, its result outputs
    cleared (with `clear`; else left as they are, and always after a step refused beyond either end: an "info"
    pop-up, validation.StepOutOfRange). An event without outputs still fails, so that the steps
    chained after it (`.success`) do not run; it has no output to badge. So does one outside the queue, which
    cannot show a pop-up otherwise."""
    if not outputs:
        return fn

    def after(error: gr.Error) -> dict:
        if not show_error(error):
            raise error
        if clear and level_of(error) == "error":
            return stale_outputs(outputs, inputs)
        return {component: gr.skip() for component in outputs.values()}

    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator_wrapper(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except gr.Error as error:
                yield after(error)

        return generator_wrapper

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except gr.Error as error:
            return after(error)

    return wrapper


def on(
    triggers: list,
    handler: Callable,
    context: Context | None,
    inputs: list | None,
    outputs: Outputs,
    model_group: str | None = None,
    clear_on_error: bool = True,
    tokens: bool = False,
    **options,
):
    """A UI event (not part of the public API), answered in the page's language with its errors as one
    sentence, a pop-up (see `failing_quietly`): with `clear_on_error`, a failure clears the results it shows.
    With `model_group`, it runs in the concurrency group of that model, as work on a model (`model_work`; with
    `tokens` as a generation's token)."""
    fn = friendly_errors(by_component(handler, outputs), page=True)
    fn = bind(in_page_language(failing_quietly(fn, outputs, inputs, clear_on_error)), context)
    if model_group is not None:
        fn = model_work(fn, tokens)
        limit = concurrency_limit(context, model_group)
        options = {"concurrency_id": model_group, "concurrency_limit": limit, **options}
    return gr.on(triggers, fn, inputs, list(outputs.values()), api_visibility="private", **options)


def api_endpoint(
    handler: Callable,
    context: Context,
    name: str,
    model_group: str,
    max_batch_size: int | None = None,
    limit: int | None = None,
    tool: bool = True,
    tokens: bool = False,
) -> None:
    """A public JSON endpoint `/name`, in the concurrency group of the model it uses; its errors in English.

    With `max_batch_size`, `handler` is a batch function (see `batched`): gradio gathers up to that many
    requests that wait in the queue and calls it once for all of them. Its type hints describe one request,
    and so does the API schema clients see. A max_batch_size of 1 serves it unbatched, one request per call.
    `limit`: how many requests of the group run at once (default: `concurrency_limit` of the group).
    `tool`: with --mcp, whether AI assistants see it as a tool (ui/mcp.py), described by the handler's docstring.
    `tokens`: it draws a generation's tokens itself (Next token), at the engines' priority (`model_work`).
    """
    fn = bind(friendly_errors(handler), context)
    if max_batch_size is not None:  # a batch holds several sessions: the server's models only
        fn = model_work(in_sessions(context, fn, with_column=False), tokens)
    else:
        fn = model_work(server_models_only(fn), tokens)
    if max_batch_size is not None and max_batch_size <= 1:
        fn = one_at_a_time(fn)
    if not tool:
        not_a_tool(fn)
    if max_batch_size is None:
        limit = concurrency_limit(context, model_group) if limit is None else limit
        gr.api(fn, api_name=name, concurrency_id=model_group, concurrency_limit=limit)
    elif max_batch_size > 1:
        # One batch at a time: requests that arrive meanwhile wait and make up the next batch.
        gr.api(fn, api_name=name, batch=True, max_batch_size=max_batch_size, concurrency_limit=1)
    else:
        gr.api(fn, api_name=name, concurrency_id=model_group, concurrency_limit=CONCURRENCY_LIMIT)


def server_models_only(fn: Callable) -> Callable:
    """`fn` answering with the server's models, whoever calls it: an API request names its session itself,
    so a visitor's own models (Train tab) are used by their page's events only, never through the API."""
    return each_step_in(fn, lambda: functools.partial(in_session, None))


def batched(
    triggers: list,
    handler: Callable,
    context: Context,
    inputs: list,
    outputs: list,
    error: gr.Textbox,
    model_group: str,
) -> None:
    """A UI event whose requests are answered in batches, each request's mistake shown to its sender only.

    `handler(context, *columns)` takes one list per input and returns one list per output plus, last, a list
    of error messages ('' for the requests it answered; build it with `batch_outputs`). Gradio fails a whole
    batch when its function raises, so the handler does not raise for one request's bad input: it sends the
    message to the hidden `error` box of that request's page, and a small follow-up event there raises it as a
    gr.Error. First, an unbatched step loads the model with a progress bar (a batch function cannot show one).
    The page's language is an input of these events alone (see `in_languages`).
    """
    max_batch_size = context.settings.max_batch_size
    fn = bind(friendly_errors(handler, page=True), context)
    language = page_language()
    if language is not None:
        fn, inputs = in_languages(fn), [*inputs, language]
    session = page_session()
    fn = in_sessions(context, fn, with_column=session is not None)
    if session is not None:
        inputs = [*inputs, session]
    fn = model_work(clearing_batch(fn, outputs))
    event = on(triggers, model_loader(model_group), context, None, {}, model_group).success
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
    event.then(in_page_language(raise_error), [error], None, api_visibility="private", concurrency_limit=None)


def clearing_batch(batch_fn: Callable, outputs: list) -> Callable:
    """A batch function whose CLEARED values (a refused request's results) empty their output (`cleared`)."""

    @functools.wraps(batch_fn)
    def wrapper(*columns):
        results = batch_fn(*columns)
        return tuple(
            [cleared(component) if value is CLEARED else value for value in column] if component else column
            for column, component in itertools.zip_longest(results, outputs)
        )

    return wrapper


def session_key(demo: gr.Blocks) -> gr.Textbox:
    """A hidden box holding the page's gradio session, filled when the page loads: batched events take it as
    one more input, since a batch function sees only the first request of its batch (see `in_sessions`)."""
    box = gr.Textbox(visible=False, elem_id="session-key")

    def session_of(request: gr.Request) -> str:
        return request.session_hash or ""

    demo.load(session_of, None, box, api_visibility="private", queue=False)
    demo.playground_session = box
    return box


def page_session() -> gr.Textbox | None:
    """The session box of the page being built (None for a page without one)."""
    return getattr(gr.context.Context.root_block, "playground_session", None)


def in_sessions(context: Context, batch_fn: Callable, with_column: bool = True) -> Callable:
    """A batch function that answers every request with the models of its own session. With `with_column`,
    it is called with one more list, each request's session: the requests of sessions that use a model they
    trained (Train tab) are answered apart, each group with its session's models, the rest together with
    the server's. Without it (API endpoints), every request gets the server's models."""

    def wrapper(*columns):
        sessions = [None] * len(columns[0]) if columns else []
        if with_column:
            *columns, sessions = columns
        groups: dict[str | None, list[int]] = {}
        for row, session in enumerate(sessions):
            groups.setdefault(session if context.manager.sessions.using(session) else None, []).append(row)
        if len(groups) <= 1:
            with in_session(next(iter(groups), None)):
                return batch_fn(*columns)
        merged: list[list] | None = None
        for session, rows in groups.items():
            with in_session(session):
                outputs = batch_fn(*[[column[row] for row in rows] for column in columns])
            if merged is None:
                merged = [[None] * len(sessions) for _output in outputs]
            for target, values in zip(merged, outputs, strict=True):
                for row, value in zip(rows, values, strict=True):
                    target[row] = value
        return tuple(merged)

    functools.update_wrapper(wrapper, batch_fn)
    signature = inspect.signature(batch_fn)
    if with_column:  # gradio reads the signature: it gains the `session` column
        session = inspect.Parameter("session", inspect.Parameter.POSITIONAL_OR_KEYWORD, default="")
        wrapper.__signature__ = signature.replace(parameters=[*signature.parameters.values(), session])
    return wrapper


def model_loader(task: str) -> Callable:
    """A handler that loads a task's model with a progress bar (the first step of a batched event)."""

    def load_model(context: Context, progress=gr.Progress()) -> dict:
        context.model(task, progress)
        return {}

    return load_model


def one_at_a_time(batch_fn: Callable) -> Callable:
    """A batch function as a function of one request (its signature kept for the API schema)."""

    @functools.wraps(batch_fn)
    def single(*args):
        outputs = batch_fn(*[[arg] for arg in args])
        return tuple(column[0] for column in outputs) if len(outputs) > 1 else outputs[0][0]

    return single


def batch_outputs(results: list, render: Callable, n_outputs: int) -> tuple[list, ...]:
    """The return value of a `batched` handler: `render(result)` gives a tuple of `n_outputs` values for each
    answered request; a request refused (an exception in `results`) gets its results cleared (CLEARED: they
    answered an earlier request) and its message in the last list. Each request's words are in its own language."""
    rows = []
    for result, language in zip(results, batch_languages(len(results)), strict=True):
        with using(language):
            if isinstance(result, Exception):
                rows.append((CLEARED,) * n_outputs + (as_gr_error(result).message,))
            else:
                rows.append((*render(result), ""))
    return tuple(list(column) for column in zip(*rows, strict=True))
