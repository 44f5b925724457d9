"""English and 中文 in a real browser: the page follows the browser's language, the switch at the top
changes it, and what the server writes (summaries, errors) comes back in the language shown."""

from __future__ import annotations

import re

from tests.browser.helpers import app_page, expect, open_tab, screenshot, settle, wait_for_chart

CJK = re.compile(r"[\u4e00-\u9fff]")


def toast(page, pattern: re.Pattern):
    return page.get_by_test_id("toast-body").filter(has_text=pattern)


def close_toasts(page):
    for close in page.get_by_test_id("toast-body").get_by_role("button", name=re.compile("Close|关闭")).all():
        close.click()
    expect(page.get_by_test_id("toast-body")).to_have_count(0)


def test_chinese_browser_gets_the_page_and_its_answers_in_chinese(browser, app_url):  # noqa: F811
    with app_page(browser, app_url, locale="zh-CN", first_tab="生成") as page:
        expect(page.get_by_role("radio", name="中文")).to_be_checked()
        for tab in ("完形填空", "情感分类", "注意力"):
            expect(page.get_by_role("tab", name=tab, exact=True)).to_be_visible()

        panel = open_tab(page, "完形填空")
        text = panel.get_by_label("带 [MASK] 的文本")
        text.fill("The cat sat on the [MASK].")
        panel.get_by_role("button", name="预测").click()
        wait_for_chart(panel)
        expect(panel.get_by_text("最佳填空")).to_be_visible()  # written by the server, in Chinese
        expect(panel.locator("thead").last).to_contain_text("带 [MASK] 的文本")  # the examples' columns

        text.fill("There is no blank here.")
        panel.get_by_role("button", name="预测").click()
        error = toast(page, CJK)
        expect(error).to_be_visible()
        expect(error).not_to_contain_text("There is no mask")
        title = error.locator(".toast-title").first  # gradio writes its type, "Error": the page shows 出错了
        assert title.evaluate("el => getComputedStyle(el, '::before').content") == '"出错了"'
        assert title.evaluate("el => getComputedStyle(el).fontSize") == "0px"
        screenshot(page, "toast_zh")
        expect(page.locator(".footer-models").first).to_contain_text("文本生成")  # the footer's task names


def test_the_switch_changes_the_language_of_the_page_and_of_the_answers(browser, app_url):  # noqa: F811
    with app_page(browser, app_url, locale="en-US") as page:
        expect(page.get_by_role("radio", name="English")).to_be_checked()
        served_font = """async () => {
          await document.fonts.load('16px "Playground Zhongwen"', '中文');
          return [...document.fonts].some((f) => f.family.includes('Playground Zhongwen') && f.status === 'loaded');
        }"""
        assert page.evaluate(served_font)  # 中文 reads even where the machine has no Chinese font
        page.get_by_role("radio", name="中文").check()
        expect(page.get_by_role("tab", name="情感分类", exact=True)).to_be_visible()
        expect(page.get_by_role("tab", name="Sentiment", exact=True)).to_have_count(0)
        settle(page)  # the events the switch started have ended (a reload would cut them)
        page.reload()  # the choice is remembered on this device
        expect(page.get_by_role("radio", name="中文")).to_be_checked()
        expect(page.get_by_role("tab", name="情感分类", exact=True)).to_be_visible()

        panel = open_tab(page, "情感分类")
        panel.get_by_label("文本", exact=True).fill("I loved this film.")
        panel.get_by_role("button", name="分类", exact=True).click()
        wait_for_chart(panel)
        expect(panel.get_by_text("预测：")).to_be_visible()

        panel.get_by_label("文本", exact=True).fill("   ")
        panel.get_by_role("button", name="分类", exact=True).click()
        expect(toast(page, CJK)).to_be_visible()
        close_toasts(page)

        expect(page.locator(".footer-models").first).to_contain_text("完形填空")
        page.get_by_role("radio", name="English").check()
        expect(page.get_by_role("tab", name="Sentiment", exact=True)).to_be_visible()
        expect(page.locator(".footer-models").first).to_contain_text("Fill-mask")
        panel = open_tab(page, "Sentiment")
        panel.get_by_role("button", name="Classify", exact=True).click()
        expect(toast(page, re.compile("empty", re.IGNORECASE))).to_be_visible()


def test_no_tab_shows_a_raw_translation_key(browser, app_url):  # noqa: F811
    for locale, tabs in [
        ("zh-CN", ["生成", "完形填空", "情感分类", "对话", "注意力", "模型内部", "训练", "系统"]),
        ("en-US", ["Generate", "Fill-Mask", "Sentiment", "Chat", "Attention", "Inside", "Train", "System"]),
    ]:
        with app_page(browser, app_url, locale=locale, first_tab=tabs[0]) as page:
            for tab in tabs:
                panel = open_tab(page, tab)
                for accordion in panel.locator("button.label-wrap").all():  # open every section
                    accordion.click()
                expect(page.locator("body")).not_to_contain_text("__i18n__")
