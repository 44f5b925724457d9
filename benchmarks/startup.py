"""Start-up: process start to the first HTTP 200, then first-request latency per model (load included).

    python -m benchmarks.startup [--models DIR]

Without --models, tiny models are built in a temp folder (the ones the tests use), so this runs offline.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.common import ROOT, table


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_200(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def measure(model_dirs: dict[str, str]) -> dict[str, float]:
    from gradio_client import Client

    port = free_port()
    flags = [f"--{task}-model" for task in model_dirs]
    command = [sys.executable, "app.py", "--port", str(port)]
    for flag, folder in zip(flags, model_dirs.values(), strict=True):
        command += [flag, folder]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    start = time.perf_counter()
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for_200(url)
        timings = {"process start -> first HTTP 200": time.perf_counter() - start}
        client = Client(url, verbose=False)
        requests = {
            "generation": ({"prompt": "Hello", "max_new_tokens": 5}, "/generate"),
            "fill-mask": ({"text": "The cat sat on the [MASK]."}, "/fill_mask"),
            "sentiment": ({"text": "I loved it."}, "/classify"),
        }
        for task, (kwargs, api_name) in requests.items():
            for label in ("first request (loads the model)", "second request"):
                t0 = time.perf_counter()
                client.predict(**kwargs, api_name=api_name)
                timings[f"{task}: {label}"] = time.perf_counter() - t0
        return timings
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(root: Path | None = None) -> str:
    from playground.tiny_models import build_all

    dirs = {task: str(path) for task, path in build_all(root or Path(tempfile.mkdtemp())).items()}
    rows = [[name, f"{seconds:.2f}"] for name, seconds in measure(dirs).items()]
    return table(["measurement (tiny models)", "seconds"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", help="folder to build the tiny models in")
    args = parser.parse_args()
    print(run(Path(args.models) if args.models else None))


if __name__ == "__main__":
    main()
