"""Issue 16, point 6: what people type or upload is shown as written, never as live HTML or Markdown.

Each field gets an `<img src=…>` payload (and a Markdown image) pointing at an outside host: the page must
show the text, create no <img> for it and make no request to that host."""

from __future__ import annotations

import re

from tests.browser.helpers import expect, open_tab

HOST = "evil.invalid"
IMG = f"<img src=http://{HOST}/x.png>"
MD = f"![x](http://{HOST}/y.png)"


def watch(page) -> list[str]:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url) if HOST in request.url else None)
    return requested


def assert_nothing_live(page, requested):
    page.wait_for_timeout(300)  # a live <img> would have started its request by now
    assert page.locator(f"img[src*='{HOST}']").count() == 0
    assert requested == []


def test_a_csv_column_name_stays_text_in_the_summary(page, tmp_path):
    requested = watch(page)
    panel = open_tab(page, "Sentiment")
    panel.get_by_text("Many texts at once").click()
    upload = tmp_path / "reviews.csv"
    column = f"{IMG} {MD}"
    upload.write_text(f'"{column}",empty\nI loved this film.,\nThe food was cold.,\n', encoding="utf-8")
    panel.locator(".csv-upload input[type=file]").set_input_files(str(upload))
    expect(panel.get_by_label("Column with the texts")).to_have_value(column)
    panel.get_by_role("button", name="Classify all").click()
    summary = panel.get_by_text(re.compile(r"Classified 2 texts from column “<img src="))
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(MD)  # as written: no image, no link
    assert_nothing_live(page, requested)


def test_a_csv_column_name_stays_text_in_an_error_pop_up(page, tmp_path):
    requested = watch(page)
    panel = open_tab(page, "Sentiment")
    panel.get_by_text("Many texts at once").click()
    column = f"{IMG} {MD}"
    empty = tmp_path / "empty-column.csv"
    empty.write_text(f'"{column}",text\n,one\n,two\n', encoding="utf-8")
    panel.locator(".csv-upload input[type=file]").set_input_files(str(empty))
    panel.get_by_label("Column with the texts").click()
    page.get_by_role("option", name=column).click()
    panel.get_by_role("button", name="Classify all").click()
    toast = page.get_by_test_id("toast-body").filter(has_text="has no text in it")
    expect(toast).to_contain_text(IMG)
    assert_nothing_live(page, requested)


def test_fill_mask_target_words_stay_text(page):
    requested = watch(page)
    panel = open_tab(page, "Fill-Mask")
    panel.get_by_label("Text with [MASK]").fill("The cat sat on the [MASK].")
    panel.get_by_label("Target words (optional)").fill(f"mat, {IMG}, {MD}")
    panel.get_by_role("button", name="Predict").click()
    expect(panel.get_by_text("Scored only the target words")).to_be_visible()
    expect(panel).to_contain_text(IMG)
    assert_nothing_live(page, requested)
