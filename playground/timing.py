"""Where a request's time goes: marks along its way, written as one JSON line per request (off by default).

With `PLAYGROUND_TIMING=FILE`, each queued request (gradio's queue, ui/batch_rows.BatchQueue) appends a line to
FILE when it ends: its endpoint and the seconds from its submit to each mark it passed, in order:

- `started`: gradio's queue started its handler (before it: the wait in the queue);
- `handler`: the handler runs in its worker thread;
- `submitted`: it gave its generation to the engine (playground/engine);
- `admitted`: the engine took it into its batch and began its prefill (before it: the wait for room);
- `prefilled`: its prefill's forward pass ended; `first_record`: its first token was drawn;
- `forward`: (a forward pass in the handler's thread, e.g. /next_token) it holds the model's lock;
- `first_sent`: its first update (or its answer) was handed to gradio's stream;
- `last_record`: (a generation) its last token was drawn; `completed_sent`: its answer was handed to the stream.

Besides, `enqueued`: the submit's time.monotonic() (the same clock in every process of a Linux machine);
`active`: the requests the queue ran when it started this one; `rows`, `waiting`: the engine's batch and queue
when it submitted. Without the variable every call here returns at once (one ContextVar read).
`benchmarks/class_setups.py --timing` turns the lines into a table of each part's share.
"""

from __future__ import annotations

import contextvars
import json
import os
import threading
import time

PATH = os.environ.get("PLAYGROUND_TIMING", "")
_current: contextvars.ContextVar[dict | None] = contextvars.ContextVar("playground_timing", default=None)
_write_lock = threading.Lock()


def begin(name: str, queued: float, **facts) -> contextvars.Token | None:
    """Start the timeline of a request submitted at `queued` (time.monotonic()); None when timing is off."""
    if not PATH:
        return None
    timeline = {"name": name, "wall": round(time.time(), 3), "queued": queued, "marks": {}, **facts}
    return _current.set(timeline)


def mark(label: str, at: float | None = None, **facts) -> None:
    """The current request passed `label` (now, or at `at`); the first time counts."""
    timeline = _current.get()
    if timeline is None:
        return
    timeline["marks"].setdefault(label, time.monotonic() if at is None else at)
    timeline.update(facts)


def end(token: contextvars.Token | None) -> None:
    """Write the current request's line and forget it."""
    if token is None:
        return
    timeline = _current.get()
    _current.reset(token)
    if timeline is None:
        return
    queued = timeline.pop("queued")
    marks = timeline.pop("marks")
    line = {
        **timeline,
        "enqueued": round(queued, 4),
        **{label: round(at - queued, 4) for label, at in sorted(marks.items(), key=lambda item: item[1])},
    }
    with _write_lock, open(PATH, "a") as file:
        file.write(json.dumps(line) + "\n")


def enabled() -> bool:
    return bool(PATH)
