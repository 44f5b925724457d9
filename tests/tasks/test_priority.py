"""The class's tokens first (playground/priority.py): a view's handler runs in a thread VIEW_NICE below the
process, with the caller's context; the engines' threads start at the process's own priority, even when a
view starts them; and the app's model handlers are wired that way, Next token excepted."""

from __future__ import annotations

import contextvars
import os
import select
import signal
import threading

import pytest

from playground import priority
from playground.engine import Engine
from playground.tasks.generation import GenerationParams, generate
from tests.tasks.test_engine import CAP, MAX_CHARS, token_ids

pytestmark = pytest.mark.skipif(not priority.lowers_priority(), reason="a thread's own priority: Linux only")

WHICH = contextvars.ContextVar("which", default="unset")


def own_nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_a_view_runs_lower_with_the_callers_context_and_its_errors():
    base = own_nice()

    def view(x):
        return x, own_nice(), WHICH.get(), threading.current_thread().name, priority.in_view_thread()

    WHICH.set("the caller's")
    x, nice, which, name, flagged = priority.behind_tokens(view)(3)
    assert (x, which, flagged) == (3, "the caller's", True)
    assert nice == min(19, base + priority.VIEW_NICE) and name.startswith("playground-view")
    assert own_nice() == base  # the caller is left as it was
    assert not priority.in_view_thread()

    def refused():
        raise ValueError("one sentence")

    with pytest.raises(ValueError, match="one sentence"):
        priority.behind_tokens(refused)()


def test_a_view_inside_a_view_runs_in_place_and_generators_are_left_alone():
    outer = priority.behind_tokens(lambda: (threading.get_native_id(), inner()))
    inner = priority.behind_tokens(threading.get_native_id)
    first, second = outer()
    assert first == second

    def stream():
        yield own_nice()

    assert priority.behind_tokens(stream) is stream


def test_a_thread_started_by_a_view_runs_at_the_process_priority():
    base = own_nice()
    seen = {}

    def engine():
        seen["nice"] = own_nice()

    def view():
        thread = priority.start_thread(engine, "playground-engine")
        thread.join()
        return own_nice()

    view_nice = priority.behind_tokens(view)()
    assert view_nice == min(19, base + priority.VIEW_NICE)
    assert seen["nice"] == base


def test_the_engine_thread_started_from_a_view_is_not_lowered(manager):
    """A generation asked for by a view (its handler in a view thread) starts the engine's thread: at the
    process's priority, and the tokens are those of a generation alone."""
    gpt2 = manager.get("generation")
    base = own_nice()
    engine = Engine(gpt2, max_rows=2)
    params = GenerationParams(max_new_tokens=3, temperature=0.0)
    alone = generate(gpt2, "a b", params, MAX_CHARS, CAP)
    seen = []

    def view():
        original = engine._run

        def run():
            seen.append(own_nice())
            original()

        engine._run = run
        return generate(gpt2, "a b", params, MAX_CHARS, CAP, engine=engine)

    result = priority.behind_tokens(view)()
    assert seen == [base]
    assert token_ids(result) == token_ids(alone)


def test_a_forked_child_makes_its_own_view_threads():
    """ZeroGPU runs work in a forked process, where the parent's pool threads do not exist."""
    priority.behind_tokens(lambda: None)()  # the parent's pools exist
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: a view answers (with the parent's idle threads it would wait forever)
        try:
            os.write(write, str(priority.behind_tokens(lambda: 41 + 1)()).encode())
        finally:
            os._exit(0)
    os.close(write)
    answered, _, _ = select.select([read], [], [], 30)
    answer = os.read(read, 16) if answered else b"no answer in 30 s"
    if not answered:
        os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    assert answer == b"42"
