"""The Inside tab in a real browser, in English and 中文, on a laptop and a phone: the tokens, the embeddings,
one head step by step, a query token's row, the block and the logit lens are drawn; the tokenizers compared."""

from __future__ import annotations

import pytest

from tests.browser.helpers import app_page, expect, open_tab, screenshot

WORDS = {
    "en": {
        "tab": "Inside",
        "first": "Generate",
        "button": "Look inside",
        "count": "tokens",
        "compare": "Compare the tokenizers of the served models",
        "query": "Query token: its row of scores and weights, and its MLP neurons",
    },
    "zh": {
        "tab": "模型内部",
        "first": "生成",
        "button": "看看内部",
        "count": "个词元",
        "compare": "比较各个模型的分词器",
        "query": "查询词元：它那一行的分数和权重，以及它的 MLP 神经元",
    },
}
PLOTS = 16  # embeddings, the sinusoidal and learned positions, 9 panels of the head, the query row, residual
# stream, neurons, logit lens


@pytest.mark.parametrize("language, locale", [("en", "en-US"), ("zh", "zh-CN")])
def test_inside_draws_tokens_head_and_logit_lens(browser, app_url, language, locale):
    words = WORDS[language]
    with app_page(browser, app_url, locale=locale, first_tab=words["first"]) as page:
        panel = open_tab(page, words["tab"])
        panel.get_by_role("button", name=words["button"], exact=True).click()
        expect(panel.locator(".inside-tokens .inside-token").first).to_be_visible()
        expect(panel.locator(".inside-count")).to_contain_text(words["count"])
        expect(panel.locator(".js-plotly-plot")).to_have_count(PLOTS)
        expect(panel.locator(".katex").first).to_be_visible()  # the formulas, rendered
        expect(panel.locator(".inside-highlight .inside-cut").first).to_be_visible()
        panel.get_by_role("button", name=words["compare"]).click()
        expect(panel.locator(".inside-compare-model")).to_have_count(3)
        row_title = panel.locator(".js-plotly-plot .annotation-text").filter(has_text="softmax").first
        before = row_title.text_content()  # the last word's row
        panel.get_by_label(words["query"]).click()  # another query token: its row and its neurons redrawn
        page.get_by_role("option").first.click()
        expect(row_title).not_to_have_text(before)
        screenshot(page, f"inside_{language}")


def test_inside_on_a_phone(browser, app_url):
    with app_page(browser, app_url) as page:
        page.set_viewport_size({"width": 390, "height": 844})
        page.get_by_role("tab", name="Inside", exact=True).click()  # every tab in view, none in a menu
        panel = page.get_by_role("tabpanel")
        panel.get_by_role("button", name="Look inside", exact=True).click()
        expect(panel.locator(".js-plotly-plot")).to_have_count(PLOTS)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"the page scrolls sideways on a phone ({width} px wide)"
        screenshot(page, "inside_phone")
