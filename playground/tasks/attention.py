"""Attention weights: every layer and head, from the model's own eager attention implementation.

`attention` reads a text, `attention_of_ids` the tokens of a generation (prompt + generated), and
`mask_attention` what each [MASK] of a fill-mask text attended to. The arithmetic on the weights (mean over
heads, rollout, hiding special tokens) is in `attention_ops`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import torch

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.registry import REGISTRY
from playground.tasks.attention_ops import mean_over_heads
from playground.tasks.batching import encode_truncated
from playground.tasks.fill_mask import normalise_masks
from playground.tasks.text import token_strings
from playground.tasks.translation import pieces as translation_pieces
from playground.tasks.validation import InputError, check_text


@dataclass
class AttentionResult:
    model_id: str
    tokens: list[str]
    attentions: np.ndarray  # (layers, heads, query, key); each row sums to 1
    causal: bool
    notices: list[Message] = field(default_factory=list)
    token_ids: list[int] = field(default_factory=list)
    special: list[bool] = field(default_factory=list)  # [CLS], [SEP], <|endoftext|>, padding
    prompt_length: int | None = None  # for a generation: the first prompt_length tokens are the prompt
    # a translation model: which attention ("encoder", "decoder" or "cross"); the cross-attention's keys are
    # the source tokens (key_tokens, key_special) and its queries the decoder's tokens
    part: str | None = None
    key_tokens: list[str] | None = None
    key_special: list[bool] | None = None
    no_matrix: list[int] = field(default_factory=list)  # 1-based layers without one (linear attention): NaN

    @property
    def num_layers(self) -> int:
        return self.attentions.shape[0]

    @property
    def num_heads(self) -> int:
        return self.attentions.shape[1]


def kept_half(result: AttentionResult) -> AttentionResult:
    """`result` with its weights in float16, for a session to keep between its events: half the memory of
    float32 (BERT-base at 128 tokens: 4.7 MB instead of 9.4 MB). `in_full` gives the float32 weights back."""
    return replace(result, attentions=result.attentions.astype(np.float16))


def in_full(result: AttentionResult) -> AttentionResult:
    """The float32 weights of a `kept_half` result, each row renormalised to add up to 1 (float16 rounds each
    weight by at most 0.05%)."""
    if result.attentions.dtype == np.float32:
        return result
    weights = result.attentions.astype(np.float32)
    totals = weights.sum(axis=-1, keepdims=True)
    np.divide(weights, totals, out=weights, where=totals > 0)
    return replace(result, attentions=weights)


def layers_and_heads(loaded: LoadedModel, part: str | None = None) -> tuple[int, int]:
    """How many layers and heads per layer the model has (from its config; no forward pass); a translation
    model: its encoder's, or its decoder's for `part` "decoder" or "cross"."""
    config = loaded.model.config
    if getattr(config, "is_encoder_decoder", False) and check_part(part) != "encoder":
        layers = getattr(config, "decoder_layers", None) or config.num_hidden_layers
        return layers, getattr(config, "decoder_attention_heads", None) or config.num_attention_heads
    return config.num_hidden_layers, config.num_attention_heads


PARTS = ("encoder", "decoder", "cross")


def check_part(part: object) -> str:
    """A translation model's attention: "encoder" (also for None), "decoder" or "cross"; else InputError."""
    if part is None or part == "":
        return "encoder"
    if part not in PARTS:
        raise InputError(
            lazy("Unknown part {part}: choose 'encoder', 'decoder' or 'cross'.", part=repr(part)[:40])
        )
    return part


def attention(
    loaded: LoadedModel, text: str, max_chars: int, max_tokens: int, part: str | None = None
) -> AttentionResult:
    """Attention of `text` in every layer and head, cut to `max_tokens` tokens (with a notice). A translation
    model: its encoder's self-attention over `text` (`part` "encoder"), its decoder's masked self-attention
    over its own greedy translation ("decoder"), or the cross-attention of the translation over the source
    ("cross"), all from one forward pass."""
    text = check_text(text, max_chars)
    if loaded.model.config.is_encoder_decoder and check_part(part) != "encoder":
        return _translation_attention(loaded, text, max_chars, max_tokens, part)
    causal = REGISTRY[loaded.task].causal
    limit = min(max_tokens, loaded.context_length)
    encoded, notices = encode_truncated(loaded.tokenizer, text, limit, add_special_tokens=not causal)
    return _forward(loaded, encoded["input_ids"][0].tolist(), notices)


def attention_of_ids(
    loaded: LoadedModel, ids: list[int], max_tokens: int, prompt_length: int | None = None
) -> AttentionResult:
    """Attention over given token ids (a prompt and what was generated after it), the first `max_tokens`.

    For a causal model the first N tokens attend exactly as they did in the longer text, so cutting the end
    changes no weight that is shown.
    """
    if not ids:
        raise InputError(lazy("There is no text yet: generate some first, then look at its attention."))
    limit = min(max_tokens, loaded.context_length)
    notices = []
    if len(ids) > limit:
        notices.append(
            lazy(
                "The text has {count} tokens; the first {limit} are shown. A shorter prompt or fewer new "
                "tokens shows more of the generated part.",
                count=len(ids),
                limit=limit,
            )
        )
        ids = ids[:limit]
    return _forward(loaded, list(ids), notices, prompt_length)


def _forward(
    loaded: LoadedModel, ids: list[int], notices: list[Message], prompt_length: int | None = None
) -> AttentionResult:
    tokenizer = loaded.tokenizer
    input_ids = torch.tensor([ids], device=loaded.device)
    with loaded.eager_attention() as model, torch.inference_mode():
        if model.config.is_encoder_decoder:  # a translation model: its encoder's self-attention over the text
            model = model.get_encoder()
        outputs = model(
            input_ids=input_ids, attention_mask=torch.ones_like(input_ids), output_attentions=True
        )
    # outputs.attentions: layers x (1, heads, T, T) -> (layers, heads, T, T)
    weights = torch.stack([layer[0] for layer in outputs.attentions]).float().cpu().numpy()
    weights, no_matrix = in_their_layers(weights, model.config)
    if no_matrix:
        notices.append(no_matrix_notice(no_matrix))
    structural = _structural(tokenizer)
    seq2seq = bool(loaded.model.config.is_encoder_decoder)
    return AttentionResult(
        model_id=loaded.model_id,
        tokens=translation_pieces(tokenizer, ids) if seq2seq else token_strings(tokenizer, ids),
        attentions=weights,
        causal=REGISTRY[loaded.task].causal,
        notices=notices,
        token_ids=ids,
        special=[i in structural for i in ids],
        prompt_length=prompt_length,
        part="encoder" if seq2seq else None,
        no_matrix=no_matrix,
    )


def _structural(tokenizer) -> set[int]:
    return {getattr(tokenizer, f"{name}_token_id", None) for name in ("cls", "sep", "bos", "eos", "pad")} - {
        None
    }


def _translation_attention(
    loaded: LoadedModel, text: str, max_chars: int, max_tokens: int, part: str
) -> AttentionResult:
    """The decoder's self-attention or the cross-attention of one forward pass over the source and the
    model's greedy translation (the decoder reads its start token, then the translation but its </s>)."""
    from playground.tasks.inside.reading import read

    reading = read(loaded, text, max_chars, max_tokens, "decoder")
    source = torch.tensor([reading.source_ids], device=loaded.device)  # (1, S)
    with loaded.eager_attention() as model, torch.inference_mode():
        outputs = model(
            input_ids=source,
            attention_mask=torch.ones_like(source),
            decoder_input_ids=torch.tensor([reading.ids], device=loaded.device),  # (1, T)
            output_attentions=True,
        )
    cross = part == "cross"
    chosen = outputs.cross_attentions if cross else outputs.decoder_attentions
    structural = _structural(loaded.tokenizer)
    return AttentionResult(
        model_id=loaded.model_id,
        tokens=reading.tokens,
        attentions=torch.stack([layer[0] for layer in chosen]).float().cpu().numpy(),
        causal=not cross,
        notices=list(reading.notices),
        token_ids=list(reading.ids),
        special=[i in structural for i in reading.ids],
        part=part,
        key_tokens=list(reading.source_tokens) if cross else None,
        key_special=[i in structural for i in reading.source_ids] if cross else None,
    )


def layers_without_matrix(config) -> list[int]:
    """The 1-based layers of a hybrid model (Qwen3.5, Qwen3-Next, ...) that mix tokens without an attention
    matrix: their `config.layer_types` entry names linear attention (or another recurrent mixer)."""
    kinds = getattr(config, "layer_types", None) or []
    return [i + 1 for i, kind in enumerate(kinds) if "attention" not in kind or "linear" in kind]


def in_their_layers(weights: np.ndarray, config) -> tuple[np.ndarray, list[int]]:
    """`output_attentions` of a hybrid model holds only its attention layers' weights: (attention layers,
    heads, T, T) -> (layers, heads, T, T) with NaN where a layer has no matrix, and those layers (1-based)."""
    missing = layers_without_matrix(config)
    layers = getattr(config, "num_hidden_layers", len(weights))
    if not missing or len(weights) != layers - len(missing):
        return weights, []
    spread = np.full((layers, *weights.shape[1:]), np.nan, dtype=weights.dtype)
    spread[[i for i in range(layers) if i + 1 not in missing]] = weights
    return spread, missing


def no_matrix_notice(layers: list[int]) -> Message:
    return lazy(
        "Layers {layers} are linear-attention layers: they mix the tokens through a running state, without an "
        "attention matrix, so they have no weights to show (their maps are empty).",
        layers=", ".join(map(str, layers)),
    )


@dataclass
class MaskAttention:
    """What each [MASK] looked at: per mask, per layer, the mean over heads of its attention row."""

    model_id: str
    tokens: list[str]
    positions: list[int]  # index of each mask among the tokens
    weights: np.ndarray  # (masks, layers, key); each row sums to 1
    notices: list[Message] = field(default_factory=list)


def mask_attention(loaded: LoadedModel, text: str, max_chars: int, max_tokens: int) -> MaskAttention:
    """For every mask in `text`, the attention of its position in every layer, averaged over the heads."""
    text = check_text(text, max_chars)
    mask_token = loaded.tokenizer.mask_token
    text = normalise_masks(text, mask_token)
    if mask_token is None or mask_token not in text:
        raise InputError(lazy("There is no [MASK] in the text, so there is no mask attention to show."))
    result = attention(loaded, text, len(text), max_tokens)
    positions = [
        i for i, token_id in enumerate(result.token_ids) if token_id == loaded.tokenizer.mask_token_id
    ]
    if not positions:
        raise InputError(
            lazy("Every [MASK] lies in the part of the text that was cut off. Put it nearer the start.")
        )
    notices = list(result.notices)
    if len(positions) < text.count(mask_token):
        notices.append(lazy("Some masks lay in the part that was cut off; only the ones shown are included."))
    per_layer = np.stack([mean_over_heads(layer) for layer in result.attentions])  # (layers, T, T)
    return MaskAttention(
        model_id=result.model_id,
        tokens=result.tokens,
        positions=positions,
        weights=per_layer[:, positions, :].transpose(1, 0, 2),
        notices=notices,
    )
