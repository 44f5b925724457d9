"""Mask 15% at random: BERT's pretraining rule on the student's own sentence, and the model's guesses there.

The sentence is encoded as the fill-mask model reads it ([CLS] … [SEP]); then the same collator that masks the
tiny BERT's training batches (tasks/training_mlm.py: transformers' `DataCollatorForLanguageModeling`, seeded)
chooses `probability` of its tokens (never a special token) and, of those, puts [MASK] in 80%, a random token in
10% and keeps 10%. One forward pass of the fill-mask model over what the collator made gives, at each chosen
place, its most probable tokens, compared with the sentence's own token there (the label the loss would use).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from transformers import DataCollatorForLanguageModeling

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.tasks.batching import encode_row
from playground.tasks.training_mlm import Cell, shown_batch
from playground.tasks.validation import InputError, check_float, check_int, check_text

PROBABILITY = 0.15  # BERT's: 15% of the tokens chosen
TOP_K = 3
MAX_SEED = 2**31 - 1


@dataclass
class Guess:
    token: str  # the vocabulary entry, e.g. "mat", "##s"
    score: float  # its probability at the place


@dataclass
class MaskedPlace:
    position: int  # 0-based, in `cells`
    original: str  # the sentence's own token: what the model should predict
    shown: str  # what the model read there: [MASK], a random token, or the original (kept)
    kind: str  # "masked", "replaced" or "kept" (training_mlm.KINDS)
    guesses: list[Guess]  # the TOP_K most probable tokens, best first
    right: bool  # the best guess is the original token


@dataclass
class RandomMask:
    model_id: str
    probability: float
    seed: int
    cells: list[Cell]  # every token as the model read it, with its original and what the collator did
    places: list[MaskedPlace]  # the chosen tokens, in order
    tokens: int  # tokens the collator could choose (all but the special ones)
    notices: list[Message] = field(default_factory=list)

    @property
    def right(self) -> int:
        return sum(place.right for place in self.places)


def random_mask(
    loaded: LoadedModel,
    text: str,
    max_chars: int,
    probability: float = PROBABILITY,
    seed: int = 0,
    top_k: int = TOP_K,
) -> RandomMask:
    """`probability` of the sentence's tokens chosen by BERT's rule (seeded), and the model's guesses there."""
    text = check_text(text, max_chars)
    probability = check_float(probability, lazy("The mask probability"), 0.01, 1.0)
    seed = check_int(seed, lazy("Seed"), 0, MAX_SEED)
    top_k = check_int(top_k, lazy("Candidates per mask (top-k)"), 1, 10)
    tokenizer = loaded.tokenizer
    if tokenizer.mask_token_id is None:
        raise InputError(lazy("This model has no mask token, so it cannot be pretrained by masking."))
    row, notices = encode_row(tokenizer, text, loaded.context_length)
    ids = row["input_ids"]
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=probability, seed=seed)
    batch = collator([ids])  # input_ids masked; labels -100 except at the chosen tokens
    rows = torch.tensor([ids])
    shown = shown_batch(0, rows, batch, tokenizer)
    chosen = (batch["labels"][0] != -100).nonzero().flatten().tolist()
    inputs = {"input_ids": batch["input_ids"], "attention_mask": torch.ones_like(batch["input_ids"])}
    if "token_type_ids" in row:
        inputs["token_type_ids"] = torch.tensor([row["token_type_ids"]])
    with loaded.lock, torch.inference_mode():
        logits = loaded.model(**{k: v.to(loaded.device) for k, v in inputs.items()}).logits[0]
    places = []
    cells = shown.rows[0]
    for position in chosen:
        probs = logits[position].float().softmax(dim=-1)
        top = probs.topk(top_k)
        guesses = [
            Guess(tokenizer.convert_ids_to_tokens(int(i)), float(p))
            for p, i in zip(top.values.tolist(), top.indices.tolist(), strict=True)
        ]
        places.append(
            MaskedPlace(
                position=position,
                original=cells[position].original,
                shown=cells[position].token,
                kind=cells[position].kind,
                guesses=guesses,
                right=int(top.indices[0]) == ids[position],
            )
        )
    return RandomMask(
        model_id=loaded.model_id,
        probability=probability,
        seed=seed,
        cells=cells,
        places=places,
        tokens=shown.counts["tokens"],
        notices=notices,
    )
