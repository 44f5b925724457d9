"""Issue 30, point 1, for the Experiments tab: the tokenizer lab, activation patching and head ablation each run
their worst allowed request in a fresh process, and the process's peak resident memory (VmHWM, reset just
before the request) may rise at most BUDGET_MB above where it was (as tests/subprocess/test_training_memory.py
does for the trainings). Worst allowed: the tokenizer lab on the longest text of characters that are all
different, with the largest vocabulary and every pair merged; patching two prompts as long as patching reads,
every layer at every position; ablation of every head at once on the longest text the views keep, with the
most top-n. The same requests at real model sizes are in benchmarks/sessions.py's worst-case table."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUDGET_MB = 500
SCRIPT = r"""
import json, sys
from pathlib import Path

import torch

torch.set_num_threads(1)
from playground.models import ModelManager
from playground.settings import Settings
from playground.tasks.experiments import ablation, common, patching, tokenizer_lab

limits = Settings()
folders = json.loads(sys.argv[1])
manager = ModelManager({task: folder for task, folder in folders.items()}, "cpu")


def words(count, first="the"):
    return " ".join([first] + ["cat sat on the mat and the dog ran".split()[i % 9] for i in range(count - 1)])


def fitted(loaded, text, tokens):
    # the longest prefix of `text`'s words that the model reads as at most `tokens` tokens (specials included)
    kept = text.split()
    while len(common.read(loaded, common.prepared_text(loaded, " ".join(kept)), limits.max_input_chars, 10**6)[0]) > tokens:
        kept.pop()
    return " ".join(kept)


def request(kind, task, worst):
    if kind == "tokenizer_lab":
        if not worst:
            return lambda: tokenizer_lab.train("the cat sat\n" * 20, limits.max_input_chars)
        points = range(0x4E00, 0x4E00 + limits.max_input_chars)
        text = "".join(chr(p) + ("\n" if i % 60 == 59 else "") for i, p in enumerate(points))[: limits.max_input_chars]
        return lambda: tokenizer_lab.train(text, limits.max_input_chars, tokenizer_lab.MAX_VOCAB, 1)
    loaded = manager.get(task)
    mask = loaded.tokenizer.mask_token + " " if task == "fill-mask" else ""
    if kind == "ablation":
        heads = common.parts_of(loaded.model)
        every = ", ".join(f"{l}.{h}" for l in range(1, heads.num_layers + 1) for h in range(1, heads.num_heads + 1))
        text = mask + words(limits.max_input_chars // 4)[: limits.max_input_chars - len(mask)] if worst else mask + "the cat"
        return lambda: ablation.ablate(
            loaded, text, limits.max_input_chars, limits.max_attention_tokens, every, "mean", ablation.MAX_TOP_N
        )
    tokens = min(patching.MAX_PATCH_TOKENS, loaded.context_length) if worst else 6
    clean = fitted(loaded, mask + words(200), tokens)
    corrupted = clean.replace("the", "a", 1) if not mask else clean.replace(" the", " a", 1)
    return lambda: patching.patch(loaded, clean, corrupted, limits.max_input_chars)


def status(field):
    lines = Path("/proc/self/status").read_text().splitlines()
    return int(next(line for line in lines if line.startswith(field)).split()[1]) // 1024


def attempt(run):
    try:
        return run()
    except Exception as error:  # a refusal (two answers alike on random weights) still ran the passes
        return error


for case in sys.argv[2:]:
    kind, task = case.split(":")
    attempt(request(kind, task, False))  # the model loaded, the passes warmed up
    run = request(kind, task, True)
    before = status("VmRSS:")
    Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from here
    result = attempt(run)
    measured = {"before": before, "peak": status("VmHWM:"), "result": type(result).__name__}
    print(json.dumps({"case": case, **measured, "said": str(result)[:200]}), flush=True)
"""
RESULTS = {"tokenizer_lab": "TrainedTokenizer", "ablation": "Ablation", "patching": "Patching"}


CASES = [
    "tokenizer_lab:-",
    "ablation:generation",
    "ablation:fill-mask",
    "patching:generation",
    "patching:fill-mask",
]


def test_the_worst_allowed_experiments_stay_within_the_memory_budget(tiny_model_dirs):
    """One process runs the five requests one after the other (imports once), each peak reset before it."""
    folders = {task: tiny_model_dirs[task] for task in ("generation", "fill-mask")}
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(folders), *CASES],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    measured = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert [m["case"] for m in measured] == CASES
    for m in measured:
        kind = m["case"].split(":")[0]
        assert m["result"] in (RESULTS[kind], "InputError"), m
        rise = m["peak"] - m["before"]
        assert rise < BUDGET_MB, f"{m['case']} took {rise} MB above the {m['before']} MB before it"
