"""The Evaluate tab in a real browser, in English and 中文, on a laptop (1280x800), a projector (1920x1080) and a
phone (390x844): perplexity of a text and its words shuffled, BLEU and ROUGE of an example with the matched
n-grams shown, HTML typed into a text shown as text."""

from __future__ import annotations

import pytest

from tests.browser.helpers import app_page, expect, screenshot, sync_api

WORDS = {
    "en": {
        "tab": "Evaluate",
        "first": "Generate",
        "compute": "Compute perplexity",
        "shuffle": "Shuffle the words of A into B",
        "score": "Score",
        "text_b": "Text B (optional)",
        "candidate": "Candidate",
        "ratio": "as perplexing as text A",
        "lcs": "longest common subsequence",
    },
    "zh": {
        "tab": "评估",
        "first": "生成",
        "compute": "计算困惑度",
        "shuffle": "把 A 的词打乱，放进 B",
        "score": "评分",
        "text_b": "文本 B（可选）",
        "candidate": "候选文本",
        "ratio": "的困惑度是文本 A 的",
        "lcs": "最长公共子序列",
    },
}
SIZES = {"laptop": (1280, 800), "projector": (1920, 1080), "phone": (390, 844)}


def open_evaluate(page, name: str):
    """The Evaluate tab, from the tab bar or, where it does not fit (a phone), from the "More tabs" menu."""
    tab = page.get_by_role("tab", name=name, exact=True)
    try:
        tab.click(timeout=5_000)
    except sync_api.TimeoutError:  # not in the bar (or moved out of it as the bar was laid out)
        page.get_by_role("button", name="More tabs").click()
        page.locator(".overflow-dropdown button", has_text=name).click()
    panel = page.get_by_role("tabpanel")
    expect(panel).to_have_count(1)
    return panel


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("language, locale", [("en", "en-US"), ("zh", "zh-CN")])
def test_perplexity_bleu_and_rouge_in_the_browser(browser, app_url, language, locale, size):
    words = WORDS[language]
    width, height = SIZES[size]
    viewport = {"width": width, "height": height}
    with app_page(browser, app_url, locale=locale, first_tab=words["first"], viewport=viewport) as page:
        panel = open_evaluate(page, words["tab"])
        text_b = panel.get_by_label(words["text_b"])
        before = text_b.input_value()
        panel.get_by_role("button", name=words["shuffle"]).click()
        expect(text_b).not_to_have_value(before)
        panel.get_by_role("button", name=words["compute"]).click()
        expect(panel.get_by_text(words["ratio"])).to_be_visible(timeout=60_000)
        expect(panel.locator(".js-plotly-plot")).to_have_count(2)
        # the examples follow the models served (English here), whatever the page's language
        panel.locator("[data-testid^='dataset-cell']").filter(has_text="sitting on the mat").first.click()
        candidate = panel.get_by_label(words["candidate"], exact=True)
        expect(candidate).to_have_value("The cat is sitting on the mat.")
        panel.get_by_role("button", name=words["score"], exact=True).click()
        expect(panel.locator(".ev-card")).to_have_count(4)
        expect(panel.locator(".js-plotly-plot")).to_have_count(3)
        expect(panel.locator(".ev-o2").first).to_be_visible()
        expect(panel.locator(".ev-heading")).to_contain_text(words["lcs"])
        expect(page.locator("body")).not_to_contain_text("__i18n__")  # no raw translation key
        if size == "phone":
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width + 10, (
                f"the page scrolls sideways on a phone ({scroll_width} px wide)"
            )
        screenshot(page, f"evaluate_{language}_{size}")


def test_html_typed_into_a_text_is_shown_as_text(browser, app_url):
    with app_page(browser, app_url) as page:
        panel = open_evaluate(page, "Evaluate")
        candidate = panel.get_by_label("Candidate", exact=True)
        candidate.fill("<img src=x id=injected> the cat sat on the mat")
        panel.get_by_label("Reference 1").fill("<b id=bold>the cat</b> sat on the mat")
        panel.get_by_role("button", name="Score", exact=True).click()
        expect(panel.locator(".ev-card")).to_have_count(4)
        expect(panel.locator(".ev-matches").first).to_contain_text("img")
        assert page.locator("#injected, #bold").count() == 0
