"""The Inside tab's views on 12-layer, 12-head models (GPT-2 small and BERT-base shapes, random weights, no
download): seconds and bytes sent to the browser per view, for a 128-token text.

    python -m benchmarks.inside [--tokens 32 128] [--repeats 3]

Each view is timed as the app serves it: the task (one forward pass with its hooks), the picture and its JSON
(`figure.to_json()`, what gr.Plot sends; the HTML for the tokens). The goal (issue 13): each view ≤ 1 s and
≤ 1 MB for 128 tokens. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from benchmarks.common import default_shaped_models, median_time, table
from playground import api
from playground.models import ModelManager
from playground.tasks import inside
from playground.ui.inside import LENS_COLUMNS
from playground.viz import inside as inside_viz

MAX_CHARS = 100_000


def text_of(tokenizer, n_tokens: int, causal: bool) -> str:
    """A text of exactly n_tokens tokens as the model reads it ([CLS] and [SEP] included for an encoder)."""
    special = 0 if causal else 2
    words = [w for w in tokenizer.get_vocab() if w.isalpha() and w.isascii()][:500]
    text = " ".join(words[i % len(words)] for i in range(n_tokens - special))
    ids = tokenizer(text, add_special_tokens=not causal)["input_ids"][:n_tokens]
    return tokenizer.decode(ids[:-1] if not causal else ids, skip_special_tokens=True)


def views(loaded, text: str, causal: bool) -> dict:
    """Each view of the tab on its own pass, the whole tab's one pass, and the /logit_lens JSON: () -> bytes."""
    lens_text = text if causal else "[MASK] " + text

    def tokens():
        return len(inside_viz.tokens_html(inside.tokenize(loaded, text, MAX_CHARS, 128)).encode())

    def embeddings():
        return len(inside_viz.embeddings_figure(inside.embeddings(loaded, text, MAX_CHARS, 128)).to_json())

    def head():
        step = inside.head_step(loaded, text, MAX_CHARS, 128, 1, 1)
        figures = list(inside_viz.head_step_figures(step).values()) + [inside_viz.query_row_figure(step, 0)]
        return sum(len(f.to_json()) for f in figures)

    def block():
        view = inside.block(loaded, text, MAX_CHARS, 128, 1, 0, 12)
        return len(inside_viz.residual_figure(view).to_json()) + len(
            inside_viz.neurons_figure(view).to_json()
        )

    def lens_json():
        result = inside.logit_lens(loaded, lens_text, MAX_CHARS, 128)
        return len(json.dumps(api.logit_lens_json(result)))

    def whole_tab():
        view = inside.look(loaded, lens_text, MAX_CHARS, 128, 1, 1, None, 12, LENS_COLUMNS)
        figures = [
            inside_viz.embeddings_figure(view.embeddings),
            inside_viz.logit_lens_figure(view.lens, causal),
        ]
        figures += list(inside_viz.head_step_figures(view.head).values())
        figures += [inside_viz.query_row_figure(view.head, view.block.position)]
        figures += [inside_viz.residual_figure(view.block), inside_viz.neurons_figure(view.block)]
        return len(inside_viz.tokens_html(view.tokens).encode()) + sum(len(f.to_json()) for f in figures)

    return {
        "tokens": tokens,
        "embeddings": embeddings,
        "one head step by step (9 panels + query row)": head,
        "block (residual norms + neurons)": block,
        "/logit_lens JSON, every position": lens_json,
        "**the whole tab: one Look inside (one pass)**": whole_tab,
    }


def run(tokens: tuple[int, ...] = (32, 128), repeats: int = 3) -> str:
    with tempfile.TemporaryDirectory() as root:
        folders = default_shaped_models(Path(root), ("generation", "fill-mask"))
        manager = ModelManager(folders, "cpu")
        rows = []
        for task, shape in (("generation", "GPT-2 small"), ("fill-mask", "BERT-base")):
            loaded = manager.get(task)
            causal = task == "generation"
            for n in tokens:
                text = text_of(loaded.tokenizer, n, causal)
                for name, view in views(loaded, text, causal).items():
                    view()  # warm
                    seconds = median_time(view, repeats)
                    size = view()
                    rows.append([shape, n, name, f"{seconds:.3f}", f"{size / 1e6:.3f}"])
    return table(["model (12 layers × 12 heads)", "tokens", "view", "seconds", "MB sent"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, nargs="+", default=[32, 128])
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    print(run(tuple(options.tokens), options.repeats))


if __name__ == "__main__":
    main()
