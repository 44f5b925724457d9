"""Model presets: --preset picks three models at pinned commits, a model flag replaces one, the System tab's
switch changes all three; `playground download` fetches exactly the pinned files; offline, models come from
the cache, and a missing one is named with the command that prepares it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import huggingface_hub
import pytest

from playground import cli
from playground.download import files_to_fetch
from playground.models import ModelLoadError, ModelManager
from playground.presets import PRESETS, pinned_revision
from playground.registry import TASKS
from playground.settings import DEFAULT_MODELS, Settings
from playground.tasks.fill_mask import fill_mask
from playground.ui import system
from playground.ui.context import Context
from tests.helpers import ADMIN_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def test_every_preset_model_is_pinned_to_a_full_commit():
    for preset in PRESETS.values():
        assert set(preset.models) == set(TASKS)
        for model in preset.models.values():
            assert re.fullmatch(r"[0-9a-f]{40}", model.revision), model
            assert pinned_revision(model.model_id) == model.revision
    assert PRESETS["en"].model_ids == DEFAULT_MODELS
    assert pinned_revision("someone/else") is None


def test_the_preset_supplies_the_models_and_a_model_flag_replaces_one():
    zh = Settings.from_args(["--preset", "zh"], environ={})
    assert {t: zh.model_id(t) for t in TASKS} == PRESETS["zh"].model_ids
    mixed = Settings.from_args(["--fill-mask-model", "./my-bert"], environ={"PLAYGROUND_PRESET": "zh"})
    assert mixed.model_id("fill-mask") == "./my-bert"
    assert mixed.model_id("generation") == "uer/gpt2-chinese-cluecorpussmall"
    assert Settings(models={"generation": "./gpt"}).model_id("sentiment") == DEFAULT_MODELS["sentiment"]
    assert Settings(preset="zh").model_id("sentiment") == "uer/roberta-base-finetuned-dianping-chinese"
    assert Settings.from_args([], environ={"PLAYGROUND_OFFLINE": "1"}).offline


@pytest.mark.parametrize(
    "argv,env,message",
    [
        (["--offline", "--share"], {}, "cannot be used with --offline"),
        ([], {"PLAYGROUND_PRESET": "fr"}, "Unknown preset 'fr'"),
        (["--preset", "fr"], {}, "invalid choice"),
    ],
)
def test_impossible_settings_are_refused_by_the_parser(argv, env, message, capsys):
    with pytest.raises(SystemExit) as stop:
        Settings.from_args(argv, environ=env)
    assert stop.value.code == 2 and message in capsys.readouterr().err


@pytest.fixture
def offline_cache(hub_cache, monkeypatch):
    """Loads read `hub_cache`, as with HF_HUB_CACHE=hub_cache."""
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(hub_cache))
    return hub_cache


def test_offline_presets_load_from_the_cache_at_their_commits_and_switch(offline_cache):
    manager = ModelManager(PRESETS["en"].model_ids, device="cpu", offline=True)
    assert manager.active_preset == "en"
    english = {task: manager.get(task) for task in TASKS}  # only snapshots/<commit>/ exist: no "main"
    assert english["generation"].model_id == "openai-community/gpt2"

    manager.apply_preset("zh")
    assert manager.active_preset == "zh" and manager.model_ids == PRESETS["zh"].model_ids
    assert not any(manager.is_loaded(task) for task in TASKS)  # the English models were unloaded
    bert = manager.get("fill-mask")
    assert (
        type(bert.tokenizer).__name__ == "BertTokenizer" and bert.model_id == "google-bert/bert-base-chinese"
    )
    result = fill_mask(bert, "今天天气很[MASK]。", top_k=3, max_chars=100)
    assert " " not in result.best_sequence and result.best_sequence.startswith("今天天气很")
    manager.apply_preset("zh")  # the same preset again keeps what is loaded
    assert manager.is_loaded("fill-mask")
    manager.model_ids["sentiment"] = "./somewhere-else"
    assert manager.active_preset is None
    with pytest.raises(ModelLoadError, match="Unknown preset"):
        manager.apply_preset("fr")


def test_offline_a_model_missing_from_the_cache_names_the_command_that_prepares_it(
    tmp_path, monkeypatch, tiny_model_dirs
):
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))  # an empty cache
    manager = ModelManager(PRESETS["zh"].model_ids, device="cpu", offline=True)
    with pytest.raises(ModelLoadError) as error:
        manager.get("generation")
    assert str(error.value) == (
        "The Generation model uer/gpt2-chinese-cluecorpussmall is not in this computer's model cache. "
        "Prepare it while online with: playground download --preset zh"
    )
    manager = ModelManager(
        {**tiny_model_dirs, "sentiment": "someone/their-model"}, device="cpu", offline=True
    )
    with pytest.raises(
        ModelLoadError, match="not in this computer's model cache.*hf download someone/their-model"
    ):
        manager.get("sentiment")
    assert manager.get("generation")  # a local folder needs no cache, no revision


def fake_repo_files(repo_id: str, revision: str) -> list[str]:
    """What list_repo_files answers: GPT-2-like repositories with everything; the uer ones without safetensors."""
    files = [
        "README.md",
        ".gitattributes",
        "config.json",
        "vocab.txt",
        "tokenizer_config.json",
        "pytorch_model.bin",
    ]
    files += ["tf_model.h5", "flax_model.msgpack", "rust_model.ot", "onnx/model.onnx", "64-8bits.tflite"]
    return files if repo_id.startswith("uer/") else files + ["model.safetensors", "generation_config.json"]


def test_files_to_fetch_skips_other_frameworks_and_bin_weights_when_there_are_safetensors():
    assert files_to_fetch(fake_repo_files("openai-community/gpt2", "x")) == [
        "config.json", "generation_config.json", "model.safetensors", "tokenizer_config.json", "vocab.txt",
    ]  # fmt: skip
    assert files_to_fetch(fake_repo_files("uer/gpt2-chinese-cluecorpussmall", "x")) == [
        "config.json", "pytorch_model.bin", "tokenizer_config.json", "vocab.txt",
    ]  # fmt: skip


def test_download_fetches_every_preset_model_at_its_commit(monkeypatch, capsys):
    fetched = []

    def fake_snapshot_download(repo_id, revision, allow_patterns):
        fetched.append((repo_id, revision, allow_patterns))
        return f"/cache/models--{repo_id.replace('/', '--')}/snapshots/{revision}"

    monkeypatch.setattr(huggingface_hub, "list_repo_files", fake_repo_files)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot_download)
    cli.main(["download", "--preset", "all"])
    expected = [(m.model_id, m.revision) for p in PRESETS.values() for m in p.models.values()]
    assert [(repo, revision) for repo, revision, _ in fetched] == expected
    for repo, revision, files in fetched:
        assert files == files_to_fetch(fake_repo_files(repo, revision))
    out = capsys.readouterr().out
    assert "/snapshots/c2c0249d8a2731f269414cc3b22dff021f8e07a3" in out
    assert "playground --offline --preset en" in out and "playground --offline --preset zh" in out


def test_download_without_a_connection_says_so_in_one_sentence(monkeypatch, capsys):
    httpx2 = pytest.importorskip("httpx2")  # what huggingface_hub raises with

    def unreachable(repo_id, revision):
        raise httpx2.ConnectError("[Errno -2] Name or service not known")

    monkeypatch.setattr(huggingface_hub, "list_repo_files", unreachable)
    with pytest.raises(SystemExit) as stop:
        cli.main(["download", "--preset", "zh"])
    assert stop.value.code == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        "Could not download uer/gpt2-chinese-cluecorpussmall: the Hugging Face Hub (https://huggingface.co) "
        "cannot be reached from this computer; check the internet connection (or proxy), or use a mirror of "
        "the Hub with --hub-endpoint https://hf-mirror.com (or --source modelscope), and run the command again."
    ]

    def no_such_revision(repo_id, revision):
        raise ValueError("Invalid rev id: abc")

    monkeypatch.setattr(huggingface_hub, "list_repo_files", no_such_revision)
    with pytest.raises(SystemExit):
        cli.main(["download", "--preset", "en"])
    assert "openai-community/gpt2 at revision 607a30d783dfa663caf39e06633721c8d4cfcd7e: Invalid rev id" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize("argv", [["--help"], ["download", "--help"]])
def test_help_answers_without_loading_torch_gradio_or_the_hub(argv):
    script = (
        "import runpy, sys\n"
        f"sys.argv = ['app.py', *{argv!r}]\n"
        "try:\n    runpy.run_path('app.py', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "heavy = ('torch', 'gradio', 'transformers', 'huggingface_hub')\n"
        "print('HEAVY', sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in out.stdout and "--preset" in out.stdout


def test_offline_environment_switches_off_the_hub_and_gradio_analytics(monkeypatch):
    for name in cli.OFFLINE_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    cli.use_offline_environment()
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"


def test_the_system_tab_switches_preset_without_custom_models(settings):
    from playground.ui.layout import build_demo

    assert not settings.allow_custom_models
    manager = ModelManager(PRESETS["en"].model_ids, device="cpu", offline=True)
    context = Context.create(settings, manager)
    shown = system.use_preset(context, ADMIN_PASSWORD, "zh")
    assert manager.active_preset == "zh" and "**Model preset:** 中文" in shown["summary"]
    assert not manager.loaded()
    system.use_preset(context, ADMIN_PASSWORD, system.STARTED)  # back to what the server started with
    assert manager.model_ids == PRESETS["en"].model_ids
    build_demo(settings, manager)  # the page of a server started offline with the English preset
