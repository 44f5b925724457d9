"""Byte tokens in the charts, in a real browser (issue 28, point 5): the Attention tab's heatmap and Evaluate's
perplexity bars on a Chinese text that GPT-2's byte-level BPE cuts into three tokens a character read '中 1/3',
'中 2/3', '中 3/3' with one sentence saying so, never '�' nor '<0xE4>'; in English and 中文, on a laptop and a
phone. With PLAYGROUND_SCREENSHOTS=DIR set, the tests save what they drew."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import app_page, expect, screenshot, wait_for_chart
from tests.browser.test_browser_evaluate import open_evaluate

TEXT = "今天天气很好"
WORDS = {
    "en": {
        "first": "Generate",
        "attention": "Attention",
        "model": re.compile(r"^Generation"),
        "text": "Text",
        "show": "Show attention",
        "evaluate": "Evaluate",
        "text_a": "Text A",
        "text_b": "Text B (optional)",
        "compute": "Compute perplexity",
        "note": "are the 3 tokens of 今",
    },
    "zh": {
        "first": "生成",
        "attention": "注意力",
        "model": re.compile(r"^文本生成"),
        "text": "文本",
        "show": "显示注意力",
        "evaluate": "评估",
        "text_a": "文本 A",
        "text_b": "文本 B（可选）",
        "compute": "计算困惑度",
        "note": "是「今」的 3 个词元",
    },
}
SIZES = {"laptop": (1280, 800), "phone": (390, 844)}


def reads_as_characters(chart) -> None:
    expect(chart).not_to_contain_text("<0x")
    expect(chart).not_to_contain_text("\ufffd")


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("language, locale", [("en", "en-US"), ("zh", "zh-CN")])
def test_attention_and_perplexity_read_characters(browser, app_url, language, locale, size):
    words = WORDS[language]
    width, height = SIZES[size]
    viewport = {"width": width, "height": height}
    with app_page(browser, app_url, locale=locale, first_tab=words["first"], viewport=viewport) as page:
        panel = open_evaluate(page, words["attention"])
        panel.get_by_role("radio", name=words["model"]).check()
        panel.get_by_label(words["text"], exact=True).fill(TEXT)
        panel.get_by_role("button", name=words["show"]).click()
        chart = wait_for_chart(panel)
        expect(chart).to_contain_text("今 1/3")
        expect(chart).to_contain_text("好 3/3")
        reads_as_characters(chart)
        expect(panel.get_by_text(words["note"])).to_be_visible()
        screenshot(page, f"tokmarks_attention_{language}_{size}")

        panel = open_evaluate(page, words["evaluate"])
        panel.get_by_label(words["text_a"]).fill(TEXT[:2])  # 6 tokens: a tick under every bar
        panel.get_by_label(words["text_b"]).fill("")
        panel.get_by_role("button", name=words["compute"]).click()
        chart = wait_for_chart(panel)
        expect(chart).to_contain_text("今 2/3")
        expect(chart).to_contain_text("天 3/3")
        reads_as_characters(chart)
        expect(panel.get_by_text(words["note"])).to_be_visible()
        screenshot(page, f"tokmarks_perplexity_{language}_{size}")
