"""The Inside and Attention tabs with the translation model: the student picks its encoder or its decoder
(Inside) or its encoder, decoder or cross-attention (Attention); the decoder's cross-attention drawn target ×
source from the task's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from playground.tasks.validation import InputError
from playground.ui import attention as attention_tab
from playground.ui import inside as inside_tab
from playground.ui.context import Context

TEXT = "I read a book in the library yesterday."


@pytest.fixture(scope="module")
def context(settings, manager) -> Context:
    return Context.create(settings, manager)


def test_inside_the_decoder_shows_its_cross_attention(context):
    shown = inside_tab.look_inside(context, "translation", TEXT, 2, 1, "decoder", "")
    assert shown["cross_section"].visible is True
    weights = shown["cross_weights"].data[0]
    rows, columns = np.array(weights.z, dtype=float).shape
    assert (rows, columns) == (len(weights.y), len(weights.x)) and rows != columns
    np.testing.assert_allclose(np.array(weights.z, dtype=float).sum(-1), 1, atol=1e-2)
    assert "X⁽ᴸ⁾" in shown["cross_k"].layout.title.text and shown["lens"] is not None
    assert "decoder" in shown["head_info"] and "mask" in shown["head_info"]
    again = inside_tab.look_at_head(context, "translation", TEXT, 1, 2, 0, "decoder", "我昨天")
    assert again["cross_section"].visible is True and again["head"].value == 2
    encoder = inside_tab.look_inside(context, "translation", TEXT, 1, 1, "encoder", "")
    assert encoder["cross_section"].visible is False and encoder["lens"] is None
    assert "Choose the decoder" in encoder["lens_info"]
    gpt = inside_tab.look_inside(context, "generation", "The cat sat.", 1, 1, "decoder", "")  # part ignored
    assert gpt["cross_section"].visible is False and gpt["lens"] is not None
    assert inside_tab._stack_row("translation")["stack_row"].visible is True
    assert inside_tab._stack_row("generation")["stack_row"].visible is False


def test_the_api_names_encoder_decoder_and_cross(context):
    cross = inside_tab.inside_api(context, TEXT, "translation", 1, 1, "cross")
    decoder = inside_tab.inside_api(context, TEXT, "translation", 1, 1, "decoder")
    assert cross["tokens"] == decoder["tokens"] and "key_tokens" in cross and "key_tokens" not in decoder
    assert np.array(cross["weights"]).shape == (len(cross["tokens"]), len(cross["key_tokens"]))
    lens = inside_tab.logit_lens_api(context, TEXT, "translation", 3)
    assert lens["positions"] == list(range(len(lens["tokens"])))
    with pytest.raises(InputError, match="Choose the decoder"):
        inside_tab.logit_lens_api(context, TEXT, "translation", 3, "encoder")
    attention = attention_tab.attention_api(context, TEXT, "translation", "cross")
    assert attention["tokens"] == cross["tokens"] and attention["key_tokens"] == cross["key_tokens"]


def test_the_attention_tab_draws_each_of_the_three(context):
    for part in ("encoder", "decoder", "cross"):
        shown = attention_tab.run(context, "translation", TEXT, "head", 1, 1, False, [], [], False, part)
        assert shown["shown"].part == part and shown["plot"] is not None
    assert "cross-attention" in shown["info"] and "source" in shown["info"]
    npz = next(
        path
        for path in attention_tab.prepare_downloads(context, shown["shown"])["files"]
        if path.endswith(".npz")
    )
    with np.load(npz) as saved:
        assert saved["attentions"].shape[2:] == (len(saved["tokens"]), len(saved["key_tokens"]))
    with pytest.raises(InputError, match="Translation tab"):
        attention_tab.bertviz_view(context, TEXT, "translation", "head", [1], [1], part="cross")
    document = attention_tab.attention_view_api(context, TEXT, "translation", "head", part="decoder")
    assert "<html" in document.lower()
