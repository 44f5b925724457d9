"""Issue 16: every limit is checked before work is done, and every value gets one clear sentence."""

from __future__ import annotations

import tracemalloc

import pytest

from playground.tasks import attention_ops as ops
from playground.tasks.validation import InputError


@pytest.mark.parametrize(
    "spec", ["1-20000000", "1-1000000000", "1-" + "9" * 13, "1-" + "9" * 30, "1-" + "9" * 5000, "9" * 5000]
)
def test_huge_layer_ranges_are_refused_before_they_are_expanded(spec):
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=r"There is no layer .*: this model has 4 layers \(1 to 4\)"):
            ops.parse_selection(spec, 4, "layer")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2**20, peak  # expanding "1-20000000" into a list took 765 MB


def test_a_huge_number_is_shortened_in_the_sentence():
    with pytest.raises(InputError) as caught:
        ops.parse_selection("1-" + "9" * 5000, 4, "layer")
    assert len(str(caught.value)) < 200


def test_ranges_inside_the_model_still_work():
    assert ops.parse_selection("1-4", 4, "layer") == [0, 1, 2, 3]
    assert ops.parse_selection("2, 4-4", 4, "head") == [1, 3]
    with pytest.raises(InputError, match="no layer 5"):
        ops.parse_selection("2-5", 4, "layer")
