"""The Chat tab in a real browser, in English and 中文: a message gets a streamed reply, the conversation shows
as the one text the model reads (special tokens visible), Reply again follows a new system prompt, and an
empty message gets one sentence."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import app_page, expect, open_tab, screenshot, wait_for_chart

WORDS = {
    "en": {
        "tab": "Chat",
        "first": "Generate",
        "send": "Send",
        "again": "Reply again",
        "system": "System prompt (optional)",
        "message": "Message",
        "info": "new tokens",
        "legend": "special token",
        "empty": "empty",
    },
    "zh": {
        "tab": "对话",
        "first": "生成",
        "send": "发送",
        "again": "重新回复",
        "system": "系统提示（可选）",
        "message": "消息",
        "info": "个新词元",
        "legend": "特殊词元",
        "empty": "空",
    },
}


def set_number(panel, index: int, value: str) -> None:
    """Type a value into the number box of the index-th slider or number field of the panel."""
    box = panel.get_by_role("spinbutton").nth(index)
    box.fill(value)
    box.press("Enter")


@pytest.mark.parametrize("language, locale", [("en", "en-US"), ("zh", "zh-CN")])
def test_chat_shows_the_text_the_model_reads_and_streams_a_reply(browser, app_url, language, locale):
    words = WORDS[language]
    with app_page(browser, app_url, locale=locale, first_tab=words["first"]) as page:
        panel = open_tab(page, words["tab"])
        set_number(panel, 0, "12")  # the tiny model's context is 64 tokens
        set_number(panel, 1, "0")  # greedy
        panel.get_by_label(words["message"], exact=True).fill("What is a cat?")
        panel.get_by_role("button", name=words["send"], exact=True).click()

        expect(panel.get_by_text(words["info"]).first).to_be_visible()
        wait_for_chart(panel)
        template = panel.locator(".chat-template")
        expect(template.get_by_text("<|im_start|>").first).to_be_visible()
        expect(template.get_by_text("<|im_end|>").first).to_be_visible()
        expect(template.get_by_text(words["legend"], exact=True)).to_be_visible()
        bot = panel.locator(".chat-conversation [data-testid='bot']")
        expect(bot).to_have_count(1)
        expect(panel.get_by_label(words["message"], exact=True)).to_have_value("")
        screenshot(page, f"chat_{language}")

        panel.get_by_label(words["system"], exact=True).fill("You are a pirate.")
        panel.get_by_role("button", name=words["again"], exact=True).click()
        expect(template.locator(".chat-system").first).to_be_visible()
        expect(bot).to_have_count(1)  # the reply was replaced, not added

        panel.get_by_role("button", name=words["send"], exact=True).click()  # the message box is empty now
        toast = page.get_by_test_id("toast-body").filter(has_text=re.compile(words["empty"]))
        expect(toast).to_be_visible()


def test_chat_on_a_phone(browser, app_url):
    with app_page(browser, app_url) as page:
        page.set_viewport_size({"width": 390, "height": 844})
        page.get_by_role("tab", name="Chat", exact=True).click()  # every tab in view, none in a menu
        panel = page.get_by_role("tabpanel")
        set_number(panel, 0, "8")
        panel.get_by_role("button", name="Send", exact=True).click()
        template = panel.locator(".chat-template")
        expect(template.get_by_text("<|im_start|>").first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"the page scrolls sideways on a phone ({width} px wide)"
        screenshot(page, "chat_phone")
