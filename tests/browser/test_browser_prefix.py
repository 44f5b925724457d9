"""Issue 17, point 4: the page works in a browser when a reverse proxy serves it under a path prefix.

`playground --root-path /playground` is started on the tiny models and reached only through a proxy that strips
the prefix (tests/helpers.prefix_proxy, as nginx's `location /playground/ { proxy_pass http://app/; }`): the
page loads, a batched event and a streamed generation answer, and the console logs no error.
"""

from __future__ import annotations

import os
import re
import signal
import sys
from pathlib import Path

import pytest

from tests.browser.helpers import app_page, expect, open_tab, wait_for_chart
from tests.helpers import free_port, prefix_proxy, start_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def prefixed_url(tiny_model_dirs):
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    env.pop("GRADIO_ROOT_PATH", None)
    command = [sys.executable, "-m", "playground.cli", "--port", str(port), "--device", "cpu"]
    command += ["--root-path", "/playground"]
    for task, folder in tiny_model_dirs.items():
        command += [f"--{task}-model", folder]
    server, _url, _config = start_app(command, port, ROOT, env)
    try:
        with prefix_proxy(port, "/playground") as url:
            yield url
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def test_the_page_works_under_a_path_prefix(browser, prefixed_url):
    with app_page(browser, prefixed_url) as page:
        panel = open_tab(page, "Sentiment")
        panel.get_by_role("button", name="Classify").click()
        expect(wait_for_chart(panel)).to_contain_text("POSITIVE")
        expect(panel.get_by_text("Prediction:")).to_be_visible()

        panel = open_tab(page, "Generate")
        panel.get_by_label("Prompt").fill("The cat sat on the")
        panel.get_by_role("button", name="Generate", exact=True).click()
        expect(panel.get_by_text(re.compile(r"^Seed \d+ · \d+ new tokens$"))).to_be_visible()


def test_a_followers_page_reaches_the_follow_route_under_the_prefix(browser, prefixed_url):
    """The address a follower's page waits on (ui/lessons.py FOLLOW_JS) is the app's, under the prefix."""
    from playground.ui.lessons import FOLLOW_JS

    with app_page(browser, prefixed_url, first_tab="Lessons") as page:
        page.evaluate(f"({FOLLOW_JS})('')")  # what the page runs when it starts following, without a class
        address = page.evaluate("window.playgroundFollow.address()")
        assert address == prefixed_url.rstrip("/") + "/lessons/follow"
        answer = page.evaluate(
            "(url) => fetch(url + '?code=none&version=1&follower=p').then((r) => r.json())", address
        )
        assert answer == {"moved": "ended"}
