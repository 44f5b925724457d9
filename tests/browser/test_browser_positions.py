"""Issue 27, point 4 in Chromium: "Try it" opens a step's tab AND runs it (the Generate step shows generated
text; the word-order step shuffles and shows the measured differences), Attention's "step by step" opens Inside
with the same head computed, and Fill-Mask's "Mask 15% at random" shows the model's guesses."""

from __future__ import annotations

from tests.browser.helpers import expect, open_tab


def test_try_it_runs_the_steps_action(page):
    page.locator("#lesson-try").click()  # the first step: a Generate prompt
    expect(page.locator("[role=tab][aria-selected=true]")).to_have_text("Generate")
    # the output box is empty until a generation answers: the prompt and its continuation show there
    expect(page.locator(".block.gen-output")).to_contain_text("The cat sat on the", timeout=60_000)

    page.get_by_role("tab", name="Lessons").click()
    page.locator("#lesson-choice input").click()
    page.get_by_role("option", name="Embeddings and positions").click()
    # a click while a step loads is ignored (gradio's trigger_mode "once"), so each step is waited for
    for title in ("Similar words, similar vectors", "Where is each word?", "Shuffle the words"):
        page.locator("#lesson-next").click()
        expect(page.locator("#lesson-step h2")).to_have_text(title)
    page.locator("#lesson-try").click()  # run: shuffle
    expect(page.locator("[role=tab][aria-selected=true]")).to_have_text("Inside")
    panel = page.get_by_role("tabpanel").and_(page.locator(":not([role=tabpanel] *)"))
    expect(panel).to_contain_text("with positions, ", timeout=60_000)
    expect(panel).to_contain_text("Shuffled:")
    expect(panel).to_contain_text("without them")


def test_attention_opens_insides_step_by_step_and_fill_mask_masks_at_random(page):
    panel = open_tab(page, "Attention")
    panel.get_by_label("Text", exact=True).fill("dog bites man")
    page.locator("#attention-to-inside").click()
    expect(page.locator("[role=tab][aria-selected=true]")).to_have_text("Inside")
    panel = page.get_by_role("tabpanel").and_(page.locator(":not([role=tabpanel] *)"))
    expect(panel.get_by_label("Text", exact=True)).to_have_value("dog bites man")
    expect(panel).to_contain_text("Layer 1 of this model, head 1", timeout=60_000)  # the head, computed
    expect(page.locator("#inside-block-diagram")).to_contain_text("Post-norm")  # the fill-mask model: BERT
    expect(page.locator("#inside-block-diagram")).to_contain_text("largest difference")

    panel = open_tab(page, "Fill-Mask")
    panel.get_by_label("Text with [MASK]").fill(
        "The cat sat on the mat because it was tired and wanted to sleep."
    )
    page.locator("#fill-mask-random").click()
    expect(panel).to_contain_text("The model's best guess is the original token", timeout=60_000)
    expect(panel.locator(".random-mask-table")).to_be_visible()
