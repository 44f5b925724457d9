"""Attention weights: every layer and head, from the model's own eager attention implementation."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from playground.models import LoadedModel
from playground.tasks import check_text, encode_truncated, token_strings


@dataclass
class AttentionResult:
    model_id: str
    tokens: list[str]
    attentions: np.ndarray  # (layers, heads, query, key); each row sums to 1
    causal: bool
    notices: list[str] = field(default_factory=list)

    @property
    def num_layers(self) -> int:
        return self.attentions.shape[0]

    @property
    def num_heads(self) -> int:
        return self.attentions.shape[1]


def attention(loaded: LoadedModel, text: str, max_chars: int, max_tokens: int) -> AttentionResult:
    """Attention of `text` in every layer and head, cut to `max_tokens` tokens (with a notice)."""
    text = check_text(text, max_chars)
    tokenizer = loaded.tokenizer
    causal = loaded.task == "generation"
    limit = min(max_tokens, loaded.context_length)
    encoded, notices = encode_truncated(tokenizer, text, limit, add_special_tokens=not causal)
    ids = encoded["input_ids"][0].tolist()
    with loaded.eager_attention() as model, torch.inference_mode():
        outputs = model(**encoded.to(loaded.device), output_attentions=True)
    # outputs.attentions: layers x (1, heads, T, T)
    weights = torch.stack([layer[0] for layer in outputs.attentions]).float().cpu().numpy()
    return AttentionResult(
        model_id=loaded.model_id,
        tokens=token_strings(tokenizer, ids),
        attentions=weights,
        causal=causal,
        notices=notices,
    )
