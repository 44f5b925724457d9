"""CPU precision: float32, bfloat16, float16 and int8 side by side on the GPT-2-small shape (124M parameters).

Each variant is the copy `--dtype` serves (`models.reduced_copy`, made once from the float32 model), timed with
plain `model.generate` (greedy) at batch 1 and with `--rows` rows, the variants interleaved round by round, each
in a thread of its own; tokens/s against the memory-bandwidth limit (bytes of weights read per token / the
bandwidth of reading a 1 GiB tensor). int8 is also measured with the other quantized engines PyTorch offers
(`torch.backends.quantized.engine`), with one scale per tensor instead of per output channel, and with torchao's
int8 weight-only quantization when torchao is installed.

The probabilities: the same GPT-2-small shape trained for a few steps on the README's bytes (so that its next-token
distributions are far from uniform), every variant's next-token probabilities over a text of `--text-tokens`
tokens, compared with float32's: the largest absolute difference over every position and every vocabulary entry,
and how often the most likely next token is the same.

    python -m benchmarks.dtype [--tokens 32] [--rounds 3] [--rows 16] [--train-steps 6]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from benchmarks.common import ROOT, default_shaped_models, in_a_thread, table
from benchmarks.generation import read_bandwidth_gbs

ENGINES = ("x86", "fbgemm", "onednn")
SHARPEN = 2.0  # the final layer norm's scale for the "peaked" check (8 saturated every distribution at 1)  # PyTorch's quantized engines on x86; "x86" is its default


def copy_bandwidth_gbs(gib: float = 1.0, repeats: int = 3) -> float:
    """Memory bandwidth of copying a tensor much larger than the caches, bytes read + written per second."""
    import torch

    x = torch.ones(int(gib * 2**30 / 4), dtype=torch.float32)
    y = torch.empty_like(x)
    y.copy_(x)
    start = time.perf_counter()
    for _ in range(repeats):
        y.copy_(x)
    return 2 * x.numel() * 4 * repeats / (time.perf_counter() - start) / 1e9


def matmul_bytes(model) -> int:
    """Bytes of the weights one token's forward pass reads in full: every Linear/Conv1D weight and bias (the
    output layer included), int8 ones at 1 byte; embeddings are read one row at a time and are left out."""
    import torch
    from transformers.pytorch_utils import Conv1D

    total = 0
    for module in model.modules():
        if isinstance(module, torch.ao.nn.quantized.dynamic.Linear):
            weight, bias = module._weight_bias()
            total += weight.numel() + (bias.numel() * 4 if bias is not None else 0)
        elif isinstance(module, (torch.nn.Linear, Conv1D)) or type(module).__name__ == "Linear":
            for tensor in (module.weight, module.bias):
                if tensor is not None:
                    total += tensor.numel() * tensor.element_size()
    return total


def load_average() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def train_briefly(model, steps: int, tokenizer, seed: int = 0) -> list[float]:
    """A few AdamW steps on the README's text (32-token windows, 2 rows): next-token distributions that are
    peaked like a trained model's, not the near-uniform ones of random weights."""
    import torch

    data = torch.tensor(tokenizer((ROOT / "README.md").read_text()[:40_000]).input_ids)
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model.train()
    losses = []
    for _ in range(steps):
        starts = torch.randint(0, len(data) - 33, (2,), generator=generator)
        batch = torch.stack([data[s : s + 32] for s in starts])
        loss = model(batch, labels=batch).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
        print(f"training step {len(losses)}: loss {losses[-1]:.2f}", flush=True)
    model.eval()
    for parameter in model.parameters():
        parameter.requires_grad_(False)
        parameter.grad = None  # (and the optimizer's state goes with `optimizer`)
    return losses


@contextlib.contextmanager
def quantized_engine(name: str | None):
    import torch

    previous = torch.backends.quantized.engine
    if name:
        torch.backends.quantized.engine = name
    try:
        yield
    finally:
        torch.backends.quantized.engine = previous


def variants(model) -> dict[str, tuple[object, str | None]]:
    """name -> (model, quantized engine it runs with)."""
    import torch

    from playground.models import conv1d_as_linear, reduced_copy

    made = {"float32": (model, None)}
    for precision in ("bfloat16", "float16"):
        made[precision] = (reduced_copy(model, precision), None)
    for engine in ENGINES:
        if engine in torch.backends.quantized.supported_engines:
            with quantized_engine(engine):
                label = "int8 (--dtype int8)" if engine == "x86" else f"int8, {engine} engine"
                made[label] = (reduced_copy(model, "int8"), engine)
    per_tensor = copy.deepcopy(model)
    conv1d_as_linear(per_tensor)
    with warnings.catch_warnings(), quantized_engine("x86"):
        warnings.simplefilter("ignore")
        torch.ao.quantization.quantize_dynamic(per_tensor, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
    made["int8, one scale per tensor"] = (per_tensor, "x86")
    try:
        from torchao.quantization import Int8WeightOnlyConfig, quantize_

        weight_only = copy.deepcopy(model)
        conv1d_as_linear(weight_only)
        quantize_(weight_only, Int8WeightOnlyConfig())
        made["int8 weight-only (torchao)"] = (weight_only, None)
    except Exception as error:  # torchao missing, or its API moved
        print(f"torchao left out: {type(error).__name__}: {str(error)[:120]}")
    return made


def probabilities_gap(reference, other, engine, ids) -> tuple[float, float]:
    """(largest |p - p_float32| over every position and vocabulary entry, share of positions whose most likely
    next token is the same)."""
    import torch

    with torch.inference_mode(), quantized_engine(engine):
        expected = reference(ids).logits.float().softmax(-1)
        got = other(ids).logits.float().softmax(-1)
    same_top = (expected.argmax(-1) == got.argmax(-1)).float().mean().item()
    return (got - expected).abs().max().item(), same_top


@contextlib.contextmanager
def sharpened(models, factor: float = SHARPEN):
    """Every model's final layer norm scaled by `factor` (a power of 2: exact in every precision), so that the
    next-token distributions are peaked (logits `factor` times larger), as a well-trained model's are; each
    tensor scaled once even where variants share it."""
    import torch

    tensors = {}
    for model in models:
        for tensor in model.transformer.ln_f.parameters():
            tensors[id(tensor)] = tensor
    with torch.no_grad():
        for tensor in tensors.values():
            tensor.mul_(factor)
        try:
            yield
        finally:
            for tensor in tensors.values():
                tensor.div_(factor)


def top_probability(model, ids) -> float:
    """The mean over positions of the most likely next token's probability."""
    import torch

    with torch.inference_mode():
        return model(ids).logits.softmax(-1).max(-1).values.mean().item()


def run(
    tokens: int = 32,
    rounds: int = 3,
    rows: int = 16,
    train_steps: int = 6,
    text_tokens: int = 128,
    root: Path | None = None,
) -> str:
    import torch

    from playground.models import ModelManager

    folders = default_shaped_models(root or Path(tempfile.mkdtemp()), ("generation",))
    loaded = ModelManager(folders, device="cpu").get("generation")
    model, tokenizer = loaded.model, loaded.tokenizer
    for parameter in model.parameters():
        parameter.requires_grad_(True)
    load_before = load_average()
    start = time.perf_counter()
    losses = train_briefly(model, train_steps, tokenizer)
    train_seconds = time.perf_counter() - start
    made = variants(model)

    text = (ROOT / "README.md").read_text()[50_000:60_000]
    ids = torch.tensor([tokenizer(text).input_ids[:text_tokens]])
    gaps = {name: probabilities_gap(model, m, engine, ids) for name, (m, engine) in made.items()}
    flat_top = top_probability(model, ids)
    with sharpened([m for m, _engine in made.values()]):
        peaked_top = top_probability(model, ids)
        peaked = {name: probabilities_gap(model, m, engine, ids) for name, (m, engine) in made.items()}

    prompt = torch.tensor([tokenizer(text).input_ids[-16:]])

    def generate(m, engine, batch, tokens=tokens):
        def go():
            x = prompt.repeat(batch, 1)
            with torch.inference_mode(), quantized_engine(engine):
                m.generate(
                    x,
                    attention_mask=torch.ones_like(x),
                    max_new_tokens=tokens,
                    min_new_tokens=tokens,
                    do_sample=False,
                    pad_token_id=0,
                )
            return tokens * batch

        return go

    main = ("float32", "bfloat16", "float16", "int8 (--dtype int8)")
    timed = {(name, 1): generate(m, engine, 1) for name, (m, engine) in made.items()}
    timed |= {(name, rows): generate(*made[name], rows) for name in main if name in made}
    for name, batch in timed:  # warm-up: the kernels' first calls, the first allocations
        in_a_thread(generate(*made[name], batch, tokens=2))
    rates: dict[tuple[str, int], list[float]] = {key: [] for key in timed}
    for _ in range(rounds):
        for key, fn in timed.items():
            begin = time.perf_counter()
            produced = in_a_thread(fn)
            rates[key].append(produced / (time.perf_counter() - begin))
    load_after = load_average()
    read_bw, copy_bw = read_bandwidth_gbs(), copy_bandwidth_gbs()

    rate = {key: statistics.median(values) for key, values in rates.items()}
    table_rows = []
    for name, (m, _engine) in made.items():
        per_token = matmul_bytes(m)
        limit = read_bw * 1e9 / per_token
        gap, same_top = gaps[name]
        one = rate[(name, 1)]
        many = rate.get((name, rows))
        table_rows.append(
            [
                name,
                f"{per_token / 1e6:.0f}",
                f"{one:.1f}",
                f"{one / rate[('float32', 1)]:.2f}×",
                f"{one / limit:.0%}",
                f"{many:.1f}" if many else "",
                f"{many / rate[('float32', rows)]:.2f}×" if many else "",
                f"{gap:.4f}",
                f"{same_top:.1%}",
                f"{peaked[name][0]:.4f}",
                f"{peaked[name][1]:.1%}",
            ]
        )
    headers = [
        "precision",
        "MB read per token",
        "batch 1 tok/s",
        "vs float32",
        "of bandwidth limit",
        f"{rows} rows tok/s",
        "vs float32",
        "largest |Δp| vs float32",
        "same top token",
        "peaked: largest |Δp|",
        "peaked: same top token",
    ]
    int8 = "int8 (--dtype int8)"
    notes = [
        f"GPT-2 small shape (GPT2Config()), trained {train_steps} AdamW steps on the README's bytes "
        f"(loss {losses[0]:.2f} → {losses[-1]:.2f}, {train_seconds:.0f} s) so that its distributions are peaked; "
        f"greedy `model.generate`, {tokens} new tokens after a 16-token prompt; median of {rounds} rounds, "
        f"the variants interleaved, each in its own thread; torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads.",
        f"Probabilities: the next-token distribution at each of {ids.shape[1]} positions of a README passage, "
        "compared with float32 over the whole vocabulary. The briefly trained model's distributions are still "
        f"flat (float32's most likely token: {flat_top:.1%} on average); the peaked columns scale the final "
        f"layer norm by {SHARPEN:g} in every variant (logits {SHARPEN:g}× larger; most likely token "
        f"{peaked_top:.1%} on average), as a well-trained model's distributions are peaked.",
        f"Memory bandwidth: reading a 1 GiB tensor {read_bw:.1f} GB/s (the limit column: that / MB read per "
        f"token), copying one {copy_bw:.1f} GB/s (read + write).",
        f"Load average (1 / 5 / 15 min) before: {load_before}, after: {load_after} (on 2 cores).",
    ]
    if int8 in made:
        notes.append(
            f"`--dtype int8` at batch 1: {rate[(int8, 1)] / rate[('float32', 1)]:.2f}× float32 (goal ≥ 1.8×); "
            f"largest probability difference {gaps[int8][0]:.4f}, peaked {peaked[int8][0]:.4f} (goal ≤ 0.02)."
        )
    return table(headers, table_rows) + "\n\n" + "\n".join(f"- {note}" for note in notes)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=16)
    parser.add_argument("--train-steps", type=int, default=6)
    parser.add_argument("--text-tokens", type=int, default=128)
    args = parser.parse_args()
    print(run(args.tokens, args.rounds, args.rows, args.train_steps, args.text_tokens))


if __name__ == "__main__":
    main()
