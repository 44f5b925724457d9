"""Experiments tab at 64 tokens on GPT-2-small- and BERT-base-shaped models (random weights, no download):
latency and payload of each view, and activation patching of GPT-2 small's 12 layers × 16 positions.

    python -m benchmarks.experiments [--tokens 64] [--repeats 1]

Each row times what the app does for one request in-process (the task's forward passes with hooks, the viz, and
the JSON), and counts the bytes sent to the browser: `figure.to_json()` for plotly (what gr.Plot sends), the
Styler's HTML for a map table (an upper bound of what gr.Dataframe sends), the HTML of the tokenizer lab.
Goals (issue 28): each view ≤ 2 s and ≤ 1 MB at 64 tokens; patching 12 layers × 16 positions ≤ 3 s.
"""

from __future__ import annotations

import argparse
import json
import string
import tempfile
from pathlib import Path

import torch
from transformers import GPT2Config, GPT2LMHeadModel, GPT2Tokenizer

from benchmarks.attention import bert_base, text_of, timed
from playground import api
from playground.models import LoadedModel
from playground.tasks.experiments import ablation, heads, kv_cache, patching, tokenizer_lab
from playground.tasks.text import _BYTE_DECODER
from playground.viz import attention as attention_viz
from playground.viz import experiments as viz

LETTERS = string.ascii_lowercase
LIMIT = 100_000


def gpt2_small(folder: Path) -> LoadedModel:
    """GPT2Config()'s defaults are GPT-2 small: 12 layers, 12 heads, width 768. Random weights; a byte-level
    tokenizer whose " a" .. " z" are single tokens, so a text of n such words is n tokens."""
    torch.manual_seed(0)
    alphabet = sorted(_BYTE_DECODER, key=_BYTE_DECODER.get)
    vocab = {c: i for i, c in enumerate(alphabet)} | {f"Ġ{c}": 256 + i for i, c in enumerate(LETTERS)}
    vocab["<|endoftext|>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "".join(f"Ġ {c}\n" for c in LETTERS))
    tokenizer = GPT2Tokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=1024)
    model = GPT2LMHeadModel(GPT2Config()).eval()
    return LoadedModel(
        "generation", "gpt2-small-shaped (random weights)", model, tokenizer, torch.device("cpu")
    )


def words(n: int, offset: int = 0) -> str:
    """n single-token words " a", " q", ... (a causal model adds no special tokens)."""
    return "".join(f" {LETTERS[(i * 7 + offset) % 26]}" for i in range(n))


def size(n_bytes: int) -> str:
    if n_bytes == 0:
        return "–"
    return f"{n_bytes / 1e6:.2f} MB" if n_bytes >= 1e5 else f"{n_bytes / 1e3:.1f} kB"


def measure(
    loaded: LoadedModel, text: str, clean: str, corrupted: str, answers: tuple[str, str], repeats: int
) -> list[tuple[str, int, float]]:
    """(view, payload bytes, seconds) of each experiment on one model."""
    ids = loaded.tokenizer(
        text, add_special_tokens=loaded.task != "generation", return_tensors="pt"
    ).input_ids
    batch = loaded.tokenizer(
        clean, add_special_tokens=loaded.task != "generation", return_tensors="pt"
    ).input_ids

    def forward(rows):
        with torch.inference_mode():
            loaded.model(input_ids=rows)

    seconds, _ = timed(lambda: forward(ids), repeats)
    rows = [(f"reference: one plain forward pass, {ids.shape[1]} tokens", 0, seconds)]
    rows_16 = batch.expand(batch.shape[1], -1)
    seconds, _ = timed(lambda: forward(rows_16), repeats)
    rows.append(
        (f"reference: one plain forward pass, {rows_16.shape[0]} × {rows_16.shape[1]} tokens", 0, seconds)
    )

    def find():
        result = heads.head_scores(loaded, text, LIMIT, 512)
        tables = [viz.head_table(result, kind).to_html() for kind in heads.KINDS]
        pattern = attention_viz.view_figure(attention_viz.make_view(result.attention, "head", 1, 1)).to_json()
        return len(json.dumps(api.heads_json(result))), sum(map(len, tables)) + len(pattern)

    seconds, (api_bytes, page_bytes) = timed(find, repeats)
    rows += [
        ("head finder: 4 maps + a head's pattern", page_bytes, seconds),
        ("/heads JSON", api_bytes, seconds),
    ]

    def knock():
        result = ablation.ablate(loaded, text, LIMIT, 512, "1.1, 5.7, 12.12", "mean")
        return len(viz.ablation_figure(result).to_json())

    seconds, payload = timed(knock, repeats)
    rows.append(("ablation (3 heads, mean): before/after", payload, seconds))

    def patch():
        result = patching.patch(loaded, clean, corrupted, LIMIT, *answers)  # random weights: answers chosen
        return result, len(viz.patching_figure(result).to_json())

    seconds, (result, payload) = timed(patch, repeats)
    layers, positions = result.effect.shape
    rows.append((f"patching {layers - 1} layers (+ embeddings) × {positions} positions", payload, seconds))

    if loaded.task == "generation":

        def cache():
            result = kv_cache.kv_cache(loaded, text, LIMIT, 512, 8)
            return len(viz.kv_figure(result).to_json()) + len(viz.kv_table(result).to_json())

        seconds, payload = timed(cache, repeats)
        rows.append(("KV cache: 8 new tokens after the 64", payload, seconds))
    return rows


def lab(repeats: int) -> list[tuple[str, int, float]]:
    text = "\n".join(
        ["The students learn how a tokenizer learns its vocabulary, one merge at a time."] * 10
        + ["今天天气很好，我们去公园散步。模型读的是词元，不是汉字。"] * 10
    )

    def train():
        trained = tokenizer_lab.train(text, LIMIT, 1000, 2)
        return trained, len(viz.tokenized_html(tokenizer_lab.tokenize_with(trained, len(trained.merges))))

    seconds, (trained, payload) = timed(train, repeats)
    rows = [
        (f"tokenizer lab: train ({len(text)} characters, {len(trained.merges)} merges)", payload, seconds)
    ]
    seconds, html = timed(lambda: viz.tokenized_html(tokenizer_lab.tokenize_with(trained, 0)), repeats)
    rows.append(("tokenizer lab: the slider at 0 merges (bytes)", len(html), seconds))
    return rows


def run(tokens: int = 64, repeats: int = 1) -> str:
    lines = [
        f"Random-weight GPT-2 small and BERT-base shapes (12 layers × 12 heads, width 768), {tokens} tokens, CPU, "
        f"{torch.get_num_threads()} threads, median of {repeats}. Latency: one request in-process (forward passes "
        "with hooks, viz, JSON). Patching runs 16 positions (the goal's shape).",
        "",
        "| model | view | payload | latency |",
        "|---|---|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        gpt2 = gpt2_small(Path(folder))
        text = words(tokens)
        clean = words(16)
        rows = measure(gpt2, text, clean, " b" + clean[2:], (" a", " b"), repeats)  # the first word changed
        lines += [f"| GPT-2 small | {name} | {size(n)} | {s * 1000:,.0f} ms |" for name, n, s in rows]
        bert = bert_base(Path(folder))
        masked = text_of(tokens - 1) + " [MASK]"  # a fill-mask model predicts at the [MASK]
        clean = text_of(15) + " [MASK]"  # 16 positions with [CLS] and [SEP]
        other = "word1999 " + clean.split(" ", 1)[1]
        rows = measure(bert, masked, clean, other, ("word1", "word2"), repeats)
        lines += [f"| BERT-base | {name} | {size(n)} | {s * 1000:,.0f} ms |" for name, n, s in rows]
    lines += [f"| – | {name} | {size(n)} | {s * 1000:,.0f} ms |" for name, n, s in lab(repeats)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)
    print(run(args.tokens, args.repeats))


if __name__ == "__main__":
    main()
