"""Fill-Mask's "mask 15% at random": the tiny BERT's own collator chooses the tokens (the same choice as
transformers' DataCollatorForLanguageModeling with that seed), and the guesses are the model's own."""

from __future__ import annotations

import pytest
import torch
from transformers import DataCollatorForLanguageModeling

from playground.tasks.random_mask import random_mask
from playground.tasks.validation import InputError

TEXT = "The cat sat on the mat because it was tired and wanted to sleep."


@pytest.fixture(scope="module")
def bert(manager):
    return manager.get("fill-mask")


@pytest.mark.parametrize("seed", [0, 3])
def test_the_choice_is_the_collators_and_the_guesses_are_the_models(bert, seed):
    result = random_mask(bert, TEXT, 2000, 0.15, seed, top_k=3)
    ids = bert.tokenizer(TEXT)["input_ids"]
    batch = DataCollatorForLanguageModeling(bert.tokenizer, mlm_probability=0.15, seed=seed)([ids])
    chosen = (batch["labels"][0] != -100).nonzero().flatten().tolist()
    assert [place.position for place in result.places] == chosen
    assert [cell.token for cell in result.cells] == bert.tokenizer.convert_ids_to_tokens(
        batch["input_ids"][0]
    )
    with torch.no_grad():
        logits = bert.model(
            input_ids=batch["input_ids"], attention_mask=torch.ones_like(batch["input_ids"])
        ).logits
    for place in result.places:
        best = int(logits[0, place.position].argmax())
        assert place.guesses[0].token == bert.tokenizer.convert_ids_to_tokens(best)
        assert place.right == (best == ids[place.position])
        assert place.original == bert.tokenizer.convert_ids_to_tokens(ids[place.position])
        assert place.kind in ("masked", "replaced", "kept")
        assert (place.kind == "masked") == (place.shown == bert.tokenizer.mask_token)
    assert result.tokens == len(ids) - 2  # [CLS] and [SEP] can never be chosen


def test_every_token_at_probability_one_and_never_a_special_one(bert):
    result = random_mask(bert, TEXT, 2000, 1.0, 0)
    ids = bert.tokenizer(TEXT)["input_ids"]
    assert [place.position for place in result.places] == list(range(1, len(ids) - 1))
    assert result.cells[0].token == "[CLS]" and result.cells[-1].token == "[SEP]"
    assert random_mask(bert, TEXT, 2000, 0.15, 7).places == random_mask(bert, TEXT, 2000, 0.15, 7).places


@pytest.mark.parametrize("bad", [{"probability": 0}, {"probability": 2.0}, {"seed": -1}, {"text": ""}])
def test_bad_input_is_one_sentence(bert, bad):
    args = {"text": TEXT, "probability": 0.15, "seed": 0} | bad
    with pytest.raises(InputError):
        random_mask(bert, args["text"], 2000, args["probability"], args["seed"])
