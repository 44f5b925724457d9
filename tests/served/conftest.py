"""Fixtures of the served tier (the app itself is tests/conftest.py's `served_demo`)."""

from __future__ import annotations

import json
import urllib.request

import pytest


@pytest.fixture(scope="session")
def app_endpoints(app_url) -> dict[str, dict]:
    """The app's public API endpoints as gradio's API info describes them: {"/name": {"parameters": [...]}}."""
    with urllib.request.urlopen(app_url.rstrip("/") + "/gradio_api/info", timeout=60) as response:
        return json.load(response)["named_endpoints"]
