"""Serving: requests/s and latency of /fill_mask and /classify, batched vs unbatched, 1, 4 and 16 clients;
and /generate's total tokens/s and time to first token with the shared decoding engine vs one at a time vs
plain batched `model.generate`, 1, 4, 8 and 16 clients.

    python -m benchmarks.serving [--tiny] [--seconds 10] [--ports 7896 7897] [--results benchmarks/RESULTS.md]
                                 [--only encoders|generation] [--requests 2]

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

Generation ("Serving: generation"): a GPT-2-small-shaped model (GPT2Config() defaults, random weights, the
50,257-entry vocabulary), 48 new tokens after a 16-token prompt, sampling (temperature 0.8, top-k 50, top-p
0.95), every request its own seed (so no two are the same request). Two apps side by side: one with the engine
(`--max-generation-batch 16`) and one with `--max-generation-batch 0` (each generation decodes in its own
request's thread, taking turns on the model: the path before the engine). N clients each send --requests
requests back to back through the streaming API (POST /gradio_api/call/generate, then the event stream);
time to first token is until the first streamed update. The ceiling is plain `model.generate` in this
process with N rows in one batch. Then, in this process, 16 concurrent generations through an Engine
(prompts of 4 to 16 tokens) are compared token by token with each generation alone, to count the tokens that
batching changed: once with the prompts that join together prefilled in one padded forward pass (the default),
once with each prompt prefilled alone.
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
import uuid
from pathlib import Path

import httpx
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402
    SAMPLING,
    default_shaped_models,
    in_a_thread,
    sampled_generate,
)
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
    """`python app.py` of a checkout (this one by default) in a subprocess on `port`, with the given models,
    batch size (None: the app's default) and other flags."""

    def __init__(
        self,
        models: dict[str, Path],
        port: int,
        max_batch_size: int | None,
        *extra: str,
        checkout: Path = ROOT,
        env: dict[str, str] | None = None,
    ):
        flags = [arg for task, folder in models.items() for arg in (f"--{task}-model", str(folder))]
        command = [sys.executable, "app.py", "--port", str(port)]
        if max_batch_size is not None:
            command += ["--max-batch-size", str(max_batch_size)]
        command += list(extra)
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", **(env or {})}
        if checkout != ROOT:  # its own playground package, not this one's
            env["PYTHONPATH"] = str(checkout)
        self.url = f"http://127.0.0.1:{port}/"
        self.process = subprocess.Popen(
            command + flags, cwd=checkout, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def __enter__(self) -> App:
        try:
            wait_for_200(self.url, timeout=600)
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


# --- Generation ------------------------------------------------------------------------------------------

GENERATION_CLIENTS = (1, 4, 8, 16)
NEW_TOKENS = 48
PROMPT = "a b c d e f g h i j k l m n o p"  # 16 single-byte tokens in the benchmark's byte-level vocabulary


def stream_generate(
    http: httpx.Client, url: str, seed: int, session: str | None = None, tokens: int | None = None
) -> tuple[float, float]:
    """One streamed /generate request of `tokens` (NEW_TOKENS) new tokens, in the client's `session` (as a page
    or a `gradio_client.Client` sends all its requests in one): seconds to the first streamed update, and to
    the end."""
    data = [
        PROMPT,
        tokens or NEW_TOKENS,
        SAMPLING["temperature"],
        SAMPLING["top_k"],
        SAMPLING["top_p"],
        1.0,
        seed,
        1,
    ]
    start = time.perf_counter()
    response = http.post(f"{url}gradio_api/call/generate", json={"data": data, "session_hash": session})
    response.raise_for_status()
    first = None
    with http.stream("GET", f"{url}gradio_api/call/generate/{response.json()['event_id']}") as events:
        for line in events.iter_lines():
            if first is None and line.startswith(("event: generating", "event: complete")):
                first = time.perf_counter() - start
            if line.startswith("event: error"):
                raise RuntimeError(f"/generate failed: {line}")
    return first, time.perf_counter() - start


def measure_generation(url: str, clients: int, requests: int, seeds) -> dict[str, float]:
    """`clients` threads each send `requests` streamed generations back to back; total tokens/s, latencies."""
    connections = [httpx.Client(timeout=600) for _ in range(clients)]
    stream_generate(connections[0], url, next(seeds))  # warm up: the model loads on first use
    first_tokens, totals = [], []
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)

    def client(http: httpx.Client, my_seeds: list[int]) -> None:
        session = uuid.uuid4().hex  # one per client: gradio sets up a session's state once
        stream_generate(http, url, -1, session, tokens=1)  # the session opens (a page loads) before the start
        start_line.wait()
        for seed in my_seeds:
            first, total = stream_generate(http, url, seed, session)
            with lock:
                first_tokens.append(first)
                totals.append(total)

    work = [[next(seeds) for _ in range(requests)] for _ in range(clients)]
    threads = [threading.Thread(target=client, args=(c, w)) for c, w in zip(connections, work, strict=True)]
    for thread in threads:
        thread.start()
    start_line.wait()
    begin = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begin
    for connection in connections:
        connection.close()
    return {
        "tps": len(totals) * NEW_TOKENS / elapsed,
        "ttft_p50": statistics.median(first_tokens),
        "ttft_p95": _p95(first_tokens),
        "total_p50": statistics.median(totals),
    }


def median_of(measures: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the rounds."""
    return {key: statistics.median(m[key] for m in measures) for key in measures[0]}


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


_CEILING_MODELS: dict[str, tuple] = {}


def batched_generate_tps(folder: str, rows: int, repeats: int = 2) -> float:
    """Plain `model.generate` with `rows` sampled rows in one batch, in this process: total tokens/s (the best
    of `repeats`, after a short warm-up; the model is loaded once)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if folder not in _CEILING_MODELS:
        _CEILING_MODELS[folder] = (
            AutoModelForCausalLM.from_pretrained(folder).eval(),
            AutoTokenizer.from_pretrained(folder),
        )
    model, tokenizer = _CEILING_MODELS[folder]
    ids = tokenizer(PROMPT, return_tensors="pt").input_ids.repeat(rows, 1)
    with torch.inference_mode():
        model.generate(
            ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=4,
            do_sample=False,
            pad_token_id=model.config.eos_token_id,
        )
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        sampled_generate(model, ids, NEW_TOKENS, model.config.eos_token_id)
        rates.append(rows * NEW_TOKENS / (time.perf_counter() - start))
    return max(rates)


def token_agreement(folder: str, batched_prefill: bool, requests: int = 16) -> tuple[int, int, int]:
    """`requests` concurrent sampled generations (each its own seed, prompts of 4 to 16 tokens: the batch pads)
    through an Engine, compared with each one alone: (tokens that differ, tokens compared, requests whose text
    differs). `batched_prefill`: the prompts that join together are prefilled in one forward pass, or each
    alone."""
    from playground.engine import Engine
    from playground.models import ModelManager
    from playground.tasks.generation import GenerationParams, generate

    loaded = ModelManager({"generation": folder}, device="cpu").get("generation")
    engine = Engine(loaded, max_rows=requests, batched_prefill=batched_prefill)
    params = [GenerationParams(NEW_TOKENS, **SAMPLING, seed=seed) for seed in range(requests)]
    prompts = [" ".join(PROMPT.split()[: 4 + i % 13]) for i in range(requests)]
    together: list = [None] * requests

    def run(i: int) -> None:
        together[i] = generate(loaded, prompts[i], params[i], 10_000, NEW_TOKENS, engine=engine).token_ids

    threads = [threading.Thread(target=run, args=(i,)) for i in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    differing = compared = texts = 0
    for i in range(requests):
        alone = generate(loaded, prompts[i], params[i], 10_000, NEW_TOKENS).token_ids
        compared += len(alone)
        differing += sum(a != b for a, b in zip(alone, together[i], strict=False))
        differing += abs(len(alone) - len(together[i]))
        texts += alone != together[i]
    return differing, compared, texts


def generation_section(models: dict[str, str], ports, requests: int, rounds: int = 3) -> str:
    seeds = iter(range(10**9))
    rows = []
    with App(models, ports[0], 16, "--max-generation-batch", "0") as single:
        with App(models, ports[1], 16, "--max-generation-batch", "16") as engine:
            for clients in GENERATION_CLIENTS:
                runs = {"one": [], "shared": [], "ceiling": []}
                for _ in range(rounds):  # interleaved, so that a slow moment of the machine hits all three
                    runs["one"].append(measure_generation(single.url, clients, requests, seeds))
                    runs["shared"].append(measure_generation(engine.url, clients, requests, seeds))
                    runs["ceiling"].append(
                        in_a_thread(batched_generate_tps, models["generation"], clients, 1)
                    )
                one, shared = median_of(runs["one"]), median_of(runs["shared"])
                ceiling = statistics.median(runs["ceiling"])
                rows.append((clients, one, shared, ceiling))
                print(
                    f"generation x{clients}: one at a time {one} | engine {shared} | generate {ceiling:.1f}",
                    flush=True,
                )
    agreement = []
    for batched_prefill, scheme in (
        (True, "batched prefill (the default)"),
        (False, "prompts prefilled alone"),
    ):
        differing, compared, texts = in_a_thread(token_agreement, models["generation"], batched_prefill)
        agreement.append(
            f"Tokens changed by batching, {scheme}: {differing} of {compared} ({differing / compared:.2%}); "
            f"{texts} of 16 texts differ from the same request alone"
        )
    lines = [
        "| clients | one at a time tok/s | engine tok/s | batched `generate` tok/s | engine / one at a time | "
        "engine / `generate` | TTFT p50 / p95 s: one at a time | TTFT p50 / p95 s: engine | request p50 s: "
        "one at a time / engine |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for clients, one, shared, ceiling in rows:
        lines.append(
            f"| {clients} | {one['tps']:.1f} | {shared['tps']:.1f} | {ceiling:.1f} | "
            f"{shared['tps'] / one['tps']:.2f}× | {shared['tps'] / ceiling:.0%} | "
            f"{one['ttft_p50']:.2f} / {one['ttft_p95']:.2f} | {shared['ttft_p50']:.2f} / {shared['ttft_p95']:.2f} | "
            f"{one['total_p50']:.1f} / {shared['total_p50']:.1f} |"
        )
    agreement[-1] += (
        " (16 concurrent sampled requests, prompts of 4 to 16 tokens, through one Engine in this process, each "
        "compared with its generation alone)."
    )
    by_clients = {clients: (one, shared, ceiling) for clients, one, shared, ceiling in rows}
    goals = []
    if 16 in by_clients:
        one, shared, ceiling = by_clients[16]
        goals += [
            f"16 clients, engine vs one at a time: {shared['tps'] / one['tps']:.2f}× (goal ≥ 4×)",
            f"16 clients, engine vs batched `generate`: {shared['tps'] / ceiling:.0%} (goal ≥ 70%)",
            f"16 clients, p95 time to first token: {shared['ttft_p95']:.2f} s (goal ≤ 1.5 s; one at a time "
            f"{one['ttft_p95']:.1f} s)",
        ]
    if 1 in by_clients:
        one, shared, ceiling = by_clients[1]
        goals.append(
            f"1 client, engine through the API vs plain `generate`: {shared['tps'] / ceiling:.2f}× (goal ≥ 0.95×; "
            f"one at a time {one['tps'] / ceiling:.2f}×)"
        )
    return "\n".join(lines) + "\n\n" + "\n".join(f"- {goal}" for goal in goals + agreement)


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
    parser.add_argument(
        "--only", choices=("encoders", "generation"), help="one part: /fill_mask + /classify, or /generate"
    )
    parser.add_argument(
        "--requests", type=int, default=2, help="generation: streamed requests per client (48 tokens each)"
    )
    parser.add_argument("--tokens", type=int, default=NEW_TOKENS, help="generation: new tokens per request")
    parser.add_argument("--rounds", type=int, default=3, help="generation: rounds per cell (their median)")
    args = parser.parse_args()
    globals()["NEW_TOKENS"] = args.tokens  # the tiny models' context is 64 tokens: use --tokens 32 there

    root = Path(tempfile.mkdtemp(prefix="playground-serving-"))
    if args.tiny:
        models = build_all(root)
        kind = "the test suite's tiny models (2 layers, 32 wide)"
    else:  # only the models measured: the app loads models on first use
        tasks = {"encoders": ("fill-mask", "sentiment"), "generation": ("generation",)}
        wanted = [args.only] if args.only else list(tasks)
        models = default_shaped_models(root, tuple(t for part in wanted for t in tasks[part]))
        kind = "BertConfig() / DistilBertConfig() defaults (bert-base, distilbert-base sizes) with random weights"
    cpu = platform.processor() or platform.machine()
    machine = (
        f"{os.cpu_count()} CPU cores ({cpu}), torch {torch.__version__}, {torch.get_num_threads()} threads"
    )
    if args.only != "generation":
        encoders_section(args, models, kind, machine)
    if args.only != "encoders":
        command = f"python -m benchmarks.serving{' --tiny' if args.tiny else ''} --only generation"
        body = (
            f"`{command} --requests {args.requests} --tokens {args.tokens} --rounds {args.rounds}` on {machine}; "
            + generation_notes(args.requests, args.rounds)
            + "\n\n"
            + generation_section(models, args.ports, args.requests, args.rounds)
        )
        print("\n" + body)
        write_section(args.results, "Serving: generation", body)
    print(f"\nwritten to {args.results}")


def generation_notes(requests: int, rounds: int) -> str:
    return (
        "model: GPT2Config() defaults (GPT-2 small, 124M parameters) with random weights. "
        f"{NEW_TOKENS} new tokens after a 16-token prompt, sampling (temperature 0.8, top-k 50, top-p 0.95), each "
        f"request its own seed; each client sends {requests} streamed /generate requests back to back. Engine: "
        "`--max-generation-batch 16` (one shared decoding loop, every generation a row of one batch); one at a "
        "time: `--max-generation-batch 0` (each generation decodes in its own request's thread, 4 admitted at "
        "a time, taking turns on the model: the path before the engine); batched `generate`: plain "
        "`model.generate` with that many rows in one batch, in the benchmark's process (the ceiling; no HTTP, "
        "no streaming). TTFT: from sending the request to its first streamed update. Each cell is the median "
        f"of {rounds} rounds, the three variants interleaved (`generate`: one run per round, after a short warm-up). "
        "Each client keeps one gradio session for its requests (as a page or a `gradio_client.Client` does), "
        "opened by a 1-token request before the start (as a page loads before its first click). "
        "The clients run on the same machine as both servers."
    )


def encoders_section(args, models, kind: str, machine: str) -> None:
    rows = []
    with App(models, args.ports[0], 1) as single, App(models, args.ports[1], BATCH_SIZE) as batched:
        for api_name in ("/fill_mask", "/classify"):
            for clients in CONCURRENCY:
                one = measure(single.url, api_name, clients, args.seconds)
                many = measure(batched.url, api_name, clients, args.seconds)
                rows.append((api_name, clients, one, many))
                print(f"{api_name} x{clients}: unbatched {one} | batched {many}", flush=True)

    body = (
        f"`python -m benchmarks.serving{' --tiny' if args.tiny else ''} --seconds {args.seconds:g}` on "
        f"{machine}; "
        f"models: {kind}. Batched: `--max-batch-size {BATCH_SIZE}` (gradio batch=True, one forward pass per "
        "batch); unbatched: `--max-batch-size 1` (one request per forward pass, up to 4 at a time taking turns "
        "on the model). Clients send requests back to back over HTTP (gradio's REST API); short sentences "
        "(9 to 16 tokens). The clients run on the same machine as both servers; with one client nothing is "
        "batched, and the two columns differ only by noise.\n\n" + table(rows)
    )
    print("\n" + body)
    write_section(args.results, "Serving", body)


if __name__ == "__main__":
    main()
