"""Generation speed at batch 1 on a GPT-2-small-shaped model (124M parameters, random weights).

Side by side in one run, interleaved so that machine noise hits every variant alike:
  - plain `model.generate` (the reference),
  - the playground's own path as the UI and the API use it (`tasks.generation.stream`, streaming included),
  - the playground's path with `--dtype float16`, the CPU fast path (half the bytes per token; GPT-2's Conv1D
    layers turned into nn.Linear, whose layout PyTorch multiplies fast in half precision),
  - `generate` with a static KV cache and torch.compile (a candidate fast path; compile time reported),
and each one's tokens/s against the memory-bandwidth limit: read bandwidth / bytes of weights per token.

    python -m benchmarks.generation [--tokens 64] [--rounds 5] [--no-compile]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.common import default_shaped_models, table

PROMPT = "a b c d e f g h i j k l m n o p"  # 16 single-byte tokens with the benchmark's byte-level vocabulary


def read_bandwidth_gbs(gib: float = 1.0, repeats: int = 5) -> float:
    """Memory read bandwidth in GB/s: summing a tensor much larger than the caches."""
    import torch

    x = torch.ones(int(gib * 2**30 / 4), dtype=torch.float32)
    x.sum()
    start = time.perf_counter()
    for _ in range(repeats):
        x.sum()
    return x.numel() * 4 * repeats / (time.perf_counter() - start) / 1e9


def run(tokens: int = 64, rounds: int = 5, compile_fast_path: bool = True, root: Path | None = None) -> str:
    import torch

    from playground.models import ModelManager
    from playground.tasks.generation import GenerationParams, stream

    folders = default_shaped_models(root or Path(tempfile.mkdtemp()))
    loaded = ModelManager(folders, device="cpu").get("generation")
    fast = ModelManager(folders, device="cpu", dtype="float16").get("generation")
    model, tokenizer = loaded.model, loaded.tokenizer
    input_ids = tokenizer(PROMPT, return_tensors="pt").input_ids

    def weight_bytes(model) -> int:
        return sum(p.numel() * p.element_size() for p in model.parameters())

    settings = {
        "greedy": (GenerationParams(tokens, temperature=0.0), {"do_sample": False}),
        "sampling (t=0.8, top-k 50, top-p 0.95)": (
            GenerationParams(tokens, temperature=0.8, top_k=50, top_p=0.95, seed=1),
            {"do_sample": True, "temperature": 0.8, "top_k": 50, "top_p": 0.95},
        ),
    }

    def playground(params, loaded=loaded):
        def go():
            *_, last = stream(loaded, PROMPT, params, 10_000, tokens)
            return len(last.token_ids)

        return go

    def reference(kwargs, **extra):
        def go():
            with torch.inference_mode():
                out = model.generate(
                    input_ids,
                    attention_mask=torch.ones_like(input_ids),
                    max_new_tokens=tokens,
                    pad_token_id=tokenizer.eos_token_id,
                    **kwargs,
                    **extra,
                )
            return out.shape[1] - input_ids.shape[1]

        return go

    variants = {}
    bytes_read = {}  # per token, by variant
    for name, (params, kwargs) in settings.items():
        variants[f"{name}: model.generate"] = reference(kwargs)
        variants[f"{name}: playground stream"] = playground(params)
        variants[f"{name}: playground stream, --dtype float16 (fast path)"] = playground(params, fast)
        bytes_read[f"{name}: playground stream, --dtype float16 (fast path)"] = weight_bytes(fast.model)
    compile_seconds = None
    if compile_fast_path:
        compiled = reference({"do_sample": False}, cache_implementation="static")
        original_forward = model.forward
        model.forward = torch.compile(model.forward)
        start = time.perf_counter()
        compiled()  # compiles
        compile_seconds = time.perf_counter() - start
        variants["greedy: generate + static cache + torch.compile"] = compiled

    rates: dict[str, list[float]] = {name: [] for name in variants}
    for fn in variants.values():  # warm-up
        fn()
    for _ in range(rounds):
        for name, fn in variants.items():
            start = time.perf_counter()
            produced = fn()
            rates[name].append(produced / (time.perf_counter() - start))
    if compile_fast_path:
        model.forward = original_forward

    bandwidth = read_bandwidth_gbs()
    baseline = {
        name.split(":")[0]: statistics.median(rates[f"{name.split(':')[0]}: model.generate"])
        for name in rates
    }
    rows = []
    for name, values in rates.items():
        rate = statistics.median(values)
        limit = bandwidth * 1e9 / bytes_read.get(name, weight_bytes(model))
        rows.append(
            [name, f"{rate:.1f}", f"{rate / baseline[name.split(':')[0]]:.2f}", f"{rate / limit:.0%}"]
        )
    notes = [
        f"GPT-2 small shape, {weight_bytes(model) / 1e6:.0f} MB of fp32 weights read per token "
        f"({weight_bytes(fast.model) / 1e6:.0f} MB in float16); {tokens} new tokens after a "
        f"{input_ids.shape[1]}-token prompt; median of {rounds} interleaved rounds.",
        f"Read bandwidth {bandwidth:.1f} GB/s, so the bandwidth limit is "
        f"{bandwidth * 1e9 / weight_bytes(model):.1f} tokens/s in float32, "
        f"{bandwidth * 1e9 / weight_bytes(fast.model):.1f} in float16.",
    ]
    if compile_seconds is not None:
        notes.append(f"torch.compile's first generation (compiling) took {compile_seconds:.0f} s.")
    headers = ["variant", "tokens/s", "vs model.generate", "of bandwidth limit"]
    return table(headers, rows) + "\n\n" + "\n".join(f"- {note}" for note in notes)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--no-compile", action="store_true", help="skip the torch.compile variant (slow to build)"
    )
    args = parser.parse_args()
    print(run(args.tokens, args.rounds, not args.no_compile))


if __name__ == "__main__":
    main()
