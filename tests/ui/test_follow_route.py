"""The follow route (playground/follow.py) as an ASGI app, driven without a server: a follower's request waits
until the class moves (moved from another thread, as a page event does), answers at once when the page is behind,
answers "ended" for an ended class and wakes every waiting request when it ends, answers null after its wait or
when the same page sends a newer request, frees its place when the page goes away, and refuses beyond the
followers cap. Counting: a follower holding a request counts as joined however long it waits."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from playground import classroom as classroom_module
from playground.classroom import PRESENT_SECONDS, Classroom
from playground.follow import FollowRoute, follow_route


class Client:
    """One request to the route: its answer, and a way to make its page go away."""

    def __init__(self, route: FollowRoute, query: str):
        self.route, self.query = route, query
        self.gone = asyncio.Event()
        self.sent: list[dict] = []

    async def receive(self):
        if not hasattr(self, "_asked"):
            self._asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message):
        self.sent.append(message)

    async def run(self) -> tuple[int, dict]:
        scope = {"type": "http", "method": "GET", "query_string": self.query.encode(), "app": None}
        await self.route(scope, self.receive, self.send)
        return self.sent[0]["status"], json.loads(self.sent[1]["body"])


def ask(route, code, version, follower="page1") -> Client:
    return Client(route, f"code={code}&version={version}&follower={follower}")


async def until(condition, seconds=5.0):
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never came true")


@pytest.fixture
def clock():
    return [0.0]


@pytest.fixture
def room(clock):
    return Classroom(clock=lambda: clock[0])


def test_a_waiting_follower_is_answered_when_the_teacher_moves_from_another_thread(room, clock):
    code, key = room.start("next-token", 0)
    route = FollowRoute(room, wait_seconds=30)

    async def scenario():
        version = room.position().version
        assert await ask(route, code, version - 1).run() == (200, {"moved": f"next-token|0|{version}"})
        waiting = asyncio.ensure_future(ask(route, code, version).run())
        await until(lambda: route.waiting == 1)
        clock[0] += (
            10 * PRESENT_SECONDS
        )  # however long it waits, a follower holding a request counts as joined
        assert room.stats(key).joined == 1
        assert not waiting.done()
        mover = threading.Thread(target=room.move, args=(key, "next-token", 1))
        mover.start()
        status, body = await asyncio.wait_for(waiting, 5)
        mover.join()
        assert (status, body) == (200, {"moved": f"next-token|1|{version + 1}"})
        assert route.waiting == 0 and room.stats(key).joined == 1  # counted for PRESENT_SECONDS after

    asyncio.run(scenario())


def test_ending_the_class_wakes_every_follower_and_an_unknown_class_has_ended(room):
    code, key = room.start("next-token", 0)
    route = FollowRoute(room, wait_seconds=30)

    async def scenario():
        version = room.position().version
        waiting = [asyncio.ensure_future(ask(route, code, version, f"page{i}").run()) for i in range(5)]
        await until(lambda: route.waiting == 5)
        assert room.stats(key).joined == 5
        threading.Thread(target=room.end, args=(key,)).start()
        answers = await asyncio.wait_for(asyncio.gather(*waiting), 5)
        assert answers == [(200, {"moved": "ended"})] * 5
        assert await ask(route, "not-a-class", 1).run() == (200, {"moved": "ended"})

    asyncio.run(scenario())


def test_a_wait_ends_without_a_move_and_a_newer_request_of_the_page_replaces_the_older(room):
    code, key = room.start("next-token", 0)
    route = FollowRoute(room, wait_seconds=0.2)

    async def scenario():
        version = room.position().version
        assert await ask(route, code, version).run() == (200, {"moved": None})  # asked again by the page
        route.wait_seconds = 30
        older = asyncio.ensure_future(ask(route, code, version).run())
        await until(lambda: route.waiting == 1)
        newer = asyncio.ensure_future(ask(route, code, version).run())
        assert await asyncio.wait_for(older, 5) == (200, {"moved": None})
        assert route.waiting == 1 and not newer.done()
        room.move(key, "next-token", 2)
        assert (await asyncio.wait_for(newer, 5))[1]["moved"].startswith("next-token|2|")

    asyncio.run(scenario())


def test_a_page_that_goes_away_frees_its_request_and_one_that_left_stays_gone(room, clock):
    code, key = room.start("next-token", 0)
    route = FollowRoute(room, wait_seconds=30)

    async def scenario():
        version = room.position().version
        closed = ask(route, code, version, "closed")
        left = ask(route, code, version, "left")
        running = [asyncio.ensure_future(closed.run()), asyncio.ensure_future(left.run())]
        await until(lambda: route.waiting == 2)
        closed.gone.set()  # the page was closed
        await until(lambda: route.waiting == 1)
        room.leave(code, "left")  # the student stopped following; the page then ends its request
        left.gone.set()
        await asyncio.wait_for(asyncio.gather(*running), 5)
        assert route.waiting == 0
        assert room.stats(key).joined == 1  # the closed page, for PRESENT_SECONDS
        clock[0] += PRESENT_SECONDS + 1
        assert room.stats(key).joined == 0

    asyncio.run(scenario())


def test_no_more_requests_wait_than_the_class_has_room_for(room, monkeypatch):
    monkeypatch.setattr(classroom_module, "MAX_FOLLOWERS", 3)
    code, key = room.start("next-token", 0)
    route = FollowRoute(room, wait_seconds=30)

    async def scenario():
        version = room.position().version
        waiting = [asyncio.ensure_future(ask(route, code, version, f"page{i}").run()) for i in range(3)]
        await until(lambda: route.waiting == 3)
        assert await ask(route, code, version, "one-too-many").run() == (429, {"moved": None})
        assert route.waiting == 3 and room.stats(key).joined == 3
        room.end(key)
        await asyncio.wait_for(asyncio.gather(*waiting), 5)

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "query",
    [
        "",
        "code=abc",
        "code=abc&version=x&follower=p",
        "code=abc&version=1",
        "code=" + "a" * 65 + "&version=1&follower=p",
    ],
)
def test_a_request_without_its_three_keys_is_refused(room, query):
    route = FollowRoute(room)
    status, body = asyncio.run(Client(route, query).run())
    assert status == 400 and "error" in body


def test_the_route_is_mounted_as_its_own_asgi_app(room):
    route = follow_route(room)
    assert route.path == "/lessons/follow" and isinstance(route.app, FollowRoute)


def test_the_server_stopping_answers_every_waiting_request(room):
    code, key = room.start("next-token", 0)
    route = FollowRoute(room, wait_seconds=30)

    class App:  # gradio's App sets its stop_event when the server stops (Blocks.close)
        stop_event = None

    async def scenario():
        App.stop_event = asyncio.Event()
        client = ask(route, code, room.position().version)
        scope = {"type": "http", "method": "GET", "query_string": client.query.encode(), "app": App}
        running = asyncio.ensure_future(route(scope, client.receive, client.send))
        await until(lambda: route.waiting == 1)
        App.stop_event.set()
        await asyncio.wait_for(running, 5)
        assert json.loads(client.sent[1]["body"]) == {"moved": None} and route.waiting == 0

    asyncio.run(scenario())
