"""Following the teacher through the follow route (playground/follow.py) in Chromium: an idle follower's page holds
one request there and sends the server no gradio event at all; when the teacher moves it draws the step within
2 s (one event: the step itself); what it sends the route is the join code, a version and its key, nothing typed;
a student who stops following frees the request."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from playground.follow import PATH
from tests.browser.helpers import app_page, expect
from tests.helpers import ADMIN_PASSWORD

IDLE_SECONDS = 3.0  # the old page asked the server once a second: three events at least


@pytest.fixture
def events(served_demo, monkeypatch):
    """Every gradio event the served app runs from now on, as the session that sent it."""
    sessions: list[str] = []
    process_api = served_demo.process_api

    async def counted(block_fn, inputs, state=None, request=None, *args, **kwargs):
        first = request[0] if isinstance(request, list) and request else request
        sessions.append(getattr(first, "session_hash", None))
        return await process_api(block_fn, inputs, state, request, *args, **kwargs)

    monkeypatch.setattr(served_demo, "process_api", counted)
    return sessions


def wait_until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.05)


def test_an_idle_follower_costs_no_event_and_moves_within_2_seconds(browser, app_url, served_demo, events):
    lc = served_demo.playground_lessons
    lesson = lc.lessons[0]
    with app_page(browser, app_url) as teacher:
        teacher.get_by_text("Lead the class").first.click()
        teacher.get_by_label("Admin password").fill(ADMIN_PASSWORD)
        teacher.locator("#lesson-lead").click()
        link = teacher.locator(".join a")
        expect(link).to_be_visible()
        with app_page(browser, link.get_attribute("href"), viewport={"width": 390, "height": 844}) as student:
            asked: list[str] = []
            student.on("request", lambda request: PATH in request.url and asked.append(request.url))
            expect(student.get_by_label("Follow the teacher")).to_be_checked()
            student.get_by_role("tab", name="Generate").click()
            student.get_by_label("Prompt").fill("a sentence only I typed")
            wait_until(lambda: lc.classroom._class is not None and len(lc.classroom._class.holding) == 1)
            (follower,) = lc.classroom._class.holding
            time.sleep(0.5)  # the page's last events (opening the tab) end
            before = len(events)
            time.sleep(IDLE_SECONDS)
            assert follower not in events[before:]  # idle: no event from the follower's page
            assert lc.classroom.stats(lc.classroom._class.key).joined == 1

            teacher.locator("#lesson-next").click()
            title = lesson.steps[1].title["en"]
            expect(teacher.locator("#lesson-step h2")).to_have_text(title)
            moved = time.monotonic()
            expect(student.locator("#lesson-step h2")).to_have_text(title, timeout=5000)
            assert time.monotonic() - moved < 2.0
            expect(student.locator("[role=tab][aria-selected=true]")).to_have_text("Lessons")
            assert events.count(follower) >= 1  # the step, drawn by the page's follow_move event
            wait_until(lambda: len(lc.classroom._class.holding) == 1)  # waiting again, on the new version

            assert asked and all(
                set(parse_qs(urlsplit(url).query)) == {"code", "version", "follower"} for url in asked
            )
            assert not any("sentence" in url for url in asked)

            student.get_by_label("Follow the teacher").uncheck()
            wait_until(lambda: not lc.classroom._class.holding)  # its request ended
            expect(teacher.locator(".class-stats .counts")).to_contain_text("Joined: 0")
            student.get_by_role("tab", name="Generate").click()
            expect(student.get_by_label("Prompt")).to_have_value("a sentence only I typed")
        teacher.locator("#lesson-end").click()
        expect(teacher.locator("#lesson-lead")).to_be_visible()
