"""Issue 16, points 12 and 13: a broken model folder is refused at load with a sentence about the folder."""

from __future__ import annotations

import shutil

import pytest

from playground.models import ModelLoadError, ModelManager


def test_a_folder_without_tokenizer_files_is_refused_naming_them(tiny_model_dirs, tmp_path):
    folder = tmp_path / "no-tokenizer"
    shutil.copytree(tiny_model_dirs["sentiment"], folder)
    for path in folder.iterdir():
        if path.name not in {"config.json", "model.safetensors"}:
            path.unlink()
    manager = ModelManager({**tiny_model_dirs, "sentiment": str(folder)}, "cpu")
    with pytest.raises(
        ModelLoadError, match=r"has no tokenizer files \(tokenizer\.json, vocab\.txt"
    ) as caught:
        manager.get("sentiment")
    assert str(folder) in str(caught.value) and "--sentiment-model" in str(caught.value)


def test_a_folder_with_only_a_tokenizer_config_is_refused(tiny_model_dirs, tmp_path):
    folder = tmp_path / "config-only"
    shutil.copytree(tiny_model_dirs["sentiment"], folder)
    for name in ("tokenizer.json", "vocab.txt", "vocab.json", "merges.txt"):
        (folder / name).unlink(missing_ok=True)
    manager = ModelManager({**tiny_model_dirs, "sentiment": str(folder)}, "cpu")
    with pytest.raises(ModelLoadError, match="has no tokenizer files"):
        manager.get("sentiment")


@pytest.mark.parametrize("offline", [True, False])
def test_a_folder_that_vanished_names_the_folder_and_the_flag(tiny_model_dirs, tmp_path, offline):
    folder = tmp_path / "gone"
    shutil.copytree(tiny_model_dirs["sentiment"], folder)
    manager = ModelManager({**tiny_model_dirs, "sentiment": str(folder)}, "cpu", offline=offline)
    shutil.rmtree(folder)
    with pytest.raises(ModelLoadError) as caught:
        manager.get("sentiment")
    message = str(caught.value)
    assert f"folder {folder} does not exist" in message and "--sentiment-model" in message
    assert "hf download" not in message
