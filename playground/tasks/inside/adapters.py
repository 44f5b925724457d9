"""Where the parts of each architecture family live: one small adapter per family.

An adapter only *names* the model's own modules (embeddings, the q/k/v projections, W_O, the MLP, the final
norm, the unembedding); nothing here computes what the model computes. The task module hooks these modules
during one ordinary forward pass and reads what they produced.

Families: GPT-2 (fused `c_attn`, Conv1D or, after `models.conv1d_as_linear`, nn.Linear), BERT and RoBERTa,
DistilBERT, Llama and Qwen2 (separate q/k/v projections, rotary positions, grouped-query attention), and
Marian's encoder-decoder (opus-mt): its encoder and its decoder each a stack of its own (`parts_of(model,
"decoder")`), the decoder's layers with a cross-attention sub-layer (`CrossParts`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from playground.i18n import lazy
from playground.tasks.validation import InputError


@dataclass(frozen=True)
class CrossParts:
    """A decoder layer's encoder-decoder (cross-) attention: queries from the decoder's stream, keys and values
    from the encoder's output X⁽ᴸ⁾; then its own residual sum and LayerNorm (post-norm models)."""

    attention: nn.Module  # its `scaling` is the model's own 1/√d_k
    qkv: tuple[nn.Module, nn.Module, nn.Module]  # q reads the decoder's stream, k and v read X⁽ᴸ⁾
    out: nn.Module  # W_O of the cross-attention
    norm: nn.Module | None  # LayerNorm(Z₁ + cross-attention output)


@dataclass(frozen=True)
class LayerParts:
    """The modules of one transformer block that the hooks listen to."""

    block: nn.Module  # the whole block: its output is the residual stream after the layer
    attention: nn.Module  # the self-attention module (its `scaling` is the model's own 1/√d_k)
    qkv: tuple[nn.Module, nn.Module, nn.Module] | None  # separate projections (their outputs: q, k, v)
    fused_qkv: nn.Module | None  # GPT-2's c_attn: one projection whose output is [q | k | v]
    out: nn.Module  # W_O: its input is the concatenated heads, its output the attention module's output
    mlp_down: nn.Module  # the MLP's last projection: its input is the neurons' activations
    post_attention_norm: nn.Module | None  # post-norm models: LayerNorm(X + attention output)
    cross: CrossParts | None = None  # an encoder-decoder's decoder layer: its cross-attention sub-layer


@dataclass(frozen=True)
class Parts:
    """Where one loaded model keeps what the Inside views show."""

    family: str  # "gpt2", "bert", "distilbert", "llama"
    layers: list[LayerParts]
    num_heads: int
    num_kv_heads: int
    head_dim: int
    pre_norm: bool  # the attention reads a normed copy of the residual stream (GPT-2, Llama)
    token_embedding: nn.Module
    position_embedding: nn.Module | None  # learned absolute positions; None for rotary models
    token_type_embedding: nn.Module | None  # BERT's segment embedding
    embedding_norm: nn.Module | None  # BERT/DistilBERT: LayerNorm after the sum of the embeddings
    final_norm: nn.Module | None  # pre-norm models' norm before the unembedding (ln_f, norm)
    head: Callable[[torch.Tensor], torch.Tensor] | None  # residual stream -> logits (with the final norm)
    rotary: nn.Module | None = None  # the rotary embedding module: its output is (cos, sin)
    apply_rotary: Callable | None = None  # the model's own apply_rotary_pos_emb(q, k, cos, sin)
    stack: str | None = None  # an encoder-decoder: "encoder" or "decoder", the stack these parts are of
    embedding_scale: float = 1.0  # the model's own factor on the token embedding (Marian: √d_model)

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    def kv_head(self, head: int) -> int:
        """The key/value head (0-based) that query head `head` (0-based) reads, as repeat_kv shares them."""
        return head // (self.num_heads // self.num_kv_heads)


def _gpt2(model: nn.Module) -> Parts:
    base = model.base_model
    config = model.config
    layers = [
        LayerParts(
            block=block,
            attention=block.attn,
            qkv=None,
            fused_qkv=block.attn.c_attn,
            out=block.attn.c_proj,
            mlp_down=block.mlp.c_proj,
            post_attention_norm=None,
        )
        for block in base.h
    ]
    lm_head = getattr(model, "lm_head", None)
    return Parts(
        family="gpt2",
        layers=layers,
        num_heads=config.n_head,
        num_kv_heads=config.n_head,
        head_dim=config.n_embd // config.n_head,
        pre_norm=True,
        token_embedding=base.wte,
        position_embedding=base.wpe,
        token_type_embedding=None,
        embedding_norm=None,
        final_norm=base.ln_f,
        head=(lambda h: lm_head(base.ln_f(h))) if lm_head is not None else None,
    )


def _bert(model: nn.Module) -> Parts:
    """BERT and RoBERTa (the same modules under other names of the head)."""
    base = model.base_model
    config = model.config
    layers = [
        LayerParts(
            block=layer,
            attention=layer.attention.self,
            qkv=(layer.attention.self.query, layer.attention.self.key, layer.attention.self.value),
            fused_qkv=None,
            out=layer.attention.output.dense,
            mlp_down=layer.output.dense,
            post_attention_norm=layer.attention.output.LayerNorm,
        )
        for layer in base.encoder.layer
    ]
    head = getattr(model, "cls", None)  # BertOnlyMLMHead: transform + decoder
    if head is None:
        head = getattr(model, "lm_head", None)  # RobertaLMHead
    embeddings = base.embeddings
    return Parts(
        family="bert",
        layers=layers,
        num_heads=config.num_attention_heads,
        num_kv_heads=config.num_attention_heads,
        head_dim=config.hidden_size // config.num_attention_heads,
        pre_norm=False,
        token_embedding=embeddings.word_embeddings,
        position_embedding=embeddings.position_embeddings,
        token_type_embedding=getattr(embeddings, "token_type_embeddings", None),
        embedding_norm=embeddings.LayerNorm,
        final_norm=None,
        head=head,
    )


def _distilbert(model: nn.Module) -> Parts:
    base = model.base_model
    config = model.config
    layers = [
        LayerParts(
            block=block,
            attention=block.attention,
            qkv=(block.attention.q_lin, block.attention.k_lin, block.attention.v_lin),
            fused_qkv=None,
            out=block.attention.out_lin,
            mlp_down=block.ffn.lin2,
            post_attention_norm=block.sa_layer_norm,
        )
        for block in base.transformer.layer
    ]
    head = None
    if hasattr(model, "vocab_projector"):  # DistilBertForMaskedLM

        def head(h: torch.Tensor) -> torch.Tensor:
            transformed = model.vocab_layer_norm(model.activation(model.vocab_transform(h)))
            return model.vocab_projector(transformed)

    return Parts(
        family="distilbert",
        layers=layers,
        num_heads=config.n_heads,
        num_kv_heads=config.n_heads,
        head_dim=config.dim // config.n_heads,
        pre_norm=False,
        token_embedding=base.embeddings.word_embeddings,
        position_embedding=base.embeddings.position_embeddings,
        token_type_embedding=None,
        embedding_norm=base.embeddings.LayerNorm,
        final_norm=None,
        head=head,
    )


def _llama(model: nn.Module) -> Parts:
    """Llama, Qwen2, Mistral: q_proj/k_proj/v_proj/o_proj, RMSNorm before each block, rotary positions."""
    base = model.base_model
    config = model.config
    layers = [
        LayerParts(
            block=layer,
            attention=layer.self_attn,
            qkv=(layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj),
            fused_qkv=None,
            out=layer.self_attn.o_proj,
            mlp_down=layer.mlp.down_proj,
            post_attention_norm=None,
        )
        for layer in base.layers
    ]
    lm_head = getattr(model, "lm_head", None)
    attention_module = sys.modules[type(layers[0].attention).__module__]  # the model's own modeling file
    num_heads = config.num_attention_heads
    return Parts(
        family="llama",
        layers=layers,
        num_heads=num_heads,
        num_kv_heads=getattr(config, "num_key_value_heads", None) or num_heads,
        head_dim=layers[0].attention.head_dim,
        pre_norm=True,
        token_embedding=base.embed_tokens,
        position_embedding=None,
        token_type_embedding=None,
        embedding_norm=None,
        final_norm=base.norm,
        head=(lambda h: lm_head(base.norm(h))) if lm_head is not None else None,
        rotary=base.rotary_emb,
        apply_rotary=attention_module.apply_rotary_pos_emb,
    )


STACKS = ("encoder", "decoder")


def _marian(model: nn.Module, stack: str = "encoder") -> Parts:
    """Marian (opus-mt): post-norm encoder and decoder layers (self_attn, self_attn_layer_norm, fc1, fc2,
    final_layer_norm), the decoder's with encoder_attn and encoder_attn_layer_norm between them; sinusoidal
    positions; token embeddings scaled by √d_model; the decoder's logits lm_head(h) + final_logits_bias."""
    side = model.get_encoder() if stack == "encoder" else model.get_decoder()

    def cross(layer: nn.Module) -> CrossParts | None:
        attention = getattr(layer, "encoder_attn", None)
        if attention is None:
            return None
        projections = (attention.q_proj, attention.k_proj, attention.v_proj)
        return CrossParts(attention, projections, attention.out_proj, layer.encoder_attn_layer_norm)

    layers = [
        LayerParts(
            block=layer,
            attention=layer.self_attn,
            qkv=(layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj),
            fused_qkv=None,
            out=layer.self_attn.out_proj,
            mlp_down=layer.fc2,
            post_attention_norm=layer.self_attn_layer_norm,
            cross=cross(layer),
        )
        for layer in side.layers
    ]
    head = None
    lm_head = getattr(model, "lm_head", None)
    if stack == "decoder" and lm_head is not None:
        bias = getattr(model, "final_logits_bias", None)

        def head(h: torch.Tensor) -> torch.Tensor:
            logits = lm_head(h)
            return logits if bias is None else logits + bias[0]

    attention = layers[0].attention
    return Parts(
        family="marian",
        layers=layers,
        num_heads=attention.num_heads,
        num_kv_heads=attention.num_heads,
        head_dim=attention.head_dim,
        pre_norm=False,
        token_embedding=side.embed_tokens,
        position_embedding=side.embed_positions,
        token_type_embedding=None,
        embedding_norm=getattr(side, "layernorm_embedding", None),
        final_norm=None,
        head=head,
        stack=stack,
        embedding_scale=float(getattr(side, "embed_scale", 1.0) or 1.0),
    )


FAMILIES: dict[str, Callable[[nn.Module], Parts]] = {
    "gpt2": _gpt2,
    "bert": _bert,
    "roberta": _bert,
    "distilbert": _distilbert,
    "llama": _llama,
    "qwen2": _llama,
    "mistral": _llama,
    "marian": _marian,
}


def parts_of(model: nn.Module, stack: str | None = None) -> Parts:
    """The adapter's map of `model`, or InputError for an architecture the Inside views do not know. An
    encoder-decoder's `stack` ("encoder", the default, or "decoder") picks which of its two stacks."""
    model_type = getattr(model.config, "model_type", None)
    family = FAMILIES.get(model_type)
    if family is None:
        raise InputError(
            lazy(
                "The Inside views know GPT-2, BERT, RoBERTa, DistilBERT, Llama, Qwen2 and Marian models; this model "
                "is a {architecture}, so they cannot show its insides (the Attention tab still can).",
                architecture=model_type or type(model).__name__,
            )
        )
    try:
        if getattr(model.config, "is_encoder_decoder", False):
            return family(model, check_stack(stack))
        return family(model)
    except AttributeError as error:  # a model of the family built differently (e.g. another head)
        raise InputError(
            lazy(
                "This {architecture} model is not laid out as the Inside views expect ({reason}), so they "
                "cannot show its insides.",
                architecture=model_type,
                reason=str(error),
            )
        ) from error


def check_stack(stack: object) -> str:
    """ "encoder" (also for None) or "decoder", else InputError."""
    if stack is None or stack == "":
        return "encoder"
    if stack not in STACKS:
        raise InputError(lazy("Unknown part {part}: choose 'encoder' or 'decoder'.", part=repr(stack)[:40]))
    return stack
