"""On a phone (390x844): the examples fit the screen's width, and the settings sit right above the button they
belong to, not below the results (issue 15, point 7)."""

from __future__ import annotations

from tests.browser.helpers import app_page, expect, open_tab, screenshot

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
# The settings of Generate, top to bottom, and the largest gap between the last of them and the button.
SLIDERS = ["Max new tokens", "Temperature (0 = greedy)", "Top-k (0 = off)", "Top-p", "Repetition penalty"]
NEAR_PX = 120


def box(locator) -> dict:
    """Where `locator` is on the page (not on the screen: the page scrolls), in CSS pixels."""
    expect(locator).to_be_visible()
    return locator.evaluate(
        "el => { const r = el.getBoundingClientRect(); return {y: r.top + window.scrollY, height: r.height}; }"
    )


def examples_fit(panel) -> None:
    table = panel.locator(".table-wrap:has(td[data-testid^='dataset-cell'])")
    expect(table).to_have_count(1)
    expect(table.locator("td").first).to_be_visible()
    scroll, width = table.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert scroll <= width, f"the examples scroll sideways: {scroll} px in {width} px"
    page_scroll, page_width = panel.page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert page_scroll <= page_width


def test_on_a_phone_the_examples_fit_and_the_sliders_sit_above_their_button(browser, app_url):
    with app_page(browser, app_url, **PHONE) as page:
        panel = open_tab(page, "Generate")  # Lessons is the first tab
        examples_fit(panel)
        prompt = box(panel.get_by_label("Prompt"))
        sliders = [box(panel.get_by_role("slider", name=name)) for name in SLIDERS]
        seed = box(panel.get_by_role("spinbutton", name="Seed"))
        button = box(panel.get_by_role("button", name="Generate", exact=True))
        tops = [prompt["y"]] + [slider["y"] for slider in sliders] + [seed["y"], button["y"]]
        assert tops == sorted(tops), "on a phone: the prompt, its settings, then the Generate button"
        gap = button["y"] - (seed["y"] + seed["height"])
        assert 0 < gap <= NEAR_PX, f"{gap:.0f} px between the last setting and the Generate button"
        assert button["y"] - (sliders[0]["y"] + sliders[0]["height"]) < 844  # all of it on one screen
        screenshot(page, "generate_phone")

        panel.get_by_role("button", name="Generate", exact=True).tap()
        expect(panel.locator(".generation .tok").first).to_be_visible()
        output = box(panel.locator(".generation"))
        assert output["y"] > button["y"]  # the text appears under the button, the settings stay above
        chart = panel.locator(".js-plotly-plot").first
        chart.tap()  # plotly shows its buttons on a tap, over the chart's title on a screen this narrow
        expect(chart.locator(".modebar-container")).to_be_hidden()

        panel = open_tab(page, "Fill-Mask")
        examples_fit(panel)
