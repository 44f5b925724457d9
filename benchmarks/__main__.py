"""Run the benchmarks and write benchmarks/RESULTS.md: `python -m benchmarks [--quick]`.

Serving (`python -m benchmarks.serving`, two app servers side by side) runs on its own and writes its own
section; this keeps it.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import tempfile
import time
from pathlib import Path

from benchmarks.common import machine

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
# (module, title, keyword arguments for a quick run)
SECTIONS = [
    ("generation", "Generation speed (batch 1, CPU)", {"rounds": 2, "compile_fast_path": False}),
    ("engine", "Engine overhead (in one process)", {"rounds": 2}),
    ("startup", "Start-up", {}),
    ("memory", "Memory", {}),
    ("attention", "Attention", {"repeats": 1}),
    ("training", "Training (CPU)", {"steps": 10, "fine_tune_steps": 2, "seconds": 3.0}),
    ("question_answering", "Question answering (CPU)", {"repeats": 1}),
    ("evaluation", "Evaluate", {"repeats": 2}),
    ("experiments", "Experiments", {}),
    ("dtype", "CPU precision", {"tokens": 8, "rounds": 1, "rows": 4, "train_steps": 2}),
]


def kept_sections(replaced: set[str]) -> list[str]:
    """The sections of the present RESULTS.md that this run does not measure (e.g. Serving, run on its own)."""
    if not RESULTS.exists():
        return []
    sections = RESULTS.read_text().split("\n## ")[1:]
    return [
        "## " + section.strip() for section in sections if section.split("\n", 1)[0].strip() not in replaced
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds, no torch.compile variant")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp())
    parts = [
        "# Benchmark results",
        f"Written by `python -m benchmarks` on {datetime.date.today()}. Machine: {machine()}.",
        "Each table is measured side by side in one run; compare ratios, not absolute numbers, across runs.",
    ]
    for module, title, quick in SECTIONS:
        start = time.perf_counter()
        kwargs = quick if args.quick else {}
        run = importlib.import_module(f"benchmarks.{module}").run
        body = run(root=root, **kwargs) if "root" in run.__code__.co_varnames else run(**kwargs)
        parts.append(
            f"## {title}\n\n{body}\n\n_(`python -m benchmarks.{module}`, {time.perf_counter() - start:.0f} s)_"
        )
        print(parts[-1], flush=True)
    parts += kept_sections({title for _, title, _ in SECTIONS})
    RESULTS.write_text("\n\n".join(parts) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
