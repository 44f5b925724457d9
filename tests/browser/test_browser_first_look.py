"""A first look that works (issue 26), at a laptop's, a projector's and a phone's size, in English and 中文."""

from __future__ import annotations

import pytest

from tests.browser.helpers import app_page, expect, open_tab, screenshot

SIZES = {
    "laptop": {"viewport": {"width": 1280, "height": 800}},
    "projector": {"viewport": {"width": 1920, "height": 1080}},
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True},
}
LANGUAGES = {"en": ("en-US", "Generate", "System"), "zh": ("zh-CN", "生成", "系统")}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES)
def test_every_tab_is_in_view_once_and_stays_once_after_a_click(browser, app_url, size, language):
    locale, first, system = LANGUAGES[language]
    with app_page(browser, app_url, locale=locale, first_tab=first, **SIZES[size]) as page:
        tabs = page.get_by_role("tab")
        names = tabs.all_inner_texts()
        assert len(names) >= 8 and len(set(names)) == len(names)
        expect(page.get_by_role("button", name="More tabs")).to_be_hidden()
        width = SIZES[size]["viewport"]["width"]
        for tab in tabs.all():  # each on the screen, none cut off at the right edge nor in a menu
            expect(tab).to_be_visible()
            box = tab.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
        page.get_by_role("tab", name=system, exact=True).click()
        expect(page.get_by_role("tabpanel")).to_have_count(1)
        page.wait_for_timeout(500)  # gradio drew the second System tab as the panel appeared
        assert tabs.all_inner_texts() == names
        expect(page.get_by_role("tab", name=system, exact=True)).to_have_count(1)
        screenshot(page, f"first_look_tabs_{size}_{language}")


def test_enter_in_a_sliders_box_and_the_arrow_keys_redraw_like_the_mouse(page):
    """Attention's layer and head: a number typed and confirmed with Enter, or the slider moved with the arrow
    keys, redraws the chart at once (as every slider redrawn on release does, ui/keyboard.py)."""
    panel = open_tab(page, "Attention")
    panel.get_by_role("button", name="Show attention").click()
    title = panel.locator(".js-plotly-plot .gtitle")
    expect(title).to_contain_text("Layer 1, head 1")
    box = panel.get_by_label("number input for Head")
    box.fill("2")
    box.press("Enter")
    expect(title).to_contain_text("Layer 1, head 2")
    expect(box).to_be_focused()  # redrawn while the box still has the focus
    slider = panel.get_by_label("range slider for Layer")
    slider.focus()
    slider.press("ArrowRight")
    expect(title).to_contain_text("Layer 2, head 2")


# Every text of the charts in view (tick labels, cell words, legends) with its font size in CSS pixels.
CHART_TEXTS = """() => Array.from(document.querySelectorAll('.js-plotly-plot svg text'))
  .filter((t) => t.textContent.trim() && t.getBoundingClientRect().width > 0)
  .map((t) => [parseFloat(getComputedStyle(t).fontSize), t.textContent, t.getBoundingClientRect().height])"""


def test_every_chart_text_of_inside_reads_at_11_px_and_grows_in_projector_mode(page):
    """The logit lens's words were 5 px tall at 1280 wide (plotly shrinks a heatmap's words to their cells)."""
    panel = open_tab(page, "Inside")
    panel.get_by_role("button", name="Look inside", exact=True).click()
    lens = panel.locator(".js-plotly-plot", has_text="Logit lens")
    expect(lens.locator("text.gtitle")).to_be_visible()
    page.wait_for_timeout(500)
    texts = page.evaluate(CHART_TEXTS)
    small = [(size, text) for size, text, _ in texts if size < 11]
    assert not small, f"chart text under 11 px: {small[:10]}"
    word = lens.locator("g.text-group text, .heatmaplayer text").first  # the first predicted word
    expect(word).to_be_visible()
    before = word.bounding_box()["height"]
    page.locator("#projector-switch input").check()
    page.wait_for_timeout(500)
    assert word.bounding_box()["height"] > before * 1.1
    screenshot(page, "first_look_inside_projector")


# How many lines an element's text takes on the screen.
LINES = """(el) => { let most = 0; const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const range = document.createRange(); range.selectNodeContents(node);
    const tops = Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top));
    most = Math.max(most, new Set(tops).size);
  }
  return most; }"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_inside_and_train_on_a_phone(browser, app_url, language):
    """Inside: the formulas fit the screen and the embedding charts' titles stay inside their chart; Train: the
    table's column names are not broken inside a word."""
    locale, first, _system = LANGUAGES[language]
    inside, look, train = (
        ("Inside", "Look inside", "Train") if language == "en" else ("模型内部", "看看内部", "训练")
    )
    with app_page(browser, app_url, locale=locale, first_tab=first, **SIZES["phone"]) as page:
        panel = open_tab(page, inside)
        panel.get_by_role("button", name=look, exact=True).click()
        expect(panel.locator(".js-plotly-plot").first).to_be_visible(timeout=120_000)  # a busy machine
        for formula in panel.locator(".katex-display").all():
            scroll, width = formula.evaluate("el => [el.scrollWidth, el.clientWidth]")
            assert scroll <= width + 1, "a formula is wider than the phone's screen"
        chart = panel.locator(".js-plotly-plot").first
        right = chart.bounding_box()["x"] + chart.bounding_box()["width"]
        for title in chart.locator(".annotation-text").all():
            assert title.bounding_box()["x"] + title.bounding_box()["width"] <= right + 1
        screenshot(page, f"first_look_inside_phone_{language}")
        panel = open_tab(page, train)
        headers = panel.locator("table").first.locator("th, [role=columnheader]")
        expect(headers.first).to_be_visible()
        for header in headers.all():
            text = header.inner_text().strip()
            if text:
                lines = header.evaluate(LINES)
                assert lines == 1, f"the column name {text!r} is broken over {lines} lines"
                shown, needed = header.locator(".header").evaluate("el => [el.clientWidth, el.scrollWidth]")
                assert needed <= shown, f"the column name {text!r} is cut: {needed} px in {shown}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_first_send_in_chat_works_with_the_pages_defaults(browser, app_url, language):
    """Point 1: the page's default of new tokens fits the served chat model (a 64-token one in the tests), so
    the first Send answers instead of refusing; the slider offers no more than the model takes."""
    locale, first, _system = LANGUAGES[language]
    chat, send, new_tokens = (
        ("Chat", "Send", "Max new tokens") if language == "en" else ("对话", "发送", "最多新词元数")
    )
    with app_page(browser, app_url, locale=locale, first_tab=first) as page:
        panel = open_tab(page, chat)
        box = panel.get_by_label(f"number input for {new_tokens}").first
        expect(box).to_have_value("32")  # half of the tiny model's 64 positions, not the 128 built in
        assert int(box.get_attribute("max")) < 64
        panel.get_by_role("button", name=send, exact=True).click()
        expect(panel.locator("div.chat-template")).to_be_visible(timeout=120_000)
        expect(page.get_by_test_id("toast-body")).to_have_count(0)
        screenshot(page, f"first_look_chat_{language}")
