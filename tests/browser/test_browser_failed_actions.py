"""A failed action, as a student sees it: one pop-up in the page's language, no "Error" badge on the outputs,
and nothing left on screen from the request before as if it answered this one (issue 15, point 4)."""

from __future__ import annotations

import re

from tests.browser.helpers import app_page, expect, open_tab, wait_for_chart

# Gradio marks each output of a failed event with a badge, an element of class "error" (so is the red pop-up,
# which the page should show: it is not counted).
BADGES = """() => [...document.querySelectorAll('.error')]
    .filter(element => !element.closest('[data-testid="toast-body"]')).length"""


def assert_one_pop_up(page, text: str, chinese: bool = False):
    """One red pop-up saying `text`, titled in the page's language (gradio writes its type, "Error"; in 中文 the
    page's CSS shows "出错了" in its place), and no badge."""
    toast = page.get_by_test_id("toast-body")
    expect(toast).to_have_count(1)
    expect(toast).to_contain_text(text)
    title = toast.locator(".toast-title.error")
    if chinese:
        assert title.evaluate("el => getComputedStyle(el, '::before').content") == '"出错了"'
    else:
        expect(title).to_have_text("Error")
    assert page.evaluate(BADGES) == 0, "an output carries an error badge"
    return toast


def test_a_failed_csv_upload_is_one_message_and_clears_the_previous_file(page, tmp_path):
    panel = open_tab(page, "Sentiment")
    panel.get_by_text("Many texts at once").click()
    reviews = tmp_path / "reviews.csv"
    reviews.write_text("id,review\n1,I loved this film.\n2,The food was cold.\n", encoding="utf-8")
    panel.locator(".csv-upload input[type=file]").set_input_files(str(reviews))
    expect(panel.get_by_label("Column with the texts")).to_have_value("review")
    panel.get_by_role("button", name="Classify all").click()
    summary = panel.get_by_text("Classified 2 texts from column “review” of reviews.csv.")
    expect(summary).to_be_visible()
    chart = panel.locator(".js-plotly-plot")
    expect(chart).to_contain_text("Predicted labels of 2 texts")
    download = panel.get_by_role("button", name="Download the table as CSV")
    expect(download).to_be_visible()

    broken = tmp_path / "broken.csv"
    broken.write_text("\n\n", encoding="utf-8")  # no header row: refused as soon as it is chosen
    panel.get_by_role("button", name="Clear").click()
    panel.locator(".csv-upload input[type=file]").set_input_files(str(broken))
    assert_one_pop_up(page, "The CSV file is empty")
    expect(summary).to_have_count(0)
    expect(chart).to_have_count(0)
    expect(download).to_be_hidden()
    expect(panel.locator(".batch-table")).to_be_hidden()
    expect(panel.get_by_label("Column with the texts")).to_have_value("")  # not reviews.csv's column


def test_a_failed_action_in_chinese_is_one_pop_up_and_clears_the_earlier_result(browser, app_url):
    with app_page(browser, app_url, locale="zh-CN", first_tab="生成") as page:
        panel = open_tab(page, "情感分类")
        panel.get_by_role("button", name="分类", exact=True).click()
        wait_for_chart(panel)
        prediction = panel.get_by_text(re.compile("^预测"))
        expect(prediction).to_be_visible()

        panel.get_by_label("文本", exact=True).fill("")
        panel.get_by_role("button", name="解释", exact=True).click()
        assert_one_pop_up(page, "请先输入文本", chinese=True)
        expect(panel.locator(".js-plotly-plot")).to_have_count(0)  # the earlier text's chart is gone
        expect(prediction).to_have_count(0)


def test_a_refused_batched_request_clears_what_the_earlier_one_showed(page):
    panel = open_tab(page, "Fill-Mask")
    text = panel.get_by_label("Text with [MASK]")
    text.fill("Paris is the [MASK] of France.")
    panel.get_by_role("button", name="Predict").click()
    wait_for_chart(panel)
    expect(panel.get_by_text("Best fill:")).to_be_visible()

    text.fill("There is no blank in this sentence.")
    panel.get_by_role("button", name="Predict").click()
    assert_one_pop_up(page, "no mask")
    expect(panel.locator(".js-plotly-plot")).to_have_count(0)
    expect(panel.get_by_text("Best fill:")).to_have_count(0)
