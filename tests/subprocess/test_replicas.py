"""Issue 29, point 2: two app replicas behind Debian's nginx, run with the recipe's own deploy/nginx.conf (its
replica addresses and port replaced by the test's): browsers behind one address spread over both replicas by
the app's replica cookie, every request of one browser reaches one replica, and a streamed generation works in
Chromium through the proxy.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from benchmarks.class_setups import NGINX, RECIPE, nginx_config
from playground.replica_cookie import COOKIE
from tests.helpers import free_port, start_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not Path(NGINX).exists(), reason="nginx is missing: install Debian's nginx package (CI does)"
)


def wait_for_port(port: int, process: subprocess.Popen, folder: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    log = (folder / "error.log").read_text() if (folder / "error.log").exists() else ""
    pytest.fail(
        f"nginx did not start: {process.stdout.read().decode() if process.poll() is not None else ''}{log}"
    )


@pytest.fixture(scope="module")
def proxy(tiny_model_dirs, tmp_path_factory):
    """Two replicas of the app on the tiny models behind nginx: (the proxy's URL, the replicas' addresses)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    replicas, ports = [], []
    try:
        for _ in range(2):
            port = free_port()
            command = [sys.executable, "-m", "playground.cli", "--port", str(port), "--device", "cpu"]
            for task, folder in tiny_model_dirs.items():
                command += [f"--{task}-model", folder]
            replicas.append(start_app(command, port, ROOT, env)[0])
            ports.append(port)
        folder = tmp_path_factory.mktemp("nginx")
        port = free_port()
        (folder / "nginx.conf").write_text(nginx_config(ports, port, folder, replica_header=True))
        nginx = subprocess.Popen(
            [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, nginx, folder)
            yield f"http://127.0.0.1:{port}/", {f"127.0.0.1:{p}" for p in ports}
        finally:
            nginx.send_signal(signal.SIGQUIT)
            nginx.wait(timeout=30)
    finally:
        for server in replicas:
            server.send_signal(signal.SIGTERM)
        for server in replicas:
            server.wait(timeout=60)


def classify_through(client: httpx.Client) -> list[str]:
    """One /classify through gradio's two-request API (submit, then read its answer as a stream); the replica
    that answered each request."""
    submitted = client.post("gradio_api/call/classify", json={"data": ["What a lovely day"]})
    submitted.raise_for_status()
    event_id = submitted.json()["event_id"]
    answer = client.get(f"gradio_api/call/classify/{event_id}")
    answer.raise_for_status()
    assert "event: complete" in answer.text and "POSITIVE" in answer.text, answer.text
    return [submitted.headers["x-replica"], answer.headers["x-replica"]]


def test_browsers_behind_one_address_spread_over_replicas_and_each_stays_on_one(proxy):
    url, replicas = proxy
    seen: list[str] = []
    for _ in range(20):  # 20 browsers, all from 127.0.0.1 as a school behind one NAT address
        with httpx.Client(base_url=url, timeout=60) as browser:
            page = browser.get("")
            page.raise_for_status()
            assert COOKIE in browser.cookies, "the first answer sets the replica cookie"
            answered = [browser.get("config").headers["x-replica"]]
            for _ in range(2):
                answered += classify_through(browser)
            assert len(set(answered)) == 1, f"one browser's requests reached several replicas: {answered}"
            assert browser.cookies[COOKIE] == page.cookies[COOKIE], "the cookie is set once, then kept"
            seen.append(answered[0])
    assert set(seen) == replicas, f"20 browsers should spread over both replicas: {seen}"


def test_a_request_with_the_cookie_gets_no_new_one(proxy):
    url, _ = proxy
    answer = httpx.get(url + "config", cookies={COOKIE: "0123456789abcdef"})
    assert "set-cookie" not in answer.headers


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is missing (CI installs it)")
def test_a_streamed_generation_in_chromium_through_the_proxy(proxy):
    from tests.browser.helpers import CHROMIUM_ARGS, app_page, expect, open_tab, sync_api

    url, _ = proxy
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            with app_page(browser, url) as page:
                panel = open_tab(page, "Generate")
                panel.get_by_label("Prompt").fill("The cat sat on the")
                panel.get_by_role("button", name="Generate", exact=True).click()
                expect(panel.get_by_text(re.compile(r"^Seed \d+ · \d+ new tokens$"))).to_be_visible()
                cookies = {c["name"] for c in page.context.cookies()}
                assert COOKIE in cookies
        finally:
            browser.close()


def test_the_compose_file_runs_one_replica_per_server_line_of_the_recipe():
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())["services"]
    replicas = sorted(name for name, service in compose.items() if service.get("build") == "..")
    servers = re.findall(r"^\s*server (replica\d+):7860;", RECIPE.read_text(), flags=re.MULTILINE)
    assert replicas == sorted(servers) and len(replicas) >= 2
    assert "./nginx.conf:/etc/nginx/conf.d/default.conf:ro" in compose["proxy"]["volumes"]
    for name in replicas:
        assert compose[name]["volumes"] == ["playground-models:/models:ro"]
