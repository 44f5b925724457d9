"""Batched events answer each request on its own: one client's bad value reaches that client alone.

Gradio runs a batched event (`batch=True`: Fill-Mask, Sentiment, Question answering and their API endpoints)
as one call for the requests of several clients, and it can only fail that call as a whole: one hand-crafted
value it or the app refuses (a slider's value that is not a number, a list where text is expected, a text
without a mask) would send its error to every client of the batch. Gradio has no per-request error for a
batch, so the app takes each request of a batch on its own wherever it may be refused:

- gradio preprocesses a batch request by request (`PlaygroundBlocks.preprocess_data`): a request refused there
  becomes a row of `Refused`, and the batch function runs on the other requests only (`answer_rows`);
- a batch function answers a request it refuses with `Refused(error)` in its outputs (`api_answers`; the page's
  batched events show their refusals through the page's error box instead, see ui/events.batched);
- the queue (`BatchQueue`) sends a refused request the error it would get alone, and the others their answers.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import gradio as gr
from gradio import queueing
from gradio.server_messages import ProcessCompletedMessage, ProcessGeneratingMessage
from gradio.utils import error_payload

from playground import timing


@dataclass(frozen=True)
class Refused:
    """A request of a batch that is answered with `error` (a gr.Error, as the page or a client is sent it)."""

    error: gr.Error


@dataclass
class BatchRows:
    """The requests (queue events) of the batch being answered, in the order of the batch's rows, and the
    errors of those refused (row -> error)."""

    events: list
    errors: dict[int, gr.Error] = field(default_factory=dict)

    def error_of(self, event) -> gr.Error | None:
        for row, candidate in enumerate(self.events):
            if candidate is event:
                return self.errors.get(row)
        return None


_batch_rows: contextvars.ContextVar[BatchRows | None] = contextvars.ContextVar("batch_rows", default=None)


class BatchQueue(queueing.Queue):
    """Gradio's queue, sending each refused request of a batch its own error (see the module's docstring)."""

    async def process_events(self, events, batch, begin_time, fn) -> None:
        timed = None
        if timing.enabled():  # where the first event's time goes (playground/timing.py)
            active = sum(1 for job in self.active_jobs if job is not None)
            timed = timing.begin(str(fn.api_name or fn.name), events[0].enqueue_time, active=active)
            timing.mark("started")
        try:
            return await self._process_events(events, batch, begin_time, fn)
        finally:
            timing.end(timed)

    async def _process_events(self, events, batch, begin_time, fn) -> None:
        if not batch:
            return await super().process_events(events, batch, begin_time, fn)
        # gradio lines the batch's rows up in this order: the events still alive, with data
        token = _batch_rows.set(BatchRows([event for event in events if event.alive and event.data]))
        try:
            return await super().process_events(events, batch, begin_time, fn)
        finally:
            _batch_rows.reset(token)

    def send_message(self, event, event_message) -> None:
        completed = isinstance(event_message, ProcessCompletedMessage)
        if completed or isinstance(event_message, ProcessGeneratingMessage):
            timing.mark("first_sent")
        if completed:
            timing.mark("completed_sent")
        rows = _batch_rows.get()
        if rows is not None and completed and event_message.success:
            error = rows.error_of(event)
            if error is not None:  # what gradio sends a request that failed alone
                content = error_payload(error, self.blocks.show_error)
                event_message = ProcessCompletedMessage(
                    output=content,
                    title=content.get("title", "Error"),  # type: ignore[arg-type]
                    success=False,
                )
        super().send_message(event, event_message)


async def answer_rows(
    call: Callable[[list, object], Awaitable[dict]],
    fn,
    columns: list,
    requests: object,
    shown: Callable[[gr.Error], gr.Error],
) -> dict:
    """Call a batch function (`call(columns, requests)`: gradio's call_function) on the requests that were not
    refused while preprocessing; every refused request (a `Refused` input or output) is recorded for the queue
    (`BatchQueue`), its outputs empty. Outside the queue a refusal fails the call, as
    gradio would. `shown(error)`: the error as the request's client is sent it."""
    count = len(columns[0]) if columns else 0
    refused: dict[int, gr.Error] = {}
    for row in range(count):
        found = next((value for column in columns if isinstance(value := column[row], Refused)), None)
        if found is not None:
            refused[row] = found.error
    kept = [row for row in range(count) if row not in refused]
    if kept:
        kept_requests = [requests[row] for row in kept] if isinstance(requests, list) else requests
        result = await call([[column[row] for row in kept] for column in columns], kept_requests)
        answered = iter(zip(*result["prediction"], strict=True))
    else:
        result = {"prediction": None, "duration": 0.0, "is_generating": False, "iterator": None}
        answered = iter(())
    # a refused request's outputs: never sent (the queue sends its error instead); a gr.State left as it is
    skipped = tuple(gr.skip() if getattr(block, "stateful", False) else None for block in fn.outputs)
    rows = []
    for row in range(count):
        values = skipped if row in refused else next(answered)
        for value in values:
            if isinstance(value, Refused) and row not in refused:
                refused[row] = value.error
        rows.append(skipped if row in refused else values)
    if refused:
        batch = _batch_rows.get()
        if batch is None or len(batch.events) != count:  # not answered through the queue: fail as gradio does
            raise shown(refused[min(refused)])
        batch.errors.update({row: shown(error) for row, error in refused.items()})
    result["prediction"] = tuple(list(column) for column in zip(*rows, strict=True)) or tuple(
        [] for _output in fn.outputs
    )
    return result
