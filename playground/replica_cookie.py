"""The replica cookie: a random id each browser keeps, so that a proxy in front of several app processes can
send all of one browser's requests to the same process (deploy/nginx.conf hashes it).

A gradio page's session (its queue, its results, the models a visitor trained) lives in one process's memory,
so every request of a page must reach the process that holds it. nginx's `ip_hash` would send a whole school,
behind one NAT address, to a single replica; a cookie per browser spreads them. The app sets it on any answer
to a request that came without it (the page itself is the first), as a random 128-bit id that names no one and is
never stored by the app; the proxy reads it, the app never does.
"""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie

COOKIE = "playground_replica"
MAX_AGE = 7 * 24 * 3600  # a week: one browser stays on one replica through a course's lessons


class ReplicaCookie:
    """ASGI middleware: adds `Set-Cookie: playground_replica=<random>` to HTTP answers whose request had none."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or _has_cookie(scope):
            return await self.app(scope, receive, send)
        cookie = _set_cookie_header(scope)

        async def send_with_cookie(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
            await send(message)

        return await self.app(scope, receive, send_with_cookie)


def _has_cookie(scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header: answer as if it had none
                return False
            if COOKIE in jar:
                return True
    return False


def _set_cookie_header(scope) -> bytes:
    secure = "; Secure" if scope.get("scheme") == "https" else ""
    value = secrets.token_hex(16)
    return f"{COOKIE}={value}; Path=/; Max-Age={MAX_AGE}; HttpOnly; SameSite=Lax{secure}".encode("latin-1")
