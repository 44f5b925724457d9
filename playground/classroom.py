"""Workshop mode: one class led by a teacher, held in memory only.

The teacher (who knows the admin password) starts a led class and gets a secret key; students open the join
link (its `code`) and follow: each follower's page holds one request open to the server's follow route
(playground/follow.py), which answers when the step's version changes (`watch` tells it when), and the page then
moves. A follower counts as joined while it holds that request (`hold` .. `release`) and for PRESENT_SECONDS after.
Anonymous by design: a follower is a random key of its page (gradio's session hash), kept only to count who is
there and to count each page's answer once; what is kept of an answer is the choice's text, one of the step's own
choices. Nothing is written anywhere; `end` (or the server stopping) forgets it all. One led class per server:
starting a new one ends the old.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

PRESENT_SECONDS = 10.0  # a follower whose page asked within this long counts as joined
# At most this many followers are remembered at once (a classroom is far smaller): anyone with the join code
# could otherwise grow the class without bound by polling as ever new pages while no teacher's page prunes it.
MAX_FOLLOWERS = 2000


@dataclass
class Position:
    lesson: str
    step: int  # 0-based
    version: int


@dataclass
class _Class:
    code: str  # in the join link
    key: str  # the teacher's page's secret
    lesson: str
    step: int
    version: int = 1
    seen: dict[str, float] = field(default_factory=dict)  # follower -> when its page last asked
    holding: dict[str, int] = field(default_factory=dict)  # follower -> its requests waiting for a move now
    answers: dict[str, str] = field(default_factory=dict)  # follower -> choice, for the current step
    choices: list[str] = field(default_factory=list)  # the current step's choices (for the bars)


@dataclass
class Stats:
    joined: int
    answered: int
    counts: list[tuple[str, int]]  # (choice, how many chose it), in the order of the choices
    version: int


class Classroom:
    """The server's one led class (or none)."""

    def __init__(self, clock=time.monotonic):
        self._lock = threading.Lock()
        self._class: _Class | None = None
        self._clock = clock
        self._watchers: list[Callable[[], None]] = []

    def watch(self, callback: Callable[[], None]) -> None:
        """Call `callback()` (from whichever thread changed it) whenever the class moves, starts or ends."""
        self._watchers.append(callback)

    def _changed(self) -> None:
        for callback in self._watchers:
            callback()

    def start(self, lesson: str, step: int) -> tuple[str, str]:
        """Start leading at a step: (join code, teacher key). An earlier led class ends."""
        with self._lock:
            self._class = _Class(secrets.token_urlsafe(6), secrets.token_urlsafe(24), lesson, step)
            code, key = self._class.code, self._class.key
        self._changed()
        return code, key

    def _led(self, key: str | None) -> _Class | None:
        led = self._class
        if led is None or not isinstance(key, str) or not secrets.compare_digest(key, led.key):
            return None
        return led

    def leading(self, key: str | None) -> bool:
        return self._led(key) is not None

    def end(self, key: str | None) -> bool:
        """End the led class (only its teacher can): every count is forgotten."""
        with self._lock:
            if self._led(key) is None:
                return False
            self._class = None
        self._changed()
        return True

    def move(self, key: str | None, lesson: str, step: int, choices: list[str] | None = None) -> bool:
        """The teacher is at `lesson`, `step` (with these choices): followers move there; answers restart."""
        with self._lock:
            led = self._led(key)
            if led is None:
                return False
            moved = (led.lesson, led.step) != (lesson, step)
            if moved:
                led.lesson, led.step, led.version = lesson, step, led.version + 1
                led.answers.clear()
            if choices is not None:
                led.choices = list(choices)
        if moved:
            self._changed()
        return True

    def poll(self, code: str | None, follower: str, known_version: int) -> Position | None | bool:
        """A follower's page asks: the position if it changed since `known_version`, None if not, False when
        there is no led class with this code (it ended)."""
        led = self._following(code)
        if led is None:
            return False
        if follower in led.seen or self._room_for_one(led):
            led.seen[follower] = self._clock()  # one dict write: cheap enough without the lock
        return self._since(led, known_version)

    def where(self, code: str | None, known_version: int) -> Position | None | bool:
        """As `poll`, without counting anyone: the position if it changed since `known_version`, None if not,
        False when there is no led class with this code."""
        led = self._following(code)
        return False if led is None else self._since(led, known_version)

    def _following(self, code: str | None) -> _Class | None:
        led = self._class
        if led is None or not isinstance(code, str) or not secrets.compare_digest(code, led.code):
            return None
        return led

    @staticmethod
    def _since(led: _Class, known_version: int) -> Position | None:
        if known_version == led.version:
            return None
        return Position(led.lesson, led.step, led.version)

    def hold(self, code: str | None, follower: str) -> bool:
        """A follower's page opened its request that waits for the class to move: it counts as joined until
        `release` (and PRESENT_SECONDS after). False (nothing held) when there is no led class with this code,
        or the class has MAX_FOLLOWERS others already."""
        with self._lock:
            led = self._following(code)
            if led is None or (follower not in led.seen and not self._room_for_one(led)):
                return False
            led.seen[follower] = self._clock()
            led.holding[follower] = led.holding.get(follower, 0) + 1
            return True

    def release(self, code: str | None, follower: str) -> None:
        """The request `hold` counted has ended (answered, timed out, or the page went away)."""
        with self._lock:
            led = self._following(code)
            if led is None or follower not in led.holding:
                return
            led.holding[follower] -= 1
            if led.holding[follower] <= 0:
                del led.holding[follower]
            if follower in led.seen:  # not if it left meanwhile: it stays gone
                led.seen[follower] = self._clock()

    def leave(self, code: str | None, follower: str) -> None:
        """A follower stopped following: no longer counted."""
        led = self._class
        if led is not None and code == led.code:
            with self._lock:
                led.seen.pop(follower, None)
                led.answers.pop(follower, None)
                led.holding.pop(follower, None)

    def answer(self, code: str | None, follower: str, lesson: str, step: int, choice: str) -> bool:
        """A follower answered the current step's question: counted once per page (a new answer replaces its
        earlier one). Only one of the step's own choices counts: nothing else a student types is kept."""
        with self._lock:
            led = self._class
            if led is None or code != led.code or (lesson, step) != (led.lesson, led.step):
                return False
            if choice not in led.choices:
                return False
            if follower not in led.seen and not self._room_for_one(led):
                return False
            led.answers[follower] = choice
            led.seen[follower] = self._clock()
            return True

    def _room_for_one(self, led: _Class) -> bool:
        """Whether one more follower may be remembered: past MAX_FOLLOWERS, those not seen for PRESENT_SECONDS
        are forgotten first (their answers too); if the class is still full, the newcomer is not counted."""
        if len(led.seen) < MAX_FOLLOWERS:
            return True
        for follower in self._absent(led):
            led.seen.pop(follower, None)
            led.answers.pop(follower, None)
        return len(led.seen) < MAX_FOLLOWERS

    def _absent(self, led: _Class) -> list[str]:
        """Followers whose page has not asked for PRESENT_SECONDS and holds no request now."""
        now = self._clock()
        return [
            f for f, when in list(led.seen.items()) if now - when > PRESENT_SECONDS and f not in led.holding
        ]

    def stats(self, key: str | None) -> Stats | None:
        """What the teacher sees: how many follow now, how many answered, how many chose each choice."""
        with self._lock:
            led = self._led(key)
            if led is None:
                return None
            for follower in self._absent(led):
                del led.seen[follower]
            counts = {choice: 0 for choice in led.choices}
            for choice in led.answers.values():
                counts[choice] = counts.get(choice, 0) + 1
            return Stats(len(led.seen), len(led.answers), list(counts.items()), led.version)

    def code(self, key: str | None) -> str | None:
        led = self._led(key)
        return led.code if led is not None else None

    def position(self) -> Position | None:
        led = self._class
        return Position(led.lesson, led.step, led.version) if led is not None else None
