"""Whether this computer can reach the Hugging Face Hub: one quick probe, remembered for a while.

Without it, a machine that cannot reach the Hub spends most of a minute on every model load (each file's
request is retried) before saying the model id may be wrong. The probe is one HEAD request to the endpoint
huggingface_hub downloads from (`huggingface_hub.constants.ENDPOINT`, which follows HF_ENDPOINT), read when
the probe runs; any HTTP answer, even 404, means the Hub is reachable. Concurrent callers share one probe.

`--hub-endpoint URL` (a mirror such as https://hf-mirror.com) becomes HF_ENDPOINT through `use_endpoint`,
which the command calls before anything imports huggingface_hub: the library reads HF_ENDPOINT once, when
it is imported. This module imports it only inside functions, so settings.py may use it while answering --help.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from urllib.parse import urlsplit

PROBE_TIMEOUT_S = 3.0  # the longest a probe waits, name resolution included
REMEMBER_S = 60.0  # how long an answer is kept before the next call probes again
MIRROR_EXAMPLE = "https://hf-mirror.com"  # a public mirror of the Hub, reachable from mainland China

_lock = threading.Lock()
_answers: dict[str, tuple[float, bool]] = {}  # endpoint -> (time.monotonic() of the probe, reachable)


def check_endpoint(url: str) -> str:
    """`url` without a trailing slash, if it is an http(s) address without spaces; else ValueError, one sentence."""
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed [IPv6] bracket
        valid = False
    if not valid or any(c.isspace() for c in url):
        raise ValueError(
            f"--hub-endpoint {url!r} is not a web address: give one that starts with http:// or https:// and "
            f"has no spaces, e.g. --hub-endpoint {MIRROR_EXAMPLE}."
        )
    return url.rstrip("/")


def use_endpoint(url: str) -> None:
    """Download from `url` (a checked --hub-endpoint): set HF_ENDPOINT, which huggingface_hub reads when it is
    imported. Where it was imported already (e.g. by `gradio app.py`, which imports it first), the places that
    hold the endpoint it read are pointed at `url` too: the endpoint constant, the file URL template that
    hf_hub_download fills, and the module-level HfApi behind list_repo_files and snapshot_download."""
    os.environ["HF_ENDPOINT"] = url
    if "huggingface_hub" not in sys.modules:
        return
    from huggingface_hub import constants, hf_api

    constants.ENDPOINT = url
    constants.HUGGINGFACE_CO_URL_TEMPLATE = url + "/{repo_id}/resolve/{revision}/{filename}"
    hf_api.api.endpoint = url


def endpoint() -> str:
    """The Hub endpoint huggingface_hub uses now (https://huggingface.co, or HF_ENDPOINT's mirror)."""
    from huggingface_hub import constants

    return constants.ENDPOINT.rstrip("/")


def offline_mode() -> bool:
    """Whether huggingface_hub was told to make no requests (HF_HUB_OFFLINE, set by --offline)."""
    from huggingface_hub import constants

    return constants.is_offline_mode()


def reachable() -> bool:
    """Whether the Hub endpoint answered a probe in the last REMEMBER_S seconds (probing if needed)."""
    url = endpoint()
    with _lock:
        answer = _answers.get(url)
        if answer is None or time.monotonic() - answer[0] > REMEMBER_S:
            answer = _answers[url] = (time.monotonic(), _probe(url, PROBE_TIMEOUT_S))
        return answer[1]


def forget() -> None:
    """Drop the remembered answers (the next call probes again)."""
    with _lock:
        _answers.clear()


def _probe(url: str, timeout: float) -> bool:
    """One HEAD request to `url`, in a thread so that a slow name lookup cannot hold it past `timeout`."""
    result: list[bool] = []
    thread = threading.Thread(target=lambda: result.append(_head(url, timeout)), daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    return bool(result and result[0])


def _head(url: str, timeout: float) -> bool:
    import httpx  # what huggingface_hub downloads with: the same proxies (HTTPS_PROXY) and certificates

    try:
        httpx.head(url, timeout=timeout, follow_redirects=False)
    except (
        httpx.HTTPError,
        httpx.InvalidURL,
        OSError,
        ValueError,
    ):  # refused, timed out, no route, no name...
        return False
    return True
