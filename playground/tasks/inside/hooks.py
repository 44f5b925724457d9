"""One ordinary forward pass with forward hooks on the modules an adapter names (`adapters.parts_of`).

The hooks exist only while `loaded.eager_attention()` holds the model's lock and are always removed
(try/finally), so a generation or another request on the same model never sees them."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from playground.i18n import lazy
from playground.models import LoadedModel
from playground.tasks.inside.adapters import Parts, parts_of
from playground.tasks.validation import check_int


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

            self._handles.append(module.register_forward_hook(hook))

    def input(self, name: str, module: nn.Module | None) -> None:
        if module is not None:

            def hook(_module, args, kwargs):
                value = args[0] if args else next(iter(kwargs.values()))
                self.seen.setdefault(name, value)

            self._handles.append(module.register_forward_pre_hook(hook, with_kwargs=True))

    def change_input(self, module: nn.Module, hook) -> None:
        """A forward pre-hook (with_kwargs) that changes what `module` reads (an experiment's ablation),
        removed with the recorder's own hooks."""
        self._handles.append(module.register_forward_pre_hook(hook, with_kwargs=True))

    def change_output(self, module: nn.Module, hook) -> None:
        """A forward hook that replaces what `module` produced (its return value, when not None: e.g. the
        position embeddings switched off), removed with the recorder's own hooks. Register it before the hooks
        that record the same module, so that they see the changed output."""
        self._handles.append(module.register_forward_hook(hook))

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


@contextmanager
def hooked(
    loaded: LoadedModel,
    ids: list[int],
    register,
    lens_positions: list[int] | None = None,
    lens_top_k: int = 5,
) -> Iterator[Pass]:
    """One forward pass over `ids` with the hooks `register(recorder, parts)` adds, all removed again.
    With `lens_positions`, the unembedding of every layer's residual stream at those positions (the logit
    lens) and the model's logits there, each kept as its `lens_top_k` most probable tokens; without, the
    logits are skipped where the model allows it."""
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
        )
        if lens_positions is not None:  # the unembedding of each layer's residual stream, under the lock
            for hidden in result.hidden_states[:-1]:  # one layer at a time: (positions, vocab) is large
                result.lens_top.append(most_probable(parts.head(hidden[lens_positions]), lens_top_k))
            result.lens_top.append(most_probable(logits, lens_top_k))  # the model's own output
    yield result


def to_numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().float().cpu().numpy()


def check_layer(parts: Parts, layer: object) -> int:
    return check_int(layer, lazy("Layer"), 1, parts.num_layers)


def check_head(parts: Parts, head: object) -> int:
    return check_int(head, lazy("Head"), 1, parts.num_heads)


def most_probable(logits: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(positions, vocab) logits -> the probabilities and ids of each position's k most probable tokens."""
    return logits.float().softmax(dim=-1).topk(min(k, logits.shape[-1]), dim=-1)
