"""Issue 17, point 4: a school server. CI builds no image, so the Dockerfile is checked against the README (the
same install lines, the same run command), its health check is run against a real server, and the app is
served with --root-path behind a small reverse proxy that strips the prefix (tests/helpers.prefix_proxy).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import free_port, prefix_proxy, start_app

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "/playground"


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined, comments dropped."""
    lines = [line for line in dockerfile.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), " ".join(rest.split())))
    return found


def dockerfile() -> list[tuple[str, str]]:
    return instructions((ROOT / "Dockerfile").read_text())


def expanded(command: str, args: dict[str, str]) -> str:
    """A RUN line with its build arguments at their defaults."""
    return re.sub(r"\$\{?(\w+)\}?", lambda match: args[match.group(1)], command)


def build_args() -> dict[str, str]:
    return dict(arguments.split("=", 1) for keyword, arguments in dockerfile() if keyword == "ARG")


def readme_section(title: str) -> str:
    readme = (ROOT / "README.md").read_text()
    return re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", readme, re.DOTALL | re.MULTILINE).group(1)


def shell_lines(markdown: str) -> list[str]:
    """The commands of the ```bash blocks, comments dropped."""
    blocks = re.findall(r"```bash\n(.*?)```", markdown, re.DOTALL)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def test_the_dockerfile_installs_as_the_readme_says():
    args = build_args()
    runs = [arguments for keyword, arguments in dockerfile() if keyword == "RUN"]
    installs = [expanded(command, args) for command in runs if command.startswith("pip install")]
    readme = [
        line for line in shell_lines(readme_section("Install and run")) if line.startswith("pip install")
    ]
    assert installs == readme  # the same commands, in the same order: PyTorch's CPU build first
    assert "--index-url https://download.pytorch.org/whl/cpu" in installs[0]


def test_the_dockerfile_runs_what_the_readme_says_with_the_cache_it_mounts():
    steps = dockerfile()
    [cmd] = [json.loads(arguments) for keyword, arguments in steps if keyword == "CMD"]
    section = readme_section("A school server")
    commands = shell_lines(section)
    assert shlex.join(cmd) in commands  # the run command the README names
    assert cmd[:2] == ["playground", "--offline"] and "0.0.0.0" in cmd
    env = " ".join(arguments for keyword, arguments in steps if keyword == "ENV")
    [home] = re.findall(r"HF_HOME=(\S+)", env)
    runs = [line for line in commands if line.startswith("docker run")]
    assert runs and all(f":{home}" in line for line in runs)  # every docker run mounts the cache at HF_HOME
    [exposed] = [arguments for keyword, arguments in steps if keyword == "EXPOSE"]
    assert all(f":{exposed}" in line for line in runs if " -p " in line)
    [(name, _default)] = build_args().items()
    cuda = [line for line in commands if "--build-arg" in line]
    assert cuda and all(f"--build-arg {name}=https://download.pytorch.org/whl/cu" in line for line in cuda)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "tests"} <= set(ignored)


def health_check() -> list[str]:
    [check] = [arguments for keyword, arguments in dockerfile() if keyword == "HEALTHCHECK"]
    command = json.loads(check[check.index("CMD") + 3 :])
    assert command[0] == "python"  # the slim image has no curl
    return [sys.executable, *command[1:]]


@pytest.fixture(scope="module")
def behind_proxy(tiny_model_dirs):
    """`playground --root-path /playground` on the tiny models, and a proxy serving it under that prefix:
    (the app's own URL, the page's URL through the proxy, the app's port)."""
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    env.pop("GRADIO_ROOT_PATH", None)
    command = [sys.executable, "-m", "playground.cli", "--port", str(port), "--device", "cpu"]
    command += ["--root-path", PREFIX]
    for task, folder in tiny_model_dirs.items():
        command += [f"--{task}-model", folder]
    server, url, _config = start_app(command, port, ROOT, env)
    try:
        with prefix_proxy(port, PREFIX) as page:
            yield url, page, port
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def test_the_page_and_the_api_work_under_a_path_prefix(behind_proxy):
    from gradio_client import Client

    direct, page, _port = behind_proxy
    with urllib.request.urlopen(page, timeout=60) as response:
        html = response.read().decode()
    assets = re.findall(r'(?:src|href)="\./(assets/[^"]+)"', html)
    assert any(asset.endswith(".js") for asset in assets)
    for asset in assets:  # the page's script and styles load through the prefix
        with urllib.request.urlopen(page + asset, timeout=60) as response:
            assert response.status == 200
    with urllib.request.urlopen(page + "config", timeout=60) as response:
        assert json.load(response)["root"] == page.rstrip("/")  # the URLs the page builds carry the prefix
    text = "What a lovely day."
    through_proxy = Client(page, verbose=False).predict(text, api_name="/classify")
    assert through_proxy == Client(direct, verbose=False).predict(text, api_name="/classify")
    streamed = Client(page, verbose=False).predict(
        "Once upon", max_new_tokens=5, temperature=0, api_name="/generate"
    )
    assert streamed[0]["generated_text"].startswith("Once upon")


def test_the_health_check_passes_while_the_server_answers(behind_proxy):
    _direct, _page, port = behind_proxy
    command = health_check()
    healthy = subprocess.run(command, env={**os.environ, "PLAYGROUND_PORT": str(port)}, timeout=30)
    assert healthy.returncode == 0
    nobody = subprocess.run(command, env={**os.environ, "PLAYGROUND_PORT": str(free_port())}, timeout=30)
    assert nobody.returncode != 0


def test_a_root_path_must_be_a_path_or_a_url():
    from playground.settings import Settings

    assert Settings.from_args(["--root-path", "/playground"], environ={}).root_path == "/playground"
    assert Settings.from_args([], environ={"PLAYGROUND_ROOT_PATH": "/p"}).root_path == "/p"
    with pytest.raises(SystemExit):
        Settings.from_args(["--root-path", "playground"], environ={})
