"""Peak memory with the three default-shaped models loaded (GPT-2 small, BERT-base, DistilBERT), one
request each, measured in a fresh process as its resident set size (weights are memory-mapped, so pages count once touched).

    python -m benchmarks.memory
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import ROOT, default_shaped_models, table

PROBE = """
import json, os, sys
os.environ["HF_HUB_OFFLINE"] = "1"
sys.path.insert(0, {root!r})
def peak_mib():
    status = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return [int(status[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM")]
from playground.models import ModelManager
from playground.tasks import fill_mask, generation, sentiment
import gradio  # the app imports it too
after_imports = peak_mib()
manager = ModelManager({folders!r}, device="cpu")
steps = {{"after imports (torch, transformers, gradio)": after_imports}}
for task in ("generation", "fill-mask", "sentiment"):
    manager.get(task)
    steps[f"+ {{task}} model loaded"] = peak_mib()
generation.generate(manager.get("generation"), "a b c", generation.GenerationParams(20, temperature=0), 1000, 100)
fill_mask.fill_mask(manager.get("fill-mask"), "a [MASK] b", 5, 1000)
sentiment.classify(manager.get("sentiment"), "a b c", 1000)
steps["+ one request to each"] = peak_mib()
print(json.dumps(steps))
"""


def run(root: Path | None = None) -> str:
    folders = default_shaped_models(root or Path(tempfile.mkdtemp()))
    script = PROBE.format(root=str(ROOT), folders=folders)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    steps = json.loads(out.strip().splitlines()[-1])
    rows = [[step, f"{now:,.0f}", f"{peak:,.0f}"] for step, (now, peak) in steps.items()]
    return table(["step (one process, fp32 on CPU)", "resident MiB", "peak resident MiB"], rows)


if __name__ == "__main__":
    print(run())
