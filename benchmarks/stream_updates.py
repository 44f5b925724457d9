"""What one streamed update costs the app: the same greedy `/generate` stream from two checkouts' apps (this one
and `--baseline-dir`), read from the event stream; the app's CPU time and the updates it sent per stream.

    python -m benchmarks.stream_updates --baseline-dir /path/to/other/checkout [--model DIR] [--tokens 200]
        [--rounds 3] [--port 7828]

Each app runs with one PyTorch thread (OMP_NUM_THREADS=1), so that its CPU time is work done, not OpenMP threads
spinning while they wait: a measure that holds on a busy machine, where wall-clock ratios do not. The CPU saved
per update left out is (baseline CPU - this CPU) / (baseline updates - this updates), per round. Without
`--model`, a GPT-2-small-shaped model (random weights) with 2 layers: its tokens come fast enough for a pace to
matter even on a busy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.common import default_shaped_models, table
from benchmarks.lone_stream import contextlib_exit_all, process_cpu, prompt_of
from benchmarks.serving import App


def two_layers(folder: Path, into: Path) -> Path:
    """The model in `folder` with its first 2 layers only, saved in `into`."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(folder)
    model.transformer.h = model.transformer.h[:2]
    model.config.n_layer = 2
    model.save_pretrained(into)
    AutoTokenizer.from_pretrained(folder).save_pretrained(into)
    return into


def run(
    baseline_dir: Path, model: Path | None = None, tokens: int = 200, rounds: int = 3, port: int = 7828
) -> str:
    import httpx

    if model is None:
        scratch = Path(tempfile.mkdtemp())
        model = two_layers(default_shaped_models(scratch, ("generation",))["generation"], scratch / "gpt2-2")
    os.environ["OMP_NUM_THREADS"] = "1"  # the apps inherit it
    apps = {
        "baseline": App({"generation": model}, port + 1, None, checkout=baseline_dir),
        "this checkout": App({"generation": model}, port, None),
    }

    def read(http: httpx.Client, prompt: str) -> tuple[str, int]:
        data = [prompt, tokens, 0.0, 50, 1.0, 1.0, 0, 1]
        event_id = http.post("gradio_api/call/generate", json={"data": data}).json()["event_id"]
        event, text, updates = None, None, 0
        with http.stream("GET", f"gradio_api/call/generate/{event_id}") as answer:
            for line in answer.iter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event in ("generating", "complete"):
                    text, updates = json.loads(line[5:])[0][0]["generated_text"], updates + 1
                elif event == "error":
                    raise RuntimeError(f"/generate failed: {line}")
        return text, updates

    measured: dict[str, list[tuple[float, int, float]]] = {
        name: [] for name in apps
    }  # (CPU s, updates, wall s)
    mismatches = 0
    with contextlib_exit_all(apps.values()):
        https = {name: httpx.Client(base_url=app.url, timeout=900) for name, app in apps.items()}
        for name in apps:  # warm-up: the model loads, the engine's thread starts
            read(https[name], prompt_of(1000))
        for round_ in range(rounds):
            texts = []
            for name, app in apps.items():
                cpu, start = process_cpu(app.process.pid), time.perf_counter()
                text, updates = read(https[name], prompt_of(round_))
                measured[name].append(
                    (process_cpu(app.process.pid) - cpu, updates, time.perf_counter() - start)
                )
                texts.append(text)
            mismatches += len(set(texts)) != 1
            print(round_, {name: values[-1] for name, values in measured.items()}, flush=True)
    rows = [
        [
            name,
            f"{statistics.median(cpu for cpu, _, _ in values):.2f}",
            f"{statistics.median(updates for _, updates, _ in values):.0f}",
            f"{statistics.median(wall for _, _, wall in values):.1f}",
        ]
        for name, values in measured.items()
    ]
    saved = [
        (b[0] - t[0]) / (b[1] - t[1]) * 1000
        for b, t in zip(measured["baseline"], measured["this checkout"], strict=True)
        if b[1] != t[1]
    ]
    notes = (
        f"- {tokens} greedy new tokens, {rounds} rounds, medians; texts differing between the apps: {mismatches}.\n"
        f"- CPU saved per update left out, per round: {', '.join(f'{ms:.1f} ms' for ms in saved) or '–'}.\n"
        f"- Load average (1 / 5 / 15 min) at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}."
    )
    headers = ["app", "CPU s per stream", "updates per stream", "wall s per stream"]
    return table(headers, rows) + "\n\n" + notes


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline-dir", type=Path, required=True, help="the other checkout")
    parser.add_argument("--model", type=Path, help="a generation model folder (default: see above)")
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=7828, help="this app's port; the baseline's is the next")
    args = parser.parse_args()
    print(run(args.baseline_dir, args.model, args.tokens, args.rounds, args.port))


if __name__ == "__main__":
    main()
