"""A following page keeps its gradio session while it waits (playground/follow.py `keep`): the page sends no event
between moves, and gradio remembers only --max-sessions sessions (20 in the tests), forgetting the least recently
active first. Before, once that many other sessions had been active (a class's other pages, one-off API clients:
the workshop benchmark's generations), a waiting follower was forgotten, and with its session the class it joined:
its answer no longer reached the teacher's counts, and the step it showed was no longer one its page could send."""

from __future__ import annotations

import contextlib
import json
import urllib.request
import uuid

import httpx

from playground.follow import PATH
from tests.helpers import event_index, queue_call


def page_event(url: str, fn_index: int, data: list, session: str, query: str = "") -> dict:
    """One queued page event of `session`, with the page's query string (`?follow=…`) as the page sends it."""
    body = json.dumps({"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None})
    join = urllib.request.Request(
        f"{url}/gradio_api/queue/join{query}", body.encode(), {"Content-Type": "application/json"}
    )
    urllib.request.urlopen(join, timeout=60).close()
    with urllib.request.urlopen(f"{url}/gradio_api/queue/data?session_hash={session}", timeout=60) as stream:
        for line in stream:
            if line.startswith(b"data:") and b"process_completed" in line:
                return json.loads(line[5:])
    raise AssertionError("the event stream ended without process_completed")


def fixed_question(lc):
    """A lesson step with a question whose answer does not come from the model, and a step after it."""
    return next(
        (lesson, i)
        for lesson in lc.lessons
        for i, step in enumerate(lesson.steps)
        if step.question is not None and not step.question.from_model and i + 1 < len(lesson.steps)
    )


@contextlib.contextmanager
def class_on_a_question(served_demo):
    """The teacher leading a step with a fixed question (its choices offered), and a new follower's page opened on
    it: yields (lesson, index, code, key, follower, the page's open event); the class ends afterwards."""
    lc = served_demo.playground_lessons
    lesson, index = fixed_question(lc)
    room, url = lc.classroom, served_demo.local_url.rstrip("/")
    code, key = room.start(lesson.id, index)
    room.move(key, lesson.id, index, [str(i) for i in range(len(lesson.steps[index].question.choices))])
    follower = uuid.uuid4().hex
    try:
        opened = page_event(url, event_index(served_demo, "open_page"), [[]], follower, f"?follow={code}")
        assert opened["success"], opened
        yield lesson, index, code, key, follower, opened
    finally:
        room.end(key)


def test_a_waiting_follower_keeps_its_session_and_its_answer_counts(served_demo, settings):
    room, url = served_demo.playground_lessons.classroom, served_demo.local_url.rstrip("/")
    with class_on_a_question(served_demo) as (lesson, index, code, key, follower, _opened):
        version = room.position().version
        lessons_api = event_index(served_demo, "lessons_api")
        for one_off in range(settings.max_sessions + 5):  # other sessions come and go while the page waits
            assert queue_call(url, lessons_api, ["en"])["success"]
            if one_off % 5 == 0:  # the page asks again (a stale version: answered at once, not after 25 s)
                params = {"code": code, "version": version - 1, "follower": follower}
                asked = httpx.get(url + PATH, params=params, timeout=30)
                assert asked.json() == {"moved": f"{lesson.id}|{index}|{version}"}
        assert follower in served_demo.state_holder
        check = event_index(served_demo, "check")
        assert page_event(url, check, [lesson.id, index, "0", [], code], follower)[
            "success"
        ]  # as the page holds
        assert room.stats(key).answered == 1  # its answer reached the teacher's counts
