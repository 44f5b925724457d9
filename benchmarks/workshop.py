"""Workshop mode: what N followers (students whose pages follow a teacher) cost the server, and how much they slow
a generation running at the same time.

    python -m benchmarks.workshop [--followers 60] [--seconds 20] [--rounds 3] [--idle-seconds 30] [--moves 5]
                                  [--move-every 10] [--port 7899] [--demo | model flags]

The app runs in a subprocess (`python app.py --admin-password …`; --demo's tiny models unless model flags are
given, e.g. --generation-model DIR). A teacher starts leading through the page's own event (the queue, as the
page sends it); each simulated follower opens the join link as a page does (the page-load event, with
?follow=<code>, which gives the page what it waits on), then does what its page does (ui/lessons.py FOLLOW_JS):
it holds one request to the follow route (playground/follow.py, GET /lessons/follow), asks again when that
answers without a move (after the route's WAIT_SECONDS), and when the class moves it draws the step with the
page's lean `follow_move` event (outside the queue, its own gradio session), and with `redraw_step` when that
hands the move on (its page's first move, another lesson). The page's hand-over timer runs in the browser only and
is not simulated (it adds up to HAND_OVER_SECONDS to what a student sees). All followers' requests are sent by one
asyncio loop in a thread. The teacher's page asks for the class's counts every second, and so does this teacher
(its session stays active, as the page's does).

The slowdown: each round has two --seconds windows, one without the followers and one with them, in alternating
order (alone first in even rounds); in both, /generate requests (GENERATION_TOKENS new tokens, greedy, streamed)
run back to back over the whole window while the teacher moves every --move-every seconds from its own thread, so
the generations run through the moves and the followers' draws. A round's ratio is the mean generation time with
followers over without; the slowdown is the median ratio of --rounds. Also per window: the server process's CPU
(user + system seconds per second, psutil; 1.0 = one core busy) and resident memory, the generations' p95, and how
long after the teacher's click each follower had drawn the new step. Then, as CPU time (which holds on a busy machine too): the server's
CPU per idle follower (all connected, no one moving, --idle-seconds, against as long without them) and per move
(the teacher moves --moves times with all followers connected and idle otherwise, against as many moves without
them). The goal of issue 27: a generation slowed by at most 5%. On a shared, busy machine the wall times are
noisy: rerun on a quiet one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "benchmark-teacher"
FOLLOW_PATH = "lessons/follow"  # playground/follow.py PATH, under the app's root
WAIT_SECONDS = 25.0  # playground/follow.py WAIT_SECONDS
HAND_OVER_SECONDS = 0.5  # ui/lessons.py HAND_OVER_SECONDS
TEACHER_TICK_SECONDS = 1.0  # ui/lessons.py, the teacher's timer
GENERATION_TOKENS = 40
PROMPT = "The best way to learn a language is"


def wait_for(url: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def dependency(config: dict, api_name: str) -> dict:
    return next(d for d in config["dependencies"] if d.get("api_name") == api_name)


def queued(http: httpx.Client, url: str, fn_index: int, data: list, session: str, query: str = "") -> list:
    """One queued page event, as the page sends it (POST queue/join, then its event stream): its outputs."""
    body = {
        "data": data,
        "fn_index": fn_index,
        "session_hash": session,
        "event_data": None,
        "trigger_id": None,
    }
    response = http.post(f"{url}gradio_api/queue/join{query}", json=body)
    response.raise_for_status()
    with http.stream("GET", f"{url}gradio_api/queue/data", params={"session_hash": session}) as events:
        for line in events.iter_lines():
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            if message.get("msg") == "log" and message.get("level") == "error":  # refused: the page's pop-up
                raise RuntimeError(f"event {fn_index} was refused: {message.get('log')}")
            if message.get("msg") == "process_completed":
                if not message.get("success"):
                    raise RuntimeError(f"event {fn_index} failed: {message}")
                return message["output"]["data"]
    raise RuntimeError(f"event {fn_index}: the stream ended early")


class Class:
    """A led class on the app: the teacher's session and the join code. While leading, the teacher's page asks
    for the class's counts every TEACHER_TICK_SECONDS (ui/lessons.py teacher_tick, outside the queue), and so does
    this teacher (`ticking`): that keeps its gradio session among the most recently active, as the page's timer
    does. (A teacher that sent nothing between moves was forgotten once --max-sessions other sessions had been
    active, here the windows' one-off /generate clients: its moves were then refused and the class stood still.)"""

    def __init__(self, url: str, config: dict):
        self.url, self.config = url, config
        self.http = httpx.Client(timeout=120)
        self.teacher = uuid.uuid4().hex[:10]
        self.lesson = None
        lead = dependency(config, "lead")
        first = json.loads(
            json.dumps(queued(self.http, url, dependency(config, "open_page")["id"], [[]], self.teacher))
        )
        self.lesson = first[0]["value"] if isinstance(first[0], dict) else first[0]
        outputs = queued(self.http, url, lead["id"], [PASSWORD, self.lesson, 0], self.teacher)
        html = next(o for o in outputs if isinstance(o, dict) and "follow=" in str(o.get("value", "")))
        self.code = re.search(r"follow=([\w-]+)", html["value"]).group(1)
        self.at_end = False
        self.moves = 0
        self.ticks = 0
        self.stop = threading.Event()
        threading.Thread(target=self.ticking, daemon=True).start()

    def ticking(self) -> None:
        tick = dependency(self.config, "teacher_tick")["id"]
        http = httpx.Client(timeout=60)
        while not self.stop.wait(TEACHER_TICK_SECONDS):
            body = {"data": [None, None, self.lesson, None], "fn_index": tick, "session_hash": self.teacher}
            try:
                http.post(f"{self.url}gradio_api/run/predict", json=body).raise_for_status()
                self.ticks += 1
            except httpx.HTTPError:
                pass

    def move(self) -> None:
        """The teacher clicks Next, as a class goes through the course (a step on in a lesson, now and then the
        next lesson; Previous from the course's last step): followers fetch the new step."""
        name = "previous_lesson_step" if self.at_end else "next_lesson_step"
        outputs = queued(
            self.http,
            self.url,
            dependency(self.config, name)["id"],
            [self.lesson, None, [], None],  # the lesson shown (its step, the page's session keeps)
            self.teacher,
        )
        shown = value_of(outputs[0])  # the lesson the page shows now (the first output)
        if isinstance(shown, str) and shown:
            self.lesson = shown
        next_button = (
            outputs[6] if isinstance(outputs[6], dict) else {}
        )  # lesson, index, showing, content, result, previous, next
        self.at_end = next_button.get("interactive") is False
        self.moves += 1


class Followers:
    """N followers' pages: each joined once, then following (one request to the follow route held open, the step
    drawn when the class moves) while in a `with` block. Each keeps the version it shows across blocks."""

    def __init__(self, url: str, config: dict, code: str, count: int):
        self.url, self.config, self.code = url, config, code
        self.draw = dependency(config, "follow_move")["id"]
        self.redraw = dependency(config, "redraw_step")["id"]
        self.redraws = 0  # draws handed on to the whole step's redraw (another lesson, the page's first move)
        self.pages: list[list] = []  # [session, version shown, moves drawn]
        self.drawn: list[float] = []  # when (perf_counter) a follower had drawn a new step
        self.errors = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task | None = None
        http = httpx.Client(timeout=120)
        opened = dependency(config, "open_page")["id"]
        for _ in range(count):  # each opens the join link (the page-load event reads ?follow=)
            session = uuid.uuid4().hex[:10]
            outputs = queued(http, url, opened, [[]], session, f"?follow={code}")
            listen = next(
                v for v in map(value_of, outputs) if isinstance(v, str) and v.startswith(code + "|")
            )
            self.pages.append(
                [session, int(listen.split("|")[1]), 0, ""]
            )  # "": the tab the page shows, not known
        self.thread: threading.Thread | None = None

    @property
    def count(self) -> int:
        return len(self.pages)

    async def follow(self, http: httpx.AsyncClient, page: list) -> None:
        session = page[0]
        while True:
            params = {"code": self.code, "version": page[1], "follower": session}
            try:
                response = await http.get(f"{self.url}{FOLLOW_PATH}", params=params)
                response.raise_for_status()
                moved = response.json()["moved"]
                if moved is None:
                    continue  # no move within the route's wait: ask again, as the page does
                if moved == "ended":
                    return
                page[2] += 1
                await self.draw_step(http, page, f"{moved}|{page[2]}")
                self.drawn.append(time.perf_counter())
                page[1] = int(moved.split("|")[2])
            except httpx.HTTPError:
                self.errors += 1
                await asyncio.sleep(1)

    async def draw_step(self, http: httpx.AsyncClient, page: list, moved: str) -> None:
        """As the page does: its lean draw (follow_move: the page's step kept by its session, the tab it shows),
        then, when that hands `moved` on (its last output), the whole step (redraw_step: the page then shows
        the Lessons tab)."""
        body = {"data": [moved, [], None, page[3]], "fn_index": self.draw, "session_hash": page[0]}
        drawn = await http.post(f"{self.url}gradio_api/run/predict", json=body)
        drawn.raise_for_status()
        handed = drawn.json()["data"][-1]
        if isinstance(handed, dict):  # gr.skip(): drawn
            return
        self.redraws += 1
        body = {"data": [value_of(handed), []], "fn_index": self.redraw, "session_hash": page[0]}
        (await http.post(f"{self.url}gradio_api/run/predict", json=body)).raise_for_status()
        page[3] = "lessons"

    async def run(self) -> None:
        self.loop = asyncio.get_running_loop()
        limits = httpx.Limits(
            max_connections=2 * self.count + 4, max_keepalive_connections=2 * self.count + 4
        )
        timeout = httpx.Timeout(WAIT_SECONDS + 30)
        async with httpx.AsyncClient(timeout=timeout, limits=limits) as http:
            self.task = asyncio.ensure_future(
                asyncio.gather(*(self.follow(http, page) for page in self.pages))
            )
            try:
                await self.task
            except asyncio.CancelledError:
                pass

    def __enter__(self):
        self.drawn = []
        self.task = None
        self.thread = threading.Thread(target=asyncio.run, args=(self.run(),), daemon=True)
        self.thread.start()
        while self.task is None:
            time.sleep(0.01)
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.task.cancel)  # every page goes away: its request ends
        self.thread.join(timeout=30)

    def wait_drawn(self, total: int, timeout: float = 60) -> None:
        """Until the followers have drawn `total` steps in all since the block began."""
        deadline = time.monotonic() + timeout
        while len(self.drawn) < total and time.monotonic() < deadline:
            time.sleep(0.01)
        if len(self.drawn) < total:
            raise RuntimeError(
                f"the followers drew {len(self.drawn)} steps, not {total} ({self.errors} requests failed)"
            )


def value_of(output):
    """A component's value in an event's answer (a plain value, or gradio's update dict)."""
    return output.get("value") if isinstance(output, dict) else output


def generate_seconds(url: str) -> float:
    """Wall time of one streamed greedy /generate request."""
    http = httpx.Client(timeout=600)
    data = [PROMPT, GENERATION_TOKENS, 0.0, 50, 1.0, 1.0, 0, 1]
    start = time.perf_counter()
    response = http.post(f"{url}gradio_api/call/generate", json={"data": data})
    response.raise_for_status()
    with http.stream("GET", f"{url}gradio_api/call/generate/{response.json()['event_id']}") as events:
        for line in events.iter_lines():
            if line.startswith("event: error"):
                raise RuntimeError(f"/generate failed: {line}")
    return time.perf_counter() - start


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def idle_cost(process: psutil.Process, followers: Followers, seconds: float) -> float:
    """Server CPU seconds per second per idle follower: `seconds` with every follower connected and nothing
    moving, less as long without them."""
    before = cpu_seconds(process)
    time.sleep(seconds)
    alone = cpu_seconds(process) - before
    with followers:
        time.sleep(min(5.0, seconds))  # every page has opened its request
        before = cpu_seconds(process)
        time.sleep(seconds)
        together = cpu_seconds(process) - before
    return (together - alone) / seconds / followers.count


def move_cost(process: psutil.Process, led: Class, followers: Followers, moves: int) -> tuple[float, float]:
    """(server CPU seconds of one move with every follower drawing it, of the teacher's move alone)."""
    before = cpu_seconds(process)
    for _ in range(moves):
        led.move()
    alone = (cpu_seconds(process) - before) / moves
    together = []
    with followers:
        followers.wait_drawn(followers.count)  # each page catches up with the moves made without it
        time.sleep(1.0)  # and has opened its next request
        for _move in range(moves):
            before, drawn = cpu_seconds(process), len(followers.drawn)
            led.move()
            followers.wait_drawn(drawn + followers.count)
            time.sleep(0.2)  # the last answers are sent and the pages' new requests are in
            together.append(cpu_seconds(process) - before)
    return statistics.median(together), alone


def window(
    process: psutil.Process, url: str, seconds: float, led: Class, move_every: float, clicks: list[float]
) -> dict[str, float]:
    """`seconds` of generations back to back while the teacher moves every `move_every` seconds (from its own
    thread, as a teacher clicks whatever the server is doing; when it clicked goes into `clicks`): the server's
    CPU and memory, and the generations' mean and p95 wall time (the mean is the window's throughput)."""
    cpu_before, start = process.cpu_times(), time.perf_counter()
    children = process.children(recursive=True)
    done = threading.Event()

    def teacher() -> None:
        moment = move_every / 2
        while moment < seconds and not done.wait(max(0.0, start + moment - time.perf_counter())):
            clicks.append(time.perf_counter())
            led.move()
            moment += move_every

    moving = threading.Thread(target=teacher, daemon=True)
    moving.start()
    generations = []
    while time.perf_counter() - start < seconds:
        generations.append(generate_seconds(url))
    done.set()
    moving.join(timeout=60)
    cpu_after, elapsed = process.cpu_times(), time.perf_counter() - start
    busy = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
    rss = process.memory_info().rss + sum(c.memory_info().rss for c in children if c.is_running())
    generations.sort()
    return {
        "cpu": busy / elapsed,
        "rss_mb": rss / 2**20,
        "generate_s": statistics.fmean(generations),
        "p95_s": generations[int(0.95 * (len(generations) - 1))],
        "generations": len(generations),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--followers", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--moves", type=int, default=5)
    parser.add_argument("--move-every", type=float, default=10.0)
    parser.add_argument("--port", type=int, default=7899)
    args, model_flags = parser.parse_known_args()
    command = [sys.executable, "app.py", "--port", str(args.port), "--admin-password", PASSWORD]
    command += model_flags or ["--demo"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{args.port}/"
    try:
        wait_for(url)
        process = psutil.Process(server.pid)
        config = httpx.get(f"{url}config", timeout=30).json()
        generate_seconds(url)  # the model loads
        led = Class(url, config)
        followers = Followers(url, config, led.code, args.followers)
        alone, together, delays, seen = [], [], [], led.moves
        for round_ in range(args.rounds):  # interleaved: alone first, then with followers, then the other way
            for with_followers in (False, True) if round_ % 2 == 0 else (True, False):
                clicks: list[float] = []
                if not with_followers:
                    alone.append(window(process, url, args.seconds, led, args.move_every, clicks))
                    continue
                with followers:
                    if led.moves > seen:  # each page catches up with the moves made without it
                        followers.wait_drawn(followers.count)
                    time.sleep(1.0)
                    followers.drawn.clear()
                    together.append(window(process, url, args.seconds, led, args.move_every, clicks))
                    followers.wait_drawn(followers.count * len(clicks))
                    seen = led.moves
                for drawn in followers.drawn:
                    delays.append(drawn - max(click for click in clicks if click <= drawn))
        per_idle = idle_cost(process, followers, args.idle_seconds)
        per_move, teacher = move_cost(process, led, followers, args.moves)
        report(args, alone, together, delays, followers.errors, followers.redraws)
        print(
            f"Server CPU per idle follower: {per_idle * 1e6:.0f} µs per second ({args.idle_seconds:g} s with all "
            f"{args.followers} connected, less as long without; each asks again every {WAIT_SECONDS:g} s), so "
            f"{args.followers} idle followers keep {per_idle * args.followers:.4f} cores busy."
        )
        print(
            f"Server CPU per move: {per_move * 1000:.0f} ms with {args.followers} followers drawing it "
            f"({(per_move - teacher) / args.followers * 1000:.2f} ms per follower), the teacher's move alone "
            f"{teacher * 1000:.0f} ms (medians of {args.moves} moves)."
        )
        print(
            f"Load generator (this process): {time.process_time():.1f} s of CPU in all; machine: "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
        )
    finally:
        server.terminate()
        server.wait(timeout=60)


def report(
    args, alone: list[dict], together: list[dict], delays: list[float], errors: int, redraws: int
) -> None:
    def median(rows, key):
        return statistics.median(row[key] for row in rows)

    # each round's ratio (its window with followers against its window without, the teacher moving in both)
    ratios = [t["generate_s"] / a["generate_s"] for a, t in zip(alone, together, strict=True)]
    slowdown = statistics.median(ratios) - 1
    delays = sorted(delays) or [0.0]
    lines = [
        f"## Workshop: {args.followers} followers ({args.rounds} rounds of two {args.seconds:g} s windows, the "
        f"teacher moving every {args.move_every:g} s in both; medians)",
        "",
        "| | alone | with followers |",
        "|---|---|---|",
        f"| server CPU (cores busy) | {median(alone, 'cpu'):.2f} | {median(together, 'cpu'):.2f} |",
        f"| server memory (MB) | {median(alone, 'rss_mb'):.0f} | {median(together, 'rss_mb'):.0f} |",
        f"| one /generate of {GENERATION_TOKENS} tokens, mean (s) | {median(alone, 'generate_s'):.3f} | "
        f"{median(together, 'generate_s'):.3f} |",
        f"| one /generate, p95 (s) | {median(alone, 'p95_s'):.3f} | {median(together, 'p95_s'):.3f} |",
        f"| generations per window | {median(alone, 'generations'):.0f} | {median(together, 'generations'):.0f} |",
        "",
        f"**Generation slowed by {slowdown:+.1%}** (goal: at most +5%; the median of the rounds' ratios of mean "
        f"time with / without followers: {', '.join(f'{r:.3f}' for r in ratios)}). From the teacher's click to a "
        f"follower's step drawn ({len(delays)} in all): median {statistics.median(delays) * 1000:.0f} ms, p95 "
        f"{delays[int(0.95 * (len(delays) - 1))] * 1000:.0f} ms, max {delays[-1] * 1000:.0f} ms (a page adds up "
        f"to {HAND_OVER_SECONDS:g} s: its hand-over timer); {errors} requests failed; the followers' moves drawn "
        f"whole (another lesson, a page's first move) rather than lean: {redraws}.",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
