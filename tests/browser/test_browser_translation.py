"""The Translation tab in a browser: Translate writes the tiny Marian model's translation and draws the
next-token chart and the cross-attention heatmap; Undo takes a token back; the chat model's side shows the text
it reads, special tokens and all; the bertviz model view draws in its sandboxed frame."""

from __future__ import annotations

from tests.browser.helpers import expect, open_tab


def test_translate_and_see_the_cross_attention(page):
    panel = open_tab(page, "Translation")
    panel.get_by_role("button", name="Translate", exact=True).click()
    output = panel.locator(".gen-output").first
    expect(output).to_contain_text("图书馆")
    charts = panel.locator(".js-plotly-plot")
    expect(charts.nth(1)).to_be_visible()
    expect(charts.nth(1)).to_contain_text("Cross-attention")
    expect(panel.get_by_text("tokens · greedy search")).to_be_visible()
    panel.get_by_role("button", name="Undo", exact=True).click()
    expect(panel.get_by_text("Step mode")).to_be_visible()
    panel.get_by_text("bertviz: encoder, decoder and cross-attention").click()
    panel.get_by_role("button", name="Draw bertviz model view").click()
    frame = page.frame_locator("iframe.bertviz-frame")
    expect(frame.locator("#filter")).to_have_value("2")  # the cross-attention first
    expect(frame.locator("svg").first).to_be_visible()


def test_the_chat_model_translates_beside_it(page):
    panel = open_tab(page, "Translation")
    panel.locator("textarea").first.fill("Where is the train station?")  # short: the tiny chat model reads 64
    max_new_tokens = panel.locator("input[type=number]").nth(4)  # the chat side's slider
    max_new_tokens.fill("8")
    max_new_tokens.press("Enter")
    panel.get_by_role("button", name="Translate with the chat model").click()
    template = panel.locator("div.chat-template")
    expect(template).to_contain_text("<|im_start|>")
    expect(template).to_contain_text("<|im_end|>")  # the instruction is a user message, ids beside its tokens
    expect(panel.get_by_text("Seed 0")).to_be_visible()
