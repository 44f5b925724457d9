"""Translation on a tiny Marian model agrees with `model.generate` (greedy and beam search), step mode writes
generate's tokens one at a time, the cross-attention is the model's own; the chat model's translation and
summary equal `model.generate` on the prompt the chat template writes; bad input gets one sentence."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

from playground.api import application_json, cross_attention_json, translation_json
from playground.i18n import using
from playground.models import ModelManager
from playground.tasks import chat_tasks, translation
from playground.tasks.generation import GenerationParams
from playground.tasks.inside.adapters import parts_of
from playground.tasks.translation import TranslationParams
from playground.tasks.validation import InputError
from playground.tiny_models import PARALLEL
from playground.translations import ZH
from playground.viz import translation as translation_viz

MAX_CHARS, CAP, BEAMS = 2000, 60, 8
SOURCES = [en for en, _zh in PARALLEL[:4]] + ["I read a book in the park.", "cat"]  # two it never saw


@pytest.fixture(scope="module")
def loaded(tiny_model_dirs):
    return ModelManager({"translation": tiny_model_dirs["translation"]}, "cpu").get("translation")


@pytest.fixture(scope="module")
def reference(tiny_model_dirs):
    path = tiny_model_dirs["translation"]
    return AutoModelForSeq2SeqLM.from_pretrained(path).eval(), AutoTokenizer.from_pretrained(path)


def generated(reference, text: str, **options) -> str:
    model, tokenizer = reference
    inputs = tokenizer(text, return_tensors="pt")
    with torch.inference_mode():
        out = model.generate(**inputs, do_sample=False, **options)
    return tokenizer.decode(out[0], skip_special_tokens=True)


def test_the_tiny_model_translates_its_examples(loaded):
    for english, chinese in PARALLEL[:4]:
        result = translation.translate(loaded, english, TranslationParams(40, 1), MAX_CHARS, CAP, BEAMS)
        assert result.text == chinese.replace(
            "？", "?"
        )  # sentencepiece's NFKC writes the ASCII question mark
        assert result.ended


@pytest.mark.parametrize("num_beams", [1, 4])
def test_translate_equals_generate(loaded, reference, num_beams):
    for text in SOURCES:
        for max_new_tokens in (3, 40):
            result = translation.translate(
                loaded, text, TranslationParams(max_new_tokens, num_beams), MAX_CHARS, CAP, BEAMS
            )
            expected = generated(reference, text, max_new_tokens=max_new_tokens, num_beams=num_beams)
            assert translation_json(result) == [{"translation_text": expected}]
            assert len(result.steps) == len(result.distributions) <= max_new_tokens
            for step, shown in zip(result.steps, result.distributions, strict=True):
                assert shown.drawn_id == step.token_id and 0 < step.prob <= 1


def test_a_greedy_step_is_the_most_likely_token_and_its_probability(loaded, reference):
    result = translation.translate(loaded, SOURCES[0], TranslationParams(40, 1), MAX_CHARS, CAP, BEAMS)
    model, tokenizer = reference
    inputs = tokenizer(SOURCES[0], return_tensors="pt")
    decoder_input_ids = torch.tensor([[model.config.decoder_start_token_id, *result.target_ids[:-1]]])
    with torch.inference_mode():
        probs = model(**inputs, decoder_input_ids=decoder_input_ids).logits[0].softmax(-1)  # (T, vocab)
    for i, step in enumerate(result.steps):
        assert step.prob == pytest.approx(float(probs[i, step.token_id]), abs=1e-4)
        assert result.distributions[i].choices[0].prob == pytest.approx(float(probs[i].max()), abs=1e-4)


def test_step_mode_writes_the_greedy_translation_one_token_at_a_time_and_undo_takes_one_back(
    loaded, reference
):
    for text in SOURCES[:3] + SOURCES[-1:]:
        for max_new_tokens in (4, 40):
            state = None
            while True:
                try:
                    state = translation.next_step(loaded, state, text, max_new_tokens, MAX_CHARS, CAP)
                except InputError as error:
                    assert "ended" in str(error) or "limit" in str(error)
                    break
            expected = generated(reference, text, max_new_tokens=max_new_tokens, num_beams=1)
            assert translation.step_text(loaded, state) == expected
            whole = translation.translate(
                loaded, text, TranslationParams(max_new_tokens, 1), MAX_CHARS, CAP, BEAMS
            )
            assert state.target_ids == whole.target_ids
    back = translation.undo(state)
    assert back.target_ids == state.target_ids[:-1]
    again = translation.next_step(loaded, back, text, 40, MAX_CHARS, CAP)
    assert again.target_ids == state.target_ids
    other = translation.next_step(loaded, state, SOURCES[0], 40, MAX_CHARS, CAP)  # a new text starts again
    assert len(other.steps) == 1
    with pytest.raises(InputError, match="no translated token to undo"):
        translation.undo(translation.undo(other))


def test_cross_attention_is_the_models_own(loaded, reference):
    text = SOURCES[2]
    result = translation.cross_attention(loaded, text, 40, MAX_CHARS, CAP, 128)
    model, tokenizer = reference
    inputs = tokenizer(text, return_tensors="pt")
    greedy = model.generate(**inputs, max_new_tokens=40, num_beams=1, do_sample=False)[0].tolist()
    assert result.target_ids == greedy[1:]
    model.set_attn_implementation("eager")
    with torch.inference_mode():
        out = model(**inputs, decoder_input_ids=torch.tensor([greedy[:-1]]), output_attentions=True)
    expected = torch.stack([layer[0] for layer in out.cross_attentions]).numpy()  # (layers, heads, T, S)
    np.testing.assert_allclose(result.cross, expected, atol=1e-6)
    np.testing.assert_allclose(
        result.encoder, torch.stack([a[0] for a in out.encoder_attentions]).numpy(), atol=1e-6
    )
    np.testing.assert_allclose(
        result.decoder, torch.stack([a[0] for a in out.decoder_attentions]).numpy(), atol=1e-6
    )
    assert np.allclose(
        result.decoder[..., np.triu_indices(len(greedy) - 1, 1)[0], np.triu_indices(len(greedy) - 1, 1)[1]], 0
    )
    shaped = cross_attention_json(result)
    assert set(shaped) == {"model", "source_tokens", "target_tokens", "cross_attentions"}
    weights = np.array(shaped["cross_attentions"])
    layers, heads = model.config.decoder_layers, model.config.decoder_attention_heads
    assert weights.shape == (layers, heads, len(shaped["target_tokens"]), len(shaped["source_tokens"]))
    np.testing.assert_allclose(weights.sum(-1), 1, atol=1e-4)
    assert shaped["source_tokens"][-1] == "</s>" and shaped["target_tokens"][-1] == "</s>"
    assert "".join(shaped["target_tokens"][:-1]).strip() == generated(
        reference, text, max_new_tokens=40, num_beams=1
    )


def test_bad_input_gets_one_sentence(loaded):
    def translate(text="Where is the train station?", max_new_tokens=20, num_beams=1, max_chars=MAX_CHARS):
        return translation.translate(
            loaded, text, TranslationParams(max_new_tokens, num_beams), max_chars, CAP, BEAMS
        )

    for bad, match in [
        ({"text": ""}, "empty"),
        ({"text": "   "}, "empty"),
        ({"text": None}, "must be text"),
        ({"text": "x" * 50, "max_chars": 10}, "characters long"),
        ({"num_beams": 0}, "number of beams"),
        ({"num_beams": 1000}, "number of beams must be a whole number between 1 and 8"),
        ({"num_beams": 2.5}, "number of beams"),
        ({"max_new_tokens": 0}, "Max new tokens"),
        ({"max_new_tokens": 10**6}, "Max new tokens must be a whole number between 1 and 60"),
    ]:
        with pytest.raises(InputError, match=match):
            translate(**bad)
    with using("zh"), pytest.raises(InputError, match="束宽"):
        translate(num_beams=1000)


def test_more_new_tokens_than_the_decoder_has_positions_for_are_cut_and_said(loaded, reference):
    result = translation.translate(loaded, SOURCES[0], TranslationParams(200, 1), MAX_CHARS, 256, BEAMS)
    assert result.params.max_new_tokens == 63 and "lowered from 200 to 63" in str(result.notices[0])
    assert result.text == generated(reference, SOURCES[0], max_new_tokens=63, num_beams=1)


def test_an_over_long_source_is_cut_and_said(loaded, reference):
    long = " ".join(["I read a book in the library yesterday."] * 40)
    result = translation.translate(loaded, long, TranslationParams(10, 1), MAX_CHARS, CAP, BEAMS)
    assert len(result.source.ids) == loaded.context_length
    assert result.source.ids[-1] == loaded.tokenizer.eos_token_id
    assert "only the first 64 were used" in str(result.notices[0])
    cross = translation.cross_attention(loaded, long, 10, MAX_CHARS, CAP, 16)
    assert cross.cross.shape[-1] == 16 and "only the first 16" in str(cross.notices[0])


def test_the_pictures(loaded):
    result = translation.cross_attention(loaded, SOURCES[0], 40, MAX_CHARS, CAP, 128)
    for head in (0, 1, result.num_heads):
        figure = translation_viz.cross_attention_figure(result, 2, head)
        z = np.array(figure.data[0].z, dtype=float)
        assert z.shape == (len(result.target_tokens), len(result.source_tokens))
        assert np.allclose(z.sum(-1), 1, atol=0.01)
    mean = translation_viz.head_matrix(result, 1, 0)
    np.testing.assert_allclose(mean, result.cross[0].mean(0))
    document = translation_viz.model_view_document(result)
    assert "http://" not in document and "https://" not in document
    assert '"name":"Cross"' in document and '"name":"Encoder"' in document and '"name":"Decoder"' in document
    architecture = translation_viz.architecture_markdown(translation.architecture(loaded), 13, 9)
    assert "MultiHead(Z₁, X⁽ᴸ⁾, X⁽ᴸ⁾)" in architecture and "(4 × 9 × 13)" in architecture
    with using("zh"):
        assert "编码器层" in translation_viz.architecture_markdown(
            translation.architecture(loaded), None, None
        )


# --- the chat model ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chat_model(tiny_model_dirs):
    return ModelManager({"chat": tiny_model_dirs["chat"]}, "cpu").get("chat")


def test_the_instruction_is_in_the_texts_language():
    assert chat_tasks.language_of_text("我昨天在图书馆看书。") == "zh"
    assert chat_tasks.language_of_text("Where is the train station?") == "en"
    [message] = chat_tasks.translation_messages("火车站在哪里？", "en", 100)
    assert message["role"] == "user" and message["content"].startswith("翻译成英文")
    assert message["content"].endswith("火车站在哪里？")
    [message] = chat_tasks.summary_messages("The cat sat on the mat.", 100)
    assert message["content"].startswith("Summarize")
    with pytest.raises(InputError, match="Unknown target language 'fr'"):
        chat_tasks.translation_messages("Hello", "fr", 100)
    with pytest.raises(InputError, match="empty"):
        chat_tasks.summary_messages(" ", 100)


@pytest.mark.parametrize("task", ["translate", "summarize"])
def test_a_greedy_chat_reply_equals_generate_on_the_prompt(chat_model, tiny_model_dirs, task):
    text = "Hello!"
    if task == "translate":
        messages = chat_tasks.translation_messages(text, "zh", MAX_CHARS)
    else:
        messages = chat_tasks.summary_messages(text, MAX_CHARS)
    *_, last = chat_tasks.stream(
        chat_model, task, messages, GenerationParams(12, temperature=0), MAX_CHARS, CAP
    )
    shaped = application_json(last)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dirs["chat"])
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dirs["chat"]).eval()
    prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    assert shaped == {"messages": messages, "prompt": prompt, "output": shaped["output"]}
    ids = tokenizer(prompt, add_special_tokens=False, return_tensors="pt").input_ids
    out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=12, do_sample=False)
    assert shaped["output"] == tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True)


def test_the_translations_of_the_tab_exist():
    for english in ["Translation", "Cross-attention", "Translate with the chat model", "Encoder", "Cross"]:
        assert english in ZH


def test_the_attention_tab_reads_the_encoder_by_default_and_inside_knows_both_stacks(loaded, reference):
    from playground.tasks.attention import attention

    result = attention(loaded, SOURCES[0], MAX_CHARS, 128)
    model, tokenizer = reference
    inputs = tokenizer(SOURCES[0], return_tensors="pt")
    model.set_attn_implementation("eager")
    with torch.inference_mode():
        own = model.get_encoder()(**inputs, output_attentions=True).attentions
    np.testing.assert_allclose(result.attentions, torch.stack([a[0] for a in own]).numpy(), atol=1e-6)
    assert not result.causal and result.token_ids == inputs.input_ids[0].tolist()
    assert parts_of(loaded.model).stack == "encoder" and parts_of(loaded.model, "decoder").stack == "decoder"


def test_download_fetches_marians_sentencepiece_models():
    from playground.download import files_to_fetch
    from playground.presets import PRESETS

    repository = [
        "config.json",
        "generation_config.json",
        "pytorch_model.bin",
        "tf_model.h5",
        "rust_model.ot",
    ]
    repository += ["source.spm", "target.spm", "tokenizer_config.json", "vocab.json", "README.md"]
    assert files_to_fetch(repository) == [
        "config.json",
        "generation_config.json",
        "pytorch_model.bin",
        "source.spm",
        "target.spm",
        "tokenizer_config.json",
        "vocab.json",
    ]
    assert PRESETS["en"].models["translation"].model_id == "Helsinki-NLP/opus-mt-en-zh"
    assert PRESETS["zh"].models["translation"].model_id == "Helsinki-NLP/opus-mt-zh-en"


def test_the_chinese_demo_model_translates_into_english(tmp_path):
    from playground.demo import FOLDERS
    from playground.tiny_models import build_marian

    folder, builder, options = FOLDERS["zh"]["translation"]
    path = build_marian(tmp_path / folder, **options)
    loaded = ModelManager({"translation": str(path)}, "cpu").get("translation")
    result = translation.translate(loaded, "火车站在哪里？", TranslationParams(30, 1), MAX_CHARS, CAP, BEAMS)
    assert result.text == "Where is the train station?"
