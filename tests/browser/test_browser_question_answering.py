"""The Question answering tab (问答) in a real browser, in English and 中文: the answer marked in the context, the
start and end rows under the tokens, the spans table, the note and folds of a long context's windows; user text
shown as text; an empty question gets one sentence; a phone does not scroll sideways."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import app_page, expect, open_tab, screenshot

WORDS = {
    "en": {
        "tab": "Question answering",
        "first": "Generate",
        "find": "Find the answer",
        "question": "Question",
        "context": "Context (the text that holds the answer)",
        "windows": "overlapping windows",
        "others": "The other",
        "empty": "empty",
    },
    "zh": {
        "tab": "问答",
        "first": "生成",
        "find": "找答案",
        "question": "问题",
        "context": "上下文（包含答案的文本）",
        "windows": "互相重叠的窗口",
        "others": "其他",
        "empty": "空",
    },
}
FACTS = (
    "Tom plays the piano every evening. The lesson starts at nine in the morning. Marie lives in London with her "
    "two dogs. The food was cold and the service was slow. Paris is the capital of France. The cat sat on the mat."
)


def ask(panel, words: dict, question: str, context: str) -> None:
    panel.get_by_label(words["question"], exact=True).fill(question)
    panel.get_by_label(words["context"], exact=True).fill(context)
    panel.get_by_role("button", name=words["find"], exact=True).click()


@pytest.mark.parametrize("language, locale", [("en", "en-US"), ("zh", "zh-CN")])
def test_the_answer_is_marked_with_its_start_and_end_rows(browser, app_url, language, locale):
    words = WORDS[language]
    with app_page(browser, app_url, locale=locale, first_tab=words["first"]) as page:
        panel = open_tab(page, words["tab"])
        ask(panel, words, "Where did the cat sit?", "Paris is the capital of France. The cat sat on the mat.")
        answer = panel.locator("mark.qa-answer")
        expect(answer).to_have_count(1)
        tokens = panel.locator(".qa-tokens .qa-tok:not(.qa-row-names)")
        expect(tokens.first).to_be_visible()
        assert tokens.count() == 14  # "paris is the capital of france . the cat sat on the mat ."
        expect(panel.locator(".qa-tok.qa-in-answer").first).to_be_visible()
        expect(panel.locator(".qa-spans tbody tr")).to_have_count(3)
        screenshot(page, f"question_answering_{language}")

        ask(panel, words, "What does Tom play?", " ".join([FACTS] * 2))
        expect(panel.get_by_text(words["windows"])).to_be_visible()
        expect(panel.locator("details.qa-window[open]")).to_have_count(1)
        expect(panel.get_by_text(words["others"]).first).to_be_visible()

        panel.get_by_label(words["question"], exact=True).fill("")
        panel.get_by_role("button", name=words["find"], exact=True).click()
        toast = page.get_by_test_id("toast-body").filter(has_text=re.compile(words["empty"]))
        expect(toast).to_be_visible()


def test_html_in_the_context_is_shown_as_text(browser, app_url):
    with app_page(browser, app_url) as page:
        panel = open_tab(page, "Question answering")
        page.evaluate("window.__hacked = false")
        ask(
            panel,
            WORDS["en"],
            "Where did the <b>cat</b> sit?",
            "<img src=x onerror='window.__hacked=true'> The cat sat on the mat.",
        )
        expect(panel.locator("mark.qa-answer")).to_have_count(1)
        expect(panel.locator(".qa-context-text").get_by_text("<img src=x", exact=False)).to_be_visible()
        assert panel.locator(".qa-context img, .qa-tokens img, .qa-spans img").count() == 0
        assert page.evaluate("window.__hacked") is False


def test_question_answering_on_a_phone(browser, app_url):
    with app_page(browser, app_url) as page:
        page.set_viewport_size({"width": 390, "height": 844})
        page.get_by_role("tab", name="Question answering").click()  # the tab names wrap on a phone
        panel = page.get_by_role("tabpanel")
        ask(panel, WORDS["en"], "What does Tom play?", FACTS)
        expect(panel.locator("mark.qa-answer")).to_have_count(1)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"the page scrolls sideways on a phone ({width} px wide)"
        screenshot(page, "question_answering_phone")
