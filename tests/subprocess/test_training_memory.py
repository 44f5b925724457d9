"""Issue 30, point 1: what one training request may allocate is bounded, whatever its text. Each training runs
its worst allowed request in a fresh process (100,000 characters that are all different, the most a server
allows by default; the largest model size the page offers; fine-tuning: the most examples, the longest
sentences and the largest batch), and the process's peak resident memory (VmHWM, reset just before the
request) may rise at most BUDGET_MB above where it was. Before the vocabulary cap and the chunked evaluation,
/train_tiny alone took about 3.6 GB here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUDGET_MB = 500
SCRIPT = r"""
import json, sys
from pathlib import Path

import torch

torch.set_num_threads(1)
from playground.models import ModelManager
from playground.tasks import training, training_mlm

kind, size, classifier = sys.argv[1], sys.argv[2], sys.argv[3]
limits = training.TrainingLimits()
points = (p for p in range(0x4E00, 0x4E00 + 2 * limits.max_chars) if not 0xD800 <= p < 0xE000)
text = "".join(chr(p) for _i, p in zip(range(limits.max_chars), points))  # all different
assert len(set(text)) == limits.max_chars
story = training.builtin_text("en")


def run(kind, text, steps):
    if kind == "train_tiny":
        settings = training.TinySettings(steps=steps, size=size, sample_every=steps)
        return training.last(training.train_tiny(text, settings, limits))
    if kind == "pretrain_mlm":
        settings = training_mlm.MlmSettings(steps=steps, size=size, probe_every=steps)
        return training.last(training_mlm.pretrain_mlm(text, settings, limits))
    loaded = ModelManager({"sentiment": classifier}, "cpu").get("sentiment")
    if text is story:
        examples = training.builtin_examples("en")
    else:  # the most examples, each as long as allowed, in the largest batch
        sentence = ("a good day " * 100)[:1000]
        examples = [training.Example(sentence[: 1000 - len(str(i))] + str(i), "ab"[i % 2]) for i in range(500)]
    settings = training.FineTuneSettings(epochs=1, batch_size=training.MAX_BATCH, seed=0)
    return training.last(training.fine_tune(loaded, examples, settings, limits, evaluate_on_training=True))


def status(field):
    lines = Path("/proc/self/status").read_text().splitlines()
    return int(next(line for line in lines if line.startswith(field)).split()[1]) // 1024


run(kind, story, 1)  # everything imported and warmed up
before = status("VmRSS:")
Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from here
result = run(kind, text, 2)
print(json.dumps({"before": before, "peak": status("VmHWM:"), "steps": len(result.losses)}))
"""


@pytest.mark.parametrize(
    ("kind", "size"),
    [("train_tiny", "medium"), ("pretrain_mlm", "medium"), ("fine_tune", "-")],  # the page's largest size
)
def test_the_worst_allowed_training_request_stays_within_the_memory_budget(tiny_model_dirs, kind, size):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-c", SCRIPT, kind, size, str(tiny_model_dirs["sentiment"])]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    assert measured["steps"] >= 2
    rise = measured["peak"] - measured["before"]
    assert rise < BUDGET_MB, f"{kind} ({size}) took {rise} MB above the {measured['before']} MB before it"
