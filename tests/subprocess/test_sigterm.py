"""Issue 16, point 14: a server stopped with SIGTERM (systemd, docker, Spaces) removes its downloads folder."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import queue_call

ROOT = Path(__file__).resolve().parents[2]


def test_sigterm_removes_the_downloads_folder(tiny_model_dirs, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TMPDIR": str(temp), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "playground.cli", "--port", str(port), "--device", "cpu"]
    for task, folder in tiny_model_dirs.items():
        command += [f"--{task}-model", folder]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(url + "config", timeout=5) as response:
                    config = json.load(response)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"the app did not start: {server.stdout.read().decode()[-3000:]}")
        files = {c["id"] for c in config["components"] if c.get("type") == "file"}
        [classify_all] = [
            d for d in config["dependencies"] if files & set(d["inputs"]) and len(d["inputs"]) == 3
        ]
        answer = queue_call(
            url, classify_all["id"], ["What a lovely day.\nThe lesson was boring.", None, None]
        )
        assert answer["success"] is True, answer
        [downloads] = list(temp.glob("playground-downloads-*"))
        assert list(downloads.rglob("*.csv"))  # the table to download is there
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=60)
    assert code == 128 + signal.SIGTERM
    assert not downloads.exists()
