"""Projector mode: at 1920x1080 the page uses the width with larger type, charts included, and the browser
remembers the choice."""

from __future__ import annotations

from tests.browser.helpers import app_page, expect, screenshot

PROJECTOR = {"width": 1920, "height": 1080}


def sizes(page) -> dict:
    return page.evaluate(
        """() => {
          const app = document.querySelector('.gradio-container');
          const zoom = parseFloat(getComputedStyle(app).zoom || '1');
          return {width: app.getBoundingClientRect().width, zoom: zoom,
                  projector: document.documentElement.classList.contains('projector')};
        }"""
    )


def test_projector_mode_uses_the_width_and_larger_type_and_is_remembered(browser, app_url):
    with app_page(browser, app_url) as page:
        page.set_viewport_size(PROJECTOR)
        before = sizes(page)
        assert not before["projector"] and before["width"] <= 1200
        page.get_by_label("Projector mode").check()
        expect(page.locator("html.projector")).to_have_count(1)
        after = sizes(page)
        assert after["width"] > 1700 and after["zoom"] >= 1.3  # the width, and everything 1.4x larger
        page.get_by_role("tab", name="Attention").click()
        panel = page.get_by_role("tabpanel")
        panel.get_by_role("button", name="Show attention", exact=True).click()
        chart = panel.locator(".js-plotly-plot").first
        expect(chart).to_be_visible()
        chart.scroll_into_view_if_needed()
        box = chart.locator(".nsewdrag").first.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 3, box["y"] + min(box["height"] / 3, 300))
        expect(page.locator(".hovertext").first).to_contain_text("→")  # hovering still hits the cells
        screenshot(page, "projector_attention")
        page.reload()
        expect(page.get_by_label("Projector mode")).to_be_checked()
        expect(page.locator("html.projector")).to_have_count(1)
