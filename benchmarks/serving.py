"""Serving: requests/s and latency of /fill_mask and /classify, batched vs unbatched, 1, 4 and 16 clients.

    python -m benchmarks.serving [--tiny] [--seconds 10] [--ports 7896 7897] [--results benchmarks/RESULTS.md]

Two copies of the app run side by side, one with --max-batch-size 16 (gradio batches requests that wait in
the queue into one forward pass) and one with --max-batch-size 1 (each request on its own, the way the app
served before batching). Each cell of the table is measured on one of them while the other sits idle:
N clients (threads, each with its own HTTP connection to gradio's REST API: POST /gradio_api/call/<name>,
then read the event stream; lighter than gradio_client, so the load generator takes less of the CPU it shares
with the server) send requests back to back for --seconds.

The models are real-shaped and offline: BertConfig() and DistilBertConfig() defaults (bert-base and
distilbert-base sizes: 110M and 67M parameters, 512 positions, a 30,522-entry WordPiece vocabulary) with
random weights; the answers are meaningless but the work per request is the real one. --tiny uses the test
suite's tiny models instead (fast, but then the numbers mostly measure gradio's overhead).
The markdown table is printed and written under the heading "Serving" in --results (other sections kept).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import default_shaped_models  # noqa: E402
from benchmarks.startup import wait_for_200  # noqa: E402
from playground.tiny_models import build_all  # noqa: E402

BATCH_SIZE = 16
CONCURRENCY = (1, 4, 16)
SENTENCES = [
    "the cat sat on the [MASK] .",
    "paris is the [MASK] of france .",
    "once upon a time , in a small [MASK] , there lived a teacher .",
    "the best way to learn a [MASK] is to speak it every day .",
    "the quick brown fox jumps over the lazy [MASK] .",
    "students ask questions , and the [MASK] answers them .",
    "i loved this [MASK] , the actors were wonderful .",
    "the food was cold and the [MASK] was slow .",
]


class App:
    """`python app.py` in a subprocess on `port`, with the given models and batch size."""

    def __init__(self, models: dict[str, Path], port: int, max_batch_size: int):
        flags = [arg for task, folder in models.items() for arg in (f"--{task}-model", str(folder))]
        command = [sys.executable, "app.py", "--port", str(port), "--max-batch-size", str(max_batch_size)]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
        self.url = f"http://127.0.0.1:{port}/"
        self.process = subprocess.Popen(
            command + flags, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def __enter__(self) -> App:
        try:
            wait_for_200(self.url, timeout=300)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def request_for(api_name: str, i: int) -> list:
    """The i-th request's positional parameters, cycling through SENTENCES."""
    text = SENTENCES[i % len(SENTENCES)]
    return [text.replace("[MASK]", "day")] if api_name == "/classify" else [text, 5, None]


def call(http: httpx.Client, url: str, api_name: str, data: list) -> None:
    """One request through gradio's REST API: POST the parameters, then read the event stream to the end."""
    response = http.post(f"{url}gradio_api/call{api_name}", json={"data": data})
    response.raise_for_status()
    stream = http.get(f"{url}gradio_api/call{api_name}/{response.json()['event_id']}").text
    if "event: complete" not in stream:
        raise RuntimeError(f"{api_name} failed: {stream[:300]}")


def measure(url: str, api_name: str, clients: int, seconds: float) -> dict[str, float]:
    """`clients` threads send requests back to back for `seconds`; throughput and latency percentiles."""
    connections = [httpx.Client(timeout=120) for _ in range(clients)]
    call(connections[0], url, api_name, request_for(api_name, 0))  # warm up: the model loads on first use
    latencies: list[float] = []
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)

    def client(index: int, http: httpx.Client) -> None:
        start_line.wait()
        i = index
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            call(http, url, api_name, request_for(api_name, i))
            with lock:
                latencies.append(time.perf_counter() - t0)
            i += clients

    threads = [threading.Thread(target=client, args=(i, c)) for i, c in enumerate(connections)]
    for thread in threads:
        thread.start()
    begin = time.perf_counter()
    deadline = begin + seconds
    start_line.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begin  # includes the requests still running at the deadline
    for connection in connections:
        connection.close()
    quantiles = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else latencies * 19
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": quantiles[18] * 1000,
    }


def table(rows: list[tuple[str, int, dict, dict]]) -> str:
    lines = [
        "| endpoint | clients | unbatched req/s | batched req/s | speed-up | unbatched p50 / p95 ms | "
        "batched p50 / p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for api_name, clients, single, batch in rows:
        lines.append(
            f"| `{api_name}` | {clients} | {single['rps']:.1f} | {batch['rps']:.1f} | "
            f"{batch['rps'] / single['rps']:.2f}× | {single['p50']:.0f} / {single['p95']:.0f} | "
            f"{batch['p50']:.0f} / {batch['p95']:.0f} |"
        )
    return "\n".join(lines)


def write_section(path: Path, heading: str, body: str) -> None:
    """Replace (or add) the `## heading` section of a markdown file, keeping the others."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    section = f"## {heading}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    text = (
        pattern.sub(lambda _: section + "\n", text)
        if pattern.search(text)
        else text.rstrip() + "\n\n" + section
    )
    path.write_text(text.rstrip() + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--tiny", action="store_true", help="the tests' tiny models instead of real-shaped ones"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measuring time per cell")
    parser.add_argument("--ports", type=int, nargs=2, default=(7896, 7897), help="for the two apps")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="playground-serving-"))
    if args.tiny:
        models = build_all(root)
        kind = "the test suite's tiny models (2 layers, 32 wide)"
    else:  # the generation model is never loaded here: the app loads models on first use
        models = default_shaped_models(root, ("fill-mask", "sentiment"))
        kind = "BertConfig() / DistilBertConfig() defaults (bert-base, distilbert-base sizes) with random weights"

    rows = []
    with App(models, args.ports[0], 1) as single, App(models, args.ports[1], BATCH_SIZE) as batched:
        for api_name in ("/fill_mask", "/classify"):
            for clients in CONCURRENCY:
                one = measure(single.url, api_name, clients, args.seconds)
                many = measure(batched.url, api_name, clients, args.seconds)
                rows.append((api_name, clients, one, many))
                print(f"{api_name} x{clients}: unbatched {one} | batched {many}", flush=True)

    cpu = platform.processor() or platform.machine()
    body = (
        f"`python -m benchmarks.serving{' --tiny' if args.tiny else ''} --seconds {args.seconds:g}` on "
        f"{os.cpu_count()} CPU cores ({cpu}), torch {torch.__version__}, {torch.get_num_threads()} threads; "
        f"models: {kind}. Batched: `--max-batch-size {BATCH_SIZE}` (gradio batch=True, one forward pass per "
        "batch); unbatched: `--max-batch-size 1` (one request per forward pass, up to 4 at a time taking turns "
        "on the model). Clients send requests back to back over HTTP (gradio's REST API); short sentences "
        "(9 to 16 tokens). The clients run on the same machine as both servers; with one client nothing is "
        "batched, and the two columns differ only by noise.\n\n" + table(rows)
    )
    print("\n" + body)
    write_section(args.results, "Serving", body)
    print(f"\nwritten to {args.results}")


if __name__ == "__main__":
    main()
