"""The shared decoding engine's own cost: one request through an `Engine` (one row) vs the single-stream loop
(`tasks.generation.stream_ids` without an engine, in the caller's thread) vs plain `model.generate`, in one
process, on the tiny GPT-2 of the tests (where overhead is all there is) and a GPT-2-small-shaped model; then
`--rows` concurrent requests through one engine (its rows drawing in parallel, or in turn) vs `model.generate`
with that many rows in one batch, on the GPT-2-small shape.

    python -m benchmarks.engine [--tokens 48] [--rounds 5] [--rows 16] [--profile]

Each round runs the three variants back to back, in a fresh thread each (as the app runs its models), sampling
(temperature 0.8, top-k 50, top-p 0.95) with the round's seed; the table gives the median ms per new token and the
ratios of tokens/s to `model.generate`'s. The engine's goal is >= 0.95x. `--profile` prints cProfile's top
functions of the engine's thread for one request on each model.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.common import SAMPLING, default_shaped_models, in_a_thread, sampled_generate, table

PROMPT = "a b c d e f g h i j k l m n o p"


def variants(loaded, tokens: int):
    """name -> a function of a seed that decodes up to `tokens` new tokens and returns their ids (each call its
    own seed: the engine would share a repeated request instead of computing it)."""
    import torch

    from playground.engine import Engine
    from playground.tasks.generation import GenerationParams, encode_prompt, stream_ids

    prompt_ids, _ = encode_prompt(loaded, PROMPT, tokens)
    engine = Engine(loaded, max_rows=16)

    def through(engine_or_none):
        def decode(seed):
            params = GenerationParams(tokens, **SAMPLING, seed=seed)
            *_, last = stream_ids(loaded, prompt_ids, params, engine=engine_or_none)
            return last.token_ids

        return decode

    def plain_generate(seed):
        ids = torch.tensor([prompt_ids])
        torch.manual_seed(seed)
        with torch.inference_mode():
            out = loaded.model.generate(
                ids,
                attention_mask=torch.ones_like(ids),
                max_new_tokens=tokens,
                do_sample=True,
                pad_token_id=loaded.tokenizer.eos_token_id,
                **SAMPLING,
            )
        return out[0, len(prompt_ids) :].tolist()

    return {"model.generate": plain_generate, "stream_ids": through(None), "engine (1 row)": through(engine)}


def measure(loaded, tokens: int, rounds: int) -> dict[str, float]:
    """Median seconds per new token of each variant, interleaved over `rounds`."""
    runs = variants(loaded, tokens)
    for fn in runs.values():  # warm up (and the engine's thread starts)
        in_a_thread(fn, 0)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for seed in range(1, rounds + 1):
        for name, fn in runs.items():
            start = time.perf_counter()
            count = len(in_a_thread(fn, seed))
            times[name].append((time.perf_counter() - start) / max(count, 1))
    return {name: statistics.median(values) for name, values in times.items()}


def measure_rows(loaded, tokens: int, rows: int, rounds: int) -> dict[str, float]:
    """Total tokens/s of `rows` concurrent sampled requests (each its own seed and thread) through one engine,
    with parallel draws and with draws in turn, and of `model.generate` with `rows` rows in one batch: the
    best of `rounds`, the variants interleaved."""
    import torch

    from playground.engine import Engine
    from playground.tasks.generation import GenerationParams, encode_prompt, stream_ids

    prompt_ids, _ = encode_prompt(loaded, PROMPT, tokens)

    def through_engine(parallel: bool, seed: int) -> int:
        engine = Engine(loaded, max_rows=rows)
        engine._parallel_draws = parallel and engine._parallel_draws
        counts = []

        def one(i: int) -> None:
            params = GenerationParams(tokens, **SAMPLING, seed=seed * rows + i)
            *_, last = stream_ids(loaded, prompt_ids, params, engine=engine)
            counts.append(len(last.token_ids))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(rows)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(counts)

    def batched_generate(seed: int) -> int:
        torch.manual_seed(seed)
        sampled_generate(
            loaded.model, torch.tensor([prompt_ids] * rows), tokens, loaded.tokenizer.eos_token_id
        )
        return rows * tokens

    runs = {
        f"model.generate ({rows} rows)": batched_generate,
        "engine, parallel draws": lambda seed: through_engine(True, seed),
        "engine, draws in turn": lambda seed: through_engine(False, seed),
    }
    best: dict[str, float] = dict.fromkeys(runs, 0.0)
    for seed in range(rounds + 1):
        for name, fn in runs.items():
            start = time.perf_counter()
            count = in_a_thread(fn, seed)
            if seed:  # (the first round warms up)
                best[name] = max(best[name], count / (time.perf_counter() - start))
    return best


def profile(loaded, tokens: int) -> None:
    """cProfile of the engine's thread during one request."""
    import cProfile
    import pstats

    from playground.engine import loop

    runs = variants(loaded, tokens)
    profiler = cProfile.Profile()
    original = loop.Engine._iteration

    def profiled(self, *args):
        profiler.enable()
        try:
            return original(self, *args)
        finally:
            profiler.disable()

    loop.Engine._iteration = profiled
    try:
        in_a_thread(runs["engine (1 row)"], 1)
    finally:
        loop.Engine._iteration = original
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def run(
    tokens: int = 48, rounds: int = 5, root: Path | None = None, show_profile: bool = False, rows: int = 16
) -> str:
    from playground.models import ModelManager
    from playground.tiny_models import build_gpt2

    root = root or Path(tempfile.mkdtemp())
    folders = {
        "tiny GPT-2 (2 layers, 32 wide)": str(build_gpt2(root / "tiny-gpt2")),
        "GPT-2 small shape (124M)": default_shaped_models(root, ("generation",))["generation"],
    }
    rows_of_one = []
    for name, folder in folders.items():
        loaded = ModelManager({"generation": folder}, device="cpu").get("generation")
        length = min(tokens, loaded.context_length - 20)
        if show_profile:
            profile(loaded, length)
        seconds = measure(loaded, length, rounds)
        base = seconds["model.generate"]
        rows_of_one.append(
            [name, length]
            + [f"{seconds[v] * 1000:.2f}" for v in ("model.generate", "stream_ids", "engine (1 row)")]
            + [f"{base / seconds['stream_ids']:.2f}×", f"{base / seconds['engine (1 row)']:.2f}×"]
        )
    headers = [
        "model",
        "new tokens",
        "`generate` ms/token",
        "`stream_ids` ms/token",
        "engine ms/token",
        "`stream_ids` / `generate` tok/s",
        "engine / `generate` tok/s",
    ]
    rates = measure_rows(loaded, length, rows, rounds)  # (the GPT-2-small shape, the last one loaded)
    ceiling = rates[f"model.generate ({rows} rows)"]
    batch_rows = [[name, f"{rate:.1f}", f"{rate / ceiling:.0%}"] for name, rate in rates.items()]
    return (
        f"`python -m benchmarks.engine --tokens {tokens} --rounds {rounds} --rows {rows}`: one sampled request "
        "(temperature 0.8, top-k 50, top-p 0.95; each round its own seed) in this process, no HTTP; median over "
        "the rounds, the variants interleaved, each in its own thread.\n\n"
        + table(headers, rows_of_one)
        + f"\n\n{rows} such requests at once on the GPT-2 small shape, each in its own thread, through one "
        f"engine, beside `model.generate` with {rows} rows in one batch (best of {rounds} rounds, interleaved):\n\n"
        + table(["variant", "total tok/s", "of `generate`"], batch_rows)
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tokens", type=int, default=48)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rows", type=int, default=16, help="concurrent requests in the second table")
    parser.add_argument("--profile", action="store_true", help="cProfile the engine on each model first")
    args = parser.parse_args()
    print(run(args.tokens, args.rounds, show_profile=args.profile, rows=args.rows))


if __name__ == "__main__":
    main()
