"""Issue 16, point 6: what people type or upload is shown as written, never as live HTML or Markdown.

Each field gets an `<img src=…>` payload (and a Markdown image) pointing at an outside host: the page must
show the text, create no <img> for it and make no request to that host."""

from __future__ import annotations

import re

import pytest

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


# --- Issue 30, point 3: gradio's own refusals of a dropdown value, whose choices come from user data ---------

SVG = f"<svg onload=\"fetch('http://{HOST}/svg')\"></svg>"
LINK = f"<a href=\"javascript:fetch('http://{HOST}/js')\">click</a>"
PAYLOADS = [IMG, SVG, LINK]
STALE = [f"old {payload}" for payload in PAYLOADS]  # values the session was never offered


def assert_no_payload_element(page, requested):
    assert_nothing_live(page, requested)
    assert page.locator("svg[onload]").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0


def send_instead(page, demo, module: str, handler: str, component, value) -> None:
    """Make the page send `value` for `component` in the event of `handler` (in playground/ui/`module`.py),
    as a page does whose dropdown still holds a value its session no longer offers (the choices changed while
    the request was on its way: a new CSV's columns, a new text's tokens)."""
    import json

    [(index, position)] = [
        (index, fn.inputs.index(component))
        for index, fn in demo.fns.items()
        if fn.name == handler and getattr(fn.fn, "__module__", "") == f"playground.ui.{module}"
    ]

    def rewrite(route):
        body = json.loads(route.request.post_data or "{}")
        if body.get("fn_index") == index:
            body["data"][position] = value
            route.continue_(post_data=json.dumps(body))
        else:
            route.continue_()

    page.route("**/gradio_api/queue/join*", rewrite)


def component(demo, module: str, handler: str, position: int):
    [fn] = [
        fn
        for fn in demo.fns.values()
        if fn.name == handler and getattr(fn.fn, "__module__", "") == f"playground.ui.{module}"
    ]
    return fn.inputs[position]


@pytest.mark.parametrize("stale", STALE, ids=["img", "svg", "javascript-link"])
def test_a_stale_csv_column_is_refused_as_text(page, served_demo, tmp_path, stale):
    """The Sentiment tab's column dropdown, filled from a CSV whose headers are markup: "Classify all" sent with
    a column the session does not offer (any more) is refused with a sentence that shows the markup as
    written; gradio's refusal quoted the headers, and the page rendered them."""
    requested = watch(page)
    column = component(served_demo, "sentiment", "run_many", 2)
    send_instead(page, served_demo, "sentiment", "run_many", column, stale)
    panel = open_tab(page, "Sentiment")
    panel.get_by_text("Many texts at once").click()
    upload = tmp_path / "reviews.csv"
    headers = ",".join('"' + payload.replace('"', '""') + '"' for payload in PAYLOADS)
    upload.write_text(f"{headers},text\n1,2,3,I loved this film.\n", encoding="utf-8")
    panel.locator(".csv-upload input[type=file]").set_input_files(str(upload))
    expect(panel.get_by_label("Column with the texts")).to_have_value("text")
    panel.get_by_role("button", name="Classify all").click()
    toast = page.get_by_test_id("toast-body").filter(has_text="does not offer")
    expect(toast).to_contain_text(stale[:20])  # the value, as written
    assert_no_payload_element(page, requested)


@pytest.mark.parametrize("stale", STALE, ids=["img", "svg", "javascript-link"])
def test_a_stale_query_token_is_refused_as_text(page, served_demo, stale):
    """The Inside tab's query-token dropdown, filled with the tokens of a text full of markup: a query token
    the session does not offer is refused with a sentence that shows it as written."""
    requested = watch(page)
    query = component(served_demo, "inside", "look_at_head", 4)
    send_instead(page, served_demo, "inside", "look_at_head", query, stale)
    panel = open_tab(page, "Inside")
    panel.get_by_label("Text").first.fill(" ".join(PAYLOADS))
    panel.get_by_role("button", name="Look inside", exact=True).click()
    expect(panel.locator(".inside-tokens .inside-token").first).to_be_visible()
    panel.get_by_label("Query token: its row of scores and weights, and its MLP neurons").click()
    page.get_by_role("option").first.click()
    toast = page.get_by_test_id("toast-body").filter(has_text="does not offer")
    expect(toast).to_contain_text(stale[:20])
    assert_no_payload_element(page, requested)
