"""Training speed on this CPU: seconds per step of each tiny-GPT and tiny-BERT size, of fine-tuning DistilBERT-base- and
BERT-base-shaped classifiers (default configs, random weights, built offline), and how much a running
training slows a concurrent classification (DistilBERT-base-shaped), measured side by side in one run.

`python -m benchmarks.training` (short: a few steps each); `--steps 300` for the full tiny-GPT and tiny-BERT
runs (the goal: the smallest of each trains 300 steps in at most 60 s on 2 CPU cores).
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

from benchmarks.common import table


def _loaded(task: str, model, tokenizer):
    import torch

    from playground.models import LoadedModel

    return LoadedModel(
        task=task,
        model_id=type(model).__name__,
        model=model.eval(),
        tokenizer=tokenizer,
        device=torch.device("cpu"),
    )


def classifiers():
    """(name, LoadedModel) of a DistilBERT-base- and a BERT-base-shaped classifier."""
    import torch
    from transformers import (
        BertConfig,
        BertForSequenceClassification,
        BertTokenizer,
        DistilBertConfig,
        DistilBertForSequenceClassification,
    )

    from playground.tiny_models import _word_piece_vocab

    words = list(_word_piece_vocab())
    words += [f"[unused{i}]" for i in range(BertConfig().vocab_size - len(words))]
    vocab_file = {word: i for i, word in enumerate(words)}
    tokenizer = BertTokenizer(vocab=vocab_file, model_max_length=512)
    labels = {"id2label": {0: "NEGATIVE", 1: "POSITIVE"}, "label2id": {"NEGATIVE": 0, "POSITIVE": 1}}
    torch.manual_seed(0)
    return [
        (
            "DistilBERT-base",
            _loaded("sentiment", DistilBertForSequenceClassification(DistilBertConfig(**labels)), tokenizer),
        ),
        ("BERT-base", _loaded("sentiment", BertForSequenceClassification(BertConfig(**labels)), tokenizer)),
    ]


def tiny_rows(steps: int) -> list[list]:
    from playground.tasks import training

    text = training.builtin_text("en")
    rows = []
    for size in training.SIZES:
        settings = training.TinySettings(steps=steps, size=size, sample_every=10**5, sample_length=1)
        result = training.last(training.train_tiny(text, settings, training.TrainingLimits()))
        per_step = result.seconds / steps
        rows.append(
            [f"tiny GPT `{size}` ({result.parameters:,} weights)", f"{per_step:.4f}", f"{per_step * 300:.1f}"]
        )
    return rows


def mlm_rows(steps: int) -> list[list]:
    from playground.tasks import training, training_mlm

    text = training.builtin_text("en")
    rows = []
    for size in training.SIZES:
        settings = training_mlm.MlmSettings(steps=steps, size=size, probe_every=10**5)
        result = training.last(training_mlm.pretrain_mlm(text, settings, training.TrainingLimits()))
        per_step = result.seconds / steps
        rows.append(
            [
                f"tiny BERT `{size}` ({result.parameters:,} weights)",
                f"{per_step:.4f}",
                f"{per_step * 300:.1f}",
            ]
        )
    return rows


def side_by_side(steps: int, size: str = "tiny", rounds: int = 2) -> str:
    """The tiny GPT and the tiny BERT (page defaults, built-in English text) of one size, `steps` steps each,
    in turns: on a busy machine their ratio means more than either time."""
    from playground.tasks import training, training_mlm

    text, limits = training.builtin_text("en"), training.TrainingLimits()
    gpt, bert = [], []
    for _round in range(rounds):
        settings = training.TinySettings(steps=steps, size=size, sample_every=10**5, sample_length=1)
        gpt.append(training.last(training.train_tiny(text, settings, limits)).seconds)
        mlm = training_mlm.MlmSettings(steps=steps, size=size, probe_every=10**5)
        bert.append(training.last(training_mlm.pretrain_mlm(text, mlm, limits)).seconds)
    gpt_s, bert_s = statistics.median(gpt), statistics.median(bert)
    return table(
        [f"`{size}`, {steps} steps, {rounds} turns each (median)", "seconds", "vs tiny GPT"],
        [
            ["tiny GPT (16 windows of 64 characters a step)", f"{gpt_s:.1f}", "1.00x"],
            ["tiny BERT (256 windows of 30 words a step)", f"{bert_s:.1f}", f"{bert_s / gpt_s:.2f}x"],
        ],
    )


def fine_tune_rows(models, steps: int) -> list[list]:
    from playground.tasks import training

    examples = training.builtin_examples("en")[: 8 * steps]
    settings = training.FineTuneSettings(epochs=1, batch_size=8, train="all")
    rows = []
    for name, loaded in models:
        seconds = []
        for event in training.fine_tune(loaded, examples, settings, training.TrainingLimits()):
            if isinstance(event, training.Step):
                seconds.append(event.seconds)
        per_step = (seconds[-1] - seconds[0]) / max(1, len(seconds) - 1)  # the first step warms up
        rows.append([f"fine-tune {name}, batch 8, everything trained", f"{per_step:.3f}", ""])
    return rows


def classify_slowdown(loaded, seconds: float, rounds: int = 3) -> dict[str, float]:
    """Median /classify latency (DistilBERT-base-shaped, one sentence): alone, while a tiny GPT trains with
    PyTorch's default threads, and while it trains with torch.set_num_threads(1) called in its own thread
    (OpenMP's thread count is per thread: this one's stays as it was). The three are measured in turns,
    `rounds` times `seconds` each, so that a busy machine slows all three alike."""
    import torch

    from playground.tasks import sentiment, training

    def latencies() -> list[float]:
        times, until = [], time.perf_counter() + seconds
        while time.perf_counter() < until or len(times) < 3:
            start = time.perf_counter()
            sentiment.classify(loaded, "The lesson was great fun.", 1000)
            times.append(time.perf_counter() - start)
        return times

    def while_training(threads: int | None) -> list[float]:
        stop, steps = threading.Event(), []
        settings = training.TinySettings(steps=10**4, size="small", sample_every=10**5, sample_length=1)
        limits = training.TrainingLimits(max_steps=10**4)

        def train():
            if threads is not None:
                torch.set_num_threads(threads)
            for event in training.train_tiny(
                training.builtin_text("en"), settings, limits, should_stop=stop.is_set
            ):
                steps.append(event)

        worker = threading.Thread(target=train)
        worker.start()
        while len(steps) < 2 and worker.is_alive():  # the training is under way
            time.sleep(0.05)
        times = latencies()
        stop.set()
        worker.join()
        return times

    default = torch.get_num_threads()
    latencies()  # warm up
    measured: dict[str, list[float]] = {"alone": [], "default": [], "one": []}
    for _round in range(rounds):
        measured["alone"] += latencies()
        measured["default"] += while_training(None)
        measured["one"] += while_training(1)
        torch.set_num_threads(default)  # the count new threads start with, as it was
    return {name: statistics.median(times) for name, times in measured.items()}


def run(steps: int = 20, fine_tune_steps: int = 3, seconds: float = 2.0) -> str:
    import torch

    models = classifiers()
    rows = tiny_rows(steps) + mlm_rows(steps) + fine_tune_rows(models, fine_tune_steps)
    median = classify_slowdown(models[0][1], seconds)
    alone = median["alone"]
    return "\n\n".join(
        [
            table(["training", "seconds per step", "300 steps (s)"], rows),
            table(
                ["one /classify (DistilBERT-base-shaped)", "median ms", "vs alone"],
                [
                    ["alone", f"{alone * 1000:.1f}", "1.00x"],
                    [
                        "while a tiny GPT (`small`) trains, PyTorch's default threads",
                        f"{median['default'] * 1000:.1f}",
                        f"{median['default'] / alone:.2f}x",
                    ],
                    [
                        "while it trains with torch.set_num_threads(1) in its thread",
                        f"{median['one'] * 1000:.1f}",
                        f"{median['one'] / alone:.2f}x",
                    ],
                ],
            ),
            f"{torch.get_num_threads()} PyTorch threads; tiny GPT and tiny BERT: {steps} steps each, batch 16 "
            "(the BERT: 256 windows of 30 words, 15% of the tokens masked, a probe at the last step); fine-tuning: "
            f"{fine_tune_steps} steps each. The /classify cases were measured in turns, side by side: compare "
            "their ratios; absolute times depend on what else the machine runs.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=20, help="tiny-GPT steps per size (300: the full run)")
    parser.add_argument("--fine-tune-steps", type=int, default=3)
    parser.add_argument(
        "--seconds", type=float, default=2.0, help="each turn of measuring /classify (3 turns)"
    )
    parser.add_argument(
        "--side-by-side", action="store_true", help="only the tiny GPT and tiny BERT (`tiny`), in turns"
    )
    args = parser.parse_args()
    if args.side_by_side:
        print(side_by_side(args.steps))
        return
    print(run(args.steps, args.fine_tune_steps, args.seconds))


if __name__ == "__main__":
    main()
