"""benchmarks/class_load.py, the class-of-60 scenario for locust, against the served app: each student action
answers without a failure (called one by one, in one student's cookie jar), and locust itself runs the scenario
for a few seconds with three students and counts no failure.

Locust is only ever imported in a child process: importing it monkey-patches sockets and threads (gevent), which
would stall the app this test process serves.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("locust") is None, reason="locust is not installed (pip install -e '.[test]')"
)

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "CLASS_THINK_SECONDS": "0.2,0.5", "PYTHONPATH": str(ROOT)}
ONE_STUDENT = """
import json, sys
from locust.env import Environment
from benchmarks.class_load import Student

environment = Environment(user_classes=[Student])
environment.create_local_runner()  # the runner is what records requests in environment.stats
student = type("OneStudent", (Student,), {"host": sys.argv[1]})(environment)
student.on_start()
for action in ("generate", "next_token", "fill_mask", "classify", "attention", "inside", "chat"):
    getattr(student, action)()
print(json.dumps({
    "endpoints": len(student.endpoints),
    "entries": {name: entry.num_failures for (name, _), entry in environment.stats.entries.items()},
    "ms": {name: entry.total_response_time for (name, _), entry in environment.stats.entries.items()},
    "errors": [str(error.error) for error in environment.stats.errors.values()],
}))
"""


def test_every_action_of_a_student_answers(app_url):
    finished = subprocess.run(
        [sys.executable, "-c", ONE_STUDENT, app_url.rstrip("/")],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr[-3000:]
    report = json.loads(finished.stdout.strip().splitlines()[-1])
    assert report["endpoints"], "the scenario reads the endpoints' parameters from /gradio_api/info"
    failed = {name: count for name, count in report["entries"].items() if count}
    assert not failed, f"actions failed: {failed} {report['errors']}"
    names = set(report["entries"])
    assert {"generate 48 tokens", "generate 48 tokens, first token", "chat turn, first token"} <= names
    assert len([name for name in names if name.endswith("(submit)")]) == 7
    ms = report["ms"]  # an action is timed from its submit to its complete answer, after its first token
    assert ms["generate 48 tokens"] >= ms["generate 48 tokens, first token"] > 0
    assert ms["chat turn"] >= ms["chat turn, first token"] > 0


def test_locust_runs_the_scenario_with_no_failure(app_url, tmp_path):
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks" / "class_load.py"), "--headless"]
    command += [
        "-u",
        "3",
        "-r",
        "3",
        "-t",
        "15s",
        "--host",
        app_url.rstrip("/"),
        "--csv",
        str(tmp_path / "run"),
    ]
    finished = subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=180)
    rows = list(csv.DictReader((tmp_path / "run_stats.csv").open()))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    assert int(total["Request Count"]) >= 10, finished.stderr[-2000:]
    assert int(total["Failure Count"]) == 0, finished.stderr[-3000:]
