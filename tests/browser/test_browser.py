"""End to end in a real browser: a student uses every tab of the app served on the tiny models.

Drives Debian's Chromium (`/usr/bin/chromium`) through Playwright's sync API; skipped when it is missing.
Every request to anything but the local app is aborted, so the page can never reach the network.
With PLAYGROUND_SCREENSHOTS=DIR set, each tab test saves a full-page PNG of its result into DIR
(generate.png, fill_mask.png, sentiment.png, attention.png, system.png, ...); that is how the README's
screenshots in assets/screenshots were made (then reduced to 256 colours).
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser.helpers import app_page, expect, open_tab, screenshot, wait_for_chart
from tests.helpers import ADMIN_PASSWORD


def test_generate(page, client):
    panel = open_tab(page, "Generate")
    panel.get_by_label("Prompt").fill("The cat sat on the")
    temperature = panel.get_by_role("spinbutton", name="Temperature (0 = greedy)")
    temperature.fill("0")
    temperature.press("Enter")
    expect(panel.get_by_role("slider", name="Temperature (0 = greedy)")).to_have_value("0")
    panel.get_by_role("button", name="Generate", exact=True).click()

    # "Seed 0 · 50 new tokens", without the " · generating…" it shows while streaming
    expect(panel.get_by_text(re.compile(r"^Seed \d+ · \d+ new tokens$"))).to_be_visible()
    sample = panel.locator(".generation .sample")
    expect(sample).to_have_count(1)
    # Greedy decoding is deterministic: the page shows what the /generate endpoint answers, token by token
    # coloured, each with a tooltip of alternatives.
    new_tokens = int(panel.get_by_role("spinbutton", name="Max new tokens").input_value())  # fits the model
    expected = client.predict("The cat sat on the", new_tokens, 0.0, 50, 1.0, 1.0, 0, api_name="/generate")
    expect(sample).to_have_text(expected[0]["generated_text"])
    assert "most likely here" in sample.locator(".tok").first.get_attribute("data-tip")
    chart = wait_for_chart(panel)
    expect(chart).to_contain_text("Next-token distribution")
    expect(chart).to_contain_text("drew")
    # Moving a sampler slider redraws the distribution, without generating again: top-k 3 keeps 3 tokens.
    top_k = panel.get_by_role("spinbutton", name="Top-k (0 = off)")
    top_k.fill("3")
    top_k.press("Enter")
    temperature.fill("1")
    temperature.press("Enter")
    kept_bars = "el => el.data[1].marker.color.filter(c => c !== '#d1d5db').length"
    page.wait_for_function(f"() => ({kept_bars})(document.querySelector('.js-plotly-plot')) === 3")
    expect(sample).to_have_text(expected[0]["generated_text"])
    panel.get_by_text("Show code: reproduce this with transformers").click()
    expect(panel.get_by_text("model.generate(").first).to_be_visible()
    screenshot(page, "generate")


def test_generate_step_mode_samples_and_compare(page):
    panel = open_tab(page, "Generate")
    panel.get_by_label("Prompt").fill("Once upon a time")
    for count in range(1, 4):  # a click while the previous draw is still running is ignored, as in gradio
        panel.get_by_role("button", name="Next token").click()
        expect(panel.get_by_text(f"Step mode · tokens drawn one at a time: {count}")).to_be_visible()
    expect(panel.locator(".generation .sample .tok")).to_have_count(3)
    panel.get_by_role("button", name="Undo").click()
    expect(panel.get_by_text("Step mode · tokens drawn one at a time: 2")).to_be_visible()
    expect(panel.locator(".generation .sample .tok")).to_have_count(2)

    samples = panel.get_by_role("spinbutton", name="Samples side by side")
    samples.fill("3")
    samples.press("Enter")
    panel.get_by_role("button", name="Generate", exact=True).click()
    expect(panel.get_by_text(re.compile(r"^Seed \d+ · \d+ new tokens$"))).to_be_visible()
    expect(panel.locator(".generation .sample")).to_have_count(3)

    panel.get_by_text("Compare two settings side by side").click()
    panel.get_by_role("button", name="Compare", exact=True).click()
    expect(panel.get_by_text("temperature 1.2, top-k 0, top-p 1")).to_be_visible()
    screenshot(page, "generate_compare")


def test_fill_mask(page):
    panel = open_tab(page, "Fill-Mask")
    expect(panel.get_by_label("Text with [MASK]")).to_have_value("The cat sat on the [MASK].")
    panel.get_by_role("button", name="Predict").click()
    chart = wait_for_chart(panel)
    expect(panel.get_by_text("Best fill:")).to_be_visible()
    expect(chart).to_contain_text("Candidates for the mask")
    screenshot(page, "fill_mask")


def test_sentiment(page):
    panel = open_tab(page, "Sentiment")
    panel.get_by_role("button", name="Classify").click()
    chart = wait_for_chart(panel)
    expect(panel.get_by_text("Prediction:")).to_be_visible()
    expect(chart).to_contain_text("POSITIVE")
    expect(chart).to_contain_text("NEGATIVE")
    screenshot(page, "sentiment")


def test_attention(page):
    panel = open_tab(page, "Attention")
    show = panel.get_by_role("button", name="Show attention")
    show.click()
    chart = wait_for_chart(panel)
    expect(panel.get_by_text("This model reads both ways")).to_be_visible()
    expect(chart).to_contain_text("[CLS]")  # BERT's tokens

    panel.get_by_role("radio", name=re.compile(r"^Generation")).check()
    show.click()
    expect(panel.get_by_text("This model reads left to right")).to_be_visible()
    expect(chart).not_to_contain_text("[CLS]")  # redrawn with GPT-2's tokens
    wait_for_chart(panel)
    screenshot(page, "attention")


def fill_mask(panel, text: str, targets: str = ""):
    """Type a text (and target words) into the Fill-Mask tab and press Predict."""
    panel.get_by_label("Text with [MASK]").fill(text)
    panel.get_by_label("Target words (optional)").fill(targets)
    panel.get_by_role("button", name="Predict").click()


def test_error_is_a_toast_and_the_next_request_works(page):
    panel = open_tab(page, "Fill-Mask")
    fill_mask(panel, "There is no blank in this sentence.")
    toast = page.get_by_test_id("toast-body").filter(has_text=re.compile("no mask", re.IGNORECASE))
    expect(toast).to_be_visible()
    expect(panel.locator(".js-plotly-plot")).to_have_count(0)

    toast.get_by_role("button", name="Close", exact=True).click()
    expect(toast).to_have_count(0)
    fill_mask(panel, "Paris is the [MASK] of France.")
    wait_for_chart(panel)
    expect(panel.get_by_text("Best fill:")).to_be_visible()
    expect(page.get_by_test_id("toast-body")).to_have_count(0)


def test_system_tab_lists_loaded_models_and_unloads(page, client):
    client.predict(text="I loved it.", api_name="/classify")  # make sure one model is loaded
    panel = open_tab(page, "System")
    expect(panel.get_by_text("Device:")).to_be_visible()
    table = panel.get_by_role("grid", name="Loaded models")
    expect(table).to_contain_text("Sentiment")
    panel.get_by_label("Admin password").fill(ADMIN_PASSWORD)
    panel.get_by_label("Model to unload").click()
    page.get_by_role("option", name="Sentiment").click()
    panel.get_by_role("button", name="Unload").click()
    expect(table).not_to_contain_text("Sentiment")
    assert client.predict(text="Loads again.", api_name="/classify")
    screenshot(page, "system")


def test_fill_mask_several_masks_and_target_words(page):
    panel = open_tab(page, "Fill-Mask")
    fill_mask(panel, "She went to the ___ to buy some [MASK].")
    chart = wait_for_chart(panel)
    expect(chart).to_contain_text("Mask 2")  # one bar chart per mask
    expect(panel.locator(".best-fill mark.fill")).to_have_count(2)
    expect(panel.get_by_text("each one is predicted on its own")).to_be_visible()
    assert "mask 1:" in panel.locator(".best-fill mark.fill").first.get_attribute("title")
    screenshot(page, "fill_mask_masks")

    fill_mask(panel, "The cat sat on the [MASK].", targets="mat, dog, the")
    expect(chart).to_contain_text("Scores of the target words")
    expect(panel.get_by_text("Scored only the target words")).to_be_visible()
    expect(panel.locator(".best-fill")).to_contain_text("The cat sat on the")
    screenshot(page, "fill_mask_targets")

    # A WordPiece piece reads joined to its word ("##s" after "cat": "cats"); the raw piece is on hover.
    fill_mask(panel, "The cat [MASK] on the mat.", targets="##s")
    expect(chart.locator(".ytick")).to_have_text(["cats"])
    mark = panel.locator(".best-fill mark.fill")
    expect(mark).to_have_attribute("title", re.compile(r"token '##s' joined to the word before \(cats\)"))
    expect(panel.locator(".best-fill")).to_contain_text("The cats on the mat.")


def test_sentiment_explanation(page):
    panel = open_tab(page, "Sentiment")
    panel.get_by_label("Text", exact=True).fill("The food was cold and the service was slow.")
    panel.get_by_role("button", name="Explain").click()
    expect(panel.get_by_text(re.compile(r"Integrated Gradients, \d+ steps"))).to_be_visible()
    expect(panel.get_by_text("Prediction: NEGATIVE")).to_be_visible()  # explaining also classifies
    words = panel.locator(".attributions .attr-text .attr")
    expect(words).to_have_count(10)  # 9 words and the full stop
    assert "towards NEGATIVE" in words.first.get_attribute("title")
    expect(panel.get_by_label("Explain which label")).to_have_value("the predicted label")
    screenshot(page, "sentiment_explain")


def test_sentiment_many_texts_and_csv(page, tmp_path):
    panel = open_tab(page, "Sentiment")
    panel.get_by_text("Many texts at once").click()
    classify_all = panel.get_by_role("button", name="Classify all")
    classify_all.click()
    expect(panel.get_by_text("Classified 5 texts from the lines above.")).to_be_visible()
    expect(panel.locator(".js-plotly-plot")).to_contain_text("Predicted labels of 5 texts")
    rows = panel.locator(".batch-table [role=row]")
    expect(rows).to_have_count(1 + 5)  # the header, then one row per text
    with page.expect_download() as download:
        panel.get_by_role("button", name="Download the table as CSV").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "text,label,score" and lines[1].startswith("What a lovely day.,")
    screenshot(page, "sentiment_batch")

    upload = tmp_path / "reviews.csv"
    upload.write_text("id,review\n1,I loved this film.\n2,The food was cold.\n", encoding="utf-8")
    panel.locator(".csv-upload input[type=file]").set_input_files(str(upload))
    expect(panel.get_by_label("Column with the texts")).to_have_value("review")
    classify_all.click()
    expect(panel.get_by_text("Classified 2 texts from column “review” of reviews.csv.")).to_be_visible()
    expect(rows).to_have_count(1 + 2)


def test_on_a_phone_tapping_a_token_shows_its_alternatives(browser, app_url):
    phone = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
    with app_page(browser, app_url, **phone) as page:
        panel = open_tab(page, "Generate")  # Lessons is the first tab
        panel.get_by_role("button", name="Generate", exact=True).tap()  # the prompt starts with an example
        token = panel.locator(".generation .tok").first
        expect(token).to_be_visible()
        tip = "el => getComputedStyle(el, '::after').content"
        assert token.evaluate(tip) in ("none", "normal", "")  # hidden until tapped
        token.tap()
        assert "most likely here" in token.evaluate(tip)
        screenshot(page, "generate_phone_tap")
