"""Question answering: the time of one request (windows, forward passes, the best spans) and of its view, on
the demo's tiny reader and on a DistilBERT-base-shaped one (6 layers, 12 heads, hidden 768, random weights,
no download) like distilbert/distilbert-base-cased-distilled-squad.

    python -m benchmarks.question_answering [--repeats 3]

"Forward passes alone" is `forward` (the model on the windows, the softmax over their context tokens) without
preprocess and postprocess, side by side. Contexts: one window (about 380 tokens with the question: a full window of 384) and a context of about 1,500
tokens, which the pipeline's windows (384 tokens, stride 128) cut into several. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import tempfile
import time
from pathlib import Path

import torch
from transformers import DistilBertConfig, DistilBertForQuestionAnswering, DistilBertTokenizer

from playground.models import LoadedModel, ModelManager
from playground.tasks import question_answering as qa
from playground.tiny_models import build_distilbert_qa
from playground.viz import question_answering as qa_viz

WORDS = [f"word{i}" for i in range(2000)]
QUESTION = "word1 word2 word3 word4 word5?"


def distilbert_base(folder: Path) -> LoadedModel:
    """DistilBertConfig()'s defaults are DistilBERT-base: 6 layers, 12 heads, hidden 768. Random weights."""
    torch.manual_seed(0)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "?", *WORDS]) + "\n")
    tokenizer = DistilBertTokenizer(str(vocab), model_max_length=512)
    model = DistilBertForQuestionAnswering(DistilBertConfig()).eval()
    return LoadedModel(
        "question-answering", "distilbert-base-shaped (random weights)", model, tokenizer, torch.device("cpu")
    )


def context_of(n_tokens: int) -> str:
    return " ".join(WORDS[i % len(WORDS)] for i in range(n_tokens))


def timed(fn, repeats: int):
    """The median seconds of `repeats` calls (after one warm-up call), and the last result."""
    value = fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def draw(result: qa.QuestionAnsweringResult) -> tuple[str, str, str]:
    """The view's three HTML parts."""
    return qa_viz.probabilities_html(result), qa_viz.spans_html(result), qa_viz.answer_html(result)


def run(repeats: int = 3, root: Path | None = None) -> str:
    root = Path(root or tempfile.mkdtemp())
    tiny = ModelManager({"question-answering": str(build_distilbert_qa(root / "tiny-qa"))}, "cpu")
    models = {"tiny reader (demo)": tiny.get("question-answering")}
    (root / "distilbert-base").mkdir(exist_ok=True)
    models["DistilBERT-base-shaped"] = distilbert_base(root / "distilbert-base")
    rows = [
        "| model | context tokens | windows | one request (s) | forward passes alone (s) | its view (s) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, loaded in models.items():
        window, _ = qa.window_size(loaded)
        room = window - len(loaded.tokenizer(QUESTION, add_special_tokens=False)["input_ids"]) - 3
        for n_tokens in (room, 1500):
            context = context_of(n_tokens)
            seconds, result = timed(lambda: qa.answer(loaded, QUESTION, context, 10**6, 5, 30), repeats)  # noqa: B023
            view, _ = timed(functools.partial(draw, result), repeats)
            prepared = qa.preprocess(loaded, qa.QuestionAnsweringRequest(QUESTION, context, 5, 30), 10**6)
            alone, _ = timed(lambda: qa.forward(loaded, [prepared]), repeats)  # noqa: B023
            rows.append(
                f"| {name} | {n_tokens:,} | {len(result.windows)} | {seconds:.3f} | {alone:.3f} | {view:.3f} |"
            )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    print(run(parser.parse_args().repeats))


if __name__ == "__main__":
    main()
