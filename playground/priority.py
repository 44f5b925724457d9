"""The class's tokens first: on Linux, the views' work runs at a lower CPU priority than the generation engines.

On a CPU the forward passes of every open view (Inside, Attention, fill-mask, ...) and of the engines' batches
share the same cores. Shared evenly, a generation's first token waits behind all of them: at 60 students on 2
cores its p95 was 5 s while its own prefill takes a quarter of a second. So a view's handler runs in a thread
of its own at `nice +VIEW_NICE` (`behind_tokens`), and its PyTorch threads inherit that: while an engine wants
the cores it gets most of them, and when it does not, the views get all of them. Nothing waits for anything
else, so no view is held up by a long generation or the reverse; only the shares of a busy CPU change.

A thread's nice value is per thread on Linux only (elsewhere `setpriority` would lower the whole process), and
an unprivileged process cannot raise it again: the engines' threads are started from a thread at the process's
own priority (`start_thread`), never from a view's.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

# A thread at nice 10 gets about a tenth of a core's time against one at nice 0 when both want it (CFS weights
# 110 against 1024).
VIEW_NICE = 10
# Views run at once at most (gradio's queue admits fewer: each waits for its model's group anyway).
VIEW_THREADS = 256

_state = threading.local()
_pools_lock = threading.Lock()
_views: ThreadPoolExecutor | None = None
_starter: ThreadPoolExecutor | None = None


def lowers_priority() -> bool:
    """Whether this platform gives a thread a priority of its own (Linux)."""
    return sys.platform.startswith("linux") and hasattr(os, "setpriority")


def in_view_thread() -> bool:
    """Whether the calling thread runs views' work (at the lower priority)."""
    return getattr(_state, "view", False)


def behind_tokens(fn: Callable) -> Callable:
    """`fn` run in a view thread, at the lower priority, with the caller's context (its language, request and
    progress); a generator is left as it is (a streamed generation's work is the engine's, in its thread)."""
    if not lowers_priority() or inspect.isgeneratorfunction(fn):
        return fn

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if in_view_thread():
            return fn(*args, **kwargs)
        context = contextvars.copy_context()
        return _pools()[0].submit(context.run, fn, *args, **kwargs).result()

    return wrapper


def start_thread(target: Callable, name: str) -> threading.Thread:
    """A daemon thread running `target`, started at the process's own priority even when a view asks for it
    (a new thread takes its creator's priority)."""
    if not (lowers_priority() and in_view_thread()):
        return _started(target, name)
    return _pools()[1].submit(_started, target, name).result()


def _started(target: Callable, name: str) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


def _pools() -> tuple[ThreadPoolExecutor, ThreadPoolExecutor]:
    """The view threads and the one thread that starts threads at the process's priority, made together by a
    thread that is not a view's (views' threads exist only after this)."""
    global _views, _starter
    with _pools_lock:
        if _views is None:
            _starter = ThreadPoolExecutor(1, thread_name_prefix="playground-starter")
            _starter.submit(lambda: None).result()  # its thread now, at this thread's priority
            _views = ThreadPoolExecutor(
                VIEW_THREADS, thread_name_prefix="playground-view", initializer=_lower
            )
    return _views, _starter


def _forget_pools() -> None:
    """In a forked child (ZeroGPU runs work so) the pools' threads do not exist: new ones are made on demand."""
    global _views, _starter
    _views = _starter = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pools)


def _lower() -> None:
    """A view thread's start: VIEW_NICE below its creator (at most 19, the lowest)."""
    _state.view = True
    thread = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + VIEW_NICE))
    except OSError:  # not allowed here (a sandbox): the view runs at the usual priority
        pass
