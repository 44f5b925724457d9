"""The page's gr.Blocks, with three rules gradio does not keep on its own, applied to every event of the app
(those added later too), since they sit where gradio runs every event (`process_api`):

- **A session keeps no copy of what its events sent and answered.** Gradio writes every input and output value
  of every event into the session's `config_values` (a copy of the page's config, read back only by
  gr.DeepLinkButton), and keeps it until --max-sessions newer sessions push the session out: one-off API
  clients each left their whole answer behind (~95 MB for /attention on BERT-base at 128 tokens). Here that copy
  is emptied after each event (`forget_values`), unless the page has a deep-link button; what the next event
  needs (gr.State, a dropdown's current choices) is kept elsewhere and stays. When the page closes (gradio's
  unload event) the whole session is forgotten at once, its gr.States with it. Nor does a new session start
  with that copy (`LeanSessionState`): gradio built it for every block of the page (~800) for each new session,
  and every call of the HTTP API (`/gradio_api/call/...`) is a new session: that copy, thrown away after the
  event, was the largest CPU cost of a class of students calling the API.
- **Values the page did not offer get a sentence.** Gradio refuses a slider's value that is not a number with a
  bare "Error" pop-up, and a dropdown's value that is not among its choices with "Value: … is not in the list of
  choices: […]" quoting the choices, which may be a CSV's headers or a text's tokens. Each input is checked
  first (`checked_inputs`): a number where a number is expected, within the slider's range; a choice among the
  choices this session was given. A refusal names the field, in the page's language. On the page, such a
  refusal is one pop-up and the event ends without failing (`refused_quietly`), as a handler's refusal does
  (ui/events.py): gradio would also mark each output with a bare "Error" badge. The outputs that show a result
  are cleared, the others stay.
- **One request's refusal in a batch reaches that request alone.** Gradio fails a batched event as a whole;
  here a batch is checked and preprocessed request by request, and the queue sends a refused request its own
  error and the others their answers (ui/batch_rows.py).
- **Every error a page shows is escaped.** The page renders pop-ups as HTML: an error of a page event that the
  app did not write itself (gradio's, raised before or after the handler) is escaped on its way out, as the
  app's own sentences are (ui/errors.py); anything else becomes the server's one sentence.
"""

from __future__ import annotations

import contextvars
import datetime
import math
import types

import gradio as gr
from gradio import blocks as gradio_blocks
from gradio import route_utils, state_holder
from gradio.context import Context as GradioContext

from playground.i18n import _, using
from playground.markup import escape_html
from playground.ui.batch_rows import BatchQueue, Refused, answer_rows
from playground.ui.errors import as_gr_error, is_escaped, mark_escaped

NUMERIC = (gr.Slider, gr.Number)
CHOICES = (gr.Dropdown, gr.Radio, gr.CheckboxGroup)
SHOWN_VALUE_CHARS = 40  # of a refused value quoted in a sentence
# gradio's queue looks for new events every millisecond while it is free: each look takes the interpreter's lock
# from the threads that drive the models. Every 10 ms adds at most 10 ms to an event's wait.
QUEUE_IDLE_POLL = 0.01
PROGRESS_POLL = 0.05  # how often it looks for a progress bar's news: 20 times a second is enough for the eye

_request = contextvars.ContextVar("playground_request", default=None)
_row_requests = contextvars.ContextVar("playground_row_requests", default=None)  # a batch's, one per request


class PlaygroundBlocks(gr.Blocks):
    """gr.Blocks for the app: see the module's docstring."""

    def __exit__(self, exc_type=None, *args):
        if exc_type is None and GradioContext.root_block is self:
            self.unload(self._forget_closed_session)  # registered last: after every other unload handler
        return super().__exit__(exc_type, *args)

    async def process_api(self, block_fn, inputs, state=None, request=None, *args, **kwargs):
        fn = self.fns[block_fn] if isinstance(block_fn, int) else block_fn
        token = _request.set(request[0] if isinstance(request, list) and request else request)
        rows = _row_requests.set(iter(request) if fn.batch and isinstance(request, list) else None)
        try:
            return await super().process_api(fn, inputs, state, request, *args, **kwargs)
        except Exception as error:
            shown = _shown_error(error, page=is_page_event(fn))
            if is_refusal(error) and is_page_event(fn) and not fn.batch:
                quiet = await self.refused_quietly(fn, shown, state, kwargs.get("event_id"))
                if quiet is not None:
                    return quiet
            raise shown from error
        finally:
            _row_requests.reset(rows)
            _request.reset(token)
            forget_values(self, state)

    async def preprocess_data(self, block_fn, inputs, state, explicit_call=False):
        # A batch is preprocessed request by request, each in its own request's context: a request refused here
        # is answered alone (ui/batch_rows.py)
        rows = _row_requests.get() if block_fn.batch else None
        token = _request.set(next(rows, None)) if rows is not None else None
        try:
            with using(_language()):
                checked_inputs(block_fn, inputs, state, page=is_page_event(block_fn))
            return await super().preprocess_data(block_fn, inputs, state, explicit_call)
        except Exception as error:
            if not block_fn.batch:
                raise
            return [Refused(_shown_error(error, page=is_page_event(block_fn)))] * len(block_fn.inputs)
        finally:
            if token is not None:
                _request.reset(token)

    async def call_function(self, block_fn, processed_input, iterator=None, requests=None, *args, **kwargs):
        fn = self.fns[block_fn] if isinstance(block_fn, int) else block_fn
        call = super().call_function
        if not fn.batch:
            return await call(fn, processed_input, iterator, requests, *args, **kwargs)

        async def batch(columns: list, chosen: object) -> dict:
            return await call(fn, columns, iterator, chosen, *args, **kwargs)

        page = is_page_event(fn)
        return await answer_rows(batch, fn, processed_input, requests, lambda e: _shown_error(e, page))

    def queue(self, *args, **kwargs):
        """Gradio's queue, sending each refused request of a batch its own error (ui/batch_rows.py)."""
        demo = super().queue(*args, **kwargs)
        self._queue.__class__ = BatchQueue
        self._queue.sleep_when_free = max(self._queue.sleep_when_free, QUEUE_IDLE_POLL)
        self._queue.progress_update_sleep_when_free = max(
            self._queue.progress_update_sleep_when_free, PROGRESS_POLL
        )
        return demo

    async def refused_quietly(self, fn, error: gr.Error, state, event_id: str | None) -> dict | None:
        """The answer of a page event whose input was refused before its handler ran: `error` shown as the
        page's pop-up, the outputs that show a result cleared (see ui/events.py), no "Error" badge; None where
        no pop-up can be sent (no queued event)."""
        from gradio.context import LocalContext

        from playground.ui.errors import show_error
        from playground.ui.events import cleared, shows_result

        if event_id is None or getattr(self, "_queue", None) is None:
            return None
        blocks_token, event_token = LocalContext.blocks.set(self), LocalContext.event_id.set(event_id)
        try:
            if not show_error(error):
                return None
        finally:
            LocalContext.blocks.reset(blocks_token)
            LocalContext.event_id.reset(event_token)
        inputs = {id(block) for block in fn.inputs}
        updates = [
            cleared(block) if shows_result(block) and id(block) not in inputs else gr.skip()
            for block in fn.outputs
        ]
        prediction = updates[0] if len(updates) == 1 else updates
        data = await self.postprocess_data(fn, prediction, state) if updates else []
        return {
            "data": data,
            "is_generating": False,
            "iterator": None,
            "duration": 0.0,
            "average_duration": None,
            "render_config": None,
            "changed_state_ids": [],
            "used_cache": None,
        }

    def _forget_closed_session(self, request: gr.Request) -> None:
        """The page was closed: its session is forgotten, its gr.States with it (not kept for an hour)."""
        forget_session(self, getattr(request, "session_hash", None))


def is_page_event(block_fn) -> bool:
    """Whether an event is the page's own (its pop-ups render HTML), not a public API endpoint."""
    return getattr(block_fn, "api_visibility", "public") != "public"


def keeps_deep_links(blocks: gr.Blocks) -> bool:
    """gr.DeepLinkButton rebuilds a page from the session's copy of its values: that copy is needed."""
    found = getattr(blocks, "_playground_deep_links", None)
    if found is None:  # the page is built before its first event: look once
        found = any(isinstance(block, gr.DeepLinkButton) for block in blocks.blocks.values())
        blocks._playground_deep_links = found
    return found


def forget_values(blocks: gr.Blocks, state) -> None:
    """Empty the session's copy of the values its events sent and answered (see the module's docstring)."""
    values = getattr(state, "config_values", None)
    if values and not keeps_deep_links(blocks):
        values.clear()


class LeanSessionState(state_holder.SessionState):
    """Gradio's SessionState that starts without its copy of every block's config (`config_values`) on the
    app's page, where that copy is emptied after each event anyway (`forget_values`): gradio adds the blocks
    an event touches to it as they come. Pages with a deep-link button (which reads the copy) and other gr.Blocks
    get gradio's own."""

    def __init__(self, blocks: gr.Blocks):
        self._lean = isinstance(blocks, PlaygroundBlocks) and not keeps_deep_links(blocks)
        if self._lean:
            blocks = _WithoutBlockConfigs(blocks)
        super().__init__(blocks)

    # Nor does it fill that copy as an event goes: gradio rebuilt an output's whole config (get_config, which reads
    # its constructor's signature) once for each output it answered with a value, twice for each update, only
    # for `forget_values` to empty it after the event: about a third of a follower's lean draw (ui/lessons.py
    # follow_move), each of a class's pages at each move.

    def __setitem__(self, key: int, value) -> None:
        if not self._lean:
            return super().__setitem__(key, value)
        block = self.blocks_config.blocks.get(key)
        if isinstance(block, gr.State):  # as gradio's, without the copy of the config
            self._state_ttl[key] = (block.time_to_live, datetime.datetime.now())
            self.state_data[key] = value
        else:
            self.blocks_config.blocks[key] = value

    def _update_config(self, key: int) -> None:
        if not self._lean:
            super()._update_config(key)

    def _update_value_in_config(self, key: int, value) -> None:
        if not self._lean:
            super()._update_value_in_config(key, value)


class _WithoutBlockConfigs:
    """A page as SessionState.__init__ reads it: its config (`default_config`, the session's blocks), but no
    block whose config it copies (`blocks`)."""

    blocks = types.MappingProxyType({})

    def __init__(self, page: gr.Blocks):
        self._page = page

    def __getattr__(self, name: str):
        return getattr(self._page, name)


# every place gradio starts a session's state (the queue's sessions, an API call's, an event outside the queue)
for _module in (state_holder, route_utils, gradio_blocks):
    _module.SessionState = LeanSessionState


def forget_session(blocks: gr.Blocks, session: str | None) -> None:
    """Forget everything a session holds: its gr.States (their delete callbacks run) and the session itself."""
    holder = getattr(blocks, "state_holder", None)
    if holder is None or not session or session not in holder:
        return
    holder.delete_state(session)
    with holder.lock:
        holder.session_data.pop(session, None)
        holder.time_last_used.pop(session, None)


def _language() -> str:
    from playground.ui.language import request_language

    return request_language(_request.get())


def _shown_error(error: Exception, page: bool) -> gr.Error:
    """The error a failed event sends: for a page event, escaped unless the app escaped it already."""
    if isinstance(error, gr.Error) and (not page or is_escaped(error)):
        return error
    if isinstance(error, gr.Error):  # gradio's own words, or a handler's outside ui/events.on
        escaped = gr.Error(
            escape_html(error.message),
            duration=error.duration,
            visible=error.visible,
            title=escape_html(error.title),
            print_exception=error.print_exception,
        )
        return mark_escaped(escaped)
    with using(_language()):
        return as_gr_error(error, page=page)


def field_name(block) -> str:
    """The field's label as the page shows it (in the request's language), else a general word."""
    from playground.ui.language import english_text

    label = english_text(getattr(block, "label", None))
    return _(label) if label else _("a field of this page")


def shown_value(value: object) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN_VALUE_CHARS else text[: SHOWN_VALUE_CHARS - 1] + "…"


def refuse(message: str, page: bool) -> gr.Error:
    """The gr.Error that refuses an input before its handler runs (escaped for the page with `page`)."""
    error = gr.Error(escape_html(message) if page else message, title=_("Error"), print_exception=False)
    error.playground_refusal = True
    return mark_escaped(error) if page else error


def is_refusal(error: BaseException) -> bool:
    """Whether `error` refused an input before the handler ran (`refuse`)."""
    return getattr(error, "playground_refusal", False)


def checked_inputs(block_fn, inputs: list, state, page: bool) -> None:
    """Refuse, with a sentence, an input that gradio would refuse with its own words: a number field's value
    that is not a finite number or is out of its range, a choice that the field (as this session was last
    given it) does not offer."""
    for block, value in zip(
        block_fn.inputs, inputs, strict=False
    ):  # one request's (a batch is preprocessed row by row)
        if not isinstance(block, NUMERIC + CHOICES):
            continue
        if state is not None and block._id in state:
            block = state[block._id]  # the session's own copy: its current choices and range
        if isinstance(block, NUMERIC):
            check_number(block, value, page)
        else:
            check_choice(block, value, page)


def check_number(block, value: object, page: bool) -> None:
    low, high = getattr(block, "minimum", None), getattr(block, "maximum", None)
    if value is None and isinstance(block, gr.Number):
        return  # an empty number box: the handler says what it needs
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not is_number or not math.isfinite(value):
        words = (
            "“{name}” needs a number, and the page sent {value}. Move the slider or type a number, then try again."
            if page
            else "“{name}” needs a number, and this request sent {value}."
        )
        raise refuse(_(words, name=field_name(block), value=shown_value(value)), page)
    if (low is not None and value < low) or (high is not None and value > high):
        words = (
            "“{name}” must be between {low} and {high}; the page sent {value}. Move the slider, then try again."
            if page
            else "“{name}” must be between {low} and {high}; this request sent {value}."
        )
        raise refuse(
            _(
                words,
                name=field_name(block),
                low=f"{low:g}" if low is not None else "−∞",
                high=f"{high:g}" if high is not None else "∞",
                value=shown_value(value),
            ),
            page,
        )


def check_choice(block, value: object, page: bool) -> None:
    if getattr(block, "allow_custom_value", False) or (
        value is None and not isinstance(block, gr.CheckboxGroup)
    ):
        return  # no choice made: the handler says what it needs
    offered = [choice for _label, choice in block.choices]
    if isinstance(block, gr.CheckboxGroup) or getattr(block, "multiselect", False):
        sent = value if isinstance(value, list) else [value]  # not a list: refused below, as no choice
    else:
        sent = [value]
    for item in sent:
        try:
            missing = item not in offered
        except TypeError:  # an unhashable value compared with the choices
            missing = True
        if missing:
            words = (
                "“{name}” does not offer {value} now: its choices may have changed meanwhile (a new file or "
                "text). Please choose again."
                if page
                else "“{name}” does not offer {value}: send one of its choices."
            )
            raise refuse(
                _(
                    words,
                    name=field_name(block),
                    value=shown_value(item),
                ),
                page,
            )
