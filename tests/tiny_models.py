"""The tiny models the tests load are the demo models (playground/tiny_models.py); this module adds what only tests
need: `install_in_hub_cache` lays a saved model out the way the Hugging Face cache holds a download."""

from __future__ import annotations

import shutil
from pathlib import Path

import torch
from safetensors.torch import load_file

from playground.tiny_models import (  # noqa: F401 (the fixtures import them from here)
    build_all,
    build_bert_mlm,
    build_chinese_gpt2,
    build_gpt2,
    build_llama_chat,
    build_marian,
)


def install_in_hub_cache(
    folder: Path, cache: Path, model_id: str, revision: str, main: bool = False, pytorch_bin: bool = False
) -> Path:
    """Copy a saved model into a Hugging Face cache folder as a download of `model_id` at `revision` is kept:
    models--org--name/snapshots/<revision>/... With `main`, refs/main names that revision too (as after a
    download of the main branch; a download at a pinned commit writes no ref). With `pytorch_bin`, the weights
    are a pytorch_model.bin, as in older repositories without safetensors."""
    repo = cache / ("models--" + model_id.replace("/", "--"))
    snapshot = repo / "snapshots" / revision
    shutil.copytree(folder, snapshot, dirs_exist_ok=True)
    if pytorch_bin:
        weights = snapshot / "model.safetensors"
        torch.save(load_file(weights), snapshot / "pytorch_model.bin")
        weights.unlink()
    if main:
        (repo / "refs").mkdir(parents=True, exist_ok=True)
        (repo / "refs" / "main").write_text(revision)
    return snapshot
