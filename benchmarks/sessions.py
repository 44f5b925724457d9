"""What visitors leave behind and what one request may take, at real model sizes (issue 30).

An app server (a subprocess) serves GPT-2-small-, BERT-base- and DistilBERT-shaped models (random weights, the
real shapes). Two measurements:

1. **One-off clients.** 200 clients, each a new session (as a script with gradio_client, or a page opened once),
   fetch /attention for a text of 128 tokens on the BERT-base-shaped model. The server keeps 200 sessions
   (--max-sessions): its resident memory before and after says what each left behind. Beside it, a server with
   gradio's own behaviour (each session keeping a copy of its answer; fewer clients, since each takes ~95 MB)
   and the per-visitor size of the Attention tab's state (float32 as before, float16 now).
2. **Worst-case peaks.** For each endpoint family, its largest allowed request (the longest text, the most new
   tokens and samples, every layer and head): the server's peak resident memory (VmHWM, reset before each
   request through /proc/PID/clear_refs) above its resident memory before the request.

    python -m benchmarks.sessions [--clients 200] [--results benchmarks/RESULTS.md]
    python -m benchmarks.sessions --part clients --clients 200    # the one-off clients alone
    python -m benchmarks.sessions --part peaks --only ablation    # some worst-case peaks alone

The tables are printed and written under the heading "Sessions and worst-case memory" in --results.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from benchmarks.common import ROOT, default_shaped_models, machine, table

HEADING = "Sessions and worst-case memory"
# The app's command line; with "keep" first, gradio's own behaviour: each session keeps a copy of its events'
# values (what playground/ui/blocks.py empties after each event).
LAUNCH = """
import sys
if sys.argv[1] == "keep":
    import playground.ui.blocks as blocks
    blocks.forget_values = lambda *args: None
from playground import cli
cli.main(sys.argv[2:])
"""
WORDS = "the cat sat on the mat and the dog ran in the park "


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def resident_mib(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MiB."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return tuple(int(status[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM"))


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS


def start(
    models: dict[str, str], mode: str, sessions: int, tries: int = 3
) -> tuple[subprocess.Popen, str, dict]:
    """The app server, started and past gradio's own start-up check (on a busy machine that check may time out
    and stop the server: it is started again)."""
    port = free_port()
    command = [sys.executable, "-c", LAUNCH, mode, "--port", str(port), "--device", "cpu"]
    command += ["--max-sessions", str(sessions)]
    for task, folder in models.items():
        command += [f"--{task}-model", folder]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    path = Path(tempfile.gettempdir()) / f"benchmarks-sessions-{mode}.log"
    with open(path, "w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and server.poll() is None:
        if "share=True" in path.read_text():  # gradio printed its last start-up line: launched
            with urllib.request.urlopen(url + "config", timeout=60) as response:
                return server, url, json.load(response)
        time.sleep(0.5)
    server.kill()
    server.wait()
    if tries > 1:
        return start(models, mode, sessions, tries - 1)
    raise RuntimeError(f"the app did not start: {path.read_text()[-2000:]}")


def one_off_call(url: str, fn_index: int, data: list, timeout: float = 600) -> dict:
    """One request in a new session, as the page's protocol sends it: {"success": whether it was answered}
    (an /attention answer at 128 tokens is ~50 MB of JSON: it is not parsed here)."""
    session = uuid.uuid4().hex
    body = json.dumps({"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None})
    join = urllib.request.Request(
        url + "gradio_api/queue/join", body.encode(), {"Content-Type": "application/json"}
    )
    urllib.request.urlopen(join, timeout=timeout).close()
    with urllib.request.urlopen(
        url + f"gradio_api/queue/data?session_hash={session}", timeout=timeout
    ) as stream:
        for line in stream:
            if line.startswith(b"data:") and b'"process_completed"' in line[:200]:
                return {"success": b'"success":true' in line[-400:].replace(b" ", b"")}
    raise RuntimeError("no answer")


def endpoint_index(config: dict, name: str) -> int:
    return next(d["id"] for d in config["dependencies"] if d.get("api_name") == name)


MILESTONE = 50  # the resident memory is kept every this many clients (0, 50, 100, ...)


def one_off_clients(
    models: dict[str, str], mode: str, clients: int, milestones: dict[int, float] | None = None
) -> tuple[float, float]:
    """Resident MiB the server gained over `clients` one-off /attention clients, and seconds per client.
    `milestones` (if given) receives client count -> the server's resident MiB at 0, 50, 100, ... and the end."""
    server, url, config = start(models, mode, max(clients, 1))
    milestones = {} if milestones is None else milestones
    try:
        index = endpoint_index(config, "attention")
        text = WORDS * 20  # well over 128 tokens: cut to --max-attention-tokens (128)
        for _warm_up in range(3):
            assert one_off_call(url, index, [text, "fill-mask", "encoder"])["success"]
        before = resident_mib(server.pid)[0]
        milestones[0] = before
        began = time.perf_counter()
        for client in range(1, clients + 1):
            assert one_off_call(url, index, [text, "fill-mask", "encoder"])["success"]
            if client % 10 == 0 or client == clients:  # as it goes: a long run can be read part-way
                resident = resident_mib(server.pid)[0]
                if client % MILESTONE == 0 or client == clients:
                    milestones[client] = resident
                elapsed = time.perf_counter() - began
                print(
                    f"  {client} clients: {resident:.1f} MiB resident, +{resident - before:.1f} MiB"
                    f" ({elapsed / client:.1f} s each)",
                    flush=True,
                )
        seconds = (time.perf_counter() - began) / clients
        return resident_mib(server.pid)[0] - before, seconds
    finally:
        server.kill()
        server.wait()


def attention_state_mib() -> list[list]:
    """The Attention tab's state per visitor: the (layers, heads, 128, 128) tensor of BERT-base."""
    shape = 12 * 12 * 128 * 128
    return [
        ["Attention tab's state, float32 (before)", f"{shape * 4 / 2**20:.1f}"],
        ["Attention tab's state, float16 (now)", f"{shape * 2 / 2**20:.1f}"],
    ]


def worst_requests() -> dict[str, tuple[str, dict]]:
    """Endpoint family -> (endpoint, its largest allowed request with the default limits)."""
    long_text = (WORDS * 100)[:5000]  # --max-input-chars
    prompt = (WORDS * 20)[:700]  # GPT-2's byte-level benchmark vocabulary: one token a character; +256 new
    return {
        "generation (/generate, 4 samples x 256 tokens)": (
            "generate",
            {"prompt": prompt, "max_new_tokens": 256, "num_samples": 4, "temperature": 1.0, "seed": 1},
        ),
        "next token (/next_token, top 100)": ("next_token", {"text": prompt + " " + prompt, "top_n": 100}),
        "fill-mask (/fill_mask, 5,000 chars)": (
            "fill_mask",
            {"text": "[MASK] " + long_text[7:], "top_k": 50},
        ),
        "sentiment (/classify, 5,000 chars)": ("classify", {"text": long_text}),
        "explain (/explain, 5,000 chars)": ("explain", {"text": long_text}),
        "attention (/attention, 128 tokens)": ("attention", {"text": long_text, "model": "fill-mask"}),
        "bertviz (/attention_view model view)": (
            "attention_view",
            {"text": long_text, "model": "fill-mask", "view": "model"},
        ),
        "tokenize (/tokenize, 5,000 chars)": ("tokenize", {"text": long_text, "model": "fill-mask"}),
        "inside (/inside, layer 12)": ("inside", {"text": long_text, "model": "fill-mask", "layer": 12}),
        "logit lens (/logit_lens, top 50)": (
            "logit_lens",
            {"text": prompt + " " + prompt, "model": "generation", "top_k": 50},
        ),
        **experiments_requests(long_text),
    }


def experiments_requests(long_text: str) -> dict[str, tuple[str, dict]]:
    """The Experiments tab's largest allowed requests: the tokenizer lab on 5,000 characters that are all
    different (the largest vocabulary, every pair merged), patching at 64 tokens (every layer at every position;
    on GPT-2's byte-level benchmark vocabulary one token a character), ablation of all 144 heads at 128 tokens."""
    distinct = "".join(chr(0x4E00 + i) + ("\n" if i % 60 == 59 else "") for i in range(5000))[:5000]
    clean = ("the cat sat on the mat " * 3)[:64]  # 64 characters: 64 tokens
    words = " ".join(
        ("the cat sat on the mat and the dog " * 8).split()[:61]
    )  # [CLS] [MASK] 61 [SEP]: 64 tokens
    every_head = ", ".join(f"{layer}.{head}" for layer in range(1, 13) for head in range(1, 13))
    return {
        "tokenizer lab (/train_tokenizer, 5,000 distinct chars, vocabulary 5,000)": (
            "train_tokenizer",
            {"text": distinct, "vocab_size": 5000, "min_frequency": 1},
        ),
        "patching (/patch, GPT-2, 64 tokens)": (
            "patch",
            {"clean": clean, "corrupted": "a" + clean[1:], "model": "generation"},
        ),
        "patching (/patch, BERT, 64 tokens)": (
            "patch",
            {
                "clean": "[MASK] " + words,
                "corrupted": "[MASK] " + words.replace("cat", "dog", 1),
                "model": "fill-mask",
            },
        ),
        "ablation (/ablate, GPT-2, 144 heads, 128 tokens)": (
            "ablate",
            {"text": long_text, "model": "generation", "heads": every_head, "mode": "mean", "top_n": 50},
        ),
        "ablation (/ablate, BERT, 144 heads, 128 tokens)": (
            "ablate",
            {
                "text": "[MASK] " + long_text[7:],
                "model": "fill-mask",
                "heads": every_head,
                "mode": "mean",
                "top_n": 50,
            },
        ),
    }


FIRST = ("attention", "fill_mask", "classify", "tokenize", "inside")  # the quick ones first


def worst_case_peaks(models: dict[str, str], only: str = "") -> list[list]:
    """The peak rows of the families whose name holds `only` (all by default)."""
    from gradio_client import Client

    server, url, _config = start(models, "forget", 200)
    rows = []
    try:
        client = Client(url, verbose=False)
        chosen = {family: found for family, found in worst_requests().items() if only in family}
        families = sorted(chosen.items(), key=lambda item: item[1][0] not in FIRST)
        for family, (endpoint, request) in families:
            try:  # the model loaded (two alike answers of random weights may be refused: loaded all the same)
                client.predict(**{**request, **small(endpoint)}, api_name=f"/{endpoint}")
            except Exception as error:
                print(f"{family}: the small request: {str(error)[:80]}", flush=True)
            before = resident_mib(server.pid)[0]
            reset_peak(server.pid)
            began = time.perf_counter()
            try:
                client.predict(**request, api_name=f"/{endpoint}")
                outcome = f"{time.perf_counter() - began:.1f} s"
            except Exception as error:  # a refusal is a result too: say it
                outcome = f"refused: {str(error)[:60]}"
            peak = resident_mib(server.pid)[1]
            rows.append([family, f"{peak - before:,.0f}", f"{peak:,.0f}", outcome])
            print(" | ".join(rows[-1]), flush=True)  # as it comes: a long run can be read part-way
    finally:
        server.kill()
        server.wait()
    return rows


def small(endpoint: str) -> dict:
    """Changes that make an endpoint's request quick (to load its model before measuring)."""
    if endpoint == "generate":
        return {"max_new_tokens": 2, "num_samples": 1}
    if endpoint == "train_tokenizer":
        return {"text": "the cat sat\n" * 20, "vocab_size": 300}
    if endpoint == "patch":
        return {"clean": "[MASK] the cat", "corrupted": "[MASK] the dog"}
    if endpoint == "ablate":
        return {"heads": "1.1"}
    return {}


def run(
    root: Path | None = None, clients: int = 200, kept_clients: int = 5, part: str = "all", only: str = ""
) -> str:
    models = default_shaped_models(root or Path(tempfile.gettempdir()) / "benchmarks-sessions-models")
    if part == "peaks":
        return peaks_table(worst_case_peaks(models, only))
    if part == "clients":
        milestones: dict[int, float] = {}
        gained, seconds = one_off_clients(models, "forget", clients, milestones)
        print(f"{clients} one-off clients: +{gained:.1f} MiB ({seconds:.1f} s each)", flush=True)
        return milestones_table(milestones, seconds)
    gained, seconds = one_off_clients(models, "forget", clients)
    print(f"{clients} one-off clients: +{gained:.1f} MiB ({seconds:.1f} s each)", flush=True)
    kept, kept_seconds = one_off_clients(models, "keep", kept_clients)
    print(
        f"{kept_clients} one-off clients, copies kept: +{kept:.1f} MiB ({kept_seconds:.1f} s each)",
        flush=True,
    )
    sessions = [
        [
            f"{clients} one-off /attention clients, 128 tokens (now)",
            f"{gained:,.1f}",
            f"{gained / clients:.2f}",
        ],
        [
            f"{kept_clients} one-off clients, gradio's copy of each answer kept (before)",
            f"{kept:,.1f}",
            f"{kept / kept_clients:.1f}",
        ],
    ]
    parts = [
        table(["BERT-base-shaped fill-mask model", "server gained (MiB)", "per client (MiB)"], sessions),
        table(["per visitor, kept up to an hour or until the page closes", "MiB"], attention_state_mib()),
        peaks_table(worst_case_peaks(models)),
        f"_({machine()}; one process serves the three models, fp32 on CPU; before each peak the family's model "
        "is loaded by a small request. Measured by `python -m benchmarks.sessions`.)_",
    ]
    return "\n\n".join(parts)


def milestones_table(milestones: dict[int, float], seconds: float) -> str:
    """The server's resident memory as one-off /attention clients come and go, and its gain since the start."""
    start_mib = milestones[0]
    rows = [
        [f"{count}", f"{resident:,.1f}", f"{resident - start_mib:+,.1f}"]
        for count, resident in sorted(milestones.items())
    ]
    return table(
        [
            f"one-off /attention clients, 128 tokens ({seconds:.1f} s a client)",
            "server resident (MiB)",
            "since 0 clients (MiB)",
        ],
        rows,
    )


def peaks_table(rows: list[list]) -> str:
    return table(
        [
            "endpoint family: largest allowed request",
            "peak above before (MiB)",
            "peak resident (MiB)",
            "time",
        ],
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument(
        "--part",
        choices=["all", "clients", "peaks"],
        default="all",
        help="clients: the one-off clients alone; peaks: the worst-case peaks alone (printed, not written)",
    )
    parser.add_argument("--only", default="", help="with --part peaks: the families whose name holds this")
    parser.add_argument("--results", type=Path, default=Path(__file__).resolve().parent / "RESULTS.md")
    args = parser.parse_args()
    body = run(clients=args.clients, part=args.part, only=args.only)
    print(body)
    if args.part != "all":
        return  # a part alone: printed, the section left as it is
    from benchmarks.serving import write_section

    write_section(args.results, HEADING, body)


if __name__ == "__main__":
    main()
