"""On a phone (390x844) nothing scrolls sideways inside its box: System's model table and Train's tables lay each
row out on two or three lines (assets/style.css, `.stack-table`), and a heatmap's colour bar is long enough for its
tick labels side by side (playground/viz/attention.py, `color_axis`); Question answering's spans and Evaluate's ROUGE table (HTML) show each
number after its column's name on a second line (`.stack-rows`). Issue 26."""

from __future__ import annotations

from tests.browser.helpers import app_page, expect, open_tab, screenshot

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}

# Every element of the shown tab that scrolls sideways inside its own box. Left out on purpose: a code box (a line
# of Python is not wrapped) and a `.wide-chart` (a chart wider than the screen, e.g. Inside's logit lens, whose
# words would be unreadable squeezed into 300 px).
SIDEWAYS = """(panel) => {
  const found = [];
  for (const el of panel.querySelectorAll('*')) {
    if (!el.getClientRects().length || el.closest('.cm-editor, .wide-chart')) continue;
    const style = getComputedStyle(el);
    if (!['auto', 'scroll'].includes(style.overflowX) || el.scrollWidth <= el.clientWidth + 1) continue;
    found.push(`${el.className} "${(el.innerText || '').trim().slice(0, 40)}": ${el.scrollWidth} px in ${el.clientWidth}`);
  }
  return found;
}"""


def scrolls_sideways(panel) -> list[str]:
    """What scrolls sideways in `panel` (a tab's panel), besides code and wide charts."""
    return panel.evaluate(SIDEWAYS)


def test_system_models_table_fits_a_phone(browser, app_url, manager):
    manager.get("fill-mask")  # at least one row
    with app_page(browser, app_url, **PHONE) as page:
        panel = open_tab(page, "System")
        panel.get_by_role("button", name="Refresh", exact=True).click()
        table = panel.locator(".stack-table")
        expect(table.get_by_role("gridcell").first).to_be_visible()
        expect(table).to_contain_text("float32")  # every value still shown
        assert scrolls_sideways(panel) == []
        width = table.evaluate("el => el.getBoundingClientRect().width")
        for cell in table.get_by_role("gridcell").all()[:6]:  # each cell inside the table's box
            box = cell.bounding_box()
            assert box["width"] > 0 and box["x"] + box["width"] <= 390 and box["width"] <= width
        screenshot(page, "system_phone")


def colour_bar_ticks(chart) -> list[dict]:
    return chart.evaluate(
        """el => Array.from(el.querySelectorAll('.colorbar .cbaxis text, .colorbar .tick text'))
          .map((t) => t.getBoundingClientRect()).filter((r) => r.width > 0)
          .map((r) => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom}))"""
    )


def test_a_heatmaps_colour_bar_reads_on_a_phone(browser, app_url):
    with app_page(browser, app_url, **PHONE) as page:
        panel = open_tab(page, "Translation")
        panel.get_by_role("button", name="Translate", exact=True).click()
        chart = panel.locator(".js-plotly-plot").filter(has_text="Cross-attention")
        expect(chart).to_be_visible()
        bar = chart.locator(".colorbar rect.cbbg")
        expect(bar).to_have_count(1)
        ticks = colour_bar_ticks(chart)
        assert len(ticks) >= 2
        ticks.sort(key=lambda t: t["left"])
        for a, b in zip(ticks, ticks[1:], strict=False):  # side by side, upright: none over its neighbour
            assert a["right"] <= b["left"], f"colour bar tick labels overlap: {ticks}"
            assert b["bottom"] - b["top"] < 24  # not turned on their side
        assert ticks[-1]["right"] - ticks[0]["left"] >= 80  # a bar, not a few pixels
        screenshot(page, "translation_colour_bar_phone")


def cells_inside(table) -> None:
    """Every cell of `table` shown, inside the table's box (`.stack-rows`: no value hidden to make it fit)."""
    box = table.bounding_box()
    cells = table.locator("tbody td").all()
    assert cells
    for cell in cells:
        expect(cell).to_be_visible()
        inner = cell.bounding_box()
        assert (
            inner["width"] > 0
            and box["x"] - 1 <= inner["x"]
            and inner["x"] + inner["width"] <= box["x"] + box["width"] + 1
        )


def test_question_answerings_spans_fit_a_phone(browser, app_url):
    """The longest example: five spans of long answers with their score, characters and window (the table was
    301 px in a 278 px box, its characters column hidden)."""
    with app_page(browser, app_url, **PHONE) as page:
        panel = open_tab(page, "Question answering")
        panel.locator("[data-testid^='dataset-cell']").filter(has_text="Who made DistilBERT?").first.click()
        expect(panel.get_by_label("Question", exact=True)).to_have_value("Who made DistilBERT?")
        panel.get_by_role("button", name="Find the answer", exact=True).click()
        table = panel.locator(".qa-spans table")
        expect(table.locator("tbody tr")).to_have_count(5)
        expect(table.locator("td.qa-chars").first).to_be_visible()  # every value still shown
        expect(
            table.locator("td[data-label=Window]").first
        ).to_be_visible()  # a long context: several windows
        assert scrolls_sideways(panel) == []
        cells_inside(table)
        screenshot(page, "question_answering_spans_phone")


def test_evaluates_rouge_table_fits_a_phone(browser, app_url):
    """ROUGE's five columns (kind, precision, recall, F-measure, reference) were 349 px in a 278 px box."""
    with app_page(browser, app_url, **PHONE) as page:
        panel = open_tab(page, "Evaluate")
        panel.get_by_label("Candidate", exact=True).fill("The cat is sitting on the mat.")
        panel.get_by_label("Reference 1", exact=True).fill("The cat sat on the mat.")
        panel.get_by_role("button", name="Score", exact=True).click()
        table = panel.locator(".ev-table")
        expect(table.locator("tbody tr")).to_have_count(3)
        expect(table).to_contain_text("F-measure")  # each number after its column's name
        assert scrolls_sideways(panel) == []
        cells_inside(table)
        screenshot(page, "evaluate_rouge_phone")


def test_experiments_kv_cache_and_merges_tables_fit_a_phone(browser, app_url):
    """The KV cache's eight columns (702 px in a 300 px box) and the tokenizer lab's merges, whose byte pieces
    such as <0xE4><0xB8> are one long word (548 px), in the rows of two lines of `.stack-table`."""
    with app_page(browser, app_url, **PHONE) as page:
        panel = open_tab(page, "Experiments")
        for tab, button in (("KV cache", "Generate step by step"), ("Tokenizer lab", "Train")):
            panel.get_by_role("tab", name=tab, exact=True).click()
            inner = page.locator(f"#experiments-{'kv' if tab == 'KV cache' else 'tokenizer'}")
            inner.get_by_role("button", name=button, exact=True).click()
            table = inner  # its one table
            expect(table.get_by_role("gridcell").first).to_be_visible()
            assert scrolls_sideways(panel) == [], tab
            for cell in table.get_by_role("gridcell").all()[:8]:  # each value inside the screen
                box = cell.bounding_box()
                assert box["width"] > 0 and box["x"] + box["width"] <= 390, tab
        screenshot(page, "experiments_tables_phone")
