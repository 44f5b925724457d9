"""Workshop mode: what N followers (students whose pages follow a teacher) cost the server, and how much they slow
a generation running at the same time.

    python -m benchmarks.workshop [--followers 60] [--seconds 60] [--rounds 3] [--move-every 30] [--tokens 48]
                                  [--idle-seconds 10] [--moves 3] [--port 7899] [--models-dir DIR]
                                  [--tiny | model flags]

The app runs in a subprocess (`python app.py --demo --admin-password … --generation-model DIR`): the generation
model is GPT-2 small's shape with random weights (benchmarks/common.py default_shaped_models, built once into
--models-dir), so that a generation of --tokens (48) takes about 2 s on two cores, as a student's does; the other
models are the demo's. (`--tiny`: the demo's tiny generation model too, 12 ms a generation; model flags, e.g.
--generation-model DIR, replace the default.) Each generation has a prompt of its own: the engine replays a finished
identical request from its cache.

A teacher starts leading through the page's own event (the queue, as the page sends it; the page holds the key the
server gives it and sends it with each move, as the page does); each simulated follower opens the join link as a
page does (the page-load event, with ?follow=<code>, which gives the page what it waits on), then does what its page
does (ui/lessons.py FOLLOW_JS): it holds one request to the follow route (playground/follow.py, GET
/lessons/follow), asks again when that answers without a move (after the route's WAIT_SECONDS), and when the class
moves it draws the step with the page's lean `follow_move` event (outside the queue, its own gradio session), and
with `redraw_step` when that hands the move on (its page's first move, another lesson), at the next tick of its
hand-over timer (every HAND_OVER_SECONDS, at a phase of its own, as a page's gr.Timer: the draws of a class spread
over that time, as real pages' do, and a student's wait includes it). The
teacher's page asks for the class's counts every second, and so does this teacher.

The followers are simulated in a process of their own at the lowest priority (os.nice(19)), all their requests
sent by one asyncio loop: on a machine of few cores, the load generator would otherwise take the server's CPU, and
the slowdown would be the benchmark's, not the followers' (a class's phones are other machines). Its CPU is
reported.

The slowdown: each round has two --seconds windows, one without the followers and one with them, in alternating
order (alone first in even rounds); in both, /generate requests (--tokens new tokens, greedy, streamed) run back to
back over the whole window while the teacher moves every --move-every seconds (a teacher's pace: a step every
half minute; first at half of it) from its own thread, so the generations run through the moves and the
followers' draws. A round's ratio is the mean generation time with followers over without; the slowdown is the
median ratio of --rounds. Also per window: the server process's CPU (user + system seconds per second, psutil; 1.0
= one core busy) and resident memory, the generations' p95, and how long after the teacher's click each follower
had drawn the new step. Then, as CPU time (which holds on a busy machine too): the server's CPU per idle follower
(all connected, no one moving, --idle-seconds, against as long without them) and per move (the teacher moves
--moves times with all followers connected and idle otherwise, against as many moves without them). The goal of
issue 27: a generation slowed by at most 5%. On a shared, busy machine the wall times are noisy: rerun on a quiet
one. With the defaults and 60 followers, 3 rounds take about 8 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import multiprocessing
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
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
GENERATION_TOKENS = 48
PROMPT = "The best way to learn a language is"
_prompts = itertools.count()  # each generation its own prompt


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
        self.index = 0
        outputs = queued(self.http, url, lead["id"], [PASSWORD, self.lesson, 0], self.teacher)
        self.key = value_of(outputs[0])  # the page holds the teacher's key (ui/lessons.py lead: key, join, …)
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
            data = [self.key, None, self.lesson, self.index]
            body = {"data": data, "fn_index": tick, "session_hash": self.teacher}
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
            [
                self.lesson,
                self.index,
                [],
                self.key,
            ],  # the lesson and step shown, the key: the page holds them
            self.teacher,
        )
        shown, index = value_of(outputs[0]), value_of(outputs[1])  # the page's lesson and step now
        if isinstance(shown, str) and shown:
            self.lesson = shown
        if isinstance(index, int | float):
            self.index = int(index)
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
        self.drawn: list[
            float
        ] = []  # when (time.monotonic, the same clock in every process) one had drawn a step
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
            # [session, version, moves drawn, the tab the page shows ("": not known), the step it shows, when
            # its hand-over timer ticks (a phase of its own: pages joined at different times)]
            phase = random.uniform(0, HAND_OVER_SECONDS)
            self.pages.append([session, int(listen.split("|")[1]), 0, "", "", phase])
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
                await asyncio.sleep(
                    (page[5] - time.monotonic()) % HAND_OVER_SECONDS
                )  # the page's timer ticks
                await self.draw_step(http, page, f"{moved}|{page[2]}")
                self.drawn.append(time.monotonic())
                page[1] = int(moved.split("|")[2])
            except httpx.HTTPError:
                self.errors += 1
                await asyncio.sleep(1)

    async def draw_step(self, http: httpx.AsyncClient, page: list, moved: str) -> None:
        """As the page does: its lean draw (follow_move: the step the page shows, "lesson|index", and the tab it
        shows, both held by the page), then, when that hands `moved` on (its last output), the whole step
        (redraw_step: the page then shows the Lessons tab)."""
        body = {"data": [moved, [], page[4], page[3]], "fn_index": self.draw, "session_hash": page[0]}
        drawn = await http.post(f"{self.url}gradio_api/run/predict", json=body)
        drawn.raise_for_status()
        handed = drawn.json()["data"][-1]
        page[4] = "|".join(moved.split("|")[:2])
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


class FollowersProcess:
    """`Followers` in a process of their own at the lowest priority (os.nice(19)): the same interface, each call
    answered by that process (see the module's docstring)."""

    def __init__(self, url: str, config: dict, code: str, count: int):
        context = multiprocessing.get_context("spawn")
        self.conn, theirs = context.Pipe()
        self.process = context.Process(
            target=followers_main, args=(theirs, url, config, code, count), daemon=True
        )
        self.process.start()
        self.count = self.ask("count")  # once every page has joined

    def ask(self, *command):
        self.conn.send(command)
        answer = self.conn.recv()
        if isinstance(answer, Exception):
            raise answer
        return answer

    def __enter__(self):
        self.ask("start")
        return self

    def __exit__(self, *exc):
        self.ask("stop")

    @property
    def drawn(self) -> list[float]:
        return self.ask("drawn")

    def clear(self) -> None:
        self.ask("clear")

    def wait_drawn(self, total: int, timeout: float = 60) -> None:
        self.ask("wait", total, timeout)

    def stats(self) -> dict:
        """{"errors", "redraws", "cpu" (its CPU seconds so far), "nice"}."""
        return self.ask("stats")

    def close(self) -> None:
        try:
            self.ask("quit")
        except (EOFError, OSError):
            pass
        self.process.join(timeout=30)


def followers_main(conn, url: str, config: dict, code: str, count: int) -> None:
    """The followers' process: at the lowest priority, the pages join, then it answers FollowersProcess's calls."""
    os.nice(19)
    followers = Followers(url, config, code, count)
    while True:
        command, *args = conn.recv()
        try:
            if command == "quit":
                conn.send(None)
                return
            answer = None
            if command == "count":
                answer = followers.count
            elif command == "start":
                followers.__enter__()
            elif command == "stop":
                followers.__exit__()
            elif command == "drawn":
                answer = list(followers.drawn)
            elif command == "clear":
                followers.drawn.clear()
            elif command == "wait":
                followers.wait_drawn(*args)
            elif command == "stats":
                answer = {
                    "errors": followers.errors,
                    "redraws": followers.redraws,
                    "cpu": time.process_time(),
                    "nice": os.nice(0),
                }
        except Exception as error:  # sent back, raised there
            answer = RuntimeError(f"followers: {error}")
        conn.send(answer)


def value_of(output):
    """A component's value in an event's answer (a plain value, or gradio's update dict)."""
    return output.get("value") if isinstance(output, dict) else output


def generate_seconds(url: str, tokens: int = GENERATION_TOKENS) -> float:
    """Wall time of one streamed greedy /generate request of `tokens` new tokens, its prompt its own (the engine
    would replay an identical finished request from its cache)."""
    http = httpx.Client(timeout=600)
    data = [f"{PROMPT} ({next(_prompts)})", tokens, 0.0, 50, 1.0, 1.0, 0, 1]
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


def idle_cost(process: psutil.Process, followers: FollowersProcess, seconds: float) -> float:
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


def move_cost(
    process: psutil.Process, led: Class, followers: FollowersProcess, moves: int
) -> tuple[float, float]:
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
            before, drawn = cpu_seconds(process), len(followers.drawn)  # (asks the followers' process)
            led.move()
            followers.wait_drawn(drawn + followers.count)
            time.sleep(0.2)  # the last answers are sent and the pages' new requests are in
            together.append(cpu_seconds(process) - before)
    return statistics.median(together), alone


def window(
    process: psutil.Process,
    url: str,
    seconds: float,
    led: Class,
    move_every: float,
    clicks: list[float],
    tokens: int = GENERATION_TOKENS,
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
            clicks.append(time.monotonic())
            led.move()
            moment += move_every

    moving = threading.Thread(target=teacher, daemon=True)
    moving.start()
    generations = []
    while time.perf_counter() - start < seconds:
        generations.append(generate_seconds(url, tokens))
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
    parser.add_argument("--seconds", type=float, default=60.0, help="each window's length")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    parser.add_argument("--moves", type=int, default=3)
    parser.add_argument("--move-every", type=float, default=30.0, help="the teacher's pace")
    parser.add_argument("--tokens", type=int, default=GENERATION_TOKENS, help="new tokens a generation")
    parser.add_argument("--port", type=int, default=7899)
    parser.add_argument("--models-dir", default=str(Path(tempfile.gettempdir()) / "playground-class-models"))
    parser.add_argument("--tiny", action="store_true", help="the demo's tiny generation model (12 ms)")
    args, model_flags = parser.parse_known_args()
    started = time.monotonic()
    command = [sys.executable, "app.py", "--port", str(args.port), "--admin-password", PASSWORD]
    if model_flags:
        command += model_flags
    elif args.tiny:
        command += ["--demo"]
    else:
        from benchmarks.common import default_shaped_models

        gpt2 = default_shaped_models(Path(args.models_dir), ("generation",))["generation"]
        command += ["--demo", "--generation-model", gpt2]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{args.port}/"
    followers = None
    try:
        wait_for(url)
        process = psutil.Process(server.pid)
        config = httpx.get(f"{url}config", timeout=30).json()
        generate_seconds(url, args.tokens)  # the model loads
        first = generate_seconds(url, args.tokens)  # one generation alone
        led = Class(url, config)
        followers = FollowersProcess(url, config, led.code, args.followers)
        print(
            f"app up, {args.followers} followers joined, one generation {first:.2f} s "
            f"({time.monotonic() - started:.0f} s in)",
            flush=True,
        )
        alone, together, delays, seen = [], [], [], led.moves
        for round_ in range(args.rounds):  # interleaved: alone first, then with followers, then the other way
            for with_followers in (False, True) if round_ % 2 == 0 else (True, False):
                clicks: list[float] = []
                if not with_followers:
                    alone.append(
                        window(process, url, args.seconds, led, args.move_every, clicks, args.tokens)
                    )
                    continue
                with followers:
                    if led.moves > seen:  # each page catches up with the moves made without it
                        followers.wait_drawn(followers.count)
                    time.sleep(1.0)
                    followers.clear()
                    together.append(
                        window(process, url, args.seconds, led, args.move_every, clicks, args.tokens)
                    )
                    followers.wait_drawn(followers.count * len(clicks))
                    drawn = followers.drawn
                    seen = led.moves
                for moment in drawn:
                    delays.append(moment - max(click for click in clicks if click <= moment))
            ratio = together[-1]["generate_s"] / alone[-1]["generate_s"]
            print(f"round {round_ + 1}: {ratio:.3f} ({time.monotonic() - started:.0f} s in)", flush=True)
        per_idle = idle_cost(process, followers, args.idle_seconds)
        per_move, teacher = move_cost(process, led, followers, args.moves)
        stats = followers.stats()
        report(args, alone, together, delays, stats["errors"], stats["redraws"], first)
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
            f"Load generator: the followers' process (nice {stats['nice']}) {stats['cpu']:.1f} s of CPU, this "
            f"process (the generations' client and the teacher) {time.process_time():.1f} s; "
            f"{time.monotonic() - started:.0f} s in all; machine: {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.1f}"
        )
    finally:
        if followers is not None:
            followers.close()
        server.terminate()
        server.wait(timeout=60)


def report(
    args,
    alone: list[dict],
    together: list[dict],
    delays: list[float],
    errors: int,
    redraws: int,
    first: float,
) -> None:
    def median(rows, key):
        return statistics.median(row[key] for row in rows)

    # each round's ratio (its window with followers against its window without, the teacher moving in both)
    ratios = [t["generate_s"] / a["generate_s"] for a, t in zip(alone, together, strict=True)]
    slowdown = statistics.median(ratios) - 1
    delays = sorted(delays) or [0.0]
    lines = [
        f"## Workshop: {args.followers} followers ({args.rounds} rounds of two {args.seconds:g} s windows, the "
        f"teacher moving every {args.move_every:g} s in both; generations of {args.tokens} tokens, "
        f"{first:.2f} s alone; medians)",
        "",
        "| | alone | with followers |",
        "|---|---|---|",
        f"| server CPU (cores busy) | {median(alone, 'cpu'):.2f} | {median(together, 'cpu'):.2f} |",
        f"| server memory (MB) | {median(alone, 'rss_mb'):.0f} | {median(together, 'rss_mb'):.0f} |",
        f"| one /generate of {args.tokens} tokens, mean (s) | {median(alone, 'generate_s'):.3f} | "
        f"{median(together, 'generate_s'):.3f} |",
        f"| one /generate, p95 (s) | {median(alone, 'p95_s'):.3f} | {median(together, 'p95_s'):.3f} |",
        f"| generations per window | {median(alone, 'generations'):.0f} | {median(together, 'generations'):.0f} |",
        "",
        f"**Generation slowed by {slowdown:+.1%}** (goal: at most +5%; the median of the rounds' ratios of mean "
        f"time with / without followers: {', '.join(f'{r:.3f}' for r in ratios)}). From the teacher's click to a "
        f"follower's step drawn ({len(delays)} in all): median {statistics.median(delays) * 1000:.0f} ms, p95 "
        f"{delays[int(0.95 * (len(delays) - 1))] * 1000:.0f} ms, max {delays[-1] * 1000:.0f} ms (with the page's hand-over "
        f"timer, up to {HAND_OVER_SECONDS:g} s); {errors} requests failed; the followers' moves drawn "
        f"whole (another lesson, a page's first move) rather than lean: {redraws}.",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
