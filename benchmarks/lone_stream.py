"""One stream alone: a streamed `/generate` through `gradio_client` against plain `model.generate` on the same
prompt (greedy, the GPT-2-small shape with random weights), rounds interleaved; the goal is >= 0.95x.

    python -m benchmarks.lone_stream [--tokens 128] [--rounds 5] [--baseline-dir /path/to/other/checkout] [--events]
        [--port 7828] [--baseline-port PORT (default: the next one)]

The app runs in a subprocess (`app.py --max-generation-batch 16`: the shared engine, as served by default) with
the model folder given; `model.generate` runs in this process, in a thread, while the app sits idle. With
`--baseline-dir`, a second app runs from that checkout (e.g. the code before a change), on the next port, and is
measured in the same rounds: before and after side by side. Each round uses a prompt of its own (the engine
replays a finished identical request from a cache), the same for every variant of the round; the apps' texts are
checked to equal `model.generate`'s.

With `--events`, each app is also read a second way: its REST API's event stream (POST /gradio_api/call/generate,
then GET the events), each update parsed as it arrives, as a browser's EventSource does. `gradio_client`'s
`Job` iterator looks for a new update every millisecond (a `time.sleep(0.001)` loop, in the measuring process,
while the model computes); this reader waits on the socket instead, so the two rows tell the app's own cost from
that client's. A third row waits for the result as `client.predict` does (`Job.result()`: no update read on the
way, so no polling loop). A fourth reads the protocol gradio_client speaks (join the queue, then the session's
message stream) as it comes, without gradio_client's own client-side work.

One more row runs `model.generate` again with gradio_client's waiting loops beside it, in a process of their own
and with nothing to read (`client_polling`): what the `Job` iterator's own polling costs a computation on the same
cores, whatever serves it.

A second table says where each stream's time went, from the apps' PLAYGROUND_TIMING lines (playground/timing.py)
and the reader's own clock (time.monotonic(), the same clock in both processes): from the submit to gradio's
queue, to the engine, to the first token, the engine's decoding per token, and from the last token to the
answer read.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from benchmarks.common import default_shaped_models, in_a_thread, table
from benchmarks.serving import App


def prompt_of(round_: int) -> str:
    """16 single-byte tokens, different in each round."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return " ".join(letters[(round_ * 7 + i) % 26] for i in range(8)) + f" {round_ % 10}"


POLLED = "model.generate, gradio_client's polling beside it"


def client_polling(ready, stop) -> None:
    """gradio_client's waiting loops (2.7) while a `Job` is iterated, with nothing to read: `Job.__next__` looks at
    the job's outputs under its lock every millisecond, the session's message loop (`stream_sse_v1plus`) and the
    cancel check (`check_for_cancel`) every 50 ms."""
    lock = threading.Lock()

    def every(seconds: float) -> None:
        while not stop.is_set():
            with lock:
                pass
            time.sleep(seconds)

    loops = [threading.Thread(target=every, args=(0.05,)) for _ in range(2)]
    for loop in loops:
        loop.start()
    ready.set()
    every(0.001)
    for loop in loops:
        loop.join()


def run(
    tokens: int = 128,
    rounds: int = 5,
    baseline_dir: Path | None = None,
    port: int = 7828,
    events: bool = False,
    baseline_port: int | None = None,
) -> str:
    import httpx
    import torch
    from gradio_client import Client

    from playground.models import ModelManager

    folder = default_shaped_models(Path(tempfile.mkdtemp()), ("generation",))["generation"]
    loaded = ModelManager({"generation": folder}, device="cpu").get("generation")
    model, tokenizer = loaded.model, loaded.tokenizer

    def generate(prompt: str) -> tuple[str, int]:
        ids = tokenizer(prompt, return_tensors="pt").input_ids
        with torch.inference_mode():
            out = model.generate(
                ids,
                attention_mask=torch.ones_like(ids),
                max_new_tokens=tokens,
                do_sample=False,
                pad_token_id=tokenizer.eos_token_id,
            )
        return tokenizer.decode(out[0], skip_special_tokens=True), out.shape[1] - ids.shape[1]

    spawn = multiprocessing.get_context("spawn")

    def start_polling():
        ready, stop = spawn.Event(), spawn.Event()
        poller = spawn.Process(target=client_polling, args=(ready, stop), daemon=True)
        poller.start()
        ready.wait()
        time.sleep(0.5)  # its start-up over
        return stop, poller

    timelines = Path(tempfile.mkdtemp())  # each app's PLAYGROUND_TIMING file

    def app(name: str, port_: int, **checkout) -> App:
        env = {"PLAYGROUND_TIMING": str(timelines / f"{name}.jsonl")}
        return App({"generation": folder}, port_, None, env=env, **checkout)

    apps = {"this checkout": app("this checkout", port)}
    if baseline_dir is not None:
        apps = {"baseline": app("baseline", baseline_port or port + 1, checkout=baseline_dir)} | apps
    with contextlib_exit_all(apps.values()):
        clients = {
            name: Client(app.url, verbose=False, httpx_kwargs={"timeout": 900}) for name, app in apps.items()
        }

        def greedy(prompt: str, seed: int) -> list:
            """/generate's arguments: greedy, one sample. Each reader has a seed of its own: the same greedy
            text, but not the request the engine just answered (it would replay it)."""
            return [prompt, tokens, 0.0, 50, 1.0, 1.0, seed, 1]

        def through(client, prompt: str) -> tuple[str, int]:
            job = client.submit(*greedy(prompt, 0), api_name="/generate")
            updates = 0
            for _update in job:  # the stream, update by update, as a client reads it
                updates += 1
            return job.result()[0]["generated_text"], updates

        def awaited(client, prompt: str) -> tuple[str, int]:
            # as client.predict: the result waited for, no update read on the way
            job = client.submit(*greedy(prompt, 2), api_name="/generate")
            text = job.result()[0]["generated_text"]
            return text, len(job.outputs())

        def through_events(http: httpx.Client, prompt: str) -> tuple[str, int]:
            data = greedy(prompt, 1)
            event_id = http.post("gradio_api/call/generate", json={"data": data}).json()["event_id"]
            event, text, updates = None, None, 0
            with http.stream("GET", f"gradio_api/call/generate/{event_id}") as answer:
                for line in answer.iter_lines():  # each update as it arrives
                    if line.startswith("event:"):
                        event = line.split(":", 1)[1].strip()
                    elif line.startswith("data:") and event in ("generating", "complete"):
                        text = json.loads(line[5:])[0][0]["generated_text"]
                        updates += 1
                    elif event == "error":
                        raise RuntimeError(f"/generate failed: {line}")
            return text, updates

        generate_index: dict[httpx.Client, int] = {}  # /generate's fn_index in each app's config

        def through_queue(http: httpx.Client, prompt: str) -> tuple[str, int]:
            """The protocol gradio_client speaks (join the queue, read the session's message stream), read as it
            comes: gradio_client's own client-side work (its polling, a new HTTP client per call) left out."""
            session = uuid.uuid4().hex
            join = {"data": greedy(prompt, 3), "event_data": None, "fn_index": generate_index[http]}
            http.post("gradio_api/queue/join", json=join | {"trigger_id": None, "session_hash": session})
            text, updates = None, 0
            with http.stream("GET", "gradio_api/queue/data", params={"session_hash": session}) as answer:
                for line in answer.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    message = json.loads(line[5:])
                    updates += message["msg"] in ("process_generating", "process_completed")
                    if message["msg"] == "process_completed":
                        if not message.get("success"):
                            raise RuntimeError(f"/generate failed: {line}")
                        text = message["output"]["data"][0][0]["generated_text"]
                        break
            return text, updates

        readers = {name: (through, client) for name, client in clients.items()}
        served_by = {name: app for name, app in apps.items()}
        for name, app in apps.items():
            readers[f"{name}, awaited"] = (awaited, clients[name])
            served_by[f"{name}, awaited"] = app
        if events:
            for name, app in apps.items():
                http = httpx.Client(base_url=app.url, timeout=900)
                readers[f"{name}, events"] = (through_events, http)
                served_by[f"{name}, events"] = app
                dependencies = http.get("config").json()["dependencies"]
                generate_index[http] = next(d["id"] for d in dependencies if d.get("api_name") == "generate")
                readers[f"{name}, queue"] = (through_queue, http)
                served_by[f"{name}, queue"] = app
        for read, client in readers.values():  # warm-up: the model loads, the engine's thread starts
            read(client, prompt_of(1000))
        in_a_thread(generate, prompt_of(1000))
        seconds: dict[str, list[float]] = {"model.generate": [], POLLED: []} | {name: [] for name in readers}
        # CPU seconds per token: the app's process (forward passes and per-update work) and this one (the reader)
        app_cpu: dict[str, list[float]] = {name: [] for name in readers}
        client_cpu: dict[str, list[float]] = {"model.generate": [], POLLED: []} | {
            name: [] for name in readers
        }
        mismatches = 0
        messages: dict[str, list[int]] = {name: [] for name in readers}  # updates the reader got per stream
        spans: dict[str, list[dict[str, float]]] = {
            name: [] for name in readers
        }  # where each stream's time went
        for round_ in range(rounds):
            prompt = prompt_of(round_)
            start, cpu = time.perf_counter(), time.process_time()
            expected, produced = in_a_thread(generate, prompt)
            seconds["model.generate"].append((time.perf_counter() - start) / produced)
            client_cpu["model.generate"].append((time.process_time() - cpu) / produced)
            stop, poller = start_polling()
            start, cpu = time.perf_counter(), time.process_time()
            mismatches += in_a_thread(generate, prompt)[0] != expected
            seconds[POLLED].append((time.perf_counter() - start) / produced)
            client_cpu[POLLED].append((time.process_time() - cpu) / produced)
            stop.set()
            poller.join()
            for name, (read, client) in readers.items():
                app_start = process_cpu(served_by[name].process.pid)
                timeline = timelines / f"{name.split(',')[0]}.jsonl"  # its app's
                submitted = time.monotonic()
                start, cpu = time.perf_counter(), time.process_time()
                text, updates = in_a_thread(read, client, prompt)
                read_at = time.monotonic()
                seconds[name].append((time.perf_counter() - start) / produced)
                client_cpu[name].append((time.process_time() - cpu) / produced)
                app_cpu[name].append((process_cpu(served_by[name].process.pid) - app_start) / produced)
                messages[name].append(updates)
                spans[name].append(stream_spans(timeline, submitted, read_at, produced))
                mismatches += text != expected
            print(
                round_, {name: f"{1 / values[-1]:.1f} tok/s" for name, values in seconds.items()}, flush=True
            )

    def label(name: str) -> str:
        if name in ("model.generate", POLLED):
            return name
        if name.endswith(", events"):
            return f"/generate, its event stream read as it comes ({name.removesuffix(', events')})"
        if name.endswith(", queue"):
            return f"/generate, gradio_client's protocol read as it comes ({name.removesuffix(', queue')})"
        if name.endswith(", awaited"):
            return f"/generate via gradio_client, its result awaited as predict() does ({name.removesuffix(', awaited')})"
        return f"/generate via gradio_client ({name})"

    reference = statistics.median(seconds["model.generate"])
    rows = []
    for name, values in seconds.items():
        ratios = [g / v for g, v in zip(seconds["model.generate"], values, strict=True)]
        rows.append(
            [
                label(name),
                f"{1 / statistics.median(values):.1f}",
                f"{reference / statistics.median(values):.3f}×",
                ", ".join(f"{r:.2f}" for r in ratios),
                f"{statistics.median(app_cpu[name]) * 1000:.1f}" if name in app_cpu else "–",
                f"{statistics.median(client_cpu[name]) * 1000:.1f}",
                f"{statistics.median(messages[name]):.0f}" if name in messages else "–",
            ]
        )
    notes = (
        f"- {tokens} greedy new tokens after a 16-token prompt, GPT-2 small shape (random weights), median of "
        f"{rounds} interleaved rounds; texts differing from `model.generate`'s: {mismatches}.\n"
        "- CPU ms/token (medians): the app's whole process (its forward passes and every update's work), and "
        "this process while it reads (`model.generate`'s row: the model itself, run here).\n"
        f"- Load average (1 / 5 / 15 min) at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}."
    )
    headers = [
        "variant",
        "tokens/s",
        "vs model.generate (medians)",
        "per-round ratios",
        "app CPU ms/token",
        "reader's CPU ms/token",
        "updates per stream",
    ]
    return table(headers, rows) + "\n\n" + notes + "\n\n" + spans_table(spans)


SPANS = {  # where a stream's time goes: (column, ms per stream or per token)
    "to_queue": "submit → gradio's queue (ms)",
    "to_engine": "queue → handler → engine (ms)",
    "to_first_token": "engine → first token drawn (ms)",
    "decoding": "decoding, per token after the first (ms)",
    "to_answer": "last token → answer sent (ms)",
    "to_reader": "answer sent → result read (ms)",
}


def stream_spans(timeline: Path, submitted: float, read_at: float, produced: int) -> dict:
    """One stream's spans (SPANS, in ms) from its app's timing line and the reader's clock (both time.monotonic()):
    the line of the /generate submitted between `submitted` and `read_at` (the app writes it when its handler has
    ended, which may be just after the reader has its answer: waited for up to 2 s); empty where the app wrote
    none or it lacks a mark (an older checkout)."""
    marks = ("submitted", "first_record", "last_record", "completed_sent")
    for _attempt in range(40):
        lines = [json.loads(text) for text in timeline.read_text().splitlines() if text.strip()]
        mine = [
            line
            for line in lines
            if line["name"] == "generate" and submitted <= line.get("enqueued", 0) <= read_at
        ]
        if mine:
            break
        time.sleep(0.05)
    else:
        return {}
    line = mine[0]
    if not all(mark in line for mark in marks):
        return {}
    enqueued = line["enqueued"]
    return {
        "to_queue": enqueued - submitted,
        "to_engine": line["submitted"],
        "to_first_token": line["first_record"] - line["submitted"],
        "decoding": (line["last_record"] - line["first_record"]) / max(produced - 1, 1),
        "to_answer": line["completed_sent"] - line["last_record"],
        "to_reader": read_at - (enqueued + line["completed_sent"]),
    }


def spans_table(spans: dict[str, list[dict]]) -> str:
    """Per reader, the median of each span in ms."""
    rows = []
    for name, measured in spans.items():
        measured = [span for span in measured if span]
        if not measured:
            continue
        rows.append(
            [name] + [f"{statistics.median(span[key] for span in measured) * 1000:.1f}" for key in SPANS]
        )
    if not rows:
        return ""
    return "Where each stream's time went (medians):\n\n" + table(["reader", *SPANS.values()], rows)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class contextlib_exit_all:
    """Enter every app (start them all, then wait for each), exit them all."""

    def __init__(self, apps):
        self.apps = list(apps)

    def __enter__(self):
        entered = []
        try:
            for app in self.apps:
                entered.append(app.__enter__())
        except BaseException:
            for app in entered:
                app.__exit__()
            raise

    def __exit__(self, *exc):
        for app in self.apps:
            app.__exit__()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--port", type=int, default=7828)
    parser.add_argument("--baseline-dir", type=Path, help="another checkout whose app runs beside this one")
    parser.add_argument("--baseline-port", type=int, help="the baseline app's port (default: --port + 1)")
    parser.add_argument("--events", action="store_true", help="also read each app's event stream directly")
    args = parser.parse_args()
    print(run(args.tokens, args.rounds, args.baseline_dir, args.port, args.events, args.baseline_port))


if __name__ == "__main__":
    main()
