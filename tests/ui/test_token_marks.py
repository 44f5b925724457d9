"""The "N tokens" mark: a character that several byte-level tokens make reads as that character with one small
mark, the same in the Inside tab's chips, Generate's coloured tokens and the tokenizer lab; never "�"."""

from __future__ import annotations

import math

from transformers import AutoTokenizer

from playground.tasks.experiments.tokenizer_lab import Piece
from playground.tasks.generation import Sample, Step
from playground.tasks.inside.tokens import Token, Tokenization
from playground.tasks.text import character_runs, readable_token
from playground.viz import experiments as lab_viz
from playground.viz import inside as inside_viz
from playground.viz import tokens as tokens_viz

MARK = "<sub class='tokens-mark'>"


def test_character_runs_join_the_bytes_of_a_character():
    assert character_runs(["<0xE4><0xBB>", "<0x8A>", " cat", "<0xE5>", "<0xA4><0xA9>"]) == [
        (0, 2, "今"),
        (2, 1, " cat"),
        (3, 2, "天"),
    ]
    assert character_runs(["a", "<0xE4>"]) == [(0, 1, "a"), (1, 1, "<0xE4>")]  # the text ends inside one
    assert character_runs(["<0xFF>", "b"]) == [(0, 1, "<0xFF>"), (1, 1, "b")]  # a byte that starts nothing


def test_a_byte_level_tokenizer_s_chinese_reads_as_characters(tiny_model_dirs):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dirs["generation"])  # byte-level BPE
    text = "今天好"
    ids = tokenizer(text)["input_ids"]
    runs = character_runs([readable_token(tokenizer, i) for i in ids])
    assert "".join(run[2] for run in runs) == text and sum(run[1] for run in runs) == len(ids)
    assert any(count > 1 for _first, count, _text in runs)  # the tiny vocabulary cuts some character


def test_the_inside_chips_group_a_character_s_tokens_under_it():
    tokens = [
        Token(1, "ä»", "<0xE4><0xBB>", 0, 1, False),
        Token(2, "Ĭ", "<0x8A>", 0, 1, False),
        Token(3, "Ġcat", " cat", 1, 5, False),
    ]
    shown = inside_viz.tokens_html(Tokenization("m", "今 cat", tokens))
    assert shown.count("class='tokens-group'") == 1 and f"今{MARK}2 tokens</sub>" in shown
    assert shown.count("class='inside-token'") == 3  # each token keeps its chip (piece, id)
    assert "\ufffd" not in shown


def test_generate_colours_a_character_by_its_tokens_probability():
    steps = [Step(1, "<0xE4><0xBB>", 0.5, [("x", 0.1)]), Step(2, "<0x8A>", 0.4, []), Step(3, " cat", 0.9, [])]
    shown = tokens_viz.sample_html("The", Sample(steps))
    assert shown.count('class="tok"') == 2 and f"今{MARK}2 tokens</sub>" in shown
    assert f"background:{tokens_viz.colour(math.prod([0.5, 0.4]))}" in shown
    assert "50.0%" in shown and "40.0%" in shown  # both tokens' probabilities in the tooltip


def test_the_tokenizer_lab_uses_the_same_mark():
    shown = lab_viz.pieces_html([Piece("今", 3, ["ä", "»", "Ĭ"]), Piece("a", 1, ["a"])], 4)
    assert f"{MARK}3 tokens</sub>" in shown and shown.count(MARK) == 1
