"""Inside the model: tokens, embeddings, one attention head step by step, the residual stream and the logit lens.

Everything is read from the model's own tensors during one ordinary forward pass (eager attention,
`output_attentions=True`, `output_hidden_states=True`): forward hooks on the modules an adapter names
(`adapters.parts_of`) record what those modules produced; nothing re-implements the model. The hooks exist
only while `loaded.eager_attention()` holds the model's lock and are always removed (try/finally), so a
generation or another request on the same model never sees them.

Shapes: T tokens, d the model width, d_k one head's width, H query heads, L layers. Layer and head numbers
are 1-based (as on the page); token positions are 0-based indices into `tokens`.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.registry import REGISTRY
from playground.tasks.batching import encode_cut, encode_truncated
from playground.tasks.chat import special_ids
from playground.tasks.fill_mask import normalise_masks
from playground.tasks.inside.adapters import Parts, parts_of
from playground.tasks.text import is_byte_level, readable_token, token_strings
from playground.tasks.validation import InputError, check_int, check_text

MAX_TOP_K = 50
MAX_NEURONS = 100
POSITION_ROWS = 64  # rows of a learned position-embedding matrix shown at most


# --- tokens -------------------------------------------------------------------------------------------


@dataclass
class Token:
    id: int
    piece: str  # the vocabulary entry (convert_ids_to_tokens): 'Ġcat', '##ing', '[CLS]'
    text: str  # what it stands for, readable: ' cat', 'ing'; half a UTF-8 character as its bytes: '<0xE4>'
    start: int | None  # character offsets of the token in the text; None for special tokens
    end: int | None
    special: bool


@dataclass
class Tokenization:
    model_id: str
    text: str
    tokens: list[Token]
    notices: list[Message] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [t.id for t in self.tokens]


def tokenize(loaded: LoadedModel, text: str, max_chars: int, max_tokens: int | None = None) -> Tokenization:
    """The tokens the model is fed for `text` (with the special tokens its task adds: none for causal
    models, [CLS] ... [SEP] for encoders), each with its piece, readable text and place in the text."""
    text = check_text(text, max_chars)
    tokenizer = loaded.tokenizer
    ids, notices = _encode(loaded, text, max_tokens)
    offsets: list[tuple[int, int] | None] = [None] * len(ids)
    if tokenizer.is_fast:
        encoded, _ = encode_cut(
            tokenizer,
            text,
            len(ids),
            add_special_tokens=not REGISTRY[loaded.task].causal,
            return_offsets_mapping=True,
        )
        if encoded["input_ids"] == ids:
            offsets = [tuple(o) for o in encoded["offset_mapping"]]
    special = special_ids(tokenizer) - {tokenizer.unk_token_id}  # [UNK] stands for a piece of the text
    tokens = []
    for token_id, piece, offset in zip(ids, tokenizer.convert_ids_to_tokens(ids), offsets, strict=True):
        is_special = token_id in special
        start, end = (None, None) if is_special or offset is None else offset
        tokens.append(
            Token(
                id=token_id,
                piece=piece,
                text=_token_text(tokenizer, token_id, piece, text, start, end, is_special),
                start=start,
                end=end,
                special=is_special,
            )
        )
    return Tokenization(loaded.model_id, text, tokens, notices)


def _token_text(tokenizer, token_id, piece, text, start, end, special) -> str:
    if special:
        return piece
    if start is not None and end is not None and end > start and not is_byte_level(tokenizer):
        return text[start:end]  # WordPiece: 'ing' for '##ing', the character an [UNK] stands for
    return readable_token(tokenizer, token_id)


def _encode(loaded: LoadedModel, text: str, max_tokens: int | None) -> tuple[list[int], list[Message]]:
    """The ids the model reads for a checked text, as attention.py encodes it, cut to the limit."""
    limit = loaded.context_length if max_tokens is None else min(max_tokens, loaded.context_length)
    causal = REGISTRY[loaded.task].causal
    encoded, notices = encode_truncated(loaded.tokenizer, text, limit, add_special_tokens=not causal)
    return encoded["input_ids"][0].tolist(), notices


# --- one forward pass with hooks ----------------------------------------------------------------------


class _Recorder:
    """Forward hooks that keep the first value each named module saw or produced."""

    def __init__(self):
        self.seen: dict[str, object] = {}
        self._handles = []

    def output(self, name: str, module: nn.Module | None) -> None:
        if module is not None:

            def hook(_module, _args, output):
                self.seen.setdefault(
                    name, output[0] if isinstance(output, tuple) and name != "rotary" else output
                )

            self._handles.append(module.register_forward_hook(hook))

    def input(self, name: str, module: nn.Module | None) -> None:
        if module is not None:

            def hook(_module, args, kwargs):
                value = args[0] if args else next(iter(kwargs.values()))
                self.seen.setdefault(name, value)

            self._handles.append(module.register_forward_pre_hook(hook, with_kwargs=True))

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()


@dataclass
class _Pass:
    parts: Parts
    ids: list[int]
    seen: dict[str, object]
    hidden_states: list[torch.Tensor]  # L + 1 of (T, d); the last one after the final norm (pre-norm models)
    attentions: list[torch.Tensor]  # L of (H, T, T)
    logits: torch.Tensor | None  # (lens positions, vocab) when the model predicts tokens and they were asked
    # the lens: per layer 0 .. L, the (positions, top_k) probabilities and token ids of its top_k tokens
    lens_top: list[tuple[torch.Tensor, torch.Tensor]] = field(default_factory=list)


@contextmanager
def _hooked(
    loaded: LoadedModel,
    ids: list[int],
    register,
    lens_positions: list[int] | None = None,
    lens_top_k: int = 5,
) -> Iterator[_Pass]:
    """One forward pass over `ids` with the hooks `register(recorder, parts)` adds, all removed again.
    With `lens_positions`, the unembedding of every layer's residual stream at those positions (the logit
    lens) and the model's logits there, each kept as its `lens_top_k` most probable tokens; without, the
    logits are skipped where the model allows it."""
    parts = parts_of(loaded.model)
    input_ids = torch.tensor([ids], device=loaded.device)
    recorder = _Recorder()
    with loaded.eager_attention() as model, torch.inference_mode():
        options = {}
        if "logits_to_keep" in inspect.signature(model.forward).parameters:  # unembed only what is used
            kept = lens_positions if lens_positions is not None else [len(ids) - 1]
            options["logits_to_keep"] = torch.tensor(kept, device=loaded.device)
        try:
            register(recorder, parts)
            outputs = model(
                input_ids=input_ids,
                attention_mask=torch.ones_like(input_ids),
                output_attentions=True,
                output_hidden_states=True,
                **options,
            )
        finally:
            recorder.remove()
        logits = getattr(outputs, "logits", None)
        if logits is not None and logits.dim() == 3:
            logits = logits[0]
            if "logits_to_keep" not in options and lens_positions is not None:
                logits = logits[lens_positions]
        else:
            logits = None
        result = _Pass(
            parts=parts,
            ids=ids,
            seen=recorder.seen,
            hidden_states=[h[0] for h in outputs.hidden_states],
            attentions=[a[0] for a in outputs.attentions],
            logits=logits,
        )
        if lens_positions is not None:  # the unembedding of each layer's residual stream, under the lock
            for hidden in result.hidden_states[:-1]:  # one layer at a time: (positions, vocab) is large
                result.lens_top.append(_most_probable(parts.head(hidden[lens_positions]), lens_top_k))
            result.lens_top.append(_most_probable(logits, lens_top_k))  # the model's own output
    yield result


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().float().cpu().numpy()


def _check_layer(parts: Parts, layer: object) -> int:
    return check_int(layer, lazy("Layer"), 1, parts.num_layers)


def _check_head(parts: Parts, head: object) -> int:
    return check_int(head, lazy("Head"), 1, parts.num_heads)


def _cosine(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    unit = rows / np.where(norms == 0, 1, norms)
    return unit @ unit.T


# --- embeddings ---------------------------------------------------------------------------------------


@dataclass
class Embeddings:
    """What enters layer 1: the token embedding, plus the position (and BERT's token type) embedding."""

    model_id: str
    tokens: list[str]
    ids: list[int]
    token: np.ndarray  # (T, d) rows of the token embedding matrix
    position: np.ndarray | None  # (T, d) learned absolute position embeddings; None for rotary models
    token_type: np.ndarray | None  # (T, d) BERT's segment embedding (all segment 0 here)
    sum: np.ndarray  # (T, d) token + position (+ token type)
    after_norm: np.ndarray | None  # (T, d) the embedding LayerNorm of the sum (BERT, DistilBERT)
    layer_input: np.ndarray  # (T, d) what the model reports as hidden_states[0]
    similarity: np.ndarray  # (T, T) cosine similarity of the tokens' embeddings (before positions)
    input_similarity: np.ndarray  # (T, T) cosine similarity of the layer-1 inputs (with positions)
    position_matrix: np.ndarray | None  # (N, d) the first N rows of the learned position embedding
    rotary: bool  # position enters by rotating q and k in every layer (RoPE), not as an added vector
    position_note: Message | None = None
    notices: list[Message] = field(default_factory=list)


def embeddings(
    loaded: LoadedModel, text: str, max_chars: int, max_tokens: int, position_rows: int = POSITION_ROWS
) -> Embeddings:
    """The input embeddings of `text`, read by hooks on the model's own embedding modules."""
    text = check_text(text, max_chars)
    ids, notices = _encode(loaded, text, max_tokens)
    with _hooked(loaded, ids, _record_embeddings) as run:
        return _embeddings_of(loaded, run, notices, position_rows)


def _record_embeddings(recorder: _Recorder, parts: Parts) -> None:
    recorder.output("token", parts.token_embedding)
    recorder.output("position", parts.position_embedding)
    recorder.output("token_type", parts.token_type_embedding)
    recorder.output("norm", parts.embedding_norm)


def _embeddings_of(
    loaded: LoadedModel, run: _Pass, notices: list[Message], position_rows: int = POSITION_ROWS
) -> Embeddings:
    seen, parts, ids = run.seen, run.parts, run.ids
    token = _numpy(seen["token"][0])
    position = _numpy(seen["position"][0]) if "position" in seen else None
    token_type = _numpy(seen["token_type"][0]) if "token_type" in seen else None
    total = token + (position if position is not None else 0) + (token_type if token_type is not None else 0)
    matrix = None
    if parts.position_embedding is not None:
        weight = parts.position_embedding.weight
        matrix = _numpy(weight[: min(max(position_rows, len(ids)), weight.shape[0])])
    layer_input = _numpy(run.hidden_states[0])
    rotary = parts.rotary is not None
    note = (
        lazy(
            "This model has no position vectors to add: position enters in every layer by rotating each "
            "query and key by an angle that grows with the token's position (rotary embeddings, RoPE)."
        )
        if rotary
        else None
    )
    return Embeddings(
        model_id=loaded.model_id,
        tokens=token_strings(loaded.tokenizer, ids),
        ids=ids,
        token=token,
        position=position,
        token_type=token_type,
        sum=total,
        after_norm=_numpy(seen["norm"][0]) if "norm" in seen else None,
        layer_input=layer_input,
        similarity=_cosine(token),
        input_similarity=_cosine(layer_input),
        position_matrix=matrix,
        rotary=rotary,
        position_note=note,
        notices=notices,
    )


# --- one head, step by step ---------------------------------------------------------------------------


@dataclass
class HeadStep:
    """One attention head of one layer, each step of softmax(q·kᵀ/√d_k + mask)·v as the model computed it."""

    model_id: str
    tokens: list[str]
    ids: list[int]
    layer: int  # 1-based
    head: int  # 1-based
    d_k: int
    num_heads: int
    num_kv_heads: int
    kv_head: int  # 1-based key/value head this query head reads (== head unless grouped-query attention)
    x: np.ndarray  # (T, d) the attention's input: after the pre-norm (GPT-2, Llama), the block input (BERT)
    q: np.ndarray  # (T, d_k) after the rotary embedding for RoPE models
    k: np.ndarray  # (T, d_k) after the rotary embedding for RoPE models
    v: np.ndarray  # (T, d_k)
    scaling: float  # the model's own factor, 1/√d_k
    scores: np.ndarray  # (T, T) q·kᵀ·scaling, before any mask
    masked: np.ndarray  # (T, T) bool: key positions a query may not see (the future of a causal model)
    weights: np.ndarray  # (T, T) softmax of the masked scores: the model's own attention weights
    head_output: np.ndarray  # (T, d_k) weights·v: this head's slice of the input of W_O
    attention_output: np.ndarray  # (T, d) all heads concatenated and projected by W_O
    residual: np.ndarray  # (T, d) block input + attention output: the residual stream after attention
    residual_after_norm: np.ndarray | None  # post-norm models (BERT): LayerNorm(residual), what the MLP reads
    pre_norm: bool
    rotary: bool
    causal: bool
    notices: list[Message] = field(default_factory=list)


def head_step(
    loaded: LoadedModel, text: str, max_chars: int, max_tokens: int, layer: int = 1, head: int = 1
) -> HeadStep:
    """Head `head` of layer `layer` (both 1-based) on `text`, from hooks on the model's q/k/v projections,
    W_O and the rotary embedding, during one forward pass."""
    text = check_text(text, max_chars)
    parts = parts_of(loaded.model)
    layer, head = _check_layer(parts, layer), _check_head(parts, head)
    ids, notices = _encode(loaded, text, max_tokens)
    with _hooked(loaded, ids, _head_recorder(layer)) as run:
        return _head_step_of(loaded, run, layer, head, notices)


def _head_recorder(layer: int):
    """The hooks that one head of `layer` (1-based) needs: its projections' inputs and outputs, W_O, rotary."""

    def register(recorder: _Recorder, parts: Parts) -> None:
        chosen = parts.layers[layer - 1]
        if chosen.fused_qkv is not None:
            recorder.input("x", chosen.fused_qkv)
            recorder.output("qkv", chosen.fused_qkv)
        else:
            recorder.input("x", chosen.qkv[0])
            for name, module in zip("qkv", chosen.qkv, strict=True):
                recorder.output(name, module)
        recorder.input("heads", chosen.out)
        recorder.output("attention_output", chosen.out)
        recorder.output("after_norm", chosen.post_attention_norm)
        recorder.output("rotary", parts.rotary)

    return register


def _head_step_of(loaded: LoadedModel, run: _Pass, layer: int, head: int, notices: list[Message]) -> HeadStep:
    seen, parts, ids = run.seen, run.parts, run.ids
    chosen = parts.layers[layer - 1]
    d_k, h, kv = parts.head_dim, head - 1, parts.kv_head(head - 1)
    if chosen.fused_qkv is not None:  # [q | k | v] along the last axis, whatever the layer's layout
        q_all, k_all, v_all = seen["qkv"][0].split(parts.num_heads * d_k, dim=-1)
    else:
        q_all, k_all, v_all = (seen[name][0] for name in "qkv")
    T = len(ids)
    q_heads = q_all.view(T, -1, d_k).transpose(0, 1)  # (H, T, d_k)
    k_heads = k_all.view(T, -1, d_k).transpose(0, 1)  # (H_kv, T, d_k)
    v_heads = v_all.view(T, -1, d_k).transpose(0, 1)
    if parts.rotary is not None:
        cos, sin = seen["rotary"]
        q_rot, k_rot = parts.apply_rotary(q_heads[None], k_heads[None], cos, sin)
        q_heads, k_heads = q_rot[0], k_rot[0]
    q, k, v = q_heads[h].float(), k_heads[kv].float(), v_heads[kv].float()
    scaling = float(getattr(chosen.attention, "scaling", d_k**-0.5))
    scores = q @ k.T * scaling
    attention_output = seen["attention_output"][0]
    residual = run.hidden_states[layer - 1] + attention_output
    return HeadStep(
        model_id=loaded.model_id,
        tokens=token_strings(loaded.tokenizer, ids),
        ids=ids,
        layer=layer,
        head=head,
        d_k=d_k,
        num_heads=parts.num_heads,
        num_kv_heads=parts.num_kv_heads,
        kv_head=kv + 1,
        x=_numpy(seen["x"][0]),
        q=_numpy(q),
        k=_numpy(k),
        v=_numpy(v),
        scaling=scaling,
        scores=_numpy(scores),
        masked=_mask(loaded, T),
        weights=_numpy(run.attentions[layer - 1][h]),
        head_output=_numpy(seen["heads"][0].view(T, -1, d_k)[:, h]),
        attention_output=_numpy(attention_output),
        residual=_numpy(residual),
        residual_after_norm=_numpy(seen["after_norm"][0]) if "after_norm" in seen else None,
        pre_norm=parts.pre_norm,
        rotary=parts.rotary is not None,
        causal=REGISTRY[loaded.task].causal,
        notices=notices,
    )


def _mask(loaded: LoadedModel, n: int) -> np.ndarray:
    """(T, T) True where the query (row) may not look at the key (column): the future for a causal model.
    One text is never padded, so there is no padding to hide."""
    if REGISTRY[loaded.task].causal:
        return np.triu(np.ones((n, n), dtype=bool), k=1)
    return np.zeros((n, n), dtype=bool)


# --- the block: residual stream and MLP neurons ------------------------------------------------------


@dataclass
class Neuron:
    index: int  # 0-based index among the MLP's hidden units
    activation: float


@dataclass
class BlockView:
    model_id: str
    tokens: list[str]
    ids: list[int]
    residual_norms: np.ndarray  # (L + 1, T) the L2 norm of the residual stream: embeddings, after each layer
    layer: int  # 1-based: the layer whose MLP is shown
    position: int  # 0-based: the token whose neurons are shown
    neurons: list[Neuron]  # the most active (largest |activation|) first
    num_neurons: int  # the width of the MLP's hidden layer
    notices: list[Message] = field(default_factory=list)


def block(
    loaded: LoadedModel,
    text: str,
    max_chars: int,
    max_tokens: int,
    layer: int = 1,
    position: int | None = None,
    top_n: int = 10,
) -> BlockView:
    """The size of the residual stream at every layer and position, and for one token (`position`,
    0-based; None: the last) the most active neurons of layer `layer`'s MLP (its down projection's input)."""
    text = check_text(text, max_chars)
    parts = parts_of(loaded.model)
    layer = _check_layer(parts, layer)
    top_n = check_int(top_n, lazy("The number of neurons"), 1, MAX_NEURONS)
    ids, notices = _encode(loaded, text, max_tokens)
    position = _check_position(position, ids)
    with _hooked(loaded, ids, _block_recorder(layer)) as run:
        return _block_of(loaded, run, layer, position, top_n, notices)


def _check_position(position: object, ids: list[int]) -> int:
    if position is None:
        return len(ids) - 1
    return check_int(position, lazy("The token position"), 0, len(ids) - 1)


def _block_recorder(layer: int):
    """The hooks of the block view: every block's output, and the input of `layer`'s MLP down projection."""

    def register(recorder: _Recorder, parts: Parts) -> None:
        for i, layer_parts in enumerate(parts.layers):
            recorder.output(f"block{i}", layer_parts.block)
        recorder.input("neurons", parts.layers[layer - 1].mlp_down)

    return register


def _block_of(
    loaded: LoadedModel, run: _Pass, layer: int, position: int, top_n: int, notices: list[Message]
) -> BlockView:
    parts = run.parts
    # hidden_states' last entry is after the final norm in pre-norm models: the blocks' own outputs are not
    streams = [run.hidden_states[0]] + [run.seen[f"block{i}"][0] for i in range(parts.num_layers)]
    norms = _numpy(torch.stack([s.float().norm(dim=-1) for s in streams]))
    activations = run.seen["neurons"][0][position].float()
    top = activations.abs().topk(min(top_n, activations.numel())).indices.tolist()
    return BlockView(
        model_id=loaded.model_id,
        tokens=token_strings(loaded.tokenizer, run.ids),
        ids=run.ids,
        residual_norms=norms,
        layer=layer,
        position=position,
        neurons=[Neuron(i, float(activations[i])) for i in top],
        num_neurons=activations.numel(),
        notices=notices,
    )


# --- logit lens ---------------------------------------------------------------------------------------


@dataclass
class LensPrediction:
    token: int  # the token id (as the fill-mask pipeline's "token")
    token_str: str
    score: float  # probability
    shown: str = ""  # as a reader sees it: half a UTF-8 character as its bytes ('<0xE4>'), never '�'


@dataclass
class LogitLens:
    model_id: str
    tokens: list[str]
    ids: list[int]
    positions: list[int]  # 0-based: every position (causal models), the [MASK] positions (fill-mask)
    layers: list[list[list[LensPrediction]]]  # [l][i] top_k for layer l = 0 (embeddings) .. L, position i
    notices: list[Message] = field(default_factory=list)


def logit_lens(loaded: LoadedModel, text: str, max_chars: int, max_tokens: int, top_k: int = 5) -> LogitLens:
    """What the model would predict if it stopped after each layer: the final norm and the unembedding (the
    MLM head for fill-mask) applied to each layer's residual stream; the last layer is the model's own
    output. Causal models: the next token at every position; fill-mask models: each [MASK]."""
    text = check_text(text, max_chars)
    top_k = check_int(top_k, lazy("Top-k"), 1, MAX_TOP_K)
    text = _lens_text(loaded, text)
    ids, notices = _encode(loaded, text, max_tokens)
    positions = _lens_positions(loaded, ids)
    with _hooked(loaded, ids, lambda recorder, parts: None, positions, top_k) as run:
        return _lens_of(loaded, run, positions, top_k, notices)


def _lens_text(loaded: LoadedModel, text: str) -> str:
    """The text the lens reads, or InputError when the model has no token head to look through; a masked
    LM's masks written as its own mask token."""
    if parts_of(loaded.model).head is None and loaded.task == "question-answering":
        raise InputError(
            lazy(
                "The logit lens needs a model that predicts tokens; this one ({model}) points at where an answer "
                "starts and ends instead. Choose the generation, chat or fill-mask model.",
                model=loaded.model_id,
            )
        )
    if parts_of(loaded.model).head is None:
        raise InputError(
            lazy(
                "The logit lens needs a model that predicts tokens; this one ({model}) answers with labels. "
                "Choose the generation, chat or fill-mask model.",
                model=loaded.model_id,
            )
        )
    if REGISTRY[loaded.task].causal:
        return text
    if loaded.tokenizer.mask_token_id is None:
        raise InputError(lazy("This model has no [MASK] token, so there is no prediction to look into."))
    return normalise_masks(text, loaded.tokenizer.mask_token)


def _lens_positions(loaded: LoadedModel, ids: list[int]) -> list[int]:
    """Every position of a causal model; each [MASK] of a masked one (InputError when there is none)."""
    if REGISTRY[loaded.task].causal:
        return list(range(len(ids)))
    positions = [i for i, t in enumerate(ids) if t == loaded.tokenizer.mask_token_id]
    if not positions:
        raise InputError(
            lazy(
                "There is no [MASK] in the text (or it was cut off): put [MASK] where the model should guess."
            )
        )
    return positions


def _lens_of(
    loaded: LoadedModel, run: _Pass, positions: list[int], top_k: int, notices: list[Message]
) -> LogitLens:
    layers = [_predictions(loaded.tokenizer, probs, ids) for probs, ids in run.lens_top]
    return LogitLens(
        loaded.model_id, token_strings(loaded.tokenizer, run.ids), run.ids, positions, layers, notices
    )


# --- every view from one forward pass -----------------------------------------------------------------


@dataclass
class InsideView:
    """All the Inside tab shows for one text, from one forward pass."""

    tokens: Tokenization
    embeddings: Embeddings
    head: HeadStep
    block: BlockView
    lens: LogitLens | None  # None when the model has nothing to look through (see lens_error)
    lens_error: InputError | None = None


def look(
    loaded: LoadedModel,
    text: str,
    max_chars: int,
    max_tokens: int,
    layer: int = 1,
    head: int = 1,
    position: int | None = None,
    top_n: int = 10,
    lens_columns: int | None = None,
) -> InsideView:
    """tokenize, embeddings, head_step, block and logit_lens of one text in one forward pass, every hook
    registered at once. `position` (0-based) picks the token of the block view; None or a position the text
    does not have: its last token that is not special. `lens_columns`: the logit lens of the last that many
    positions only (a grid of 128 positions cannot be read, and each costs an unembedding per layer);
    0: no logit lens."""
    text = check_text(text, max_chars)
    parts = parts_of(loaded.model)
    layer, head = _check_layer(parts, layer), _check_head(parts, head)
    top_n = check_int(top_n, lazy("The number of neurons"), 1, MAX_NEURONS)
    lens_error = positions = None
    try:
        text = _lens_text(loaded, text)
    except InputError as error:
        lens_error = error
    tokens = tokenize(loaded, text, max_chars, max_tokens)
    ids, notices = tokens.ids, tokens.notices
    if position is None or not 0 <= position < len(ids):
        words = [i for i, token in enumerate(tokens.tokens) if not token.special]
        position = words[-1] if words else len(ids) - 1
    if lens_columns == 0:
        lens_error = None
    elif lens_error is None:
        try:
            positions = _lens_positions(loaded, ids)[-lens_columns if lens_columns else None :]
        except InputError as error:
            lens_error = error

    def register(recorder: _Recorder, parts: Parts) -> None:
        _record_embeddings(recorder, parts)
        _head_recorder(layer)(recorder, parts)
        _block_recorder(layer)(recorder, parts)

    with _hooked(loaded, ids, register, lens_positions=positions) as run:
        return InsideView(
            tokens=tokens,
            embeddings=_embeddings_of(loaded, run, notices),
            head=_head_step_of(loaded, run, layer, head, notices),
            block=_block_of(loaded, run, layer, position, top_n, notices),
            lens=None if positions is None else _lens_of(loaded, run, positions, 5, notices),
            lens_error=lens_error,
        )


def _most_probable(logits: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(positions, vocab) logits -> the probabilities and ids of each position's k most probable tokens."""
    return logits.float().softmax(dim=-1).topk(min(k, logits.shape[-1]), dim=-1)


def _predictions(tokenizer, probs: torch.Tensor, top: torch.Tensor) -> list[list[LensPrediction]]:
    """(positions, k) probabilities and token ids -> per position its k predictions."""

    def prediction(token_id: int, prob: float) -> LensPrediction:
        decoded = tokenizer.decode([token_id])
        return LensPrediction(token_id, decoded, prob, readable_token(tokenizer, token_id))

    return [
        [prediction(int(t), float(p)) for p, t in zip(row_p, row_t, strict=True)]
        for row_p, row_t in zip(probs.tolist(), top.tolist(), strict=True)
    ]
