"""`--offline` opens no network connection but loopback: the app runs in a subprocess whose every socket
connection and name lookup is logged by an audit hook, with the zh preset's models taken from a Hugging Face
cache (tiny models at the pinned commits), while every endpoint is used."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import AUDIT_HOOK, LAUNCHER, is_loopback, logged_hosts, queue_call, refusal

ROOT = Path(__file__).resolve().parents[2]
CONTROL = AUDIT_HOOK + (
    "\nimport urllib.request\n"
    "try:\n    urllib.request.urlopen('http://huggingface.co/', timeout=2)\n"
    "except OSError:\n    pass\n"
)
SPACE_BETWEEN_CHINESE = re.compile(r"[\u4e00-\u9fff，。] +[\u4e00-\u9fff，。]")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_environment(tmp_path: Path, hub_cache: Path) -> dict[str, str]:
    """No offline switches set beforehand (--offline must set them), the cache of tiny models."""
    env = {k: v for k, v in os.environ.items() if k not in {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"}}
    env.pop("GRADIO_ANALYTICS_ENABLED", None)
    home = tmp_path / "hf-home"
    return {**env, "HF_HOME": str(home), "HF_HUB_CACHE": str(hub_cache), "PYTHONPATH": str(ROOT)}


def test_the_audit_hook_sees_a_connection_attempt(tmp_path):
    log = tmp_path / "control.log"
    subprocess.run([sys.executable, "-c", CONTROL, str(log)], timeout=60, check=True)
    assert ("socket.getaddrinfo", "huggingface.co") in logged_hosts(log)


@pytest.fixture(scope="module")
def offline_server(hub_cache, tmp_path_factory):
    """`playground --offline --preset zh` on a free port; yields its URL and the log of its connections."""
    tmp_path = tmp_path_factory.mktemp("offline")
    log, launcher, port = tmp_path / "connections.log", tmp_path / "launch.py", free_port()
    launcher.write_text(LAUNCHER)
    command = [sys.executable, str(launcher), str(log), "--offline", "--preset", "zh"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--device", "cpu"]
    env = {**clean_environment(tmp_path, hub_cache), "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"the offline app did not start: {server.stdout.read().decode()[-3000:]}")
        yield url, log
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_offline_app_serves_every_endpoint_over_loopback_only(offline_server):
    from gradio_client import Client

    url, log = offline_server
    client = Client(url, verbose=False)
    [generated] = client.predict(
        prompt="今天天气", max_new_tokens=12, temperature=0, seed=0, api_name="/generate"
    )
    text = generated["generated_text"]
    assert text.startswith("今天天气") and len(text) > 4 and not SPACE_BETWEEN_CHINESE.search(text)
    candidates = client.predict(text="今天天气", top_n=5, api_name="/next_token")
    assert len(candidates) == 5 and all(" " not in c["token"] for c in candidates)
    assert client.predict(text="今天天气很[MASK]。", top_k=3, api_name="/fill_mask")
    assert client.predict(text="The food was cold.", api_name="/classify")[0]["label"] in {
        "NEGATIVE",
        "POSITIVE",
    }
    assert client.predict(text="The food was cold.", target=None, api_name="/explain")["attributions"]
    for model in ("generation", "fill-mask", "sentiment"):
        seen = client.predict(text="我喜欢学习", model=model, api_name="/attention")
        assert seen["model"] in {
            "uer/gpt2-chinese-cluecorpussmall",
            "google-bert/bert-base-chinese",
            "uer/roberta-base-finetuned-dianping-chinese",
        }
    view = client.predict(text="我喜欢学习", model="generation", view="head", api_name="/attention_view")
    assert view.startswith("<!DOCTYPE html>") and ("学" in view or "\\u5b66" in view)  # tokens as JSON
    for path in ("", "gradio_api/info", "config"):
        with urllib.request.urlopen(url + path, timeout=30) as response:
            assert response.status == 200

    hosts = logged_hosts(log)
    assert hosts, "the audit hook logged nothing: it is not watching the app"
    assert [entry for entry in hosts if not is_loopback(entry[1])] == []


URLS = ["http://93.184.215.14/a.csv", "https://example.com/a.csv", "http://[2606:4700::1111]/x"]


def test_urls_given_as_files_are_refused_and_fetch_nothing(offline_server):
    """`/gradio_api/file=<url>` and file inputs given as URLs: refused, with no connection off loopback."""
    url, log = offline_server
    for target in URLS:
        try:
            with urllib.request.urlopen(f"{url}gradio_api/file={target}", timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        assert status == 403, (target, status)
    with urllib.request.urlopen(url + "config", timeout=30) as response:
        config = json.load(response)
    files = {c["id"] for c in config["components"] if c.get("type") in {"file", "uploadbutton"}}
    events = [d for d in config["dependencies"] if files & set(d["inputs"])]
    assert events, "the page has no event that takes a file"
    for event in events:
        for target in URLS[:2]:
            data = [
                {"path": target, "url": target, "orig_name": "a.csv", "meta": {"_type": "gradio.FileData"}}
                if component in files
                else None
                for component in event["inputs"]
            ]
            answer = queue_call(url, event["id"], data)
            assert refusal(answer) is not None, (event["id"], answer)
    hosts = logged_hosts(log)
    assert [entry for entry in hosts if not is_loopback(entry[1])] == []
