"""benchmarks/class_setups.py, the class-of-60 driver, in its parts that need no model: every process group it
started is gone after `stop_all` (a child that ignores SIGTERM included), deploy/nginx.conf becomes a whole
configuration nginx accepts, locust's final statistics are read as locust reports them, and the table names
the first token's p95 and counts a failed submit as the action's failure. (The driver itself runs minutes:
`python -m benchmarks.class_setups --users 6 --minutes 1` at small scale.)"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from argparse import Namespace
from pathlib import Path

import psutil
import pytest

from benchmarks.class_setups import Processes, Run, nginx_config, percentile, read_stats, report

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# A parent that ignores SIGTERM and a child of its own, both in the group Processes makes for it.
STUBBORN = """
import signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
print(child.pid, flush=True)
time.sleep(300)
"""
LOCUST_PERCENTILES = """
import json, sys
from locust.stats import calculate_response_time_percentile as p
cases = json.loads(sys.argv[1])
print(json.dumps([p({int(k): n for k, n in t.items()}, sum(t.values()), share) for t, share in cases]))
"""


def gone(pid: int, seconds: float = 10) -> bool:
    """The process has ended (or is a zombie waiting for its reaper) within `seconds`: a signal's delivery
    to another process is not instant."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def test_stop_all_ends_each_process_group_child_processes_included(tmp_path):
    processes = Processes(tmp_path)
    parent = processes.start("stubborn", [sys.executable, "-c", STUBBORN])
    deadline = time.monotonic() + 30
    while not (tmp_path / "stubborn.log").read_text().strip() and time.monotonic() < deadline:
        time.sleep(0.1)
    child = int((tmp_path / "stubborn.log").read_text().split()[0])
    assert not gone(child, seconds=0)
    processes.stop_all(grace=1)
    assert parent.returncode is not None and gone(parent.pid)
    assert gone(child), "the child in the group goes with its parent"
    assert processes.started == []


@pytest.mark.skipif(
    not Path(NGINX).exists(), reason="nginx is missing: install Debian's nginx package (CI does)"
)
def test_the_recipe_becomes_a_configuration_nginx_accepts(tmp_path):
    config = nginx_config([17001, 17002], 17003, tmp_path)
    assert "server 127.0.0.1:17001;" in config and "server 127.0.0.1:17002;" in config
    assert "listen 127.0.0.1:17003;" in config and "hash $cookie_playground_replica consistent;" in config
    (tmp_path / "nginx.conf").write_text(config)
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr


def test_percentiles_are_locusts():
    """The same as locust's own function, computed in a child process (importing locust patches sockets)."""
    cases = [({"100": 50, "200": 40, "1000": 9, "5000": 1}, share) for share in (0.5, 0.95, 0.99, 1.0)]
    cases += [({"4000": 10, "9000": 8}, 0.5), ({"4000": 10, "9000": 8}, 0.95), ({"70": 1}, 0.95)]
    theirs = subprocess.run(
        [sys.executable, "-c", LOCUST_PERCENTILES, json.dumps(cases)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert theirs.returncode == 0, theirs.stderr[-2000:]
    ours = [percentile(times, sum(times.values()), share) for times, share in cases]
    assert ours == json.loads(theirs.stdout) == [200, 1000, 5000, 5000, 4000, 9000, 70]


def entry(name: str, method: str, times: dict, failures: int = 0) -> dict:
    return {
        "name": name,
        "method": method,
        "num_requests": sum(times.values()),
        "num_failures": failures,
        "response_times": times,
        "start_time": 1000.0,
        "last_request_timestamp": 1010.0,
    }


def test_the_table_names_the_first_token_and_counts_failed_submits(tmp_path):
    path = tmp_path / "locust.json"
    path.write_text(
        json.dumps(
            [
                entry("generate 48 tokens (submit)", "POST", {"10": 20}, failures=2),
                entry("generate 48 tokens", "GET", {"4000": 10, "9000": 8}),
                entry("generate 48 tokens, first token", "SSE", {"800": 17, "2900": 1}),
            ]
        )
    )
    stats = read_stats(path)
    assert stats["generate 48 tokens"] == {"count": 18, "failures": 0, "p50": 4000, "p95": 9000}
    assert stats["all requests"]["count"] == 56 and stats["all requests"]["per_second"] == pytest.approx(5.6)
    runs = [
        Run("one", stats, ["app answered 5 s after its start"]),
        Run("vllm", error="RuntimeError: vLLM exited"),
    ]
    text = report(runs, Namespace(users=60, minutes=3))
    assert "| generate 48 tokens | 4000 | 9000 | 2/20 | failed |" in text
    assert "| **generate 48 tokens, first token** | 800 | 2900 | 0/18 |" in text
    assert "**p95 first token, generate 48 tokens**: one process 2900 ms" in text
    assert "FAILED: RuntimeError: vLLM exited" in text
