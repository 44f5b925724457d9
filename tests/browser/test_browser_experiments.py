"""The Experiments tab in a real browser, in English and 中文: the head finder's four maps, a clicked head added to
the heads to knock out and its pattern drawn, the ablation chart, and the tokenizer lab's pieces."""

from __future__ import annotations

import pytest

from tests.browser.helpers import app_page, expect, screenshot

WORDS = {
    "en": {
        "tab": "Experiments",
        "first": "Generate",
        "find": "Find heads",
        "ablation": "Knock heads out",
        "knock": "Knock out",
        "heads": "Heads (layer.head, e.g. 1.2, 2.1)",
        "lab": "Tokenizer lab",
        "train": "Train",
    },
    "zh": {
        "tab": "实验",
        "first": "生成",
        "find": "找注意力头",
        "ablation": "敲掉注意力头",
        "knock": "敲掉",
        "heads": "注意力头（层.头，例如 1.2, 2.1）",
        "lab": "分词器实验室",
        "train": "训练",
    },
}


def open_experiments(page, name: str):
    tab = page.get_by_role("tab", name=name, exact=True)
    if tab.count() and tab.is_visible():
        tab.click()
    else:  # a narrow window keeps the last tabs in a menu
        page.get_by_role("button", name="More tabs").click()
        page.locator(".overflow-dropdown button", has_text=name).click()
    return page.locator("#experiments")


@pytest.mark.parametrize("language, locale", [("en", "en-US"), ("zh", "zh-CN")])
def test_experiments_find_knock_out_and_train(browser, app_url, language, locale):
    words = WORDS[language]
    with app_page(browser, app_url, locale=locale, first_tab=words["first"]) as page:
        panel = open_experiments(page, words["tab"])
        panel.get_by_role("button", name=words["find"], exact=True).click()
        maps = panel.locator(".head-map")
        expect(maps).to_have_count(4)
        expect(maps.nth(3).locator("[data-testid=cell-1-2]")).to_be_visible()
        expect(panel.locator("#experiments-heads .js-plotly-plot")).to_have_count(1)
        maps.nth(3).locator("[data-testid=cell-1-2]").click()  # induction map: layer 2, head 2
        expect(panel.locator("#experiments-heads .js-plotly-plot .gtitle")).to_contain_text("2")
        screenshot(page, f"experiments_heads_{language}")
        panel.get_by_role("tab", name=words["ablation"]).click()
        expect(panel.get_by_label(words["heads"])).to_have_value("1.1, 2.2")  # the clicked head, added
        panel.get_by_role("button", name=words["knock"], exact=True).click()
        expect(panel.locator("#experiments-ablation .js-plotly-plot").first).to_be_visible()
        panel.get_by_role("tab", name=words["lab"]).click()
        panel.get_by_role("button", name=words["train"], exact=True).click()
        expect(panel.locator(".lab-piece").first).to_be_visible()
        assert "\ufffd" not in panel.locator(".lab-pieces").first.inner_text()
        screenshot(page, f"experiments_lab_{language}")


PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
SUB_TABS = {
    "en": ["Head finder", "Knock heads out", "Activation patching", "KV cache", "Tokenizer lab"],
    "zh": ["找注意力头", "敲掉注意力头", "激活修补", "KV 缓存", "分词器实验室"],
}


@pytest.mark.parametrize("language, locale", [("en", "en-US"), ("zh", "zh-CN")])
def test_on_a_phone_every_experiment_is_a_visible_tab(browser, app_url, language, locale):
    """The sub-tabs wrap onto more rows instead of hiding in gradio's "•••" menu (as the main tabs do)."""
    words = WORDS[language]
    with app_page(browser, app_url, locale=locale, first_tab=words["first"], **PHONE) as page:
        panel = open_experiments(page, words["tab"])
        bar = panel.locator("#experiments-tabs [role=tablist]").first
        expect(bar.get_by_role("tab", name=SUB_TABS[language][0], exact=True)).to_be_visible()
        assert panel.locator("#experiments-tabs .overflow-menu:visible").count() == 0
        for name in SUB_TABS[language]:
            tab = bar.get_by_role("tab", name=name, exact=True)
            expect(tab).to_be_visible()
            box = tab.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
        bar.get_by_role("tab", name=SUB_TABS[language][3], exact=True).click()  # the KV cache, after a wrap
        expect(panel.locator("#experiments-kv")).to_be_visible()
        screenshot(page, f"experiments_phone_{language}")
