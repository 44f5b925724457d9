"""A class of students using the playground at once, for locust (https://locust.io):

    locust -f benchmarks/class_load.py --host http://127.0.0.1:7860 --headless -u 60 -r 6 -t 5m --csv class

Each simulated student opens the page, then does what a lesson asks, with think times between actions: generate
48 tokens (streamed: "generate, first token" is the wait until the first token arrives), draw the next token,
fill a blank, classify a sentence, look at a layer's attention, look inside a head, and say something to the chat
model (32 new tokens). Every action goes through gradio's HTTP API as the page's requests do (submit, then read the answer's
stream), in one cookie jar per student, so a proxy with cookie stickiness (deploy/) sends a student to one replica.
Point --host at one process, at nginx in front of replicas, or at an app started with --generation-server.

Environment: CLASS_THINK_SECONDS="5,15" (the think time's range), CLASS_LANGUAGE=en|zh (the texts students type).
Locust's own table gives each action's p50/p95 and failures; a failure is an HTTP error, an `event: error` in the
stream, or an answer that never completes.
"""

from __future__ import annotations

import os
import random
import time

from locust import HttpUser, between, task

THINK = tuple(float(s) for s in os.environ.get("CLASS_THINK_SECONDS", "5,15").split(","))
TEXTS = {
    "en": {
        "prompt": "Once upon a time, a little robot",
        "mask": "The cat sat on the [MASK].",
        "review": "The lesson today was really fun and clear.",
        "sentence": "The students read the book in the library.",
        "chat": "What is a transformer?",
    },
    "zh": {
        "prompt": "从前，有一个小机器人",
        "mask": "今天天气很[MASK]。",
        "review": "今天的课很有意思，讲得也很清楚。",
        "sentence": "学生们在图书馆里读书。",
        "chat": "什么是 Transformer？",
    },
}[os.environ.get("CLASS_LANGUAGE", "en")]


class Student(HttpUser):
    wait_time = between(*THINK)

    def on_start(self):
        """Open the page (its HTML and config, as a browser does) and learn the endpoints' parameters."""
        self.client.get("/", name="open the page")
        self.client.get("/config", name="open the page, config")
        with self.client.get(
            "/gradio_api/info", name="open the page, API info", catch_response=True
        ) as answer:
            self.endpoints = answer.json()["named_endpoints"] if answer.ok else {}

    def call(self, api_name: str, name: str, first_event: str | None = None, **arguments) -> None:
        """One endpoint through gradio's submit-then-stream API, timed from the submit to the complete answer;
        with `first_event`, the wait until the stream's first update is reported too (as "<name>, first token")."""
        data = self._data(api_name, arguments)
        start = time.perf_counter()
        with self.client.post(
            f"/gradio_api/call/{api_name}", json={"data": data}, name=f"{name} (submit)", catch_response=True
        ) as submitted:
            if not submitted.ok:
                submitted.failure(f"HTTP {submitted.status_code}")
                return
            event_id = submitted.json()["event_id"]
        with self.client.get(
            f"/gradio_api/call/{api_name}/{event_id}", name=name, stream=True, catch_response=True
        ) as answer:
            event, first, complete = None, None, False
            try:
                for line in answer.iter_lines(decode_unicode=True):
                    if line.startswith("event:"):
                        event = line.split(":", 1)[1].strip()
                        if event == "generating" and first is None:
                            first = time.perf_counter() - start
                    elif line.startswith("data:") and event == "error":
                        answer.failure(f"the answer's stream says error: {line[5:].strip()[:200]}")
                        return
                    elif line.startswith("data:") and event == "complete":
                        complete = True
                        break
                if not complete:
                    answer.failure("the answer's stream ended without completing")
                    return
                answer.success()
            finally:  # locust times a streamed request until its headers; the action lasts until its answer
                answer.request_meta["response_time"] = (time.perf_counter() - start) * 1000
        if first_event is not None:
            self.environment.events.request.fire(
                request_type="SSE",
                name=f"{name}, first token",
                response_time=(first if first is not None else time.perf_counter() - start) * 1000,
                response_length=0,
                exception=None,
                context={},
            )

    def _data(self, api_name: str, arguments: dict) -> list:
        """The endpoint's positional data: `arguments` by parameter name, each other parameter its default."""
        parameters = self.endpoints.get(f"/{api_name}", {}).get("parameters", [])
        return [arguments.get(p["parameter_name"], p.get("parameter_default")) for p in parameters]

    @task(3)
    def generate(self):
        self.call("generate", "generate 48 tokens", first_event="generating", prompt=TEXTS["prompt"],
                  max_new_tokens=48, seed=random.randrange(2**31))  # fmt: skip

    @task(2)
    def next_token(self):
        self.call("next_token", "next token", text=TEXTS["prompt"])

    @task(2)
    def fill_mask(self):
        self.call("fill_mask", "fill-mask", text=TEXTS["mask"])

    @task(2)
    def classify(self):
        self.call("classify", "classify", text=TEXTS["review"])

    @task(1)
    def attention(self):
        self.call("attention_view", "attention view", text=TEXTS["sentence"], model="fill-mask", view="head")

    @task(1)
    def inside(self):
        self.call("inside", "look inside", text=TEXTS["sentence"], model="generation", layer=1, head=1)

    @task(1)
    def chat(self):
        messages = [{"role": "user", "content": TEXTS["chat"]}]
        self.call("chat", "chat turn", first_event="generating", messages=messages,
                  max_new_tokens=32, seed=random.randrange(2**31))  # fmt: skip
