"""The Evaluate tab's work, timed as the app serves it: /perplexity of a 128-token text on a GPT-2-small-shaped
model (GPT2Config() defaults, random weights, no download) and on the tiny demo GPT-2 (a 64-token context: the
text is read in sliding windows), and /score_text (sacrebleu BLEU + rouge-score ROUGE-1/2/L) of a 100-word
candidate against one 100-word reference, in English and (100 characters each) in Chinese.

    python -m benchmarks.evaluation [--tokens 128] [--repeats 5]

Each row is the endpoint's work (task and JSON) and, beside it, the page's (task and pictures). Prints a markdown
table.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

from benchmarks.common import default_shaped_models, median_time, table
from benchmarks.inside import text_of
from playground import api
from playground.models import ModelManager
from playground.tasks import evaluation
from playground.tiny_models import CORPUS, build_gpt2
from playground.viz import evaluation as viz

MAX_CHARS = 100_000


def word_pair(words: int, seed: int = 0) -> tuple[str, str]:
    """A candidate and a reference of `words` words each, drawn from the same small vocabulary (so that they
    share many n-grams, as a translation and its reference do)."""
    vocabulary = sorted({w.strip(".,").lower() for line in CORPUS for w in line.split()})
    rng = random.Random(seed)
    reference = [rng.choice(vocabulary) for _ in range(words)]
    candidate = [w if rng.random() < 0.7 else rng.choice(vocabulary) for w in reference]
    return " ".join(candidate) + ".", " ".join(reference) + "."


def chinese_pair(characters: int, seed: int = 0) -> tuple[str, str]:
    alphabet = "今天天气很好我们一起去公园散步老师在教室里上课学生认真听讲北京是中国的首都"
    rng = random.Random(seed)
    reference = [rng.choice(alphabet) for _ in range(characters)]
    candidate = [c if rng.random() < 0.7 else rng.choice(alphabet) for c in reference]
    return "".join(candidate), "".join(reference)


def run(tokens: int = 128, repeats: int = 5) -> str:
    rows = []
    with tempfile.TemporaryDirectory() as root:
        folders = default_shaped_models(Path(root), ("generation",))
        tiny = str(build_gpt2(Path(root) / "tiny-gpt2"))
        for name, folder in (
            ("GPT-2 small shape (random)", folders["generation"]),
            ("tiny demo GPT-2", tiny),
        ):
            loaded = ModelManager({"generation": folder}, "cpu").get("generation")
            text = text_of(loaded.tokenizer, tokens, causal=True)
            n = len(loaded.tokenizer(text, add_special_tokens=False)["input_ids"])

            def endpoint(loaded=loaded, text=text):
                return api.perplexity_json(evaluation.text_perplexity(loaded, text, MAX_CHARS))

            def page(loaded=loaded, text=text):
                result = evaluation.text_perplexity(loaded, text, MAX_CHARS)
                return viz.surprise_figure(result, "A").to_json()

            windows = evaluation.text_perplexity(loaded, text, MAX_CHARS).windows
            endpoint()  # warm
            what = f"/perplexity, {n} tokens ({windows} window{'s' if windows > 1 else ''} of {loaded.context_length})"
            rows.append(
                [name, what, f"{median_time(endpoint, repeats):.3f}", f"{median_time(page, repeats):.3f}"]
            )
    for label, (candidate, reference), language in (
        ("100 words", word_pair(100), "en"),
        ("100 characters", chinese_pair(100), "zh"),
    ):

        def endpoint(candidate=candidate, reference=reference, language=language):
            return api.score_text_json(evaluation.score_text(candidate, [reference], language, MAX_CHARS))

        def page(candidate=candidate, reference=reference, language=language):
            result = evaluation.score_text(candidate, [reference], language, MAX_CHARS)
            return (
                viz.bleu_figure(result).to_json(),
                viz.bleu_matches_html(result),
                viz.rouge_html(result),
                viz.scores_html(result),
            )

        endpoint()
        rows.append(
            [
                "no model",
                f"/score_text, {label} ({language}), 1 reference",
                f"{median_time(endpoint, repeats):.3f}",
            ]
            + [f"{median_time(page, repeats):.3f}"]
        )
    return table(["model", "request", "endpoint seconds", "page seconds (with pictures)"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()
    print(run(options.tokens, options.repeats))


if __name__ == "__main__":
    main()
