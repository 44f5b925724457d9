"""English and 中文: the translation machinery, and a check that no text on the page was left in one language."""

from __future__ import annotations

import dataclasses
import json
import re

import gradio as gr
import pytest
from gradio.i18n import I18nData

from playground.i18n import _, language_of, lazy, page_translations, ui, using
from playground.tasks.validation import InputError
from playground.translations import ZH
from playground.ui.events import batch_outputs
from playground.ui.inside import CROSS_FORMULA, FORMULAS
from playground.ui.language import in_languages, in_page_language, request_language
from playground.ui.layout import build_demo

CJK = re.compile(r"[\u4e00-\u9fff]")
MARKER = re.compile(r"__i18n__(\{.*?\})")
# Text that reads the same in both languages: names, and what the page shows as data.
SAME_IN_BOTH = {"# Transformer Playground", "Python", "English", "中文", FORMULAS}  # FORMULAS: LaTeX
SAME_IN_BOTH.add(CROSS_FORMULA)  # the decoder layer's formulas in Inside: LaTeX too


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("zh", "zh"),
        ("zh-CN", "zh"),
        ("zh-Hant-TW", "zh"),
        ("ZH", "zh"),
        ("en-US", "en"),
        ("fr", "en"),
        (None, "en"),
    ],
)
def test_language_of_a_browser_language(code, language):
    assert language_of(code) == language


def test_text_is_translated_in_the_language_of_the_moment():
    assert (
        _("Prediction: **{label}** ({score})", label="POSITIVE", score="90.0%")
        == "Prediction: **POSITIVE** (90.0%)"
    )
    with using("zh-CN"):
        assert (
            _("Prediction: **{label}** ({score})", label="POSITIVE", score="90.0%")
            == "预测：**POSITIVE**（90.0%）"
        )
    assert _("Text") == "Text"  # back to English after the block


def test_a_lazy_message_is_translated_when_shown():
    message = lazy("Loading {model}…", model=lazy("Text"))
    error = InputError(message)
    assert str(error) == "Loading Text…"
    with using("zh"):
        assert str(error) == "正在加载 文本…"
        assert f"{message}" == "正在加载 文本…"
    assert message == "Loading Text…"


def test_page_text_is_a_translation_key_and_the_tables_hold_both_languages():
    label = ui("Prompt")
    assert isinstance(label, I18nData) and label.key == "Prompt"
    tables = page_translations().translations_dict
    assert tables["zh"]["Prompt"] == "提示词"
    assert set(tables) == {"en", "zh"}


class FakeRequest:
    """What gradio hands over of a request: its cookies and headers."""

    def __init__(self, cookies=None, headers=None):
        self.cookies, self.headers = cookies or {}, headers or {}


def answered_for(request, fn, *args):
    """`fn(*args)` run the way gradio runs a handler: with the request it answers in its context."""
    from gradio.context import LocalContext

    token = LocalContext.request.set(request)
    try:
        result = fn(*args)
        return list(result) if hasattr(result, "__next__") else result
    finally:
        LocalContext.request.reset(token)


def test_the_language_of_a_request_is_the_switch_cookie_then_the_browser_language():
    assert request_language(FakeRequest({"playground-language": "zh"}, {"accept-language": "en-US"})) == "zh"
    assert request_language(FakeRequest({"playground-language": "en"}, {"accept-language": "zh-CN"})) == "en"
    assert request_language(FakeRequest(headers={"accept-language": "zh-TW,zh;q=0.9"})) == "zh"
    assert request_language(FakeRequest({"playground-language": "<script>"})) == "en"
    assert request_language(FakeRequest()) == "en" and request_language() == "en"  # API clients, no request


def test_an_event_answers_in_the_language_of_its_request():
    def handler(text):
        return _("Text") + ": " + text

    localized = in_page_language(handler)
    assert answered_for(FakeRequest({"playground-language": "zh"}), localized, "x") == "文本: x"
    assert answered_for(FakeRequest({"playground-language": "en"}), localized, "x") == "Text: x"
    assert answered_for(None, localized, "x") == "Text: x"

    def steps(text):
        yield _("Text")
        yield _("Prompt")

    zh = FakeRequest(headers={"accept-language": "zh-CN"})
    assert answered_for(zh, in_page_language(steps), "x") == ["文本", "提示词"]


def test_a_batch_answers_each_request_in_its_own_language():
    def batch_fn(texts):
        results = [
            InputError(lazy("Unknown view {view}: choose 'head' or 'model'.", view="x")) if not t else t
            for t in texts
        ]
        return batch_outputs(results, lambda text: (_("Text") + " " + text,), 1)

    outputs, errors = in_languages(batch_fn)(["", "a", ""], ["zh", "zh", "en"])
    assert outputs[1] == "文本 a"
    assert errors[0] == "未知的视图 x：请选择 'head' 或 'model'。"
    assert errors[1] == ""
    assert errors[2] == "Unknown view x: choose 'head' or 'model'."


def page_texts(demo: gr.Blocks) -> list[tuple[str, object]]:
    """(where, text) for every label, help text, placeholder and Markdown text on the page."""
    texts = []
    for block in demo.blocks.values():
        name = f"{type(block).__name__} {getattr(block, 'elem_id', None) or ''}".strip()
        for attribute in ("label", "info", "placeholder"):
            value = getattr(block, attribute, None)
            if value:
                texts.append((f"{name}.{attribute}", value))
        if isinstance(block, (gr.Markdown, gr.Button, gr.DownloadButton)) and block.value:
            texts.append((f"{name}.value", block.value))
        for choice in getattr(block, "choices", None) or []:
            if isinstance(choice, (tuple, list)) and isinstance(choice[0], (str, I18nData)):
                texts.append((f"{name}.choice", choice[0]))
    return texts


def test_every_text_on_the_page_exists_in_english_and_chinese(settings, manager):
    demo = build_demo(settings, manager)
    untranslated = []
    for where, text in page_texts(demo):
        if isinstance(text, I18nData):
            keys = [text.key]
        else:
            keys = [json.loads(found)["key"] for found in MARKER.findall(str(text))]
            plain = MARKER.sub("", str(text)).strip()
            if not keys and plain not in SAME_IN_BOTH and re.search("[A-Za-z]{3}", plain):
                untranslated.append(f"{where}: {plain!r}")
        untranslated += [f"{where}: {key!r} has no Chinese" for key in keys if key not in ZH]
    headers = [h for block in demo.blocks.values() if isinstance(block, gr.Dataset) for h in block.headers]
    untranslated += [f"examples column {header!r}" for header in headers if header and header not in ZH]
    assert not untranslated, "text without both languages:\n" + "\n".join(untranslated)


def test_no_choice_value_is_translated_by_the_browser(settings, manager):
    """The browser translates every string that equals a key of the page's translations, a choice's value too:
    Attention's View "head" was sent back as 头 and refused. The page's translations leave the values out."""
    from playground.ui.layout import choice_values, launch_options

    demo = build_demo(settings, manager)
    values = choice_values(demo)
    assert {"head", "mean", "fill-mask", "encoder"} <= values
    assert values & set(ZH), "the test needs a value that is also a key (e.g. 'head')"
    page = launch_options(settings, demo)["i18n"].translations_dict["zh"]
    assert not values & set(page)
    assert page["One head"] == ZH["One head"]  # the labels stay translated


@pytest.mark.parametrize("preset", ["en", "zh"])
def test_the_examples_are_in_the_language_of_the_models(settings, manager, preset):
    demo = build_demo(dataclasses.replace(settings, preset=preset), manager)
    samples = [
        str(sample)
        for block in demo.blocks.values()
        if isinstance(block, gr.Dataset)
        for sample in block.samples
    ]
    assert samples and all(bool(CJK.search(sample)) == (preset == "zh") for sample in samples)


def test_chinese_bold_text_closes():
    """Markdown (CommonMark) does not close `**` after punctuation when a letter follows: "**设备：**cpu" shows
    its asterisks. Every translation keeps such punctuation outside the bold: "**设备**：cpu"."""
    broken = []
    for text in ZH.values():
        closings = [m.start() for m in re.finditer(r"\*\*", text)][1::2]
        for at in closings:
            before, after = text[at - 1], text[at + 2 : at + 3]
            if not (before.isalnum() or before.isspace()) and (after.isalnum() or after == "{"):
                broken.append(text[max(0, at - 12) : at + 6])
    assert not broken, broken


def test_no_two_translation_modules_translate_one_text_differently():
    """playground/translations merges one module per feature: a text two of them translate differently would
    read one way in one tab and the other way in the next (the last module wins)."""
    import importlib
    import pkgutil

    import playground.translations as package

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for module in pkgutil.iter_modules(package.__path__):
        table = importlib.import_module(f"playground.translations.{module.name}").ZH
        for english, chinese in table.items():
            first = seen.setdefault(english, (module.name, chinese))
            if first[1] != chinese:
                clashes.append((english, first, (module.name, chinese)))
    assert not clashes
