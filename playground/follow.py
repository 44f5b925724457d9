"""The follow route: how a follower's page learns, at (nearly) no cost to the server, that the led class moved.

    GET <root>/lessons/follow?code=<join code>&version=<the class version the page shows>&follower=<its key>

answers `{"moved": "<lesson>|<step>|<version>"}` at once when the class is elsewhere, or as soon as the teacher
moves; `{"moved": "ended"}` when there is no class with this code (it ended, or a newer one started); and
`{"moved": null}` after WAIT_SECONDS without a move (the page asks again: a proxy may cut a request that stays
silent much longer). A page holds one such request at a time (ui/lessons.py FOLLOW_JS); while it waits, it costs
the server an open connection and nothing else: no gradio event, no thread, no work until the class moves.

Bounded: a follower's newer request answers its older one at once (`null`), and a class holds at most
classroom.MAX_FOLLOWERS followers (`hold`), so at most that many requests wait; a request whose page went away
(closed, or stopped following) ends at once and frees its place; ending the class, or the server stopping, wakes
every request. Nothing a student typed travels here: only the join code, the version and the page's random key.

A page's follower key is its gradio session, and a following page sends the server no gradio event between moves
(by design): each request tells `keep` that the page is still there, so that gradio keeps that session (what the
page needs of the server when it answers or stops following) among the --max-sessions it remembers, instead of
forgetting it first as the least recently active. (Without it, a class's pages were forgotten while they waited,
once that many other sessions had been active: a page's answers then no longer counted for the teacher.)

Mounted on the app's FastAPI by ui/layout.py launch_options (a Starlette route, before gradio's own); it works
under --root-path and behind deploy/nginx.conf (proxy_buffering off, a read timeout far above WAIT_SECONDS).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from urllib.parse import parse_qs

from starlette.routing import Route

from playground.classroom import Classroom, Position

PATH = "/lessons/follow"
WAIT_SECONDS = 25.0  # the longest a request waits for a move (proxies cut silent requests after 60 s or more)
MAX_KEY_CHARS = 64  # of a join code or a follower's key


class _Waiter:
    """One open request: woken when the class changes, or when its page sends a newer one (`replaced`)."""

    __slots__ = ("event", "replaced")

    def __init__(self):
        self.event = asyncio.Event()
        self.replaced = False


class FollowRoute:
    """The ASGI app of the follow route, for one classroom (see the module's docstring)."""

    def __init__(
        self,
        classroom: Classroom,
        wait_seconds: float = WAIT_SECONDS,
        keep: Callable[[str], None] | None = None,
    ):
        self.classroom = classroom
        self.wait_seconds = wait_seconds
        self.keep = keep  # called with a follower's key (its page's session) on each of its requests
        self._waiting: dict[
            str, _Waiter
        ] = {}  # follower -> its open request (touched in the loop's thread only)
        self._loop: asyncio.AbstractEventLoop | None = None
        classroom.watch(self._changed)

    @property
    def waiting(self) -> int:
        """How many requests wait now."""
        return len(self._waiting)

    def _changed(self) -> None:
        """The class moved, started or ended (called from whichever thread did it): wake every request."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._wake_all)
        except RuntimeError:  # the loop closed meanwhile: no request is left to wake
            pass

    def _wake_all(self) -> None:
        for waiter in self._waiting.values():
            waiter.event.set()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        if scope.get("method") != "GET":
            return await _answer(send, 405, {"error": "Use GET."})
        params = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        code, follower = _one(params, "code"), _one(params, "follower")
        try:
            version = int(_one(params, "version") or "")
        except ValueError:
            version = None
        if not code or not follower or version is None or max(len(code), len(follower)) > MAX_KEY_CHARS:
            return await _answer(send, 400, {"error": "Give code, version (a number) and follower."})
        stopping = getattr(scope.get("app"), "stop_event", None)  # gradio's App: set when the server stops
        status, moved = await self.wait(code, version, follower, receive, stopping)
        await _answer(send, status, {"moved": moved})

    async def wait(
        self, code: str, version: int, follower: str, receive, stopping: asyncio.Event | None = None
    ) -> tuple[int, str | None]:
        """(HTTP status, what moved): see the module's docstring."""
        loop = self._loop = asyncio.get_running_loop()
        if self.keep is not None:
            self.keep(follower)
        found = self.classroom.where(code, version)
        if found is not None:
            return 200, _moved(found)
        if not self.classroom.hold(code, follower):
            found = self.classroom.where(code, version)
            return (200, "ended") if found is False else (429, None)  # no such class, or the class is full
        waiter, earlier = _Waiter(), self._waiting.get(follower)
        self._waiting[follower] = waiter
        if earlier is not None:  # the page sends one request at a time: an older one has no one to answer
            earlier.replaced = True
            earlier.event.set()
        gone = asyncio.ensure_future(_disconnected(receive))
        stopped = asyncio.ensure_future(stopping.wait()) if stopping is not None else None
        deadline = loop.time() + self.wait_seconds
        try:
            while True:
                waiter.event.clear()
                found = self.classroom.where(code, version)
                if found is not None:
                    return 200, _moved(found)
                remaining = deadline - loop.time()
                if (
                    waiter.replaced
                    or gone.done()
                    or (stopped is not None and stopped.done())
                    or remaining <= 0
                ):
                    return 200, None
                woken = asyncio.ensure_future(waiter.event.wait())
                watched = {woken, gone} | ({stopped} if stopped is not None else set())
                await asyncio.wait(watched, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
                woken.cancel()
        finally:
            gone.cancel()
            if stopped is not None:
                stopped.cancel()
            if self._waiting.get(follower) is waiter:
                del self._waiting[follower]
            self.classroom.release(code, follower)


def follow_route(
    classroom: Classroom, wait_seconds: float = WAIT_SECONDS, keep: Callable[[str], None] | None = None
) -> Route:
    """The route to mount on the app (FastAPI's `routes`); `keep`: see the module's docstring."""
    return Route(PATH, FollowRoute(classroom, wait_seconds, keep), methods=["GET"])


def _moved(found: Position | bool) -> str:
    if found is False:
        return "ended"
    return f"{found.lesson}|{found.step}|{found.version}"


def _one(params: dict[str, list[str]], name: str) -> str:
    values = params.get(name) or [""]
    return values[0]


async def _disconnected(receive) -> None:
    """Returns once the client has gone (a GET's request message comes first, then nothing until then)."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def _answer(send, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(data)).encode()),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
