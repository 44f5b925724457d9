"""Tiny models a real vLLM (CPU build) can serve: its attention kernels want heads at least 32 wide, so these are
the demo's GPT-2 and Llama chat models (their tokenizers, same layout) with 64-wide, 2-head layers. Untrained:
the tests compare numbers, not prose."""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel, LlamaForCausalLM

from playground.tiny_models import build_gpt2, build_llama_chat, chat_llama_config


def build_vllm_gpt2(path: Path, seed: int = 0) -> Path:
    """A 2-layer GPT-2 (n_embd 64, 2 heads of 32) with the tiny GPT-2's byte-level BPE tokenizer."""
    tokenizer = AutoTokenizer.from_pretrained(build_gpt2(path.with_name(path.name + "-tokenizer")))
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=256,
        n_embd=64,
        n_layer=2,
        n_head=2,
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    return _save(GPT2LMHeadModel, config, tokenizer, path, seed)


def build_vllm_llama_chat(path: Path, seed: int = 0) -> Path:
    """A 2-layer Llama (64 wide, 2 query heads of 32 sharing 1 key/value head) with the tiny chat model's
    tokenizer and ChatML template; `<|im_end|>` ends a turn."""
    tokenizer = AutoTokenizer.from_pretrained(
        build_llama_chat(path.with_name(path.name + "-tokenizer"), steps=1)
    )
    config = chat_llama_config(tokenizer, width=64, context=256, heads=2, kv_heads=1)
    return _save(LlamaForCausalLM, config, tokenizer, path, seed)


def _save(model_class, config, tokenizer, path: Path, seed: int) -> Path:
    torch.manual_seed(seed)
    model = model_class(config).eval()
    with torch.no_grad():  # sharper than the initialisation's near-uniform distributions
        model.get_output_embeddings().weight.mul_(3)
    model.generation_config.eos_token_id = config.eos_token_id
    model.generation_config.pad_token_id = config.pad_token_id
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path
