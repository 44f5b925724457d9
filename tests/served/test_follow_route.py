"""The follow route on the served app (playground/follow.py, mounted by ui/layout.py launch_options): a follower's
request waits on the real server, without a gradio event, and answers within moments of the teacher's move."""

from __future__ import annotations

import threading
import time

import httpx

from playground.follow import PATH


def test_a_follower_waits_on_the_served_route_and_moves_with_the_class(served_demo, app_url):
    room = served_demo.playground_lessons.classroom
    code, key = room.start("next-token", 0)
    url = app_url.rstrip("/") + PATH
    try:
        version = room.position().version
        params = {"code": code, "version": version, "follower": "served-page"}
        answers: list[httpx.Response] = []
        follower = threading.Thread(target=lambda: answers.append(httpx.get(url, params=params, timeout=60)))
        follower.start()
        for _ in range(500):
            if "served-page" in room._class.holding:
                break
            time.sleep(0.01)
        assert room.stats(key).joined == 1 and not answers  # it waits, counted as joined
        moved = time.monotonic()
        room.move(key, "next-token", 1)
        follower.join(timeout=10)
        assert time.monotonic() - moved < 2
        assert answers[0].status_code == 200
        assert answers[0].json() == {"moved": f"next-token|1|{version + 1}"}
        assert answers[0].headers["cache-control"] == "no-store"
    finally:
        room.end(key)
    assert httpx.get(url, params=params, timeout=10).json() == {"moved": "ended"}
