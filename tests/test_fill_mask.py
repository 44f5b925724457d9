"""Fill-mask agrees with transformers.pipeline("fill-mask") on the same tiny BERT."""

from __future__ import annotations

import pytest
from transformers import pipeline

from playground.api import fill_mask_json
from playground.tasks import InputError
from playground.tasks.fill_mask import fill_mask

MAX_CHARS = 2000


@pytest.fixture(scope="module")
def bert(manager):
    return manager.get("fill-mask")


@pytest.fixture(scope="module")
def reference(bert):
    return pipeline("fill-mask", model=bert.model, tokenizer=bert.tokenizer, device="cpu")


def assert_same(ours: list[dict], theirs: list[dict]) -> None:
    assert [c["token"] for c in ours] == [c["token"] for c in theirs]
    assert [c["token_str"] for c in ours] == [c["token_str"] for c in theirs]
    assert [c["sequence"] for c in ours] == [c["sequence"] for c in theirs]
    for a, b in zip(ours, theirs, strict=True):
        assert a["score"] == pytest.approx(b["score"], abs=1e-5)


@pytest.mark.parametrize("text", ["The cat sat on the [MASK].", "[MASK] is the capital of France."])
@pytest.mark.parametrize("top_k", [1, 5, 12])
def test_one_mask_equals_pipeline(bert, reference, text, top_k):
    assert_same(fill_mask_json(fill_mask(bert, text, top_k, MAX_CHARS)), reference(text, top_k=top_k))


def test_several_masks_equal_pipeline(bert, reference):
    text = "The [MASK] sat on the [MASK] and [MASK]."
    ours = fill_mask_json(fill_mask(bert, text, 4, MAX_CHARS))
    theirs = reference(text, top_k=4)
    assert len(ours) == 3
    for mine, ref in zip(ours, theirs, strict=True):
        assert_same(mine, ref)


def test_mask_spellings_are_all_accepted(bert):
    as_bert = fill_mask_json(fill_mask(bert, "The cat sat on the [MASK].", 3, MAX_CHARS))
    as_roberta = fill_mask_json(fill_mask(bert, "The cat sat on the <mask>.", 3, MAX_CHARS))
    assert as_bert == as_roberta


def test_over_long_text_is_cut_with_a_notice(bert, reference):
    text = "The [MASK] sat on the mat. " + "the cat sat on the mat " * 40
    result = fill_mask(bert, text, 3, MAX_CHARS)
    assert result.notices and "first 64" in result.notices[0]
    assert len(result.masks) == 1


@pytest.mark.parametrize(
    "text,top_k,message",
    [
        ("The cat sat on the mat.", 5, "no mask"),
        ("", 5, "empty"),
        ("The cat [MASK].", 0, "Top-k"),
        ("The cat [MASK].", -3, "Top-k"),
        ("The cat [MASK].", 10_000, "Top-k"),
        ("the cat sat on the mat " * 40 + "[MASK]", 5, "cut off"),
    ],
)
def test_bad_input_gets_a_clear_message(bert, text, top_k, message):
    with pytest.raises(InputError, match=message):
        fill_mask(bert, text, top_k, MAX_CHARS)
