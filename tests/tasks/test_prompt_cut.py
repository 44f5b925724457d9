"""A prompt cut from the left to make room for the new tokens says so on the result, and says it when the cut
falls inside a word (the model then reads the end of a word as if it were a whole one)."""

from __future__ import annotations

import pytest

from playground.tasks.generation import GenerationParams, encode_prompt, generate

PROMPT = "The quick brown fox jumps over the lazy dog, unbelievable tokenization, " * 3


@pytest.fixture(scope="module")
def gpt2(manager):
    return manager.get("generation")


def cuts(gpt2) -> tuple[list[int], list[int]]:
    """Numbers of new tokens whose cut falls inside a word, and ones whose cut falls between words."""
    encoded = gpt2.tokenizer(PROMPT, add_special_tokens=False, return_offsets_mapping=True)
    offsets, context = encoded["offset_mapping"], gpt2.context_length
    inside, between = [], []
    for dropped in range(1, len(offsets)):
        new = context - (len(offsets) - dropped)
        if not 1 <= new < context:
            continue
        start = offsets[dropped][0]
        (inside if PROMPT[start - 1].isalpha() and PROMPT[start].isalpha() else between).append(new)
    return inside, between


def test_a_prompt_cut_inside_a_word_says_so(gpt2):
    inside, between = cuts(gpt2)
    assert inside and between
    ids, notices = encode_prompt(gpt2, PROMPT, inside[0])
    assert len(ids) == gpt2.context_length - inside[0] and len(notices) == 2
    assert "in the middle of a word" in str(notices[1])
    piece = gpt2.tokenizer.decode(ids).split()[0]
    assert f"“{piece.rstrip(',')}”" in str(notices[1])
    ids, notices = encode_prompt(gpt2, PROMPT, between[0])
    assert len(notices) == 1 and "only its last" in str(notices[0])  # cut, and said so; no word cut


def test_the_notices_reach_the_result(gpt2):
    inside, _between = cuts(gpt2)
    result = generate(gpt2, PROMPT, GenerationParams(max_new_tokens=inside[0], temperature=0), 10_000, 256)
    assert [str(n) for n in result.notices] == [str(n) for n in encode_prompt(gpt2, PROMPT, inside[0])[1]]
    assert (
        generate(gpt2, "The cat", GenerationParams(max_new_tokens=4, temperature=0), 10_000, 256).notices
        == []
    )
