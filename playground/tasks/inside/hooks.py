"""One ordinary forward pass with forward hooks on the modules an adapter names (`adapters.parts_of`).

The hooks exist only while `loaded.eager_attention()` holds the model's lock and are always removed
(try/finally), so a generation or another request on the same model never sees them; each also acts only in
the thread that set it (`this_thread_only`), should a forward pass ever run outside the lock."""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from playground.i18n import lazy
from playground.models import LoadedModel
from playground.registry import REGISTRY
from playground.tasks.inside.adapters import Parts, parts_of
from playground.tasks.inside.reading import Reading
from playground.tasks.text import token_strings
from playground.tasks.validation import check_int


def this_thread_only(hook):
    """`hook` (a forward hook or pre-hook) acting only in the thread that made it: a forward pass of another
    request through the same shared module goes through unchanged (a hook returning None changes nothing)."""
    owner = threading.get_ident()

    @functools.wraps(hook)
    def guarded(*args, **kwargs):
        return hook(*args, **kwargs) if threading.get_ident() == owner else None

    return guarded


class Recorder:
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

            self._handles.append(module.register_forward_hook(this_thread_only(hook)))

    def input(self, name: str, module: nn.Module | None) -> None:
        if module is not None:

            def hook(_module, args, kwargs):
                value = args[0] if args else next(iter(kwargs.values()))
                self.seen.setdefault(name, value)

            self._handles.append(module.register_forward_pre_hook(this_thread_only(hook), with_kwargs=True))

    def change_input(self, module: nn.Module, hook) -> None:
        """A forward pre-hook (with_kwargs) that changes what `module` reads (an experiment's ablation),
        removed with the recorder's own hooks."""
        self._handles.append(module.register_forward_pre_hook(this_thread_only(hook), with_kwargs=True))

    def change_output(self, module: nn.Module, hook) -> None:
        """A forward hook that replaces what `module` produced (its return value, when not None: e.g. the
        position embeddings switched off), removed with the recorder's own hooks. Register it before the hooks
        that record the same module, so that they see the changed output."""
        self._handles.append(module.register_forward_hook(this_thread_only(hook)))

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()


@dataclass
class Pass:
    parts: Parts
    ids: list[int]
    seen: dict[str, object]
    hidden_states: list[torch.Tensor]  # L + 1 of (T, d); the last one after the final norm (pre-norm models)
    attentions: list[torch.Tensor]  # L of (H, T, T)
    logits: torch.Tensor | None  # (lens positions, vocab) when the model predicts tokens and they were asked
    # the lens: per layer 0 .. L, the (positions, top_k) probabilities and token ids of its top_k tokens
    lens_top: list[tuple[torch.Tensor, torch.Tensor]] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)  # each id as a reader sees it
    causal: bool = False  # the self-attention hides each token's future
    # an encoder-decoder's decoder: L of (H, T, S) cross-attention weights, the source and X⁽ᴸ⁾ (S, d)
    cross_attentions: list[torch.Tensor] = field(default_factory=list)
    source_ids: list[int] = field(default_factory=list)
    source_tokens: list[str] = field(default_factory=list)
    encoder_output: torch.Tensor | None = None


@contextmanager
def hooked(
    loaded: LoadedModel,
    ids: list[int] | Reading,
    register,
    lens_positions: list[int] | None = None,
    lens_top_k: int = 5,
) -> Iterator[Pass]:
    """One forward pass over `ids` (or a `reading.Reading`) with the hooks `register(recorder, parts)` adds,
    all removed again. With `lens_positions`, the unembedding of every layer's residual stream at those
    positions (the logit lens) and the model's logits there, each kept as its `lens_top_k` most probable
    tokens; without, the logits are skipped where the model allows it.

    An encoder-decoder: its encoder alone over the source (stack "encoder"), or the encoder without hooks and
    then the whole model with the hooks over the decoder's ids (stack "decoder"): the two stacks share their
    token embedding, so a hook on it hears only the stack shown."""
    reading = ids if isinstance(ids, Reading) else None
    if reading is not None and reading.stack is not None:
        with _hooked_seq2seq(loaded, reading, register, lens_positions, lens_top_k) as result:
            yield result
        return
    if reading is not None:
        ids = reading.ids
    parts = parts_of(loaded.model)
    input_ids = torch.tensor([ids], device=loaded.device)
    recorder = Recorder()
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
        result = Pass(
            parts=parts,
            ids=ids,
            seen=recorder.seen,
            hidden_states=[h[0] for h in outputs.hidden_states],
            attentions=[a[0] for a in outputs.attentions],
            logits=logits,
            tokens=reading.tokens if reading is not None else token_strings(loaded.tokenizer, ids),
            causal=REGISTRY[loaded.task].causal,
        )
        _lens(result, lens_positions, lens_top_k)
    yield result


@contextmanager
def _hooked_seq2seq(
    loaded: LoadedModel, reading: Reading, register, lens_positions: list[int] | None, lens_top_k: int
) -> Iterator[Pass]:
    parts = parts_of(loaded.model, reading.stack)
    decoder = reading.stack == "decoder"
    source = torch.tensor([reading.source_ids if decoder else reading.ids], device=loaded.device)  # (1, S)
    recorder = Recorder()
    with loaded.eager_attention() as model, torch.inference_mode():
        flags = {"output_attentions": True, "output_hidden_states": True}
        encoder = model.get_encoder()
        mask = torch.ones_like(source)
        if decoder:
            encoded = encoder(input_ids=source, attention_mask=mask)  # no hooks yet: X⁽ᴸ⁾ only
        try:
            register(recorder, parts)
            if decoder:
                decoder_ids = torch.tensor([reading.ids], device=loaded.device)  # (1, T)
                outputs = model(
                    encoder_outputs=encoded, attention_mask=mask, decoder_input_ids=decoder_ids, **flags
                )
            else:
                outputs = encoder(input_ids=source, attention_mask=mask, **flags)
        finally:
            recorder.remove()
        if decoder:
            hidden, attentions = outputs.decoder_hidden_states, outputs.decoder_attentions
            logits = outputs.logits[0] if lens_positions is None else outputs.logits[0][lens_positions]
        else:
            hidden, attentions, logits = outputs.hidden_states, outputs.attentions, None
        result = Pass(
            parts=parts,
            ids=reading.ids,
            seen=recorder.seen,
            hidden_states=[h[0] for h in hidden],
            attentions=[a[0] for a in attentions],
            logits=logits,
            tokens=reading.tokens,
            causal=decoder,
            cross_attentions=[a[0] for a in outputs.cross_attentions] if decoder else [],
            source_ids=reading.source_ids,
            source_tokens=reading.source_tokens,
            encoder_output=encoded.last_hidden_state[0] if decoder else None,
        )
        if parts.head is not None:
            _lens(result, lens_positions, lens_top_k)
    yield result


def _lens(result: Pass, lens_positions: list[int] | None, lens_top_k: int) -> None:
    """The unembedding of each layer's residual stream, under the lock."""
    if lens_positions is not None:
        for hidden in result.hidden_states[:-1]:  # one layer at a time: (positions, vocab) is large
            result.lens_top.append(most_probable(result.parts.head(hidden[lens_positions]), lens_top_k))
        result.lens_top.append(most_probable(result.logits, lens_top_k))  # the model's own output


def to_numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().float().cpu().numpy()


def check_layer(parts: Parts, layer: object) -> int:
    return check_int(layer, lazy("Layer"), 1, parts.num_layers)


def check_head(parts: Parts, head: object) -> int:
    return check_int(head, lazy("Head"), 1, parts.num_heads)


def most_probable(logits: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(positions, vocab) logits -> the probabilities and ids of each position's k most probable tokens."""
    return logits.float().softmax(dim=-1).topk(min(k, logits.shape[-1]), dim=-1)
