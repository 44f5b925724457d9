"""Fill-mask agrees with transformers.pipeline("fill-mask") on the same tiny BERT."""

from __future__ import annotations

import copy
import shutil
from dataclasses import replace

import pytest
from transformers import AutoTokenizer, pipeline

from playground.api import fill_mask_json
from playground.models import ModelLoadError, ModelManager
from playground.tasks.fill_mask import FillMaskRequest, fill_mask, fill_mask_batch
from playground.tasks.validation import InputError

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


@pytest.mark.parametrize(
    "spelled", ["The ___ sat on the ___.", "The [mask] sat on the <MASK>.", "The [MASK] sat on the _____."]
)
def test_underscores_and_any_case_count_as_masks(bert, spelled):
    expected = fill_mask_json(fill_mask(bert, "The [MASK] sat on the [MASK].", 3, MAX_CHARS))
    assert fill_mask_json(fill_mask(bert, spelled, 3, MAX_CHARS)) == expected


@pytest.mark.parametrize(
    "text,targets,top_k",
    [
        ("The cat sat on the [MASK].", ["mat", "dog", "the"], 5),
        ("The cat sat on the [MASK].", ["mat", "dog", "the"], 2),  # top_k below the number of targets
        ("The cat sat on the [MASK].", ["mat", "roof", "zzz", "mat"], 5),  # not in the vocabulary; twice
        ("The [MASK] sat on the [MASK].", ["cat", "mat", "dog"], 3),  # several masks
    ],
)
def test_targets_equal_pipeline(bert, reference, text, targets, top_k):
    ours = fill_mask_json(fill_mask(bert, text, top_k, MAX_CHARS, targets=targets))
    theirs = reference(text, targets=targets, top_k=top_k)
    if "[MASK] sat" not in text:
        ours, theirs = [ours], [theirs]
    for mine, ref in zip(ours, theirs, strict=True):
        assert_same(mine, ref)


def test_targets_as_one_string_with_commas(bert, reference):
    ours = fill_mask_json(
        fill_mask(bert, "The cat sat on the [MASK].", 5, MAX_CHARS, targets=" mat, dog ,the")
    )
    assert_same(ours, reference("The cat sat on the [MASK].", targets=["mat", "dog", "the"]))


def test_targets_outside_the_vocabulary_get_a_notice(bert):
    result = fill_mask(bert, "The cat sat on the [MASK].", 5, MAX_CHARS, targets="mat, roof")
    assert result.targets == ["mat", "roof"]
    assert any("roof" in notice and "first piece" in notice for notice in result.notices)


def test_word_pieces_are_joined_to_the_word_before(bert):
    result = fill_mask(bert, "The cat [MASK] on the mat.", 2, MAX_CHARS, targets=["##s", "sat"])
    by_piece = {c.piece: c for c in result.masks[0]}
    assert by_piece["##s"].word == "cats" and by_piece["##s"].joined
    assert by_piece["##s"].token_str == "##s"  # the API keeps the pipeline's token_str
    assert by_piece["sat"].word == "sat" and not by_piece["sat"].joined
    # After [CLS] there is no word to join: the raw piece is shown.
    start = fill_mask(bert, "[MASK] cat sat.", 1, MAX_CHARS, targets=["##s"])
    assert start.masks[0][0].word == "##s" and not start.masks[0][0].joined


def test_best_fill_keeps_the_text_and_glues_pieces(bert):
    result = fill_mask(bert, "The Cat ___ on the [MASK].", 1, MAX_CHARS, targets=["##s"])
    parts = result.best_fill_parts()
    assert "".join(text for text, _ in parts) == "The Cats on thes."
    assert [i for _, i in parts if i is not None] == [0, 1]
    plain = fill_mask(bert, "The Cat sat on the [MASK].", 1, MAX_CHARS)
    best = plain.masks[0][0].token_str
    assert "".join(text for text, _ in plain.best_fill_parts()) == f"The Cat sat on the {best}."
    assert plain.best_sequence == f"the cat sat on the {best}."


def test_a_batch_equals_single_requests_and_the_pipeline(bert, reference):
    requests = [
        FillMaskRequest("The cat sat on the [MASK].", 5),
        FillMaskRequest("[MASK] is the capital of France, said the [MASK] teacher in the village.", 3),
        FillMaskRequest("The [MASK] fox.", 4, ["quick", "lazy", "brown"]),
        FillMaskRequest("No mask here.", 5),
        FillMaskRequest("Once upon a [MASK].", 2),
    ]
    batch = fill_mask_batch(bert, requests, MAX_CHARS)
    assert isinstance(batch[3], InputError) and "no mask" in str(batch[3])
    for request, result in zip(requests, batch, strict=True):
        if isinstance(result, InputError):
            continue
        alone = fill_mask_json(fill_mask(bert, request.text, request.top_k, MAX_CHARS, request.targets))
        ours = fill_mask_json(result)
        theirs = reference(request.text, top_k=request.top_k, targets=request.targets)
        if request.text.count("[MASK]") == 1:
            ours, alone, theirs = [ours], [alone], [theirs]
        for mine, single, ref in zip(ours, alone, theirs, strict=True):
            assert_same(mine, single)
            assert_same(mine, ref)


def test_a_long_batch_runs_in_several_passes_with_the_same_answers(bert, monkeypatch):
    requests = [FillMaskRequest(f"The cat sat on the [MASK] {'mat ' * i}.", 3) for i in range(6)]
    together = [fill_mask_json(r) for r in fill_mask_batch(bert, requests, MAX_CHARS)]
    monkeypatch.setattr("playground.tasks.fill_mask.LOGITS_BUDGET", 1)  # one request per pass
    apart = [fill_mask_json(r) for r in fill_mask_batch(bert, requests, MAX_CHARS)]
    for a, b in zip(together, apart, strict=True):
        assert_same(a, b)


def test_masks_cut_off_by_truncation_are_an_error(bert):
    text = "The [MASK] sat on the [MASK]. " + "the cat sat on the mat " * 40 + "[MASK]"
    with pytest.raises(InputError, match=r"3 masks.*first 64 tokens.*1 of the masks.*cut off"):
        fill_mask(bert, text, 3, MAX_CHARS)


def test_a_model_without_a_mask_token_is_a_clear_error(bert):
    tokenizer = copy.deepcopy(bert.tokenizer)
    tokenizer.mask_token = None
    no_mask = replace(bert, tokenizer=tokenizer)
    with pytest.raises(InputError, match="no mask token.*--fill-mask-model"):
        fill_mask(no_mask, "The cat sat on the [MASK].", 5, MAX_CHARS)


@pytest.mark.parametrize(
    "targets,message",
    [(["", ""], "None of the target words"), ([1, 2], "must be text"), (["w"] * 51, "at most 50")],
)
def test_bad_targets_get_a_clear_message(bert, targets, message):
    with pytest.raises(InputError, match=message):
        fill_mask(bert, "The cat sat on the [MASK].", 5, MAX_CHARS, targets=targets)


def test_a_saved_model_without_a_mask_token_is_refused_with_the_flag_to_fix_it(tiny_model_dirs, tmp_path):
    folder = tmp_path / "no-mask"
    shutil.copytree(tiny_model_dirs["fill-mask"], folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    tokenizer.mask_token = None
    tokenizer.save_pretrained(folder)
    manager = ModelManager({**tiny_model_dirs, "fill-mask": str(folder)}, device="cpu")
    with pytest.raises(ModelLoadError, match="has no mask token.*--fill-mask-model"):
        manager.get("fill-mask")
