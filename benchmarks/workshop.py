"""Workshop mode: what N followers (students whose pages follow a teacher) cost the server, and how much they slow
a generation running at the same time.

    python -m benchmarks.workshop [--followers 60] [--seconds 20] [--rounds 3] [--port 7899] [--demo | model flags]

The app runs in a subprocess (`python app.py --admin-password …`; --demo's tiny models unless model flags are
given, e.g. --generation-model DIR). A teacher starts leading through the page's own event (the queue, as the
page sends it); each simulated follower opens the join link as a page does (the page-load event, with
?follow=<code>), then polls as its page's timer does: the `tick` event (ui/lessons.py follow_tick) over plain HTTP, once per
POLL_SECONDS (jittered), outside the queue, each follower its own gradio session. The teacher moves once a few
seconds into each window, so every follower fetches one new step too.

Measured, with and without the followers, in interleaved rounds (median of --rounds): the server process's CPU
(user + system seconds per second, psutil; 1.0 = one core busy) and resident memory, the followers' poll latency,
and the wall time of one streamed /generate request (GENERATION_TOKENS new tokens, greedy) running meanwhile.
The goal of issue 27: a generation slowed by at most 5%. On a shared, busy machine these numbers are noisy:
rerun on a quiet one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
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
POLL_SECONDS = 1.0  # ui/lessons.py POLL_SECONDS
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
            if message.get("msg") == "process_completed":
                if not message.get("success"):
                    raise RuntimeError(f"event {fn_index} failed: {message}")
                return message["output"]["data"]
    raise RuntimeError(f"event {fn_index}: the stream ended early")


def direct(http: httpx.Client, url: str, fn_index: int, data: list, session: str) -> list:
    """One page event outside the queue (POST run/predict), as the page's timer sends it."""
    body = {
        "data": data,
        "fn_index": fn_index,
        "session_hash": session,
        "event_data": None,
        "trigger_id": None,
    }
    response = http.post(f"{url}gradio_api/run/predict", json=body)
    response.raise_for_status()
    return response.json()["data"]


class Class:
    """A led class on the app: the teacher's session and the join code."""

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
        self.step = 0

    def move(self) -> None:
        """The teacher clicks Next (Previous at the end of the lesson): followers fetch the new step."""
        name = "next_lesson_step" if self.step == 0 else "previous_lesson_step"
        queued(
            self.http,
            self.url,
            dependency(self.config, name)["id"],
            [self.lesson, None, [], None],
            self.teacher,
        )
        self.step = 1 - self.step


class Followers:
    """N followers' pages: each joined once, then polling once a second (jittered) while in a `with` block. The
    polls are sent by one asyncio loop in a thread (lighter on the machine than a thread per follower)."""

    def __init__(self, url: str, config: dict, code: str, count: int):
        self.url, self.config, self.code = url, config, code
        self.tick = dependency(config, "tick")["id"]
        self.sessions = [uuid.uuid4().hex[:10] for _ in range(count)]
        self.latencies: list[float] = []
        self.errors = 0
        self.stop = threading.Event()
        http = httpx.Client(timeout=120)
        opened = dependency(config, "open_page")["id"]
        for session in self.sessions:  # each opens the join link (the page-load event reads ?follow=)
            queued(http, url, opened, [[]], session, f"?follow={code}")
        self.thread: threading.Thread | None = None

    async def poll(self, http: httpx.AsyncClient, session: str) -> None:
        await asyncio.sleep(random.random() * POLL_SECONDS)
        body = {"data": [None, None], "fn_index": self.tick, "session_hash": session}
        while not self.stop.is_set():
            start = time.perf_counter()
            try:
                response = await http.post(f"{self.url}gradio_api/run/predict", json=body)
                response.raise_for_status()
                self.latencies.append(time.perf_counter() - start)
            except httpx.HTTPError:
                self.errors += 1
            await asyncio.sleep(
                max(0.0, POLL_SECONDS - (time.perf_counter() - start)) * random.uniform(0.9, 1.1)
            )

    async def run(self) -> None:
        limits = httpx.Limits(max_connections=len(self.sessions) + 4)
        async with httpx.AsyncClient(timeout=30, limits=limits) as http:
            await asyncio.gather(*(self.poll(http, session) for session in self.sessions))

    def __enter__(self):
        self.stop.clear()
        self.latencies = []
        self.thread = threading.Thread(target=asyncio.run, args=(self.run(),), daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=30)


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


def cpu_per_poll(process: psutil.Process, url: str, followers: Followers, polls: int = 300) -> float:
    """Server CPU seconds per follower poll, from `polls` polls sent one after another (CPU time, not wall
    time: it holds on a busy machine too). Times 60 per second, the cores 60 followers keep busy."""
    http = httpx.Client(timeout=30)
    body = {"data": [None, None], "fn_index": followers.tick}
    before = process.cpu_times()
    for i in range(polls):
        response = http.post(
            f"{url}gradio_api/run/predict",
            json=body | {"session_hash": followers.sessions[i % len(followers.sessions)]},
        )
        response.raise_for_status()
    after = process.cpu_times()
    return ((after.user + after.system) - (before.user + before.system)) / polls


def window(process: psutil.Process, url: str, seconds: float, led: Class | None) -> dict[str, float]:
    """`seconds` of the server's CPU and memory, with generations back to back; the teacher moves once."""
    cpu_before, start = process.cpu_times(), time.perf_counter()
    children = process.children(recursive=True)
    generations, moved = [], False
    while time.perf_counter() - start < seconds:
        generations.append(generate_seconds(url))
        if led is not None and not moved and time.perf_counter() - start > seconds / 3:
            led.move()
            moved = True
    cpu_after, elapsed = process.cpu_times(), time.perf_counter() - start
    busy = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
    rss = process.memory_info().rss + sum(c.memory_info().rss for c in children if c.is_running())
    return {"cpu": busy / elapsed, "rss_mb": rss / 2**20, "generate_s": statistics.median(generations)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--followers", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3)
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
        per_poll = cpu_per_poll(process, url, followers)
        alone, together, polls = [], [], []
        for _round in range(args.rounds):
            alone.append(window(process, url, args.seconds, None))
            with followers:
                together.append(window(process, url, args.seconds, led))
            polls += followers.latencies
        report(args, alone, together, polls, followers.errors)
        print(
            f"Server CPU per poll (300 sent one after another): {per_poll * 1000:.2f} ms, so {args.followers} "
            f"followers polling every {POLL_SECONDS:g} s keep {per_poll * args.followers / POLL_SECONDS:.2f} cores busy."
        )
        print(
            f"Load generator (this process): {time.process_time():.1f} s of CPU in all; machine: "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
        )
    finally:
        server.terminate()
        server.wait(timeout=60)


def report(args, alone: list[dict], together: list[dict], polls: list[float], errors: int) -> None:
    def median(rows, key):
        return statistics.median(row[key] for row in rows)

    slowdown = median(together, "generate_s") / median(alone, "generate_s") - 1
    polls = sorted(polls) or [0.0]
    lines = [
        f"## Workshop: {args.followers} followers ({args.rounds} rounds of {args.seconds:g} s, medians)",
        "",
        "| | alone | with followers |",
        "|---|---|---|",
        f"| server CPU (cores busy) | {median(alone, 'cpu'):.2f} | {median(together, 'cpu'):.2f} |",
        f"| server memory (MB) | {median(alone, 'rss_mb'):.0f} | {median(together, 'rss_mb'):.0f} |",
        f"| one /generate of {GENERATION_TOKENS} tokens (s) | {median(alone, 'generate_s'):.3f} | "
        f"{median(together, 'generate_s'):.3f} |",
        "",
        f"Generation slowed by {slowdown:+.1%} (goal: at most +5%). Polls: {len(polls)}, "
        f"median {statistics.median(polls) * 1000:.1f} ms, p95 {polls[int(0.95 * (len(polls) - 1))] * 1000:.1f} ms, "
        f"{errors} failed.",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
