"""The page and its config, made once: an ASGI middleware that keeps gradio's answers to `GET /` and `GET /config`.

Gradio builds both anew for every visitor: a deep copy of the whole page's configuration (every component and
event of every tab), its URLs rewritten, serialised: about 70 ms of CPU each, holding the interpreter's lock.
When a class of 60 opens the page within ten seconds, that is most of the interpreter's time, and the generation
engine's thread waits for it: the first tokens of that minute came 8-12 s late. The answers are the same bytes for
every visitor of a launched app (no gradio login here; what a page shows per visitor comes by its load events),
so the first answer for a URL is kept and sent to the next visitors. Concurrent first requests wait for the one
being built. The key is everything the answer depends on: the path, the query, the root path and the headers
gradio reads to make its URLs; a changed configuration (another dict) is a new key. Only a complete 200 answer
that sets no cookie is kept, at most MAX_ENTRIES of them (the least recently used go).
"""

from __future__ import annotations

import asyncio
import collections
from dataclasses import dataclass

CACHED_PATHS = frozenset({"/", "/config", "/config/"})
MAX_ENTRIES = 16  # different URLs kept (each about 1 MB): a class shares a few links
# What gradio's root URL is made of (route_utils.get_root_url), and the language the browser asks for
KEY_HEADERS = (
    b"host",
    b"x-forwarded-host",
    b"x-forwarded-proto",
    b"x-forwarded-port",
    b"x-forwarded-prefix",
    b"forwarded",
    b"accept-language",
)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list
    body: bytes


class PageCache:
    """ASGI middleware: `GET /` and `GET /config` answered from the first answer for the same key."""

    def __init__(self, app, blocks=None):
        self.app = app
        self.blocks = blocks
        self.answers: collections.OrderedDict[tuple, Answer] = collections.OrderedDict()
        self.building: dict[tuple, asyncio.Event] = {}
        self.built = 0  # answers made by gradio (a test reads them)
        self.served = 0  # answers sent from the cache

    async def __call__(self, scope, receive, send):
        key = self._key(scope)
        if key is None:
            return await self.app(scope, receive, send)
        while True:
            answer = self.answers.get(key)
            if answer is not None:
                self.answers.move_to_end(key)
                self.served += 1
                return await _send(answer, send)
            building = self.building.get(key)
            if building is None:
                break
            await building.wait()  # the same page being built: its answer, or (not kept) a build of our own
        self.building[key] = done = asyncio.Event()
        try:
            return await self._build(key, scope, receive, send)
        finally:
            del self.building[key]
            done.set()

    async def _build(self, key, scope, receive, send):
        start, chunks = {}, []

        async def keeping(message):
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._keep(key, start, b"".join(chunks))
            await send(message)

        self.built += 1
        return await self.app(scope, receive, keeping)

    def _keep(self, key, start: dict, body: bytes) -> None:
        headers = list(start.get("headers", []))
        if start.get("status") != 200 or any(name.lower() == b"set-cookie" for name, _ in headers):
            return
        self.answers[key] = Answer(200, headers, body)
        while len(self.answers) > MAX_ENTRIES:
            self.answers.popitem(last=False)

    def _key(self, scope) -> tuple | None:
        """What the answer depends on; None for a request not kept (another path or method, a login)."""
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in CACHED_PATHS:
            return None
        config = getattr(self.blocks, "config", None)
        if config is None or getattr(self.blocks, "auth", None):
            return None
        headers = dict(scope.get("headers", []))
        if b"authorization" in headers:
            return None
        return (
            id(config),
            scope["path"],
            scope.get("query_string", b""),
            scope.get("root_path", ""),
            scope.get("scheme", "http"),
            *(headers.get(name, b"") for name in KEY_HEADERS),
        )


async def _send(answer: Answer, send) -> None:
    await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers})
    await send({"type": "http.response.body", "body": answer.body})
