"""Issue 16, point 3: what a session keeps between its events (each tab's gr.State) is forgotten an hour after
it was last set, on every tab, so a finished session holds nothing large for longer (gradio also keeps at most
--max-sessions sessions: tests/served/test_hardening_served.py; their memory: tests/subprocess/
test_session_memory.py). Time is moved on by ageing the states, not by waiting."""

from __future__ import annotations

import datetime

import gradio as gr

from playground.ui.context import STATE_SECONDS
from tests.helpers import queue_call, refusal

TEXT = "The cat sat on the mat."
SESSIONS = 6


def event(demo, module: str, name: str) -> int:
    """The index of the event whose handler is `name` in playground/ui/`module`.py."""
    [index] = [
        index
        for index, fn in demo.fns.items()
        if fn.name == name and getattr(fn.fn, "__module__", None) == f"playground.ui.{module}"
    ]
    return index


def kept(demo, sessions) -> list:
    """The values of the gr.States the sessions hold now."""
    holder = demo.state_holder
    return [
        value
        for session in sessions
        if session in holder
        for key, value in holder.session_data[session].state_data.items()
        if isinstance(demo.blocks.get(key), gr.State)
    ]


def test_every_state_a_session_fills_expires(served_demo):
    demo, url = served_demo, served_demo.local_url
    calls = [  # what fills each tab's state: Attention's tensor, Generate's steps and chart, Chat's history
        (
            event(demo, "attention", "run"),
            ["fill-mask", TEXT, "head", 1, 1, False, [1, 2], [1, 2], False, "encoder"],
        ),
        (event(demo, "generate", "run"), ["Once upon a time", 8, 1.0, 50, 1.0, 1.0, 0, 1, False]),
        (event(demo, "chat", "send"), [None, "", "Hello there", 8, 0.7, 50, 1.0, 1.0, 0]),
    ]
    before = set(demo.state_holder.session_data)
    for _session in range(SESSIONS):
        for index, data in calls:
            answer = queue_call(url, index, data)
            assert answer["success"] is True and refusal(answer) is None, answer
    ours = set(demo.state_holder.session_data) - before
    assert len(ours) == SESSIONS * len(calls)  # queue_call is one new session per call
    large = [value for value in kept(demo, ours) if not isinstance(value, (bool, str))]
    assert len(large) >= SESSIONS * 4  # attention, steps, chart, history: each session's last results

    for session in ours:  # an hour and a second later
        ttl = demo.state_holder.session_data[session]._state_ttl
        earlier = datetime.timedelta(seconds=STATE_SECONDS + 1)
        for key, (time_to_live, set_at) in list(ttl.items()):
            ttl[key] = (time_to_live, set_at - earlier)
    demo.state_holder.delete_all_expired_state()  # what gradio does every second
    assert [value for value in kept(demo, ours) if not isinstance(value, (bool, str))] == []


def test_only_flags_and_names_are_kept_longer(served_demo):
    """Every gr.State of the page expires, or it holds a flag or a name (a few bytes)."""
    states = [block for block in served_demo.blocks.values() if isinstance(block, gr.State)]
    assert len(states) >= 6
    for state in states:
        assert state.time_to_live <= STATE_SECONDS or isinstance(state.value, (bool, str)), state.value
