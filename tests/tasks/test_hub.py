"""No Hub, no hang: a model that must be downloaded from an unreachable Hub is refused within seconds, in one
sentence; the probe runs once a minute at most, and never for a local folder, a cached model or offline."""

from __future__ import annotations

import http.server
import socket
import threading
import time

import huggingface_hub
import pytest

from playground import hub
from playground.models import ModelLoadError, ModelManager
from playground.presets import PRESETS


@pytest.fixture(autouse=True)
def fresh_answers():
    hub.forget()
    yield
    hub.forget()


@pytest.fixture
def probes(monkeypatch) -> list[str]:
    """The endpoints probed (the real probe runs)."""
    probed: list[str] = []
    real = hub._probe

    def counting(url, timeout):
        probed.append(url)
        return real(url, timeout)

    monkeypatch.setattr(hub, "_probe", counting)
    return probed


@pytest.fixture
def online(monkeypatch, tmp_path):
    """As without HF_HUB_OFFLINE, for the probe's decision only (huggingface_hub itself stays offline, so
    nothing here can reach a real network); an empty model cache."""
    monkeypatch.setattr(hub, "offline_mode", lambda: False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "empty-cache"))


def use_endpoint(monkeypatch, url: str) -> None:
    monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", url)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_hub_is_told_in_one_sentence_within_seconds_and_probed_once(
    online, probes, monkeypatch, tiny_model_dirs
):
    endpoint = f"http://127.0.0.1:{closed_port()}"
    use_endpoint(monkeypatch, endpoint)
    manager = ModelManager(PRESETS["en"].model_ids, device="cpu")
    start = time.monotonic()
    with pytest.raises(ModelLoadError) as error:
        manager.get("generation")
    seconds = time.monotonic() - start
    print(f"\nno Hub ({endpoint}, port closed): the message came after {seconds:.2f} s")
    assert seconds < 5
    assert str(error.value) == (
        "The Generation model openai-community/gpt2 is not on this computer and the Hugging Face Hub "
        f"({endpoint}) cannot be reached from it: prepare the models while online with "
        "`playground download --preset en` and start with --offline, or use a mirror of the Hub "
        "(e.g. --hub-endpoint https://hf-mirror.com). To try the playground with no download at all, start it "
        "with --demo."
    )
    with pytest.raises(ModelLoadError, match="cannot be reached"):
        manager.get("sentiment")  # within the minute: the answer is remembered
    other = ModelManager({**tiny_model_dirs, "chat": "someone/their-chat-model"}, device="cpu")
    with pytest.raises(ModelLoadError, match="while online with `hf download someone/their-chat-model`"):
        other.get("chat")
    assert probes == [endpoint]


def test_a_hub_that_never_answers_is_given_up_after_the_probe_timeout(online, probes, monkeypatch):
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        use_endpoint(monkeypatch, f"http://127.0.0.1:{silent.getsockname()[1]}")
        manager = ModelManager(PRESETS["en"].model_ids, device="cpu")
        start = time.monotonic()
        with pytest.raises(ModelLoadError, match="cannot be reached"):
            manager.get("fill-mask")
        seconds = time.monotonic() - start
    print(f"\nno Hub (a server that never answers): the message came after {seconds:.2f} s")
    assert seconds < hub.PROBE_TIMEOUT_S + 1.5 and len(probes) == 1


def test_the_answer_is_forgotten_after_a_while_and_one_probe_serves_concurrent_loads(monkeypatch):
    calls = []

    def slow_probe(url, timeout):
        calls.append(url)
        time.sleep(0.2)
        return False

    monkeypatch.setattr(hub, "_probe", slow_probe)
    use_endpoint(monkeypatch, "http://127.0.0.1:9")
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(hub.reachable())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [False] * 4 and len(calls) == 1
    monkeypatch.setattr(hub, "REMEMBER_S", 0.0)
    time.sleep(0.01)
    hub.reachable()
    assert len(calls) == 2
    use_endpoint(monkeypatch, "http://127.0.0.1:10")  # another endpoint (HF_ENDPOINT) has its own answer
    monkeypatch.setattr(hub, "REMEMBER_S", 60.0)
    hub.reachable()
    assert calls[-1] == "http://127.0.0.1:10"


def test_a_local_folder_a_cached_model_and_offline_mode_are_never_probed(
    online, probes, monkeypatch, tiny_model_dirs, hub_cache
):
    use_endpoint(monkeypatch, f"http://127.0.0.1:{closed_port()}")
    ModelManager(tiny_model_dirs, device="cpu").get("sentiment")  # a local folder
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(hub_cache))
    cached = ModelManager(PRESETS["en"].model_ids, device="cpu")
    assert cached.get("sentiment").model_id == PRESETS["en"].model_ids["sentiment"]  # in the cache
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(hub_cache / "nothing-here"))
    with pytest.raises(ModelLoadError, match="not in this computer's model cache"):
        ModelManager(PRESETS["en"].model_ids, device="cpu", offline=True).get("generation")  # --offline
    monkeypatch.setattr(hub, "offline_mode", lambda: True)  # HF_HUB_OFFLINE=1
    with pytest.raises(ModelLoadError, match="Could not load"):
        ModelManager(PRESETS["en"].model_ids, device="cpu").get("generation")
    with pytest.raises(ModelLoadError, match="folder ./no/such/folder does not exist on this computer"):
        ModelManager({**tiny_model_dirs, "chat": "./no/such/folder"}, device="cpu").get("chat")
    assert probes == []


class Answers(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_HEAD(self):
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("status", [200, 404])
def test_an_endpoint_that_answers_is_reachable(status, probes, monkeypatch):
    handler = type("Handler", (Answers,), {"status": status})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        use_endpoint(monkeypatch, f"http://127.0.0.1:{server.server_address[1]}")
        start = time.monotonic()
        assert hub.reachable() and hub.reachable()
        assert time.monotonic() - start < 2 and len(probes) == 1
    finally:
        server.shutdown()
        server.server_close()
