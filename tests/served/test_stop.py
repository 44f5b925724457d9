"""Stopping a streamed generation really stops the work: the Stop button (a cancel) and a client that goes
away (a closed browser tab) both end the forward passes within a fraction of a second."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import pytest

SLOW_STEP_S = 0.05  # each forward pass of the tiny model is made to take this long
SETTLE_S = 0.5  # the time we allow for the work to stop


class ForwardCounter:
    """Counts the generation model's forward passes, each slowed down so a stream lasts seconds."""

    def __init__(self, model):
        self.calls = 0
        self._lock = threading.Lock()
        self._handle = model.register_forward_pre_hook(self._hook)

    def _hook(self, module, args):
        with self._lock:
            self.calls += 1
        time.sleep(SLOW_STEP_S)

    def wait_for(self, calls: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while self.calls < calls:
            assert time.monotonic() < deadline, f"only {self.calls} forward passes after {timeout} s"
            time.sleep(0.01)

    def assert_stopped(self) -> int:
        time.sleep(SETTLE_S)
        stopped_at = self.calls
        time.sleep(1.0)
        assert self.calls == stopped_at, f"{self.calls - stopped_at} forward passes after the stop"
        return stopped_at

    def remove(self):
        self._handle.remove()


@pytest.fixture
def slow_generation(manager):
    counter = ForwardCounter(manager.get("generation").model)
    yield counter
    counter.remove()


def test_cancel_stops_the_generation(client, settings, slow_generation):
    job = client.submit(
        "Once upon a time", settings.max_new_tokens_cap, 1.0, 0, 1.0, 1.0, 0, api_name="/generate"
    )
    slow_generation.wait_for(5)
    job.cancel()
    stopped_at = slow_generation.assert_stopped()
    assert stopped_at < settings.max_new_tokens_cap // 2
    assert client.predict("Still there?", 3, api_name="/generate")  # the next request works


def test_a_client_that_disconnects_stops_the_generation(app_url, settings, slow_generation):
    script = textwrap.dedent(
        f"""
        import os
        from gradio_client import Client
        job = Client({app_url!r}, verbose=False).submit(
            "Once upon a time", {settings.max_new_tokens_cap}, 1.0, 0, 1.0, 1.0, 0, api_name="/generate")
        for update in job:
            print("streaming", flush=True)
            break
        os._exit(0)  # gone without a goodbye, like a closed browser tab
        """
    )
    before = slow_generation.calls
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60, capture_output=True)
    assert slow_generation.calls > before
    stopped_at = slow_generation.assert_stopped()
    assert stopped_at - before < settings.max_new_tokens_cap // 2
