"""Plain helper functions that test modules in several tiers share (fixtures live in the conftest.py files).

Test modules never import from one another: what two of them need lives here, in tests/tiny_models.py (the
tiny models, from playground/tiny_models.py, and a fake Hub cache), in tests/fake_hub.py (a stand-in
for the Hub's HTTP API) or, as a fixture, in a conftest.py.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json
import logging
import re
import socket
import subprocess
import threading
import time
import urllib.request
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers.utils import logging as transformers_logging

from playground.tasks.attention import AttentionResult

ADMIN_PASSWORD = "teacher-only"  # the session app's --admin-password (tests/conftest.py's `settings`)
# A subprocess's every socket connection and name lookup, logged by an audit hook: the launcher takes the log's
# path as its first argument, then the `playground` command's.
AUDIT_HOOK = """
import json, sys

def _log_network(event, args, _log=sys.argv.pop(1)):
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        address = args[1] if len(args) > 1 else None
        host = address[0] if isinstance(address, tuple) else f"unix:{address}"
    elif event == "socket.getaddrinfo":
        host = args[0]
    else:
        return
    with open(_log, "a") as log:
        log.write(json.dumps([event, host if host is None or isinstance(host, str) else repr(host)]) + "\\n")

sys.addaudithook(_log_network)
"""
LAUNCHER = AUDIT_HOOK + "\nfrom playground.cli import main\nmain(sys.argv[1:])\n"
# Put before LAUNCHER (whose hook takes the log's path off sys.argv): the port of every TCP connection too, into
# the log's path + ".ports".
PORTS_HOOK = """
import sys

def _log_ports(event, args, _log=sys.argv[1] + ".ports"):
    if event == "socket.connect" and isinstance(args[1], tuple) and len(args[1]) >= 2:
        with open(_log, "a") as log:
            log.write(f"{args[1][1]}\\n")

sys.addaudithook(_log_ports)
"""


def reference(loaded, prompt: str, seed: int | None = None, **kwargs) -> list[int]:
    """New token ids from transformers' own generate."""
    ids = loaded.tokenizer(prompt, return_tensors="pt").input_ids
    if seed is not None:
        torch.manual_seed(seed)
    out = loaded.model.generate(ids, attention_mask=torch.ones_like(ids), pad_token_id=0, **kwargs)
    return out[0, ids.shape[1] :].tolist()


def synthetic(tokens: list[str], layers: int = 2, heads: int = 3, causal: bool = False, seed: int = 0):
    """An AttentionResult with random row-stochastic weights (softmax of random scores)."""
    rng = np.random.default_rng(seed)
    n = len(tokens)
    scores = rng.normal(size=(layers, heads, n, n)) * 2
    if causal:
        scores[..., np.triu_indices(n, 1)[0], np.triu_indices(n, 1)[1]] = -np.inf
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    special = [t in ("[CLS]", "[SEP]", "<|endoftext|>") for t in tokens]
    return AttentionResult(
        model_id="synthetic/model",
        tokens=tokens,
        attentions=weights.astype(np.float32),
        causal=causal,
        token_ids=list(range(n)),
        special=special,
    )


def bertviz_params(document: str) -> dict:
    """The parameters a bertviz document hands its script."""
    return json.loads(re.search(r"const params = (\{.*?\}); // HACK", document).group(1).replace("\\/", "/"))


@contextlib.contextmanager
def transformers_messages() -> Iterator[list[str]]:
    """Every Python warning and transformers log record (INFO and up) given inside the block, as text.
    `warning_once` remembers what it said; its memory is cleared so that nothing said before hides here."""
    said: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            said.append(record.getMessage())

    logger, handler = logging.getLogger("transformers"), Keep(logging.INFO)
    level = logger.level
    transformers_logging.warning_once.cache_clear()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield said
        said += [str(w.message) for w in caught]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def queue_call(url: str, fn_index: int, data: list, timeout: float = 60, session: str | None = None) -> dict:
    """Call event `fn_index` of a served app the way its page does (POST queue/join, then read the event
    stream), so private events too: the `process_completed` message ({"success", "output"}), with the pop-ups
    the event sent on the way ("log" messages) under "logs". A new session each call, unless `session` names one."""
    import urllib.request
    import uuid

    session = session or uuid.uuid4().hex
    body = json.dumps({"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None})
    join = urllib.request.Request(
        url.rstrip("/") + "/gradio_api/queue/join",
        data=body.encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(join, timeout=timeout) as response:
        assert response.status == 200
    stream = url.rstrip("/") + f"/gradio_api/queue/data?session_hash={session}"
    logs = []
    with urllib.request.urlopen(stream, timeout=timeout) as response:
        for line in response:
            if line.startswith(b"data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "log":
                    logs.append(message)
                if message.get("msg") == "process_completed":
                    return message | {"logs": logs}
    raise AssertionError("the event stream ended without process_completed")


def refusal(answer: dict) -> str | None:
    """What a page event called with `queue_call` said to refuse its request, or None if it did not: the error
    of an event that failed, or the red pop-up of one that refused without failing (see playground/ui/events.py:
    a page event does not fail, so that gradio does not badge its outputs "Error")."""
    if not answer["success"]:
        return answer["output"].get("error") or ""
    errors = [log["log"] for log in answer.get("logs", []) if log.get("level") == "error"]
    return errors[0] if errors else None


def event_index(demo, name: str) -> int:
    """The fn_index of the demo's event whose handler is called `name`."""
    [index] = [index for index, fn in demo.fns.items() if fn.name == name]
    return index


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_app(command: list[str], port: int, cwd, env: dict) -> tuple[subprocess.Popen, str, dict]:
    """The app server `command` (listening on `port`) started and answering: (process, URL, its /config).
    Fails the test with the server's output if it does not answer within 180 s; the caller stops it."""
    server = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url + "config", timeout=5) as response:
                return server, url, json.load(response)
        except OSError:
            time.sleep(0.5)
    server.kill()
    pytest.fail(f"the app did not start: {server.stdout.read().decode()[-3000:]}")


class _StripPrefix(BaseHTTPRequestHandler):
    """A reverse proxy like nginx's `location /prefix/ { proxy_pass http://app/; }`: the prefix is taken off,
    X-Forwarded-Host/-Proto are set, and answers stream back as they come (server-sent events). A path outside
    the prefix is the rest of the site's (the browser's /favicon.ico): an empty 204."""

    upstream: int = 0
    prefix: str = ""

    def do_GET(self):
        self.forward()

    def do_POST(self):
        self.forward()

    def forward(self):
        if not self.path.startswith(self.prefix + "/"):
            self.send_response(204)
            self.end_headers()
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        skip = {"host", "connection", "accept-encoding", "content-length"}
        headers = {key: value for key, value in self.headers.items() if key.lower() not in skip}
        headers |= {"X-Forwarded-Host": self.headers["Host"], "X-Forwarded-Proto": "http"}
        connection = http.client.HTTPConnection("127.0.0.1", self.upstream, timeout=120)
        connection.request(self.command, self.path[len(self.prefix) :], body=body or None, headers=headers)
        answer = connection.getresponse()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in {"transfer-encoding", "connection", "content-length"}:
                self.send_header(key, value)
        self.send_header("Connection", "close")
        self.end_headers()
        while chunk := answer.read1(65536):
            self.wfile.write(chunk)
            self.wfile.flush()
        connection.close()
        self.close_connection = True

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def prefix_proxy(upstream_port: int, prefix: str) -> Iterator[str]:
    """The app on `upstream_port` served under `prefix` by a reverse proxy on a free port: the page's URL."""
    handler = type("Proxy", (_StripPrefix,), {"upstream": upstream_port, "prefix": prefix})
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{proxy.server_address[1]}{prefix}/"
    finally:
        proxy.shutdown()
        proxy.server_close()


def is_loopback(host: str | None) -> bool:
    if host in (None, "", "localhost") or host.startswith("unix:"):  # unix sockets never leave the machine
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def logged_hosts(log: Path) -> list[tuple[str, str | None]]:
    return [tuple(json.loads(line)) for line in log.read_text().splitlines()] if log.exists() else []


def logged_ports(log: Path) -> list[int]:
    """The ports of the TCP connections PORTS_HOOK logged."""
    ports = Path(str(log) + ".ports")
    return [int(line) for line in ports.read_text().split()] if ports.exists() else []


def assert_same_model(loaded, folder: str) -> None:
    """A LoadedModel has the weights and tokenizer of the saved model in `folder`."""
    import transformers

    from playground.registry import REGISTRY

    reference = getattr(transformers, REGISTRY[loaded.task].auto_class).from_pretrained(folder)
    ours, theirs = loaded.model.state_dict(), reference.state_dict()
    assert ours.keys() == theirs.keys()
    assert all(torch.equal(ours[name], theirs[name]) for name in ours)
    text = "the cat sat on the mat"
    expected = transformers.AutoTokenizer.from_pretrained(folder)(text).input_ids
    assert loaded.tokenizer(text).input_ids == expected
