"""Results -> files to download: the attention tensor as .npz and .json, a bertviz view as .html."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import numpy as np

from playground import api
from playground.tasks.attention import AttentionResult


def file_stem(model_id: str, what: str) -> str:
    """'google-bert/bert-base-uncased', 'attention' -> 'bert-base-uncased-attention' (safe as a file name)."""
    name = Path(model_id.rstrip("/\\")).name or "model"
    return re.sub(r"[^A-Za-z0-9._]+", "-", f"{name}-{what}").strip("-.") or what


def _new_file(model_id: str, what: str, suffix: str) -> Path:
    """A fresh path in a new temporary folder, so two downloads never overwrite each other."""
    return Path(tempfile.mkdtemp(prefix="playground-")) / f"{file_stem(model_id, what)}{suffix}"


def write_npz(result: AttentionResult) -> Path:
    """`attentions` (layers, heads, query, key) float32, `tokens`, `token_ids`, `model`, `causal`.
    Loads with `numpy.load(path)` (no pickle needed)."""
    path = _new_file(result.model_id, "attention", ".npz")
    np.savez_compressed(
        path,
        attentions=result.attentions.astype(np.float32),
        tokens=np.array(result.tokens, dtype=str),
        token_ids=np.array(result.token_ids, dtype=np.int64),
        model=np.array(result.model_id),
        causal=np.array(result.causal),
    )
    return path


def write_json(result: AttentionResult) -> Path:
    """The /attention endpoint's JSON: `{"model", "tokens", "attentions": [layer][head][query][key]}`."""
    path = _new_file(result.model_id, "attention", ".json")
    path.write_text(json.dumps(api.attention_json(result), ensure_ascii=False), encoding="utf-8")
    return path


def write_html(document: str, model_id: str, what: str) -> Path:
    path = _new_file(model_id, what, ".html")
    path.write_text(document, encoding="utf-8")
    return path
