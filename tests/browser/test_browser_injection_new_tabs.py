"""Issue 30, red team of the tabs added since the last hardening: markup typed into the Experiments tab
(head finder and ablation, patching, the tokenizer lab) and the Translation tab is shown as written, through every view that
shows its tokens (HTML chips, plotly axes and hovers): no element made from it, no request to its host."""

from __future__ import annotations

from tests.browser.helpers import expect, open_tab
from tests.browser.test_browser_experiments import open_experiments
from tests.browser.test_browser_injection import HOST, watch
from tests.browser.test_browser_injection import assert_no_payload_element as assert_nothing_live

PAYLOAD = f"<img src=http://{HOST}/x.png> <svg onload=alert(1)> <a href=javascript:alert(1)>x</a>"


def test_markup_in_the_experiments_inputs_stays_text(page):
    requested = watch(page)
    panel = open_experiments(page, "Experiments")
    finder = panel.locator("#experiments-heads")
    finder.get_by_label("Text", exact=True).fill(PAYLOAD)  # the text of the head finder and of the ablation
    finder.get_by_role("button", name="Find heads", exact=True).click()
    expect(finder.locator(".js-plotly-plot").first).to_be_visible()  # the top induction head's pattern
    assert_nothing_live(page, requested)
    panel.get_by_role("tab", name="Knock heads out").click()
    ablation = panel.locator("#experiments-ablation")
    ablation.get_by_role("button", name="Knock out", exact=True).click()
    expect(ablation.locator(".js-plotly-plot").first).to_be_visible()
    assert_nothing_live(page, requested)

    panel.get_by_role("tab", name="Activation patching").click()
    patching = panel.locator("#experiments-patching")
    patching.get_by_label("Clean prompt").fill(PAYLOAD + " cat")
    patching.get_by_label("Corrupted prompt").fill(PAYLOAD + " dog")
    patching.get_by_role("button", name="Patch", exact=True).click()
    shown = patching.locator(".js-plotly-plot").or_(page.get_by_test_id("toast-body"))
    expect(shown.first).to_be_visible()  # a heatmap, or a sentence (two answers alike): both as text
    assert_nothing_live(page, requested)

    panel.get_by_role("tab", name="Tokenizer lab").click()
    lab = panel.locator("#experiments-tokenizer")
    lab.get_by_label("Training text").fill((PAYLOAD + "\n") * 5)
    lab.get_by_role("button", name="Train", exact=True).click()
    expect(lab.locator(".lab-piece").first).to_be_visible()
    expect(lab.locator(".lab-pieces").first).to_contain_text("<img")  # the characters, as written
    assert_nothing_live(page, requested)


def test_markup_in_the_translation_stays_text(page):
    requested = watch(page)
    panel = open_tab(page, "Translation")
    panel.get_by_label("Text to translate").fill(PAYLOAD)
    panel.get_by_role("button", name="Translate", exact=True).click()
    expect(panel.locator(".js-plotly-plot").first).to_be_visible()
    assert_nothing_live(page, requested)
