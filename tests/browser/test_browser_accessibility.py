"""Accessibility: axe-core (npm's, vendored in tests/browser/vendor) finds no serious or critical violation on
any tab, in English and 中文, before and after the tab shows a result; every control has a label (axe's
label rules); and the keyboard alone can run a tab."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import app_page, expect, open_tab

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SEVERE = ("serious", "critical")
# The button each tab is run with, by tab, in each language (tabs without one are scanned as they open).
ACTIONS = {
    "en": {"Fill-Mask": "Predict", "Sentiment": "Classify", "Inside": "Look inside", "Evaluate": "Score"}
    | {"Question answering": "Find the answer"},
    "zh": {"完形填空": "预测", "情感分类": "分类", "模型内部": "看看内部", "评估": "评分"}
    | {"问答": "找答案"},
}
FIRST_TAB = {"en": "Generate", "zh": "生成"}


def violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each, once the page has settled: no
    output still dimmed by an event in progress (gradio shows a pending output at 20% opacity)."""
    expect(page.locator(".pending")).to_have_count(0)
    page.wait_for_timeout(300)
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ['violations']});
          return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map((n) => n.html.slice(0, 120))}));
        }"""
    )
    return [f"{v['id']} ({v['impact']}): {v['help']} {v['nodes']}" for v in found if v["impact"] in SEVERE]


@pytest.mark.parametrize("language, locale", [("en", "en-US"), ("zh", "zh-CN")])
def test_no_serious_accessibility_violation_on_any_tab(browser, app_url, language, locale):
    with app_page(browser, app_url, locale=locale, first_tab=FIRST_TAB[language]) as page:
        names = page.get_by_role("tab").all_inner_texts()
        assert len(names) >= 7
        found = {}
        for name in names:
            panel = open_tab(page, name)
            found[name] = violations(page)
            action = ACTIONS[language].get(name)
            if action:  # and once it shows a result
                panel.get_by_role("button", name=action, exact=True).click()
                expect(
                    panel.locator(".js-plotly-plot, .inside-tokens, .qa-probabilities").first
                ).to_be_visible()
                page.wait_for_timeout(500)
                found[name + " (result)"] = violations(page)
        assert not any(found.values()), "\n".join(f"{tab}: {v}" for tab, vs in found.items() for v in vs)


def test_the_keyboard_alone_runs_a_tab(browser, app_url):
    with app_page(browser, app_url) as page:
        page.get_by_role("tab", name="Sentiment", exact=True).focus()  # a tab is a button: Enter opens it
        page.keyboard.press("Enter")
        panel = page.get_by_role("tabpanel")
        expect(panel.get_by_role("button", name="Classify", exact=True)).to_be_visible()
        for _ in range(40):  # Tab through the controls to the button, then press it
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == "Classify":
                break
        else:
            pytest.fail("Tab never reached the Classify button")
        page.keyboard.press("Enter")
        expect(panel.locator(".js-plotly-plot").first).to_be_visible()
