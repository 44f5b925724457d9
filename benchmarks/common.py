"""Shared pieces of the benchmarks: default-shaped models with random weights, tables, machine facts."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import threading
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


def default_shaped_models(
    root: Path, tasks: tuple[str, ...] = ("generation", "fill-mask", "sentiment")
) -> dict[str, str]:
    """GPT-2 small, BERT-base MLM and DistilBERT classifier (those of `tasks`), default configs with random
    weights, saved like Hub models (the compute and memory are the real ones; nothing is downloaded)."""
    import torch
    from tokenizers.pre_tokenizers import ByteLevel
    from transformers import (
        BertConfig,
        BertForMaskedLM,
        BertTokenizer,
        DistilBertConfig,
        DistilBertForSequenceClassification,
        DistilBertTokenizer,
        GPT2Config,
        GPT2LMHeadModel,
        GPT2Tokenizer,
    )

    from playground.tiny_models import _word_piece_vocab

    def gpt2():
        # GPT-2's 50257-entry vocabulary: the 256 byte symbols, filler pieces, and <|endoftext|>.
        config = GPT2Config()
        vocab = {symbol: i for i, symbol in enumerate(sorted(ByteLevel.alphabet()))}
        vocab.update({f"w{i}": i for i in range(len(vocab), config.vocab_size - 1)})
        vocab["<|endoftext|>"] = config.vocab_size - 1
        return GPT2LMHeadModel(config), GPT2Tokenizer(vocab=vocab, merges=[])

    # BERT's 30522-entry WordPiece vocabulary: the test models' words and pieces, then unused fillers.
    words = list(_word_piece_vocab())
    words += [f"[unused{i}]" for i in range(BertConfig().vocab_size - len(words))]
    bert_vocab = {word: i for i, word in enumerate(words)}

    def bert():
        return BertForMaskedLM(BertConfig()), BertTokenizer(vocab=bert_vocab, model_max_length=512)

    def distilbert():
        config = DistilBertConfig(
            id2label={0: "NEGATIVE", 1: "POSITIVE"}, label2id={"NEGATIVE": 0, "POSITIVE": 1}
        )
        return DistilBertForSequenceClassification(config), DistilBertTokenizer(
            vocab=bert_vocab, model_max_length=512
        )

    builders = {
        "generation": ("gpt2", gpt2),
        "fill-mask": ("bert", bert),
        "sentiment": ("distilbert", distilbert),
    }
    folders = {}
    for task in tasks:
        name, build = builders[task]
        folders[task] = root / name
        if not (folders[task] / "config.json").exists():
            torch.manual_seed(0)
            _save(*build(), folders[task])
    return {task: str(folder) for task, folder in folders.items()}


def _save(model, tokenizer, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


SAMPLING = {"temperature": 0.8, "top_k": 50, "top_p": 0.95}  # the generation benchmarks' sampler


def sampled_generate(model, ids, tokens: int, pad_token_id: int):
    """Plain `model.generate`: exactly `tokens` new tokens sampled (SAMPLING) after each row of `ids` (B, T)."""
    import torch

    with torch.inference_mode():
        return model.generate(
            ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=tokens,
            min_new_tokens=tokens,
            do_sample=True,
            pad_token_id=pad_token_id,
            **SAMPLING,
        )


def in_a_thread(fn, *args):
    """fn(*args) run in a new thread, as the app runs its model (on a loaded machine, PyTorch's main thread
    can run several times slower than another one: measured side by side, every variant runs in a thread)."""
    result = []
    thread = threading.Thread(target=lambda: result.append(fn(*args)))
    thread.start()
    thread.join()
    return result[0]
