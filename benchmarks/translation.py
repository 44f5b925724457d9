"""Translation on a Marian-base-shaped model (MarianConfig: d_model 512, 6 encoder + 6 decoder layers, 8 heads,
feed-forward 2048, opus-mt-en-zh's vocabulary of 65,001; random weights, no download): the time to translate
20 tokens with greedy search (1 beam) and beam search (4 beams), and the cross-attention view (greedy
translation, one forward pass with attention weights, the heatmap figure and the bertviz model view); the
Inside tab on the same model and on the tiny demo Marian (its encoder; its decoder: the greedy translation, then
one hooked pass with the cross-attention and the logit lens, and every figure), beside a plain translation.

    python -m benchmarks.translation [--repeats 3]

The tokenizer is the tiny demo model's (the ids past its vocabulary read as the pieces they wrap to); `min_new_tokens` makes every
translation exactly 20 tokens long. Prints a markdown table (median of the repeats, seconds).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import torch
from transformers import AutoTokenizer, MarianConfig, MarianMTModel

from playground.models import LoadedModel, ModelManager
from playground.tasks import inside, translation
from playground.tiny_models import build_marian
from playground.viz import inside as inside_viz
from playground.viz import translation as translation_viz

TEXT = "I read a book in the library yesterday."
NEW_TOKENS = 20


def _wrapped_piece(self, index: int) -> str:
    """The random model writes ids past the tiny tokenizer's vocabulary: they are read as the pieces they wrap to."""
    return type(self).__mro__[1]._convert_id_to_token(self, index % self.known)


def marian_base(root: Path) -> LoadedModel:
    folder = build_marian(root / "tiny-marian", steps=1)  # for its tokenizer
    tokenizer = AutoTokenizer.from_pretrained(folder)
    tokenizer.__class__ = type("WideVocabulary", (type(tokenizer),), {"_convert_id_to_token": _wrapped_piece})
    tokenizer.known = len(tokenizer.encoder)
    config = MarianConfig(
        vocab_size=65001,
        d_model=512,
        encoder_layers=6,
        decoder_layers=6,
        encoder_attention_heads=8,
        decoder_attention_heads=8,
        encoder_ffn_dim=2048,
        decoder_ffn_dim=2048,
        max_position_embeddings=512,
        pad_token_id=65000,
        decoder_start_token_id=65000,
        eos_token_id=0,
        forced_eos_token_id=0,
    )
    torch.manual_seed(0)
    model = MarianMTModel(config).eval()
    model.generation_config.update(min_new_tokens=NEW_TOKENS, bad_words_ids=[[65000]])
    return LoadedModel(
        "translation", "marian-base-shaped (random weights)", model, tokenizer, torch.device("cpu")
    )


def inside_view(loaded: LoadedModel, part: str) -> None:
    """What the Inside tab's Look inside computes and draws for the translation model's `part`; the decoder
    reads the model's own greedy translation (20 tokens on the random model: its positions cut to 21)."""
    view = inside.look(loaded, TEXT, 5000, NEW_TOKENS + 1, 1, 1, None, 12, 24, part=part)
    figures = [inside_viz.embeddings_figure(view.embeddings), inside_viz.residual_figure(view.block)]
    figures += [inside_viz.neurons_figure(view.block), inside_viz.query_row_figure(view.head, 0)]
    for step in [view.head] + ([view.cross] if view.cross is not None else []):
        figures += list(inside_viz.head_step_figures(step).values())
    if view.lens is not None:
        figures.append(inside_viz.logit_lens_figure(view.lens, True))
    for figure in figures:
        figure.to_json()


def seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(root: Path | None = None, repeats: int = 3) -> str:
    root = Path(tempfile.mkdtemp()) if root is None else root
    loaded = marian_base(root)

    def translate(beams: int):
        result = translation.translate(
            loaded, TEXT, translation.TranslationParams(NEW_TOKENS, beams), 5000, 256, 8
        )
        assert len(result.steps) == NEW_TOKENS, len(result.steps)

    def cross_view():
        result = translation.cross_attention(loaded, TEXT, NEW_TOKENS, 5000, 256, 128)
        translation_viz.cross_attention_figure(result, 6, 0).to_json()
        translation_viz.model_view_document(result)

    translate(1)  # warm up
    tiny = ModelManager({"translation": str(root / "tiny-marian")}, "cpu").get("translation")

    def tiny_translate():
        translation.translate(tiny, TEXT, translation.TranslationParams(NEW_TOKENS, 1), 5000, 256, 8)

    rows = [
        ("translate 20 tokens, greedy (1 beam)", seconds(lambda: translate(1), repeats)),
        ("translate 20 tokens, beam search (4 beams)", seconds(lambda: translate(4), repeats)),
        ("cross-attention view (translate + forward + heatmap + bertviz)", seconds(cross_view, repeats)),
        (
            "Inside, encoder (one hooked pass + figures)",
            seconds(lambda: inside_view(loaded, "encoder"), repeats),
        ),
        (
            "Inside, decoder (translate 20 tokens + one hooked pass + cross-attention + lens + figures)",
            seconds(lambda: inside_view(loaded, "decoder"), repeats),
        ),
        ("tiny Marian: translate (greedy)", seconds(tiny_translate, repeats)),
        ("tiny Marian: Inside, encoder", seconds(lambda: inside_view(tiny, "encoder"), repeats)),
        ("tiny Marian: Inside, decoder", seconds(lambda: inside_view(tiny, "decoder"), repeats)),
    ]
    lines = ["| what | seconds |", "|---|---|"] + [f"| {what} | {t:.3f} |" for what, t in rows]
    lines.append(f"\nthreads: {torch.get_num_threads()}")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    print(run(repeats=parser.parse_args().repeats))
