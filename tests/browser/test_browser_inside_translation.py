"""The translation model in Inside and Attention in a real browser: the student picks the decoder, and under
its masked self-attention its cross-attention is drawn step by step (target × source); Attention draws the
cross-attention. The page does not scroll sideways on a phone."""

from __future__ import annotations

import pytest

from tests.browser.helpers import app_page, expect, open_tab, screenshot

WORDS = {
    "en": {
        "first": "Generate",
        "inside": "Inside",
        "attention": "Attention",
        "model": "Translation (an encoder-decoder: its encoder, its decoder or its cross-attention)",
        "decoder": "Decoder: writes the translation; masked self-attention, then cross-attention",
        "look": "Look inside",
        "cross": "Cross-attention: each translation token over the source",
        "show": "Show attention",
        "section": "The decoder's cross-attention (encoder-decoder attention)",
    },
    "zh": {
        "first": "生成",
        "inside": "模型内部",
        "attention": "注意力",
        "model": "翻译（编码器-解码器：它的编码器、解码器或交叉注意力）",
        "decoder": "解码器：写出译文；先是掩码自注意力，再是交叉注意力",
        "look": "看看内部",
        "cross": "交叉注意力：每个译文词元看向原文",
        "show": "显示注意力",
        "section": "解码器的交叉注意力（编码器-解码器注意力）",
    },
}
PLOTS = (
    26  # Inside's 16 (its two position charts included), and the cross-attention's 9 panels and its query row
)


@pytest.mark.parametrize(
    "language, locale, viewport",
    [("en", "en-US", None), ("zh", "zh-CN", {"width": 390, "height": 844})],
)
def test_the_decoder_and_its_cross_attention(browser, app_url, language, locale, viewport):
    words = WORDS[language]
    with app_page(browser, app_url, locale=locale, first_tab=words["first"]) as page:
        if viewport:
            page.set_viewport_size(viewport)
        panel = open_tab(page, words["inside"])
        panel.get_by_label(words["model"]).check()
        panel.get_by_label(words["decoder"]).check()  # shown once the translation model is chosen
        panel.get_by_role("button", name=words["look"], exact=True).click()
        expect(panel.get_by_text(words["section"])).to_be_visible()
        expect(panel.locator(".js-plotly-plot")).to_have_count(PLOTS)
        if viewport:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"] + 10, f"the page scrolls sideways on a phone ({width} px wide)"
        screenshot(page, f"inside_translation_{language}")
        panel = open_tab(page, words["attention"])
        panel.get_by_label(words["model"]).check()
        panel.get_by_label(words["cross"]).check()
        panel.get_by_role("button", name=words["show"], exact=True).click()
        expect(panel.locator(".js-plotly-plot .main-svg").first).to_be_visible()
