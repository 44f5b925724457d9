"""The Transformer block as the loaded model has it: its norms, attention and feed-forward modules (their classes
and shapes read from the model), pre-norm or post-norm, and the two residual sums x + f(x) checked on one
forward pass.

Pre-norm (GPT-2, Llama): h = x + Attention(Norm₁(x)), out = h + MLP(Norm₂(h)).
Post-norm (BERT, DistilBERT): h = Norm₁(x + Attention(x)), out = Norm₂(h + MLP(h)).

The residual check reads, with hooks on the block's own modules, the block's input x, the attention's and the
MLP's outputs f(x), and what the next module received: the sum. Each sum is compared with x + f(x) (the largest
difference is rounding): the residual connection is a plain addition, as the diagram says.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.tasks.inside.adapters import parts_of
from playground.tasks.inside.hooks import Recorder, check_layer, hooked
from playground.tasks.inside.tokens import encode
from playground.tasks.validation import check_text, refuse_two_stacks


@dataclass
class Part:
    """One module of the block, as the model names it."""

    module: str  # its name inside the block, e.g. "ln_1", "attention.self.query"
    kind: str  # its class, e.g. "LayerNorm", "Conv1D", "LlamaRMSNorm", "NewGELUActivation"
    shape: str  # "32 → 96" for a projection, "(32,) eps 1e-05" for a norm, "" for an activation


@dataclass
class Residual:
    """One residual connection: the sum the model computed against x + f(x)."""

    name: str  # "attention" or "mlp"
    difference: float  # the largest |sum − (x + f(x))|: rounding only
    size: float  # the largest |f(x)|: what the sublayer added


@dataclass
class BlockStructure:
    model_id: str
    family: str
    pre_norm: bool
    layer: int  # 1-based: the block shown and checked
    num_layers: int
    tokens: int  # T of the text of the check
    d_model: int
    d_ff: int  # the width of the MLP's hidden layer
    num_heads: int
    num_kv_heads: int
    head_dim: int
    first_norm: Part  # pre-norm: before attention; post-norm: after the attention's residual sum
    attention: list[Part]
    second_norm: Part  # pre-norm: before the MLP; post-norm: after the MLP's residual sum
    mlp: list[Part]
    embedding_norm: Part | None  # post-norm models: the LayerNorm of the embeddings
    final_norm: Part | None  # pre-norm models: the norm before the unembedding
    residuals: list[Residual] = field(default_factory=list)
    notices: list[Message] = field(default_factory=list)


@dataclass(frozen=True)
class _Layout:
    """Where one family keeps the modules of a block (paths relative to the block)."""

    first_norm: str
    attention: tuple[str, ...]
    second_norm: str
    mlp: tuple[str, ...]
    attention_out: str  # its output is f(x) of the attention
    mlp_out: str  # its output is f(x) of the MLP
    attention_sum: str  # the module whose input is the attention's residual sum
    mlp_sum: str | None  # the module whose input is the MLP's residual sum (None: the block's output)


LAYOUTS = {
    "gpt2": _Layout(
        "ln_1",
        ("attn.c_attn", "attn.c_proj"),
        "ln_2",
        ("mlp.c_fc", "mlp.act", "mlp.c_proj"),
        "attn",
        "mlp",
        "ln_2",
        None,
    ),
    "llama": _Layout(
        "input_layernorm",
        ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj"),
        "post_attention_layernorm",
        ("mlp.gate_proj", "mlp.up_proj", "mlp.act_fn", "mlp.down_proj"),
        "self_attn",
        "mlp",
        "post_attention_layernorm",
        None,
    ),
    "bert": _Layout(
        "attention.output.LayerNorm",
        (
            "attention.self.query",
            "attention.self.key",
            "attention.self.value",
            "attention.output.dense",
        ),
        "output.LayerNorm",
        ("intermediate.dense", "intermediate.intermediate_act_fn", "output.dense"),
        "attention.output.dense",
        "output.dense",
        "attention.output.LayerNorm",
        "output.LayerNorm",
    ),
    "distilbert": _Layout(
        "sa_layer_norm",
        ("attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin"),
        "output_layer_norm",
        ("ffn.lin1", "ffn.activation", "ffn.lin2"),
        "attention.out_lin",
        "ffn.lin2",
        "sa_layer_norm",
        "output_layer_norm",
    ),
}


def describe(path: str, module: nn.Module) -> Part:
    """A module's class and shape, read from the module itself."""
    kind = type(module).__name__
    weight = getattr(module, "weight", None)
    if isinstance(module, nn.Linear):
        shape = f"{module.in_features} → {module.out_features}"
    elif hasattr(module, "nx") and hasattr(module, "nf"):  # GPT-2's Conv1D: x @ W, W stored (in, out)
        shape = f"{module.nx} → {module.nf}"
    elif isinstance(weight, torch.Tensor) and weight.dim() == 1:  # a norm: its scale vector
        eps = getattr(module, "eps", None)
        eps = getattr(module, "variance_epsilon", None) if eps is None else eps
        shape = f"({weight.shape[0]},)" + (f" eps {eps:g}" if isinstance(eps, float) else "")
    else:
        shape = ""
    return Part(path, kind, shape)


def structure(
    loaded: LoadedModel, text: str, max_chars: int, max_tokens: int, layer: int = 1
) -> BlockStructure:
    """Block `layer` (1-based) of the model: its parts as the model has them, and the residual sums of one
    forward pass over `text` compared with x + f(x)."""
    text = check_text(text, max_chars)
    refuse_two_stacks(loaded, lazy("The block diagram"))
    parts = parts_of(loaded.model)
    layer = check_layer(parts, layer)
    layout = LAYOUTS["bert" if parts.family == "bert" else parts.family]
    block = parts.layers[layer - 1].block
    module = block.get_submodule
    ids, notices = encode(loaded, text, max_tokens)

    def register(recorder: Recorder, _parts) -> None:
        recorder.output("attention_out", module(layout.attention_out))
        recorder.output("mlp_out", module(layout.mlp_out))
        recorder.input("attention_sum", module(layout.attention_sum))
        recorder.output("after_attention", module(layout.attention_sum))
        if layout.mlp_sum is not None:
            recorder.input("mlp_sum", module(layout.mlp_sum))
        else:
            recorder.output("mlp_sum", block)

    with hooked(loaded, ids, register) as run:
        seen = run.seen
        x = run.hidden_states[layer - 1][None].float()
        attention_sum = seen["attention_sum"].float()
        # pre-norm: the MLP adds to the sum itself; post-norm: to the sum after its norm
        h = (attention_sum if parts.pre_norm else seen["after_attention"]).float()
        residuals = [
            _residual("attention", seen["attention_sum"], x, seen["attention_out"]),
            _residual("mlp", seen["mlp_sum"], h, seen["mlp_out"]),
        ]
    mlp = [describe(path, module(path)) for path in layout.mlp]
    d_model = parts.token_embedding.weight.shape[1]
    first_mlp = module(layout.mlp[0])
    d_ff = getattr(first_mlp, "out_features", None) or getattr(first_mlp, "nf", 0)
    return BlockStructure(
        model_id=loaded.model_id,
        family=parts.family,
        pre_norm=parts.pre_norm,
        layer=layer,
        num_layers=parts.num_layers,
        tokens=len(ids),
        d_model=d_model,
        d_ff=int(d_ff),
        num_heads=parts.num_heads,
        num_kv_heads=parts.num_kv_heads,
        head_dim=parts.head_dim,
        first_norm=describe(layout.first_norm, module(layout.first_norm)),
        attention=[describe(path, module(path)) for path in layout.attention],
        second_norm=describe(layout.second_norm, module(layout.second_norm)),
        mlp=mlp,
        embedding_norm=describe("embeddings.LayerNorm", parts.embedding_norm)
        if parts.embedding_norm
        else None,
        final_norm=describe("final norm", parts.final_norm) if parts.final_norm is not None else None,
        residuals=residuals,
        notices=notices,
    )


def _residual(name: str, total: torch.Tensor, x: torch.Tensor, added: torch.Tensor) -> Residual:
    total, added = total.float().reshape(x.shape), added.float().reshape(x.shape)
    return Residual(name, float((total - (x + added)).abs().max()), float(added.abs().max()))
