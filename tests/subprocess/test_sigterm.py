"""Issue 16, point 14: a server stopped with SIGTERM (systemd, docker, Spaces) removes its downloads folder."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from tests.helpers import free_port, queue_call, start_app

ROOT = Path(__file__).resolve().parents[2]


def test_sigterm_removes_the_downloads_folder(tiny_model_dirs, tmp_path):
    port = free_port()
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TMPDIR": str(temp), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "playground.cli", "--port", str(port), "--device", "cpu"]
    for task, folder in tiny_model_dirs.items():
        command += [f"--{task}-model", folder]
    server, url, config = start_app(command, port, ROOT, env)
    try:
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
