"""Shared pieces of the benchmarks: default-shaped models with random weights, tables, machine facts."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def table(headers: list[str], rows: list[list]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def median_time(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of `repeats` calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def machine() -> str:
    """One paragraph: CPU, cores, memory, library versions."""
    import gradio
    import torch
    import transformers

    cpu = platform.processor() or platform.machine()
    try:
        names = [
            line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, GPU: {gpu}; Python {platform.python_version()}, "
        f"torch {torch.__version__} ({torch.get_num_threads()} threads), transformers {transformers.__version__}, "
        f"gradio {gradio.__version__}"
    )


def default_shaped_models(root: Path) -> dict[str, str]:
    """GPT-2 small, BERT-base MLM and DistilBERT classifier, default configs with random weights, saved
    like Hub models (the compute and memory are the real ones; nothing is downloaded)."""
    import torch
    from tokenizers.pre_tokenizers import ByteLevel
    from transformers import (
        BertConfig,
        BertForMaskedLM,
        BertTokenizer,
        DistilBertConfig,
        DistilBertForSequenceClassification,
        GPT2Config,
        GPT2LMHeadModel,
        GPT2Tokenizer,
    )

    torch.manual_seed(0)
    folders = {
        task: root / name
        for task, name in [("generation", "gpt2"), ("fill-mask", "bert"), ("sentiment", "distilbert")]
    }
    if all((folder / "config.json").exists() for folder in folders.values()):
        return {task: str(folder) for task, folder in folders.items()}
    # GPT-2's 50257-entry vocabulary: the 256 byte symbols, filler pieces, and <|endoftext|>.
    gpt2_config = GPT2Config()
    vocab = {symbol: i for i, symbol in enumerate(sorted(ByteLevel.alphabet()))}
    vocab.update({f"w{i}": i for i in range(len(vocab), gpt2_config.vocab_size - 1)})
    vocab["<|endoftext|>"] = gpt2_config.vocab_size - 1
    _save(GPT2LMHeadModel(gpt2_config), GPT2Tokenizer(vocab=vocab, merges=[]), folders["generation"])
    # BERT's 30522-entry WordPiece vocabulary: specials, letters, filler words.
    bert_config = BertConfig()
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [chr(c) for c in range(ord("a"), ord("z") + 1)]
    words += [f"w{i}" for i in range(bert_config.vocab_size - len(words))]
    bert_vocab = {word: i for i, word in enumerate(words)}
    _save(BertForMaskedLM(bert_config), BertTokenizer(vocab=bert_vocab), folders["fill-mask"])
    distil_config = DistilBertConfig(
        id2label={0: "NEGATIVE", 1: "POSITIVE"}, label2id={"NEGATIVE": 0, "POSITIVE": 1}
    )
    _save(
        DistilBertForSequenceClassification(distil_config),
        BertTokenizer(vocab=bert_vocab),
        folders["sentiment"],
    )
    return {task: str(folder) for task, folder in folders.items()}


def _save(model, tokenizer, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
