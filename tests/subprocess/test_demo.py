"""`playground --demo`: tiny models made on this computer, served with no download and no network, nothing
written into the checkout; the models are built once, and an interrupted build leaves nothing half made."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from playground import demo, demo_models, tiny_models
from playground.models import ModelManager
from playground.settings import Settings
from playground.tasks.generation import GenerationParams, generate
from tests.helpers import free_port, start_app

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".git"}


def copy_fixture_models(tiny_model_dirs: dict[str, str], root: Path, tasks) -> None:
    """The session's tiny models (the demo's own builders made them) where the demo keeps its models."""
    for task in tasks:
        folder = demo.FOLDERS["en"][task][0]
        shutil.copytree(tiny_model_dirs[task], root / folder)


def checkout_files() -> set[str]:
    files = set()
    for path, folders, names in os.walk(ROOT):
        folders[:] = [f for f in folders if f not in SKIPPED and not f.endswith(".egg-info")]
        files |= {os.path.relpath(os.path.join(path, name), ROOT) for name in names}
    return files


def test_demo_settings_are_offline_and_name_the_demo_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_DEMO_DIR", str(tmp_path))
    settings = Settings.from_args(["--demo"], environ={})
    assert settings.offline and settings.model_id("generation") == str(tmp_path / "tiny-gpt2")
    assert Settings.from_args(["--demo", "--preset", "zh"], environ={}).model_id("fill-mask") == str(
        tmp_path / "tiny-bert-chinese"
    )
    mine = Settings.from_args(["--demo", "--generation-model", "./my-gpt2"], environ={})
    assert mine.model_id("generation") == "./my-gpt2" and mine.model_id("chat") == str(
        tmp_path / "tiny-llama-chat"
    )
    with pytest.raises(SystemExit):
        Settings.from_args(["--demo", "--share"], environ={})


def test_prepare_builds_only_what_is_missing_and_never_half(tmp_path, monkeypatch, tiny_model_dirs):
    monkeypatch.setenv("PLAYGROUND_DEMO_DIR", str(tmp_path))
    copy_fixture_models(
        tiny_model_dirs, tmp_path, ["fill-mask", "sentiment", "chat", "question-answering", "translation"]
    )
    before = {p: p.stat().st_mtime for p in tmp_path.rglob("config.json")}
    monkeypatch.setattr(
        demo_models, "build_gpt2", tiny_models.build_gpt2
    )  # the fast one: what is built, once
    lines = []
    folders = demo.prepare("en", report=lines.append)
    assert folders == demo.demo_models("en") and len(lines) == 1 and "tiny-gpt2" in lines[0]
    assert {p: p.stat().st_mtime for p in before} == before  # the ones there were kept
    loaded = ModelManager({"generation": folders["generation"]}, "cpu").get("generation")
    greedy = GenerationParams(max_new_tokens=4, temperature=0)
    assert generate(loaded, "The cat", greedy, 100, 60).generated_text.startswith("The cat")  # it works
    assert demo.prepare("en", report=lines.append) == folders and len(lines) == 1  # built once

    def interrupted(path: Path, **options):
        path.mkdir(parents=True)
        (path / "config.json").write_text("{}")
        raise KeyboardInterrupt

    shutil.rmtree(folders["generation"])
    monkeypatch.setattr(demo_models, "build_gpt2", interrupted)
    with pytest.raises(KeyboardInterrupt):
        demo.prepare("en", report=lines.append)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "tiny-bert",
        "tiny-distilbert-qa",
        "tiny-distilbert-sst2",
        "tiny-llama-chat",
        "tiny-marian-en-zh",
    ]


def test_prepare_trains_with_the_build_threads_then_restores_the_count(
    tmp_path, monkeypatch, tiny_model_dirs
):
    """The demo models train with demo.BUILD_THREADS PyTorch threads on any machine (the models the tests
    check), and the server's own thread count is back afterwards."""
    import torch

    monkeypatch.setenv("PLAYGROUND_DEMO_DIR", str(tmp_path))
    copy_fixture_models(
        tiny_model_dirs, tmp_path, ["fill-mask", "sentiment", "chat", "question-answering", "translation"]
    )
    seen = []

    def build(path: Path, **options):
        seen.append(torch.get_num_threads())
        return tiny_models.build_gpt2(path)

    monkeypatch.setattr(demo_models, "build_gpt2", build)
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        demo.prepare("en", report=lambda line: None)
        assert seen == [demo.BUILD_THREADS] and torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_the_demo_flag_serves_the_tiny_models_and_writes_nothing_into_the_checkout(tmp_path, tiny_model_dirs):
    copy_fixture_models(tiny_model_dirs, tmp_path, demo.FOLDERS["en"])
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"}}
    env |= {
        "PLAYGROUND_DEMO_DIR": str(tmp_path),
        "HF_HOME": str(tmp_path / "hf-home"),
        "PYTHONUNBUFFERED": "1",
    }
    before = checkout_files()
    command = [sys.executable, "app.py", "--demo", "--port", str(port), "--device", "cpu"]
    server, url, config = start_app(command, port, ROOT, env)
    try:
        from gradio_client import Client

        client = Client(url, verbose=False)
        [generated] = client.predict(prompt="The cat", max_new_tokens=8, temperature=0, api_name="/generate")
        assert generated["generated_text"].startswith("The cat")
        assert client.predict(text="The cat sat on the [MASK].", top_k=3, api_name="/fill_mask")
        assert "Demo models" in json.dumps(
            config, ensure_ascii=False
        )  # the note saying what these models are
        seen = client.predict(text="The cat", model="generation", api_name="/attention")
        assert seen["model"] == str(tmp_path / "tiny-gpt2")  # the demo's own model, from its folder
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert checkout_files() == before
