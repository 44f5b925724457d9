"""Attention equals the model's own output_attentions (eager), for all three kinds of model."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import AutoModel

from playground.api import attention_json
from playground.tasks.attention import attention

TEXT = "The cat sat on the mat, and the cat slept."


@pytest.mark.parametrize("task", ["generation", "fill-mask", "sentiment"])
def test_weights_equal_output_attentions(manager, task):
    loaded = manager.get(task)
    result = attention(loaded, TEXT, 2000, 128)
    reference_model = AutoModel.from_pretrained(loaded.model_id, attn_implementation="eager").eval()
    encoded = loaded.tokenizer(TEXT, add_special_tokens=task != "generation", return_tensors="pt")
    with torch.no_grad():
        expected = torch.stack(reference_model(**encoded, output_attentions=True).attentions)[:, 0].numpy()
    assert result.attentions.shape == expected.shape  # (layers, heads, T, T)
    np.testing.assert_allclose(result.attentions, expected, atol=1e-6)
    assert len(result.tokens) == expected.shape[-1]
    assert loaded.model.config._attn_implementation != "eager"  # generation keeps its fast attention


@pytest.mark.parametrize("task", ["generation", "fill-mask", "sentiment"])
def test_rows_sum_to_one_in_the_json(manager, task):
    payload = attention_json(attention(manager.get(task), TEXT, 2000, 128))
    weights = np.array(payload["attentions"])
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-4)
    assert payload["model"] == manager.model_ids[task]


def test_gpt2_is_causal_and_bert_is_not(manager):
    gpt2 = attention(manager.get("generation"), TEXT, 2000, 128).attentions
    bert = attention(manager.get("fill-mask"), TEXT, 2000, 128).attentions
    upper = np.triu_indices(gpt2.shape[-1], k=1)
    assert np.all(gpt2[..., upper[0], upper[1]] == 0)
    upper = np.triu_indices(bert.shape[-1], k=1)
    assert np.all(bert[..., upper[0], upper[1]] > 0)


def test_long_text_is_capped_with_a_notice(manager):
    result = attention(manager.get("fill-mask"), "the cat sat " * 30, 2000, 16)
    assert len(result.tokens) == 16 and result.notices
    assert result.tokens[0] == "[CLS]" and result.tokens[-1] == "[SEP]"
