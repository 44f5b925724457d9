"""Fill-mask: the top-k candidates for every mask, as transformers' FillMaskPipeline computes them.

preprocess (spellings of the mask -> the model's mask token, tokenize, cut to the context) -> forward ->
postprocess (softmax at each mask position, top-k). With several masks each one is predicted on its own,
from the same single forward pass, as the pipeline does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from playground.models import LoadedModel
from playground.tasks import InputError, check_int, check_text, encode_truncated

MASK_SPELLINGS = ("[MASK]", "<mask>")
MAX_TOP_K = 50


@dataclass
class Candidate:
    score: float
    token: int
    token_str: str
    sequence: str


@dataclass
class FillMaskResult:
    masks: list[list[Candidate]]  # one list of candidates per mask, in order
    tokens: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def normalise_masks(text: str, mask_token: str) -> str:
    """`[MASK]` and `<mask>` typed by a user become the model's own mask token."""
    for spelling in MASK_SPELLINGS:
        text = text.replace(spelling, mask_token)
    return text


def fill_mask(loaded: LoadedModel, text: str, top_k: int, max_chars: int) -> FillMaskResult:
    text = check_text(text, max_chars)
    top_k = check_int(top_k, "Top-k", 1, MAX_TOP_K)
    tokenizer = loaded.tokenizer
    mask_token, mask_id = tokenizer.mask_token, tokenizer.mask_token_id
    text = normalise_masks(text, mask_token)
    if mask_token not in text:
        own = "" if mask_token in MASK_SPELLINGS else f" (or this model's own mask token, {mask_token})"
        raise InputError(
            f"There is no mask in the text. Put [MASK] where a word is missing{own}, "
            "e.g. 'The cat sat on the [MASK].'"
        )

    # preprocess
    encoded, notices = encode_truncated(tokenizer, text, loaded.context_length)
    input_ids = encoded["input_ids"][0]
    mask_positions = torch.nonzero(input_ids == mask_id).squeeze(-1)
    if len(mask_positions) == 0:
        raise InputError("Every mask lies in the part of the text that was cut off. Put it nearer the start.")
    if len(mask_positions) < text.count(mask_token):
        notices.append("Some masks lay in the part that was cut off; only the ones shown were filled.")

    # forward
    with loaded.lock, torch.inference_mode():
        logits = loaded.model(**encoded.to(loaded.device)).logits[0]  # (T, vocab)

    # postprocess
    probs = logits[mask_positions].float().softmax(dim=-1).cpu()  # (masks, vocab)
    values, predictions = probs.topk(min(top_k, probs.shape[-1]))
    single_mask = len(mask_positions) == 1
    masks = []
    for position, scores, token_ids in zip(
        mask_positions, values.tolist(), predictions.tolist(), strict=True
    ):
        candidates = []
        for score, token_id in zip(scores, token_ids, strict=True):
            filled = input_ids.clone()
            filled[position] = token_id
            if tokenizer.pad_token_id is not None:
                filled = filled[filled != tokenizer.pad_token_id]
            candidates.append(
                Candidate(
                    score=score,
                    token=token_id,
                    token_str=tokenizer.decode([token_id]),
                    sequence=tokenizer.decode(filled, skip_special_tokens=single_mask),
                )
            )
        masks.append(candidates)
    return FillMaskResult(masks=masks, tokens=tokenizer.convert_ids_to_tokens(input_ids), notices=notices)
