"""Classroom and hosting set-up: LAN addresses with a QR code, and the Hugging Face Spaces files."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from playground import network

ROOT = Path(__file__).resolve().parents[2]


def test_student_urls_only_when_listening_on_the_network(monkeypatch):
    monkeypatch.setattr(network, "lan_addresses", lambda: ["192.168.1.20", "10.0.0.5"])
    assert network.student_urls("127.0.0.1", 7860) == []
    assert network.student_urls("localhost", 7860) == []
    assert network.student_urls("0.0.0.0", 8080) == ["http://192.168.1.20:8080/", "http://10.0.0.5:8080/"]


def test_qr_codes_for_page_and_terminal():
    assert network.qr_svg("http://192.168.1.20:7860/").startswith("<svg")
    assert "█" in network.qr_terminal("http://192.168.1.20:7860/") or "▀" in network.qr_terminal("http://x/")


def test_host_0000_prints_the_urls_and_a_qr_code(tiny_model_dirs):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "app.py", "--host", "0.0.0.0", "--port", "0"]
    command += ["--generation-model", tiny_model_dirs["generation"]]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        lines, deadline = [], time.monotonic() + 60
        while time.monotonic() < deadline and not any("▀" in line or "█" in line for line in lines):
            lines.append(server.stdout.readline())
        output = "".join(lines)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    expected = [f"http://{address}:" for address in network.lan_addresses()]
    if expected:
        assert "Students on this network can open" in output and all(url in output for url in expected)


def test_requirements_txt_equals_pyproject_dependencies():
    block = re.search(
        r"^dependencies = \[(.*?)^\]", (ROOT / "pyproject.toml").read_text(), re.DOTALL | re.MULTILINE
    )
    pyproject = re.findall(r'"([^"]+)"', block.group(1))
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    requirements = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert sorted(requirements) == sorted(pyproject)


def test_readme_front_matter_describes_the_space():
    readme = (ROOT / "README.md").read_text()
    front = re.match(r"---\n(.*?)\n---\n", readme, re.DOTALL)
    assert front, "README.md must start with the Spaces front matter"
    fields = dict(line.split(": ", 1) for line in front.group(1).splitlines())
    import gradio

    assert fields["sdk"] == "gradio" and fields["app_file"] == "app.py"
    assert fields["sdk_version"] == gradio.__version__
    assert fields["python_version"].strip('"') >= "3.10"


def test_handlers_are_declared_to_spaces_gpu_when_the_package_is_there(monkeypatch):
    import importlib
    import types

    import playground.ui.events as common

    assert common.on_gpu(len) is len  # without the spaces package: unchanged
    wrapped = []
    fake = types.ModuleType("spaces")
    fake.GPU = lambda fn: wrapped.append(fn) or fn
    monkeypatch.setitem(sys.modules, "spaces", fake)
    try:
        importlib.reload(common)
        assert common.on_gpu(len) is len and wrapped == [len]
    finally:
        monkeypatch.delitem(sys.modules, "spaces")
        importlib.reload(common)
