"""The KV cache, step by step: greedy generation as `model.generate` does it, one forward pass per new token.

Prefill reads the whole prompt at once and leaves every layer's keys and values in the cache; each decode step
reads one token and the cache, and adds one position to it. Beside each step, the same next token computed
without the cache (the whole sequence again), timed live, so the saving is seen.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.registry import REGISTRY
from playground.tasks.experiments.common import read
from playground.tasks.generation import _eos_token_ids
from playground.tasks.inside.adapters import parts_of
from playground.tasks.text import readable_token
from playground.tasks.validation import InputError, check_int

MAX_NEW_TOKENS = 32


@dataclass
class NewToken:
    token: str  # as a reader sees it (half a character as its bytes)
    token_id: int


@dataclass
class CacheStep:
    step: int  # 1-based
    kind: str  # "prefill" | "decode"
    positions: int  # the cache's length after the step
    shape: list[int]  # [layers, 2 (keys, values), kv_heads, positions, head_dim]
    bytes: int  # the cache's size at the model's dtype
    ms_cached: float  # this step with the cache
    ms_uncached: float  # the same next token from the whole sequence, without a cache
    input_tokens: int  # tokens the cached step read: the prompt, then 1


@dataclass
class KVCache:
    model_id: str
    prompt_tokens: list[str]
    tokens: list[NewToken]
    steps: list[CacheStep]
    num_layers: int
    num_heads: int  # query heads
    num_kv_heads: int  # key/value heads: fewer with grouped-query attention
    head_dim: int
    dtype: str
    notices: list[Message] = field(default_factory=list)

    @property
    def bytes_per_position(self) -> int:
        return self.steps[0].bytes // self.steps[0].positions if self.steps else 0


def _cache_size(cache) -> tuple[list[int], int]:
    """The cache's [layers, 2, kv_heads, positions, head_dim] and its bytes."""
    layers = cache.layers
    keys = layers[0].keys
    total = sum(t.numel() * t.element_size() for layer in layers for t in (layer.keys, layer.values))
    _batch, kv_heads, positions, head_dim = keys.shape
    return [len(layers), 2, kv_heads, positions, head_dim], total


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, (time.perf_counter() - start) * 1000


def kv_cache(loaded: LoadedModel, text: str, max_chars: int, max_tokens: int, new_tokens: int = 8) -> KVCache:
    """Greedy generation of `new_tokens` tokens (fewer when the model ends its text), each step with the cache
    and, timed beside it, without; the tokens equal greedy `model.generate`."""
    if getattr(loaded.model.config, "is_encoder_decoder", False):
        raise InputError(
            lazy(
                "A translation model's decoder keeps a KV cache too (and the source's keys and values for its "
                "cross-attention, computed once), but this experiment continues one text: choose the "
                "generation or chat model."
            )
        )
    if not REGISTRY[loaded.task].causal:
        raise InputError(
            lazy(
                "Only a model that writes left to right keeps a KV cache while generating; this one reads the "
                "whole text at once. Choose the generation or chat model."
            )
        )
    new_tokens = check_int(new_tokens, lazy("New tokens"), 1, MAX_NEW_TOKENS)
    ids, notices = read(loaded, text, max_chars, max_tokens)
    room = loaded.context_length - len(ids)
    if room < 1:
        raise InputError(
            lazy(
                "The prompt fills the model's {limit} positions: there is no room for a new token. Please shorten it.",
                limit=loaded.context_length,
            )
        )
    if new_tokens > room:
        notices.append(
            lazy(
                "Only {room} new tokens fit in the model's {limit} positions.",
                room=room,
                limit=loaded.context_length,
            )
        )
        new_tokens = room
    parts = parts_of(loaded.model)
    eos = _eos_token_ids(loaded)  # where Generate ends too (a GPT with a BERT tokenizer: its [SEP])
    device = loaded.device
    sequence = list(ids)
    steps, tokens = [], []
    with loaded.lock, torch.inference_mode():
        model = loaded.model
        cache = None
        for step in range(1, new_tokens + 1):
            if cache is None:
                feed = torch.tensor([sequence], device=device)
            else:
                feed = torch.tensor([sequence[-1:]], device=device)
            mask = torch.ones((1, len(sequence)), dtype=torch.long, device=device)
            outputs, ms_cached = _timed(
                lambda feed=feed, mask=mask, cache=cache: model(
                    input_ids=feed, attention_mask=mask, cache=cache, use_cache=True, logits_to_keep=1
                )
            )
            whole = torch.tensor([sequence], device=device)
            uncached, ms_uncached = _timed(
                lambda whole=whole: model(
                    input_ids=whole, attention_mask=torch.ones_like(whole), use_cache=False, logits_to_keep=1
                )
            )
            cache = outputs.cache
            next_id = int(outputs.logits[0, -1].argmax())
            if int(uncached.logits[0, -1].argmax()) != next_id:  # the same computation: only rounding differs
                notices.append(
                    lazy("Step {step}: without the cache the rounding picked another token.", step=step)
                )
            shape, size = _cache_size(cache)
            steps.append(
                CacheStep(
                    step=step,
                    kind="prefill" if step == 1 else "decode",
                    positions=shape[3],
                    shape=shape,
                    bytes=size,
                    ms_cached=ms_cached,
                    ms_uncached=ms_uncached,
                    input_tokens=feed.shape[1],
                )
            )
            tokens.append(NewToken(readable_token(loaded.tokenizer, next_id), next_id))
            sequence.append(next_id)
            if next_id in eos:
                break
    dtype = next(model.parameters()).dtype
    return KVCache(
        model_id=loaded.model_id,
        prompt_tokens=[readable_token(loaded.tokenizer, i) for i in ids],
        tokens=tokens,
        steps=steps,
        num_layers=parts.num_layers,
        num_heads=parts.num_heads,
        num_kv_heads=parts.num_kv_heads,
        head_dim=parts.head_dim,
        dtype=str(dtype).removeprefix("torch."),
        notices=notices,
    )
