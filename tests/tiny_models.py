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


def tiny_byte_fallback_llama():
    """A tiny untrained Llama whose tokenizer is Llama's kind: SentencePiece-style BPE with byte fallback, so a
    Chinese character outside its small vocabulary is three byte tokens `<0xE4>` `<0xB8>` `<0xAD>` (decoded
    alone: '�'). A LoadedModel for the generation task."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    from playground.models import LoadedModel

    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    vocab |= {f"<0x{byte:02X}>": 3 + byte for byte in range(256)}
    for piece in ["▁", "T", "h", "e", "▁T", "he", "▁The", "好", "。"]:
        vocab[piece] = len(vocab)
    merges = [("▁", "T"), ("h", "e"), ("▁T", "he")]
    backend = Tokenizer(models.BPE(vocab, merges, unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    backend.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first")
    backend.decoder = decoders.Sequence(
        [decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)]
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, bos_token="<s>", eos_token="</s>", unk_token="<unk>"
    )
    config = LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
        bos_token_id=1,
        eos_token_id=2,
        attn_implementation="eager",
    )
    torch.manual_seed(0)
    model = LlamaForCausalLM(config).eval()
    return LoadedModel("generation", "tiny-llama-byte-fallback", model, tokenizer, torch.device("cpu"))
