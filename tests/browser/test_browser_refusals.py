"""Issue 30: a value refused before its handler runs (gradio's own preprocessing: a slider's value that is not
a number or is out of its range, a choice the field does not offer) is one sentence naming the field, in the
page's language, as one pop-up, with no "Error" badge on the outputs and the earlier result cleared, as a
handler's own refusal is (tests/browser/test_browser_failed_actions.py). The page is made to send the value
(its request rewritten on the way), as a stale page, a script or a hand-edited request would."""

from __future__ import annotations

import pytest

from tests.browser.helpers import app_page, expect, open_tab, wait_for_chart
from tests.browser.test_browser_failed_actions import assert_one_pop_up
from tests.browser.test_browser_injection import HOST, assert_nothing_live, component, send_instead, watch

IMG = f"<img src=http://{HOST}/x.png>"
# (input position in playground/ui/attention.py's `run`: model, text, view, layer..., value, what it says)
CASES = {
    "a layer that is not a number": (3, "five", "“Layer” needs a number, and the page sent 'five'."),
    "a layer out of range": (3, 1_000_000, "“Layer” must be between 1 and"),
    "a model not offered": (0, IMG, "“Model” does not offer '<img src=http://evil.invalid/x.png>' now"),
}
CASES_ZH = {
    "a layer that is not a number": (3, "five", "“层”需要一个数字，页面发来的是 'five'。"),
    "a model not offered": (0, IMG, "“模型”现在没有 '<img src=http://evil.invalid/x.png>' 这个选项"),
}


def shown_then_refused(page, served_demo, tab: str, button: str, position: int, value) -> None:
    """Show the attention of the tab's example text, then send it again with `value` in input `position`."""
    panel = open_tab(page, tab)
    panel.get_by_role("button", name=button, exact=True).click()
    wait_for_chart(panel)
    send_instead(
        page, served_demo, "attention", "run", component(served_demo, "attention", "run", position), value
    )
    panel.get_by_role("button", name=button, exact=True).click()
    return panel


@pytest.mark.parametrize("case", list(CASES))
def test_a_value_refused_before_the_handler_is_one_sentence_without_badges(page, served_demo, case):
    requested = watch(page)
    position, value, said = CASES[case]
    panel = shown_then_refused(page, served_demo, "Attention", "Show attention", position, value)
    assert_one_pop_up(page, said)
    expect(panel.locator(".js-plotly-plot")).to_have_count(0)  # the earlier text's attention is gone
    assert_nothing_live(page, requested)


@pytest.mark.parametrize("case", list(CASES_ZH))
def test_in_chinese_a_value_refused_before_the_handler_is_one_chinese_sentence(
    browser, app_url, served_demo, case
):
    position, value, said = CASES_ZH[case]
    with app_page(browser, app_url, locale="zh-CN", first_tab="生成") as page:
        requested = watch(page)
        shown_then_refused(page, served_demo, "注意力", "显示注意力", position, value)
        assert_one_pop_up(page, said, chinese=True)
        assert_nothing_live(page, requested)
