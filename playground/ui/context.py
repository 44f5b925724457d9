"""What every handler is given: the models and the server's limits, as one explicit object."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

import gradio as gr
from gradio.context import LocalContext

from playground.demo import shown_model_id
from playground.engine import Engine, engine_for
from playground.engine.remote import RemoteEngine, engine_for_server
from playground.i18n import _
from playground.markup import escape_markdown
from playground.models import LoadedModel, ModelManager
from playground.settings import Settings
from playground.ui.links import Links
from playground.viz.marks import grouped_note


@dataclass(frozen=True)
class Context:
    """The server's models (`manager`) and settings (limits, preset); handlers take it as first argument."""

    manager: ModelManager
    settings: Settings
    links: Links = field(default_factory=Links)  # the tabs' linkable inputs, registered as they are built

    @classmethod
    def create(cls, settings: Settings, manager: ModelManager | None = None) -> Context:
        """A context for these settings, with a new ModelManager unless one is given (tests share theirs)."""
        if manager is None:
            manager = ModelManager(
                settings.model_ids,
                settings.device,
                settings.memory_budget_mb,
                offline=settings.offline,
                dtype=settings.dtype,
                session_idle_seconds=settings.session_idle_minutes * 60,
            )
        return cls(manager, settings)

    def model(self, task: str, progress: gr.Progress | None = None, exact: bool = False) -> LoadedModel:
        """The task's model: the one this visitor trained, if they chose to use it (Train tab), else the
        server's; the first time, a progress bar shows while the server's downloads and loads. `exact`: at
        float32 whatever --dtype says (the views that read internals: attention, Inside, experiments, integrated
        gradients)."""
        own = self.manager.sessions.in_use(current_session(), task)
        return own if own is not None else self.server_model(task, progress, exact)

    def server_model(
        self, task: str, progress: gr.Progress | None = None, exact: bool = False
    ) -> LoadedModel:
        """The server's model of the task, whatever this visitor trained (training starts from it: `exact`)."""
        if progress is not None and not self.manager.is_loaded(task):
            progress(0, desc=_("Loading {model}…", model=shown_model_id(self.manager.model_ids[task])))
        loaded = self.manager.get(task)
        return loaded.exact() if exact else loaded

    def engine(self, loaded: LoadedModel) -> Engine | RemoteEngine | None:
        """The shared decoding loop of a generation model (None with --max-generation-batch 0; at most
        --queue-size rows wait in it for room, prefilled and with their first token drawn); the server's
        (--generation-server, --chat-server) for the server's own model of that task (not a model a visitor
        trained, nor one the teacher loaded since)."""
        server = self.settings.server(loaded.task)
        if server and loaded.model_id == self.settings.model_id(loaded.task):
            return engine_for_server(server, loaded.task)
        settings = self.settings
        return engine_for(loaded, settings.max_generation_batch, max_waiting=settings.queue_size)

    def examples(self, examples: dict[str, list]) -> list:
        """The examples that fit the models served: Chinese ones for the Chinese preset, else English ones."""
        return examples["zh" if self.settings.preset == "zh" else "en"]


# What a session keeps between its events (gr.State: the last results of a tab) is forgotten this long after it
# was last set; gradio also forgets it an hour after the page closed, and keeps at most --max-sessions sessions.
STATE_SECONDS = 3600


def session_state(value=None) -> gr.State:
    """A gr.State for a session's last results, forgotten STATE_SECONDS after it was last set (the tab then
    answers as on a fresh page: show it, or generate, again). Only a flag or a name may be kept longer."""
    return gr.State(value, time_to_live=STATE_SECONDS)


# A batch function answers several sessions at once (gradio hands it only the first request): within one,
# the session is the one `in_session` names, or none (the server's models).
_batch_session: contextvars.ContextVar[str | None] = contextvars.ContextVar("batch_session", default=None)
_in_batch: contextvars.ContextVar[bool] = contextvars.ContextVar("in_batch", default=False)


def current_session() -> str | None:
    """The gradio session of the request being answered (None for none, or inside a batch of several)."""
    if _in_batch.get():
        return _batch_session.get()
    request = LocalContext.request.get(None)
    return getattr(request, "session_hash", None) if request is not None else None


@contextlib.contextmanager
def in_session(session: str | None) -> Iterator[None]:
    """Answer a batch (or part of one) for `session` alone: None means the server's models only."""
    batch, chosen = _in_batch.set(True), _batch_session.set(session)
    try:
        yield
    finally:
        _in_batch.reset(batch)
        _batch_session.reset(chosen)


def each_step_in(fn: Callable, scope: Callable[[], Callable[[], AbstractContextManager]]) -> Callable:
    """`fn` run inside a context manager: `scope()`, called once per call of `fn`, gives what makes one (for a
    generator function, one around each of its steps, since each step may run in another thread)."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def steps(*args, **kwargs):
            enter, iterator = scope(), fn(*args, **kwargs)
            while True:
                with enter():
                    try:
                        value = next(iterator)
                    except StopIteration:
                        return
                yield value

        return steps

    @functools.wraps(fn)
    def call(*args, **kwargs):
        with scope()():
            return fn(*args, **kwargs)

    return call


def summary_markdown(summary: str, notices: list) -> str:
    """A result's one-line summary followed by its notices (e.g. that the text was cut). The notices quote
    the user's text ("Hidden: …"), so they are escaped; the summary's own values are escaped where it is
    written."""
    return "\n\n".join([summary] + [f"⚠️ {escape_markdown(notice)}" for notice in notices])


def with_token_note(summary: str, tokens: list[str]) -> str:
    """`summary`, then (where a character of `tokens` is made of several tokens) the sentence that says how the
    charts label them: '中 1/3 … 中 3/3 are the 3 tokens of 中' (viz.marks.grouped_note), escaped."""
    note = grouped_note(tokens)
    return f"{summary}\n\n{escape_markdown(note)}" if note else summary
