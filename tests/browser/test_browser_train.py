"""The Train tab in a real browser, in English and 中文, on a laptop (1280x800) and a phone (390x844): fine-tune
the classifier (the live chart, the before/after table, the code), pretrain the tiny GPT (the samples) and the
tiny BERT (one batch as the model sees it, the probes; also on a projector, 1920x1080)."""

from __future__ import annotations

import pytest

from tests.browser.helpers import app_page, expect, open_tab, screenshot
from tests.browser.test_browser_phone_fit import scrolls_sideways

WORDS = {
    "en": {
        "tab": "Train",
        "first": "Generate",
        "train": "Train",
        "pretrain": "Pretrain",
        "steps": "Steps",
        "accuracy": "Validation accuracy:",
        "perplexity": "Perplexity on the text",
    },
    "zh": {
        "tab": "训练",
        "first": "生成",
        "train": "训练",
        "pretrain": "预训练",
        "steps": "步数",
        "accuracy": "验证准确率：",
        "perplexity": "文本上的困惑度",
    },
}


@pytest.mark.parametrize("language, locale", [("en", "en-US"), ("zh", "zh-CN")])
def test_fine_tune_and_pretrain_in_the_browser(browser, app_url, language, locale):
    words = WORDS[language]
    with app_page(browser, app_url, locale=locale, first_tab=words["first"]) as page:
        page.set_viewport_size({"width": 1280, "height": 800})
        panel = open_tab(page, words["tab"])
        panel.get_by_role("button", name=words["train"], exact=True).click()
        expect(panel.get_by_text(words["accuracy"])).to_be_visible(timeout=120_000)
        expect(panel.locator(".js-plotly-plot")).to_have_count(1)
        expect(panel.locator("table").nth(1)).to_contain_text("school")  # the before/after table
        steps = panel.get_by_role("spinbutton", name=f"number input for {words['steps']}", exact=True).first
        steps.fill("30")
        steps.press("Enter")
        panel.get_by_role("button", name=words["pretrain"], exact=True).click()
        expect(panel.get_by_text(words["perplexity"])).to_be_visible(timeout=120_000)
        expect(panel.locator(".js-plotly-plot")).to_have_count(2)
        screenshot(page, f"train_{language}")


def test_train_on_a_phone(browser, app_url):
    with app_page(browser, app_url) as page:
        page.set_viewport_size({"width": 390, "height": 844})
        page.get_by_role("tab", name="Train", exact=True).click()  # every tab in view, none in a menu
        panel = page.get_by_role("tabpanel")
        panel.get_by_role("button", name="Train", exact=True).click()
        expect(panel.get_by_text("Validation accuracy:")).to_be_visible(timeout=120_000)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"the page scrolls sideways on a phone ({width} px wide)"
        expect(panel.locator(".stack-table").nth(1)).to_contain_text("school")  # the before/after table
        assert scrolls_sideways(panel) == []  # its rows on two lines, not a table 686 px wide in a 276 px box
        screenshot(page, "train_phone")


BERT_WORDS = {
    "en": {"button": "Pretrain the BERT", "done": "Accuracy on the chosen tokens", "kept": "kept as it was"},
    "zh": {"button": "预训练 BERT", "done": "被选词元上的准确率", "kept": "保持原样"},
}


@pytest.mark.parametrize("language, locale", [("en", "en-US"), ("zh", "zh-CN")])
def test_pretrain_a_tiny_bert_in_the_browser(browser, app_url, language, locale):
    words = WORDS[language] | BERT_WORDS[language]
    with app_page(browser, app_url, locale=locale, first_tab=words["first"]) as page:
        page.set_viewport_size({"width": 1280, "height": 800})
        panel = open_tab(page, words["tab"])
        section = panel.locator("#train-mlm")
        steps = section.get_by_role("spinbutton", name=f"number input for {words['steps']}", exact=True)
        steps.fill("30")
        steps.press("Enter")
        section.get_by_role("button", name=words["button"], exact=True).click()
        expect(section.get_by_text(words["done"])).to_be_visible(timeout=120_000)
        expect(section.locator(".js-plotly-plot")).to_have_count(1)
        batch = section.locator(".mlm-batch")
        expect(batch).to_contain_text("[CLS]")
        expect(batch).to_contain_text(words["kept"])
        assert batch.locator(".mlm-chosen").count() > 10  # each chosen token marked
        expect(section.locator(".mlm-probes tr")).to_have_count(3)  # the header, step 0, step 30
        expect(section.locator(".mlm-probes")).to_contain_text("[MASK]")
        section.scroll_into_view_if_needed()
        screenshot(page, f"train_bert_{language}")
        page.set_viewport_size({"width": 1920, "height": 1080})
        screenshot(page, f"train_bert_{language}_projector")
        page.set_viewport_size({"width": 390, "height": 844})
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"the page scrolls sideways on a phone ({width} px wide)"
        screenshot(page, f"train_bert_{language}_phone")
