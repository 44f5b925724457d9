"""Lessons in Chromium: every lesson step's link opens its tab with its inputs (English and 中文 pages), Try it
and Check work, and a teacher leads three students (they follow within 2 s of the teacher's page, keep what
they typed, their answers are counted, one leaves and rejoins, the class ends)."""

from __future__ import annotations

import time

import pytest

from playground.translations import ZH
from tests.browser.helpers import app_page, expect, settle
from tests.helpers import ADMIN_PASSWORD

TAB_NAMES = {  # tab id -> its English name
    "lessons": "Lessons", "generate": "Generate", "fill-mask": "Fill-Mask", "sentiment": "Sentiment", "chat": "Chat",
    "attention": "Attention", "inside": "Inside", "train": "Train", "system": "System",
    "question-answering": "Question answering", "translation": "Translation", "evaluate": "Evaluate",
    "experiments": "Experiments",
}  # fmt: skip


@pytest.fixture(scope="module")
def lc(served_demo):
    return served_demo.playground_lessons


def first_text(inputs: dict) -> str | None:
    """The step's first text box value (a prompt, a text, a message)."""
    return next((inputs[name] for name in ("prompt", "text", "message", "system") if name in inputs), None)


def linked_steps(lc, every: bool):
    """(lesson, step number, step): every step, or one per lesson (a different one in each)."""
    for position, lesson in enumerate(lc.lessons):
        numbers = range(1, len(lesson.steps) + 1) if every else [position % len(lesson.steps) + 1]
        for number in numbers:
            yield lesson, number, lesson.steps[number - 1]


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_every_step_link_opens_its_tab_with_its_inputs(browser, app_url, lc, locale):
    """Every step in English; in Chinese (only the tab names differ), one step of each lesson. Each link in a
    fresh page, closed once checked (so no page is left loading when the next opens)."""
    zh = locale.startswith("zh")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    errors: list[str] = []
    try:
        for lesson, number, step in linked_steps(lc, every=not zh):
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
            page.goto(f"{app_url}?lesson={lesson.id}&step={number}")
            name = TAB_NAMES[step.tab]
            # the page's own tab bar comes first (Experiments has tabs of its own inside)
            expect(page.locator("[role=tab][aria-selected=true]").first).to_have_text(
                ZH[name] if zh else name
            )
            text = first_text(step.inputs)
            if text is not None:
                page.wait_for_function(
                    "(t) => [...document.querySelectorAll('[role=tabpanel] textarea')].some(e => e.value === t)",
                    arg=text,
                )
            page.close()
    finally:
        context.close()
    assert not errors


def test_try_it_check_and_a_bad_link(page, app_url):
    settle(page)  # leaving a page while its load events run aborts their streams, and gradio logs that
    page.goto(f"{app_url}?tab=fill-mask&text=%3Cimg%20src%3Dx%3E%20[MASK]&top_k=500")
    expect(page.locator("[role=tab][aria-selected=true]")).to_have_text("Fill-Mask")
    expect(page.get_by_label("Text with [MASK]")).to_have_value("<img src=x> [MASK]")  # text, never markup
    expect(page.locator(".toast-body")).to_contain_text("top_k")
    expect(page.locator("img[src=x]")).to_have_count(0)
    page.get_by_role("tab", name="Lessons").click()
    page.locator("#lesson-answer label").nth(1).click()
    page.locator("#lesson-check").click()
    expect(page.locator("#lesson-result")).to_contain_text("Right!")
    page.locator("#lesson-try").click()
    expect(page.locator("[role=tab][aria-selected=true]")).to_have_text("Generate")
    expect(page.get_by_label("Prompt")).to_have_value("The cat sat on the")
    page.locator("#copy-link").click()
    expect(page.locator("#copy-link-box textarea")).to_have_value(
        "{}?tab=generate&prompt=The%20cat%20sat%20on%20the&max_new_tokens=1&temperature=0&top_k=50&top_p=1"
        "&repetition_penalty=1&seed=0&num_samples=1".format(app_url.rstrip("/") + "/")
    )


def step_title(page):
    return page.locator("#lesson-step h2")


def test_a_teacher_leads_three_students(browser, app_url, lc):
    lesson = lc.lessons[0]
    with app_page(browser, app_url) as teacher:
        teacher.get_by_text("Lead the class").first.click()
        teacher.get_by_label("Admin password").fill(ADMIN_PASSWORD)
        teacher.locator("#lesson-lead").click()
        link = teacher.locator(".join a")
        expect(link).to_be_visible()
        join = link.get_attribute("href")
        assert "?follow=" in join
        with (
            app_page(browser, join, viewport={"width": 390, "height": 844}) as first,
            app_page(browser, join) as second,
            app_page(browser, join) as third,
        ):
            students = [first, second, third]
            for student in students:
                expect(student.get_by_label("Follow the teacher")).to_be_checked()
            expect(teacher.locator(".class-stats .counts")).to_contain_text("Joined: 3")
            first.get_by_role("tab", name="Generate").click()
            first.get_by_label("Prompt").fill("a sentence only I typed")
            teacher.locator("#lesson-next").click()
            title = lesson.steps[1].title["en"]
            expect(step_title(teacher)).to_have_text(title)
            moved = time.monotonic()
            for student in students:
                expect(step_title(student)).to_have_text(title, timeout=5000)
            assert time.monotonic() - moved < 2.5  # ~1 s polls; a little slack for a busy test machine
            expect(first.locator("[role=tab][aria-selected=true]")).to_have_text("Lessons")
            first.get_by_role("tab", name="Generate").click()
            expect(first.get_by_label("Prompt")).to_have_value("a sentence only I typed")
            first.get_by_role("tab", name="Lessons").click()
            for student in (first, second):
                student.locator("#lesson-answer label").first.click()
                student.locator("#lesson-check").click()
            expect(teacher.locator(".class-stats .counts")).to_contain_text("answered: 2")
            expect(teacher.locator(".class-stats .bar-row b").first).to_have_text("2")
            assert "a sentence only I typed" not in teacher.content()
            third.get_by_label("Follow the teacher").uncheck()
            teacher.locator("#lesson-next").click()
            expect(step_title(teacher)).to_have_text(lesson.steps[2].title["en"])
            expect(step_title(second)).to_have_text(lesson.steps[2].title["en"])
            expect(step_title(third)).to_have_text(title)  # exploring alone: stays
            third.get_by_label("Follow the teacher").check()
            expect(step_title(third)).to_have_text(lesson.steps[2].title["en"])
            teacher.locator("#lesson-end").click()
            expect(second.get_by_text("The teacher ended the class")).to_be_visible()
