"""The translation endpoints served: /translate equals model.generate, /cross_attention the model's own
cross-attention, /translate_chat and /summarize the chat model's greedy reply to the prompt they report; bad
input gets one sentence and the server keeps serving. The tab's handlers fill the page."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gradio_client.exceptions import AppError
from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

from playground.ui import translation as tab
from playground.ui.context import Context

TEXT = "Where is the train station?"


@pytest.fixture(scope="module")
def marian(tiny_model_dirs):
    path = tiny_model_dirs["translation"]
    return AutoModelForSeq2SeqLM.from_pretrained(path).eval(), AutoTokenizer.from_pretrained(path)


def test_translate_and_cross_attention_endpoints(client, marian):
    model, tokenizer = marian
    inputs = tokenizer(TEXT, return_tensors="pt")
    for num_beams in (1, 3):
        answer = client.predict(TEXT, 40, num_beams, api_name="/translate")
        out = model.generate(**inputs, max_new_tokens=40, num_beams=num_beams, do_sample=False)
        assert answer == [{"translation_text": tokenizer.decode(out[0], skip_special_tokens=True)}]
    shaped = client.predict(text=TEXT, max_new_tokens=40, api_name="/cross_attention")
    greedy = model.generate(**inputs, max_new_tokens=40, num_beams=1, do_sample=False)[0]
    model.set_attn_implementation("eager")
    with torch.inference_mode():
        own = model(**inputs, decoder_input_ids=greedy[None, :-1], output_attentions=True).cross_attentions
    np.testing.assert_allclose(
        np.array(shaped["cross_attentions"]), torch.stack([a[0] for a in own]).numpy(), atol=1e-5
    )
    assert len(shaped["target_tokens"]) == len(greedy) - 1
    assert len(shaped["source_tokens"]) == inputs.input_ids.shape[1]


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({"text": "", "max_new_tokens": 20}, "empty"),
        (
            {"text": TEXT, "max_new_tokens": 20, "num_beams": 99},
            "number of beams must be a whole number between 1 and 8",
        ),
        ({"text": TEXT, "max_new_tokens": 0}, "Max new tokens"),
    ],
)
def test_bad_translation_requests_get_one_sentence(client, arguments, match):
    with pytest.raises(AppError, match=match):
        client.predict(**arguments, api_name="/translate")
    assert client.predict("I am a student.", 10, 1, api_name="/translate")  # still serving


def test_the_chat_model_translates_and_summarizes(client, tiny_model_dirs):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dirs["chat"])
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dirs["chat"]).eval()
    for name, arguments in [
        ("/translate_chat", {"text": "Hello!", "target": "zh", "max_new_tokens": 10}),
        ("/summarize", {"text": "Hello!", "max_new_tokens": 10}),
    ]:
        answer = client.predict(**arguments, api_name=name)
        assert set(answer) == {"messages", "prompt", "output"}
        assert answer["prompt"] == tokenizer.apply_chat_template(
            answer["messages"], tokenize=False, add_generation_prompt=True
        )
        ids = tokenizer(answer["prompt"], add_special_tokens=False, return_tensors="pt").input_ids
        out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=10, do_sample=False)
        assert answer["output"] == tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True)
    with pytest.raises(AppError, match="Unknown target language"):
        client.predict(text="Hello!", target="fr", api_name="/translate_chat")


def test_the_tabs_handlers_fill_the_page(settings, manager):
    context = Context.create(settings, manager)
    shown = tab.run(context, TEXT, 40, 1, 1, 0)
    assert shown["compare_marian"] == shown["marian_output"]["output"]
    assert shown["marian_output"]["task"] == "translate" and shown["heatmap"] is not None
    assert "Z₂ = LayerNorm(Z₁ + MultiHead(Z₁, X⁽ᴸ⁾, X⁽ᴸ⁾))" in shown["architecture"]
    state = shown["step_state"]
    back = tab.undo_step(context, state, 2, 1)
    assert len(back["step_state"].steps) == len(state.steps) - 1
    again = tab.next_step(context, back["step_state"], TEXT, 40, 2, 1)
    assert again["step_state"].target_ids == state.target_ids
    frame = tab.draw_model_view(context, state)["frame"]
    assert frame.startswith("<iframe") and 'sandbox="allow-scripts"' in frame
    *_, last = tab.chat_translate(context, "Hello!", "zh", 10, 0.0, 50, 1.0, 0)
    assert last["chat_output"]["task"] == "translate" and "chat-template" in last["template"]
