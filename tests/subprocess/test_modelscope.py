"""`playground download --source modelscope`: the preset's models that ModelScope has, at their recorded
revisions, into plain folders, and the one command that serves them with --offline; the others named in one
sentence with the mirror as the fallback. ModelScope is never reached: a fake `modelscope` package on the
subprocess's sys.path logs each snapshot_download call and copies a tiny model's files (those the call's
allow_patterns match) into its local_dir."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import types
from fnmatch import fnmatch
from pathlib import Path

import huggingface_hub
import pytest

from playground import cli
from playground.download import CONFIG_AND_TOKENIZER, MODELSCOPE_MISSING_PACKAGE, PYTORCH, SAFETENSORS
from playground.models import ModelManager
from playground.presets import PRESETS
from playground.settings import Settings
from tests.helpers import assert_same_model
from tests.tiny_models import build_bert_mlm, install_in_hub_cache

ROOT = Path(__file__).resolve().parents[2]
FAKE_MODELSCOPE = '''
"""A stand-in for the modelscope package: snapshot_download copies from the folders in $FAKE_MODELSCOPE_REPOS."""
import json, os, shutil
from fnmatch import fnmatch
from pathlib import Path


def snapshot_download(model_id, revision=None, cache_dir=None, local_dir=None, allow_patterns=None, **options):
    with open(os.environ["FAKE_MODELSCOPE_LOG"], "a") as log:
        log.write(json.dumps({"model_id": model_id, "revision": revision, "local_dir": local_dir,
                              "allow_patterns": allow_patterns, "options": sorted(options)}) + "\\n")
    repo = Path(json.loads(os.environ["FAKE_MODELSCOPE_REPOS"])[model_id])
    Path(local_dir).mkdir(parents=True, exist_ok=True)
    for file in repo.iterdir():
        if allow_patterns is None or any(fnmatch(file.name, p) for p in allow_patterns):
            shutil.copy(file, Path(local_dir) / file.name)
    return local_dir
'''
# Every file a ModelScope copy holds here: the model's own, and some the playground never loads.
UNWANTED = {"README.md": "# a model card", "tf_model.h5": "TF weights", "configuration.json": "{}"}


@pytest.fixture(scope="module")
def modelscope_repos(tiny_model_dirs, tmp_path_factory) -> dict[str, Path]:
    """The ModelScope copies of the preset models that have one: tiny models, the Chinese BERT with PyTorch
    .bin weights only (as older repositories hold them), each with files the playground does not load."""
    root = tmp_path_factory.mktemp("modelscope-repos")
    chinese_bert = build_bert_mlm(root / "bert-chinese-saved", chinese=True)
    local = {
        "AI-ModelScope/gpt2": Path(tiny_model_dirs["generation"]),
        "AI-ModelScope/bert-base-uncased": Path(tiny_model_dirs["fill-mask"]),
        "AI-ModelScope/bert-base-chinese": install_in_hub_cache(
            chinese_bert, root / "bin", "x/bert-base-chinese", "master", pytorch_bin=True
        ),
        "Qwen/Qwen2.5-0.5B-Instruct": Path(tiny_model_dirs["chat"]),
    }
    repos = {}
    for model_id, folder in local.items():
        repo = root / model_id
        repo.mkdir(parents=True)
        for file in folder.iterdir():
            (repo / file.name).write_bytes(file.read_bytes())
        for name, text in UNWANTED.items():
            (repo / name).write_text(text)
        repos[model_id] = repo
    return repos


def test_modelscope_ids_are_recorded_with_a_revision():
    recorded = {
        m.model_id: (m.modelscope_id, m.modelscope_revision)
        for p in PRESETS.values()
        for m in p.models.values()
    }
    assert {hub_id: ms for hub_id, (ms, _) in recorded.items() if ms} == {
        "openai-community/gpt2": "AI-ModelScope/gpt2",
        "google-bert/bert-base-uncased": "AI-ModelScope/bert-base-uncased",
        "google-bert/bert-base-chinese": "AI-ModelScope/bert-base-chinese",
        "Qwen/Qwen2.5-0.5B-Instruct": "Qwen/Qwen2.5-0.5B-Instruct",
    }
    assert all(revision for _, revision in recorded.values())


def test_download_from_modelscope_into_folders_that_load_offline(
    modelscope_repos, hub_cache, tiny_model_dirs, tmp_path, monkeypatch
):
    package = tmp_path / "fake-packages" / "modelscope"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(FAKE_MODELSCOPE)
    log, target = (
        tmp_path / "calls.jsonl",
        tmp_path / "models from modelscope",
    )  # a space: the command quotes it
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(package.parent), str(ROOT)]),
        "FAKE_MODELSCOPE_LOG": str(log),
        "FAKE_MODELSCOPE_REPOS": json.dumps({k: str(v) for k, v in modelscope_repos.items()}),
    }
    argv = ["app.py", "download", "--source", "modelscope", "--preset", "all", "--dir", str(target)]
    done = subprocess.run(
        [sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]

    calls = [json.loads(line) for line in log.read_text().splitlines()]
    first = [*CONFIG_AND_TOKENIZER, *SAFETENSORS]
    assert [(c["model_id"], c["revision"], c["allow_patterns"]) for c in calls] == [
        ("AI-ModelScope/gpt2", "master", first),
        ("AI-ModelScope/bert-base-uncased", "master", first),
        ("AI-ModelScope/bert-base-chinese", "master", first),
        (
            "AI-ModelScope/bert-base-chinese",
            "master",
            list(PYTORCH),
        ),  # no safetensors there: the .bin weights
        ("Qwen/Qwen2.5-0.5B-Instruct", "master", first),
    ]
    assert all(c["local_dir"] == str((target / c["model_id"]).resolve()) for c in calls)
    for model_id, repo in modelscope_repos.items():
        kept = {f.name for f in (target / model_id).iterdir()}
        assert kept == {f.name for f in repo.iterdir() if f.name not in UNWANTED}

    out = done.stdout
    assert out.startswith("Downloading the models of the all preset from ModelScope:\n")
    assert (
        "ModelScope has no known copy of distilbert/distilbert-base-uncased-finetuned-sst-2-english, "
        "HuggingFaceTB/SmolLM2-135M-Instruct, distilbert/distilbert-base-cased-distilled-squad, "
        "Helsinki-NLP/opus-mt-en-zh, uer/gpt2-chinese-cluecorpussmall, "
        "uer/roberta-base-finetuned-dianping-chinese, uer/roberta-base-chinese-extractive-qa and "
        "Helsinki-NLP/opus-mt-zh-en: fetch them through a mirror of the Hub with "
        "`playground download --preset all --hub-endpoint https://hf-mirror.com` (the whole preset, into the "
        "Hugging Face cache, where the serve command below finds them).\n"
    ) in out
    commands = [line.strip() for line in out.splitlines() if line.strip().startswith("playground --offline")]
    assert len(commands) == 2

    # Each printed command, as `playground` parses it, serves the ModelScope folders offline; the models that
    # are not on ModelScope come from the Hugging Face cache (as the mirror's download leaves it).
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(hub_cache))
    folders = {}
    for command in commands:
        words = shlex.split(command)
        assert words[:2] == ["playground", "--offline"]
        settings = Settings.from_args(words[1:])
        preset = PRESETS[settings.preset]
        folders[settings.preset] = {
            task: settings.model_id(task) for task, m in preset.models.items() if m.modelscope_id
        }
        assert folders[settings.preset] == {
            task: str((target / m.modelscope_id).resolve())
            for task, m in preset.models.items()
            if m.modelscope_id
        }
        assert all(
            settings.model_id(t) == m.model_id for t, m in preset.models.items() if not m.modelscope_id
        )
        manager = ModelManager(settings.model_ids, device="cpu", offline=settings.offline)
        for task, model in preset.models.items():
            loaded = manager.get(task)
            assert loaded.model_id == settings.model_id(task)
            if model.modelscope_id:
                assert_same_model(loaded, str(modelscope_repos[model.modelscope_id]))


def test_without_the_modelscope_package_one_sentence_says_how_to_install_it(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "modelscope", None)  # `import modelscope` raises ImportError
    with pytest.raises(SystemExit) as stop:
        cli.main(["download", "--source", "modelscope", "--dir", str(tmp_path)])
    assert stop.value.code == 1
    assert capsys.readouterr().err.strip().splitlines() == [MODELSCOPE_MISSING_PACKAGE]
    assert 'pip install -e ".[modelscope]"' in MODELSCOPE_MISSING_PACKAGE
    assert not list(tmp_path.iterdir())


def test_modelscope_is_imported_only_for_source_modelscope(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "modelscope", None)
    monkeypatch.setattr(huggingface_hub, "list_repo_files", lambda repo_id, revision: ["config.json"])
    monkeypatch.setattr(huggingface_hub, "snapshot_download", lambda repo_id, revision, allow_patterns: "/x")
    cli.main(["download", "--preset", "zh"])  # the Hub: no modelscope needed
    assert "playground --offline --preset zh" in capsys.readouterr().out


def test_an_unreachable_modelscope_is_said_in_one_sentence(monkeypatch, capsys, tmp_path):
    def unreachable(model_id, **options):
        raise ConnectionError("Max retries exceeded with url: /api/v1/models/AI-ModelScope/bert-base-chinese")

    monkeypatch.setitem(sys.modules, "modelscope", types.SimpleNamespace(snapshot_download=unreachable))
    with pytest.raises(SystemExit):
        cli.main(["download", "--source", "modelscope", "--preset", "zh", "--dir", str(tmp_path)])
    assert capsys.readouterr().err.strip().splitlines() == [
        "Could not download AI-ModelScope/bert-base-chinese from ModelScope at revision master: ModelScope "
        "cannot be reached from this computer; check the internet connection (or proxy) and run the command "
        "again."
    ]


def test_a_copy_without_weights_is_refused_with_the_fallback(monkeypatch, capsys, tmp_path):
    def config_only(model_id, local_dir, allow_patterns, **options):
        Path(local_dir).mkdir(parents=True, exist_ok=True)
        if any(fnmatch("config.json", p) for p in allow_patterns):
            (Path(local_dir) / "config.json").write_text("{}")
        return local_dir

    monkeypatch.setitem(sys.modules, "modelscope", types.SimpleNamespace(snapshot_download=config_only))
    with pytest.raises(SystemExit):
        cli.main(["download", "--source", "modelscope", "--preset", "en", "--dir", str(tmp_path)])
    assert capsys.readouterr().err.strip().splitlines() == [
        "ModelScope's AI-ModelScope/gpt2 (revision master) has no config.json or no weights the playground can "
        "load; fetch openai-community/gpt2 through a mirror of the Hub instead (--hub-endpoint "
        "https://hf-mirror.com)."
    ]


def test_dir_is_only_for_modelscope(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["download", "--dir", "somewhere"])
    assert stop.value.code == 2 and "--dir is for --source modelscope" in capsys.readouterr().err
