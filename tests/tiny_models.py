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


def tiny_roberta(fill_mask_folder: str):
    """A tiny untrained RoBERTa masked LM over the tiny BERT's WordPiece tokenizer (only its modules matter to
    the tests that use it): a LoadedModel for the fill-mask task."""
    from transformers import AutoTokenizer, RobertaConfig, RobertaForMaskedLM

    from playground.models import LoadedModel

    tokenizer = AutoTokenizer.from_pretrained(fill_mask_folder)
    config = RobertaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=66,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    model = RobertaForMaskedLM(config).eval()
    return LoadedModel("fill-mask", "tiny-roberta", model, tokenizer, torch.device("cpu"))
