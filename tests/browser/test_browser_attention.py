"""The attention explorer in a real browser with the network off: every plotly view, bertviz's head and model
views in their sandboxed frame, the downloads, the attention sections of Fill-Mask and Generate, and user text
such as `<img src=x onerror=alert(1)>` staying text everywhere (no dialog opens, the page logs no error).

Uses tests/browser/conftest.py's fixtures: each page may only reach the local app and fails on any console error.
With PLAYGROUND_SCREENSHOTS=DIR set, the tests save full-page PNGs of what they drew.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.browser.helpers import app_page, expect, open_tab, screenshot, wait_for_chart
from tests.helpers import synthetic

XSS = "<img src=x onerror=alert(1)>"
SCRIPT_CLOSE = "</script><script>alert(2)</script>"
URL = re.compile(r"https?://", re.IGNORECASE)


@pytest.fixture
def dialogs(page):  # noqa: F811
    """Every alert/confirm/prompt the page (or a frame in it) tries to open."""
    opened: list[str] = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    return opened


@pytest.fixture
def offline_page(browser):  # noqa: F811
    """A blank page that can reach nothing at all, for standalone documents; records dialogs and errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    requests: list[str] = []
    context.route("**/*", lambda route: (requests.append(route.request.url), route.abort()))
    page = context.new_page()  # noqa: F811
    page.events = {"dialogs": [], "errors": [], "requests": requests}
    page.on("dialog", lambda d: (page.events["dialogs"].append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: page.events["errors"].append(str(e)))
    page.on("console", lambda m: m.type == "error" and page.events["errors"].append(m.text))
    yield page
    context.close()


def show(page, document: str) -> None:  # noqa: F811
    """A standalone document in a fresh window (no globals left from the one before)."""
    page.goto("about:blank")
    page.set_content(document)


def svg_texts(scope) -> list[str]:
    return scope.locator("#vis svg text").all_text_contents()


def drawn_tokens(page, view: str) -> list[str]:  # noqa: F811
    """The texts bertviz drew; the model view draws tokens once a head's thumbnail is clicked."""
    expect(page.locator("#vis svg")).to_be_visible()
    if view == "model":
        page.locator("#vis svg rect[style*='opacity: 0']").first.click()
    return svg_texts(page)


def test_every_plotly_view(page, dialogs):  # noqa: F811
    panel = open_tab(page, "Attention")
    panel.get_by_role("button", name="Show attention").click()
    chart = wait_for_chart(panel)
    expect(chart).to_contain_text("Layer 1, head 1")
    expect(chart).to_contain_text("[CLS]")
    expected = {
        "Mean over the heads of a layer": "Layer 1, mean over 4 heads",
        "Rollout up to a layer": "Rollout through layers 1–1",
        "All heads of a layer": "Layer 1: all 4 heads",
        "Model overview (layers × heads)": "Overview: 2 layers × 4 heads",
    }
    for view, title in expected.items():
        panel.get_by_role("radio", name=view).check()
        expect(chart).to_contain_text(title)
    screenshot(page, "attention_overview")

    panel.get_by_role("radio", name="One head").check()
    panel.get_by_role("checkbox", name=re.compile("Hide special tokens")).check()
    expect(panel.get_by_text("Hidden: [CLS], [SEP]")).to_be_visible()
    expect(chart).to_contain_text("Layer 1, head 1")
    expect(chart).not_to_contain_text("[CLS]")

    # GPT-2, with markup in the text: causal picture, and the markup shows as text
    panel.get_by_role("checkbox", name=re.compile("Hide special tokens")).uncheck()
    panel.get_by_role("radio", name=re.compile(r"^Generation")).check()
    panel.get_by_label("Text", exact=True).fill(f"The cat {XSS} sat.")
    panel.get_by_role("button", name="Show attention").click()
    expect(chart).to_contain_text("grey = future, masked")
    expect(chart).to_contain_text("<")
    expect(chart.locator("img")).to_have_count(0)
    screenshot(page, "attention_gpt2")
    assert dialogs == []


# Each drawn label's box on the page and its font size, for the labels of the overview: tokens on the axes,
# layer and head names in annotations.
LABEL_BOXES = """(selector) => [...document.querySelectorAll(selector)].map(e => {
  const r = e.getBoundingClientRect();
  return {text: e.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
          size: parseFloat(getComputedStyle(e).fontSize)};
})"""


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    """The pairs of labels whose boxes overlap (by more than half a pixel)."""

    def meet(a, b) -> bool:
        return (
            a["left"] < b["right"] - 0.5
            and b["left"] < a["right"] - 0.5
            and a["top"] < b["bottom"] - 0.5
            and b["top"] < a["bottom"] - 0.5
        )

    return [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if meet(a, b)]


@pytest.mark.parametrize("model", ["Fill-mask", "Generation"])
def test_the_overview_names_every_panel_s_tokens_without_overlap(page, model):  # noqa: F811
    page.set_viewport_size({"width": 1280, "height": 800})
    panel = open_tab(page, "Attention")
    panel.get_by_role("radio", name=re.compile(f"^{model}")).check()
    panel.get_by_label("Text", exact=True).fill("The cat sat on the mat.")
    panel.get_by_role("radio", name="Model overview (layers × heads)").check()
    panel.get_by_role("button", name="Show attention").click()
    chart = wait_for_chart(panel)
    heads = 4 if model == "Fill-mask" else 2
    expect(chart).to_contain_text(f"Overview: 2 layers × {heads} heads")
    expect(chart.locator(".xtick text")).to_have_count(heads * 9 if model == "Fill-mask" else heads * 7)
    keys = page.evaluate(LABEL_BOXES, ".xtick text")
    queries = page.evaluate(LABEL_BOXES, ".ytick text")
    names = page.evaluate(LABEL_BOXES, ".annotation-text")
    tokens = [box["text"] for box in queries[: len(queries) // 2]]
    assert [box["text"] for box in queries] == tokens * 2 and [box["text"] for box in keys] == tokens * heads
    assert (tokens[0], tokens[-1]) == (("[CLS]", "[SEP]") if model == "Fill-mask" else ("The", "."))
    assert [box["text"] for box in names] == [f"H{h}" for h in range(1, heads + 1)] + ["Layer 1", "Layer 2"]
    assert min(box["size"] for box in keys + queries) >= 10
    assert overlapping(keys + queries + names) == []
    # the query tokens sit left of the panels, the key tokens above them
    plot = chart.locator(".nsewdrag").first.bounding_box()
    assert all(box["right"] <= plot["x"] + 1 for box in queries)
    assert all(box["bottom"] <= plot["y"] + 1 for box in keys)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1]  # the page does not scroll sideways
    chart.scroll_into_view_if_needed()
    plot = chart.locator(".nsewdrag").first.bounding_box()
    page.mouse.move(
        plot["x"] + 4, plot["y"] + 4
    )  # hover names the layer, the head and both tokens, as before
    first = tokens[0]
    expect(page.locator(".hovertext").first).to_contain_text(f"Layer 1 · {first} → Head 1 · {first}:")
    screenshot(page, f"attention_overview_labels_{model.lower()}")

    if model == "Generation":
        return  # its 2 x 2 heads name all of the 64 tokens it reads
    # a text too long to label among 4 heads: the caption, and only the layers and heads named
    panel.get_by_label("Text", exact=True).fill("the cat sat on the mat " * 8)
    panel.get_by_role("button", name="Show attention").click()
    expect(chart).to_contain_text("Too many tokens to label: hover a cell")
    expect(chart.locator(".xtick text")).to_have_count(heads)
    assert chart.locator(".xtick text").all_text_contents() == [f"H{h}" for h in range(1, heads + 1)]


def test_on_a_phone_the_labelled_overview_scrolls_in_its_own_box_under_a_finger(browser, app_url):
    phone = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
    with app_page(browser, app_url, **phone) as page:
        page.get_by_role("tab", name="Attention", exact=True).click()  # every tab in view, none in a menu
        panel = page.get_by_role("tabpanel")
        panel.get_by_label("Text", exact=True).fill("The cat sat on the mat.")
        panel.get_by_role("radio", name="Model overview (layers × heads)").check()
        panel.get_by_role("button", name="Show attention").click()
        chart = wait_for_chart(panel)
        expect(chart.locator(".xtick text")).to_have_count(4 * 9)
        assert (
            page.evaluate("document.documentElement.scrollWidth") <= 390
        )  # the chart's box scrolls, not the page
        box = panel.locator(".wide-chart")
        assert box.evaluate("e => e.scrollWidth > e.clientWidth")
        chart.locator(".nsewdrag").first.scroll_into_view_if_needed()
        plot = chart.locator(".nsewdrag").first.bounding_box()
        x, y = 200, plot["y"] + min(plot["height"], 300) / 2
        left, top = box.evaluate("e => e.scrollLeft"), page.evaluate("scrollY")
        cdp = page.context.new_cdp_session(page)
        swipe(
            page, cdp, x, y, -150, 0
        )  # a finger across the panels scrolls them sideways (plotly does not zoom)
        page.wait_for_function(
            "(left) => document.querySelector('.wide-chart').scrollLeft > left + 50", arg=left
        )
        swipe(page, cdp, x, y, 0, -150)  # and up the panels scrolls the page
        page.wait_for_function("(top) => window.scrollY > top + 50", arg=top)
        screenshot(page, "attention_overview_phone")


def swipe(page, cdp, x: float, y: float, dx: float, dy: float) -> None:  # noqa: F811
    """A finger's swipe from (x, y) by (dx, dy) CSS pixels, as touch events."""
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 11):
        point = {"x": x + dx * step / 10, "y": y + dy * step / 10}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        page.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_bertviz_views_offline_and_the_html_download(page, dialogs, tmp_path):  # noqa: F811
    panel = open_tab(page, "Attention")
    panel.get_by_text("bertviz: head view and model view").click()
    download = panel.get_by_role("button", name="Download HTML")
    expect(download).to_be_disabled()
    text = panel.get_by_label("Text", exact=True)
    original = text.input_value()
    text.fill("   ")
    panel.get_by_role("button", name="Draw bertviz view").click()
    toast = page.get_by_test_id("toast-body").filter(has_text="empty")
    expect(toast).to_be_visible()
    toast.get_by_role("button", name="Close", exact=True).click()
    text.fill(original)
    panel.get_by_role("button", name="Draw bertviz view").click()
    frame = page.frame_locator("iframe.bertviz-frame")
    expect(frame.locator("#vis svg")).to_be_visible()
    expect(frame.locator("#vis svg line").first).to_be_attached()
    assert svg_texts(frame)[:2] == ["[CLS]", "the"]
    expect(frame.locator("#layer")).to_have_value("1")
    assert page.locator("iframe.bertviz-frame").get_attribute("sandbox") == "allow-scripts"

    with page.expect_download() as info:
        download.click()
    saved = Path(info.value.path()).read_text(encoding="utf-8")
    assert info.value.suggested_filename.endswith("bertviz-head-view.html")
    assert saved.startswith("<!DOCTYPE html>") and not URL.search(saved)

    panel.get_by_role("radio", name="Model view").check()
    panel.get_by_role("button", name="Draw bertviz view").click()
    expect(frame.get_by_text("Heads", exact=True)).to_be_visible()
    page.locator("iframe.bertviz-frame").scroll_into_view_if_needed()
    screenshot(page, "attention_bertviz_model")
    assert dialogs == []


@pytest.mark.parametrize("view", ["head", "model"])
def test_exported_html_draws_with_the_network_off_and_tokens_stay_text(client, offline_page, view):
    from playground.viz import bertviz

    # through the API: a real model's document
    document = client.predict(text="The cat sat on the mat.", view=view, api_name="/attention_view")
    show(offline_page, document)
    assert "[CLS]" in drawn_tokens(offline_page, view)

    # tokens that are markup, or that would close the script, are drawn as plain text
    result = synthetic(["[CLS]", XSS, SCRIPT_CLOSE, "a & b", "[SEP]"])
    document = bertviz.view_document(view, "x", result.tokens, result.attentions, [0, 1], [0, 1, 2])
    show(offline_page, document)
    texts = drawn_tokens(offline_page, view)
    assert XSS in texts and SCRIPT_CLOSE in texts and "a & b" in texts
    assert offline_page.locator("img").count() == 0
    assert offline_page.evaluate("document.scripts.length") == 5
    events = offline_page.events
    assert events == {"dialogs": [], "errors": [], "requests": []}


def test_plotly_labels_show_markup_as_text(offline_page):
    from playground.viz import attention as attention_viz

    result = synthetic(["[CLS]", XSS, SCRIPT_CLOSE, "[SEP]"])
    for kind in ("head", "overview"):
        figure = attention_viz.view_figure(attention_viz.make_view(result, kind))
        show(offline_page, figure.to_html(include_plotlyjs=True, full_html=True))
        expect(offline_page.locator(".main-svg").first).to_be_visible()
        if kind == "head":
            labels = offline_page.locator(".xtick text").all_text_contents()
            assert XSS in labels and SCRIPT_CLOSE in labels
        offline_page.locator(".nsewdrag").first.hover(position={"x": 5, "y": 5})
    assert offline_page.locator("img").count() == 0
    assert offline_page.events == {"dialogs": [], "errors": [], "requests": []}


def test_attention_tensor_downloads(page):  # noqa: F811
    panel = open_tab(page, "Attention")
    panel.get_by_text("Download the attention tensor").click()
    panel.get_by_role("button", name="Prepare downloads").click()  # nothing shown yet: a clear message
    toast = page.get_by_test_id("toast-body").filter(has_text="Show attention")
    expect(toast).to_be_visible()
    toast.get_by_role("button", name="Close", exact=True).click()
    panel.get_by_role("button", name="Show attention").click()
    wait_for_chart(panel)
    panel.get_by_role("button", name="Prepare downloads").click()
    for name in ("tiny-bert-attention.npz", "tiny-bert-attention.json"):
        expect(panel.get_by_role("cell", name=name)).to_be_visible()
    with page.expect_download() as info:
        panel.get_by_role("row", name=re.compile(r"\.json")).get_by_role("link").click()
    data = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert set(data) == {"model", "tokens", "attentions"} and data["tokens"][0] == "[CLS]"


def test_mask_and_generation_attention_sections(page, dialogs):  # noqa: F811
    panel = open_tab(page, "Fill-Mask")
    panel.get_by_label("Text with [MASK]").fill("She went to the [MASK] to buy some [MASK].")
    panel.get_by_text("Attention: what did each [MASK] look at?").click()
    expect(panel.locator(".js-plotly-plot")).to_contain_text("What each [MASK] looked at")
    expect(panel.get_by_text("Masks: 2 ·")).to_be_visible()
    panel.get_by_label("Text with [MASK]").fill("The cat sat on the [MASK].")
    panel.get_by_role("button", name="Predict").click()  # the open section follows the new text
    expect(panel.get_by_text("Masks: 1 ·")).to_be_visible()
    screenshot(page, "fill_mask_attention")

    panel = open_tab(page, "Generate")
    panel.get_by_label("Prompt").fill("The cat sat on the")
    max_tokens = panel.get_by_role("spinbutton", name="Max new tokens")
    max_tokens.fill("10")
    max_tokens.press("Enter")
    panel.get_by_text("Attention over the prompt and the generated text").click()
    expect(panel.get_by_text("Generate some text first")).to_be_visible()
    panel.get_by_role("button", name="Generate", exact=True).click()
    expect(panel.get_by_text(re.compile(r"^\d+ prompt tokens \+ 10 generated"))).to_be_visible()
    expect(panel.locator(".js-plotly-plot").last).to_contain_text("prompt · generated")
    panel.get_by_role("button", name="Next token").click()  # step mode: one more token, redrawn
    expect(panel.get_by_text(re.compile(r"^\d+ prompt tokens \+ 11 generated"))).to_be_visible()
    screenshot(page, "generate_attention")
    assert dialogs == []
