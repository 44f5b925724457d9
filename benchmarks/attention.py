"""Attention views on a BERT-base-shaped model (12 layers x 12 heads, random weights, no download):
payload bytes and latency for 32, 128 and 512 tokens.

    python -m benchmarks.attention [--tokens 32 128 512] [--repeats 3]

For each view it times what the app does for one request (the model's forward pass with attention weights,
the view's arithmetic, the plotly figure or bertviz document, and its JSON), and counts the bytes that go to
the browser: `figure.to_json()` for plotly (what gr.Plot sends), the HTML document for bertviz, the JSON of
the /attention endpoint. Each view reads only the tokens that fit its budget (the first 28 of 512 for
a 12 x 12 overview), so their forward pass is on the shorter text. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import torch
from transformers import BertConfig, BertForMaskedLM, BertTokenizer

from playground import api
from playground.models import LoadedModel
from playground.tasks import attention_ops as ops
from playground.tasks.attention import attention
from playground.viz import attention as attention_viz
from playground.viz import bertviz

WORDS = [f"word{i}" for i in range(2000)]
JSON_LIMIT = 128


def bert_base(folder: Path) -> LoadedModel:
    """BertConfig()'s defaults are BERT-base: 12 layers, 12 heads, hidden 768. Random weights."""
    torch.manual_seed(0)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n")
    tokenizer = BertTokenizer(str(vocab), model_max_length=512)
    model = BertForMaskedLM(BertConfig()).eval()
    return LoadedModel(
        "fill-mask", "bert-base-shaped (random weights)", model, tokenizer, torch.device("cpu")
    )


def text_of(n_tokens: int) -> str:
    """A text that is exactly n_tokens tokens with [CLS] and [SEP]."""
    return " ".join(WORDS[i % len(WORDS)] for i in range(n_tokens - 2))


def timed(fn, repeats: int):
    """The median seconds of `repeats` calls, and the last result."""
    times, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def measure(loaded: LoadedModel, n_tokens: int, repeats: int) -> list[tuple[str, int, int, float]]:
    """Rows of (view, tokens shown, bytes, seconds) for one input length."""
    text = text_of(n_tokens)

    def read(max_tokens: int = n_tokens):
        return attention(loaded, text, 100_000, max_tokens)

    forward, result = timed(read, repeats)
    assert len(result.tokens) == n_tokens
    n_layers, n_heads = result.num_layers, result.num_heads
    rows = [("forward pass (attention weights)", n_tokens, 0, forward)]

    if n_tokens <= JSON_LIMIT:
        seconds, payload = timed(lambda: json.dumps(api.attention_json(result)), repeats)
        rows.append(("/attention JSON (all layers, heads)", n_tokens, len(payload), forward + seconds))

    for kind in ops.VIEWS:
        matrices = ops.panels_in_view(kind, n_heads, list(range(n_layers)), list(range(n_heads)))

        def plot(kind=kind, matrices=matrices):
            shown, _ = ops.fit_to_budget(result, matrices, ops.PLOT_CELL_BUDGET, 512, read, "view", "cells")
            view = attention_viz.make_view(shown, kind, layer=n_layers, head=1)
            return len(view.tokens), attention_viz.view_figure(view).to_json()

        seconds, (shown_tokens, payload) = timed(plot, repeats)  # includes re-reading a shorter text
        rows.append((f"plotly: {ops.VIEWS[kind]}", shown_tokens, len(payload), forward + seconds))

    for view in ("head", "model"):

        def document(view=view):
            shown, notices = ops.fit_to_budget(
                result, n_layers * n_heads, ops.BERTVIZ_LINE_BUDGET, 512, read, "bertviz", "lines"
            )
            layers, heads = list(range(n_layers)), list(range(n_heads))
            html = bertviz.view_document(view, loaded.model_id, shown.tokens, shown.attentions, layers, heads)
            return len(shown.tokens), html

        seconds, (shown_tokens, html) = timed(document, repeats)
        rows.append(
            (f"bertviz {view} view (all layers, heads)", shown_tokens, len(html.encode()), forward + seconds)
        )
    return rows


def run(tokens: tuple[int, ...] = (32, 128, 512), repeats: int = 3) -> str:
    """The markdown table (and a line on what was measured) for the given input lengths."""
    lines = [
        f"BERT-base-shaped model (12 layers × 12 heads, random weights, no download), CPU, "
        f"{torch.get_num_threads()} threads, median of {repeats}. Latency is one request in-process: the forward "
        "pass with attention weights plus the view (a view that reads fewer tokens reads the text again). "
        "Payload: `figure.to_json()` for plotly (what gr.Plot sends), the HTML document for bertviz.",
        "",
        "| input tokens | view | tokens shown | payload | latency |",
        "|---:|---|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        loaded = bert_base(Path(folder))
        for n in tokens:
            for name, shown, size, seconds in measure(loaded, n, repeats):
                payload = (
                    "–" if size == 0 else f"{size / 1e6:.2f} MB" if size >= 1e5 else f"{size / 1e3:.1f} kB"
                )
                lines.append(f"| {n} | {name} | {shown} | {payload} | {seconds * 1000:,.0f} ms |")
    lines.append("")
    lines.append(
        f"/attention JSON is not measured above {JSON_LIMIT} tokens (the app reads at most "
        "`--max-attention-tokens`, 128 by default; at 512 tokens it would be about 0.4 GB)."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, nargs="+", default=[32, 128, 512])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(run(tuple(args.tokens), args.repeats))


if __name__ == "__main__":
    main()
