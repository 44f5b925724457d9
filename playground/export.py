"""Results -> files to download: the attention tensor as .npz and .json, a bertviz view as .html, a table as
.csv. They go in one temporary folder of this process: files older than an hour are removed as new ones are
written (gradio has served its own copy by then), and the folder itself when the process ends."""

from __future__ import annotations

import atexit
import json
import re
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from playground import api
from playground.tasks.attention import AttentionResult


def file_stem(model_id: str, what: str) -> str:
    """'google-bert/bert-base-uncased', 'attention' -> 'bert-base-uncased-attention' (safe as a file name)."""
    name = Path(model_id.rstrip("/\\")).name or "model"
    return re.sub(r"[^A-Za-z0-9._]+", "-", f"{name}-{what}").strip("-.") or what


KEEP_SECONDS = 3600
_root: Path | None = None


def downloads_root() -> Path:
    """This process's folder of files to download (made on first use, removed at exit)."""
    global _root
    if _root is None:
        _root = Path(tempfile.mkdtemp(prefix="playground-downloads-"))
        atexit.register(shutil.rmtree, _root, ignore_errors=True)
    return _root


def remove_old_downloads(keep_seconds: float = KEEP_SECONDS) -> None:
    """Delete the download folders written more than `keep_seconds` ago."""
    cutoff = time.time() - keep_seconds
    for folder in downloads_root().iterdir():
        if folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def new_file(model_id: str, what: str, suffix: str) -> Path:
    """A fresh path in a folder of its own, so two downloads never overwrite each other."""
    remove_old_downloads()
    folder = Path(tempfile.mkdtemp(dir=downloads_root()))
    return folder / f"{file_stem(model_id, what)}{suffix}"


def write_npz(result: AttentionResult) -> Path:
    """`attentions` (layers, heads, query, key) float32, `tokens`, `token_ids`, `model`, `causal` (and the
    cross-attention's `key_tokens`).
    Loads with `numpy.load(path)` (no pickle needed)."""
    path = new_file(result.model_id, "attention", ".npz")
    np.savez_compressed(
        path,
        attentions=result.attentions.astype(np.float32),
        tokens=np.array(result.tokens, dtype=str),
        token_ids=np.array(result.token_ids, dtype=np.int64),
        model=np.array(result.model_id),
        causal=np.array(result.causal),
        # the translation model's cross-attention: its columns (keys) are the source's tokens
        **({"key_tokens": np.array(result.key_tokens, dtype=str)} if result.key_tokens is not None else {}),
    )
    return path


def write_json(result: AttentionResult) -> Path:
    """The /attention endpoint's JSON: `{"model", "tokens", "attentions": [layer][head][query][key]}`."""
    path = new_file(result.model_id, "attention", ".json")
    path.write_text(json.dumps(api.attention_json(result), ensure_ascii=False), encoding="utf-8")
    return path


def write_html(document: str, model_id: str, what: str) -> Path:
    path = new_file(model_id, what, ".html")
    path.write_text(document, encoding="utf-8")
    return path
