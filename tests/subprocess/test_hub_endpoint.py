"""`--hub-endpoint URL` (PLAYGROUND_HUB_ENDPOINT; plain HF_ENDPOINT honoured) for `playground download` and for
serving: a stand-in Hub on 127.0.0.1 (tests/fake_hub.py) serves the en preset's models (tiny ones, at the pinned
commits); the command runs in a subprocess whose every connection is logged by an audit hook, so the test sees
that each request went to the given endpoint (huggingface_hub reads it once, at import: the flag must become
HF_ENDPOINT before that) and that the downloaded models then load offline, the same weights and tokenizer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import huggingface_hub
import pytest
import transformers

from playground import cli, hub
from playground.download import files_to_fetch
from playground.models import ModelManager
from playground.presets import PRESETS
from playground.settings import Settings
from tests.fake_hub import FakeHub
from tests.helpers import (
    LAUNCHER,
    PORTS_HOOK,
    assert_same_model,
    free_port,
    is_loopback,
    logged_hosts,
    logged_ports,
    start_app,
)

ROOT = Path(__file__).resolve().parents[2]
CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens there


@pytest.fixture
def fake_hub(tiny_model_dirs):
    """The en preset's models, tiny ones at the pinned commits, on a local stand-in for the Hub."""
    models = {
        m.model_id: (m.revision, Path(tiny_model_dirs[task])) for task, m in PRESETS["en"].models.items()
    }
    with FakeHub(models) as server:
        yield server


def online_environment(tmp_path: Path) -> dict[str, str]:
    """A child environment that may download (no HF_HUB_OFFLINE, which the tests' conftest sets), with no
    endpoint set and an empty model cache."""
    drop = {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_ENDPOINT", "PLAYGROUND_HUB_ENDPOINT"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    home = tmp_path / "hf-home"
    cache = home / "hub"
    return {**env, "HF_HOME": str(home), "HF_HUB_CACHE": str(cache), "PYTHONPATH": str(ROOT)}


def run_logged(
    tmp_path: Path, argv: list[str], env: dict[str, str]
) -> tuple[subprocess.CompletedProcess, Path]:
    """`playground ARGV` in a subprocess with the audit hook; its result and the log of its connections."""
    launcher, log = tmp_path / "launch.py", tmp_path / "connections.log"
    launcher.write_text(PORTS_HOOK + LAUNCHER)
    done = subprocess.run(
        [sys.executable, str(launcher), str(log), *argv],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return done, log


def assert_only_loopback(log: Path) -> None:
    outside = [(event, host) for event, host in logged_hosts(log) if not is_loopback(host)]
    assert outside == [], f"connections outside this computer: {outside}"


@pytest.mark.parametrize(
    "how",
    [
        "flag",  # --hub-endpoint URL, with HF_ENDPOINT naming a closed port: the flag wins
        "env",  # PLAYGROUND_HUB_ENDPOINT=URL, the same
        "hf_endpoint",  # only the usual HF_ENDPOINT=URL
    ],
)
def test_download_asks_the_given_endpoint_only_and_the_models_then_load_offline(
    how, fake_hub, tiny_model_dirs, tmp_path, monkeypatch
):
    env = online_environment(tmp_path)
    argv = ["download", "--preset", "en"]
    if how == "flag":
        env["HF_ENDPOINT"] = CLOSED
        argv += ["--hub-endpoint", fake_hub.url + "/"]  # a trailing slash is fine
    elif how == "env":
        env |= {"HF_ENDPOINT": CLOSED, "PLAYGROUND_HUB_ENDPOINT": fake_hub.url}
    else:
        env["HF_ENDPOINT"] = fake_hub.url
    done, log = run_logged(tmp_path, argv, env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"Downloading the models of the en preset from {fake_hub.url}:" in done.stdout
    assert_only_loopback(log)
    assert logged_ports(log) and all(port == fake_hub.port for port in logged_ports(log))
    fetched = {
        (request.path.split("/resolve/")[0].lstrip("/"), request.path.rsplit("/", 1)[1])
        for request in fake_hub.requests
        if request.route == "file" and request.method == "GET"
    }
    for model in PRESETS["en"].models.values():
        files = files_to_fetch(list(fake_hub.files(model.model_id)))
        assert {name for repo, name in fetched if repo == model.model_id} == set(files)
        assert all(model.revision in r.path for r in fake_hub.requests if model.model_id in r.path)

    cache = Path(env["HF_HUB_CACHE"])
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    manager = ModelManager(PRESETS["en"].model_ids, device="cpu", offline=True)
    for task, model in PRESETS["en"].models.items():
        assert (
            cache / f"models--{model.model_id.replace('/', '--')}" / "snapshots" / model.revision
        ).is_dir()
        assert_same_model(manager.get(task), tiny_model_dirs[task])


def test_the_app_downloads_through_the_given_endpoint_and_answers(fake_hub, tiny_model_dirs, tmp_path):
    """`playground --hub-endpoint URL`: a model not in the cache is fetched from URL when a tab needs it."""
    env = {**online_environment(tmp_path), "HF_ENDPOINT": CLOSED, "PYTHONUNBUFFERED": "1"}
    launcher, log, port = tmp_path / "launch.py", tmp_path / "connections.log", free_port()
    launcher.write_text(PORTS_HOOK + LAUNCHER)
    command = [sys.executable, str(launcher), str(log), "--hub-endpoint", fake_hub.url]
    command += ["--port", str(port), "--device", "cpu"]
    server, url, _ = start_app(command, port, tmp_path, env)
    try:
        from gradio_client import Client

        answer = Client(url, verbose=False).predict(text="What a lovely film.", api_name="/classify")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    reference = transformers.pipeline("text-classification", model=tiny_model_dirs["sentiment"])
    expected = reference("What a lovely film.", top_k=None)
    assert [a["label"] for a in answer] == [e["label"] for e in expected]
    assert [a["score"] for a in answer] == pytest.approx([e["score"] for e in expected], abs=1e-5)
    sentiment = PRESETS["en"].models["sentiment"]
    asked = [r for r in fake_hub.requests if r.route == "file" and sentiment.model_id in r.path]
    assert asked and all(sentiment.revision in r.path for r in asked)
    assert_only_loopback(log)
    assert fake_hub.port in logged_ports(log) and set(logged_ports(log)) <= {fake_hub.port, port}


@pytest.mark.parametrize("url", ["hf-mirror.com", "ftp://hf-mirror.com", "https://hf mirror.com", "https://"])
def test_a_bad_endpoint_is_refused_in_one_sentence(url, capsys):
    sentence = (
        f"--hub-endpoint {url!r} is not a web address: give one that starts with http:// or https:// and has "
        "no spaces, e.g. --hub-endpoint https://hf-mirror.com."
    )
    with pytest.raises(SystemExit) as stop:
        Settings.from_args(["--hub-endpoint", url])
    assert stop.value.code == 2 and capsys.readouterr().err.strip().endswith(sentence)
    with pytest.raises(SystemExit) as stop:
        cli.build_download_parser({"PLAYGROUND_HUB_ENDPOINT": url}).parse_args([])
    assert stop.value.code == 2 and capsys.readouterr().err.strip().endswith(sentence)
    assert (
        Settings.from_args(["--hub-endpoint", "https://hf-mirror.com/"]).hub_endpoint
        == "https://hf-mirror.com"
    )
    assert Settings.from_args(
        [], environ={"PLAYGROUND_HUB_ENDPOINT": "http://10.0.0.2:8080"}
    ).hub_endpoint == ("http://10.0.0.2:8080")


def test_the_endpoint_is_set_before_huggingface_hub_is_imported():
    """`python app.py --hub-endpoint URL`: nothing has imported huggingface_hub when the flag is applied, so the
    library reads URL itself; its module-level client, its file URLs and playground.hub's probe all use it."""
    check = (
        "import runpy, sys\n"
        "import playground.cli as cli\n"
        "real = cli.prepare_environment\n"
        "def prepare(settings):\n"
        "    imported_before = 'huggingface_hub' in sys.modules\n"
        "    real(settings)\n"
        "    from huggingface_hub import constants, hf_api, hf_hub_url\n"
        "    from playground import hub\n"
        "    print('IMPORTED_BEFORE', imported_before)\n"
        "    print('ENDPOINT', constants.ENDPOINT, hf_api.api.endpoint, hub.endpoint())\n"
        "    print('URL', hf_hub_url('org/name', 'config.json', revision='abc'))\n"
        "    sys.exit(0)\n"
        "cli.prepare_environment = prepare\n"
        "sys.argv = ['app.py', '--hub-endpoint', 'http://127.0.0.1:9/']\n"
        "runpy.run_path('app.py', run_name='__main__')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "HF_ENDPOINT"}
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "IMPORTED_BEFORE False" in done.stdout, done.stderr[-2000:]
    assert "ENDPOINT http://127.0.0.1:9 http://127.0.0.1:9 http://127.0.0.1:9" in done.stdout
    assert "URL http://127.0.0.1:9/org/name/resolve/abc/config.json" in done.stdout


def test_an_endpoint_given_after_huggingface_hub_was_imported_still_applies(monkeypatch):
    """As under `gradio app.py`, which imports huggingface_hub before app.py reads PLAYGROUND_HUB_ENDPOINT."""
    from huggingface_hub import constants, hf_api

    for name in ("ENDPOINT", "HUGGINGFACE_CO_URL_TEMPLATE"):
        monkeypatch.setattr(constants, name, getattr(constants, name))  # put back after the test
    monkeypatch.setattr(hf_api.api, "endpoint", hf_api.api.endpoint)
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    hub.use_endpoint("http://127.0.0.1:9")
    assert os.environ["HF_ENDPOINT"] == "http://127.0.0.1:9" and hub.endpoint() == "http://127.0.0.1:9"
    assert hf_api.api.endpoint == "http://127.0.0.1:9"
    assert huggingface_hub.hf_hub_url("org/name", "config.json", revision="abc") == (
        "http://127.0.0.1:9/org/name/resolve/abc/config.json"
    )
