"""The Lessons tab: the course as data (at least ten lessons in the course's order, 3-8 steps, 40 or more),
every step's inputs fit its tab on the real page (English and Chinese models), a step whose tab is missing is
left out, /lessons has its exact shape, questions are checked (a model question by the model), and the led
class keeps only counts."""

from __future__ import annotations

import pytest

from playground.classroom import Classroom
from playground.i18n import using
from playground.lessons import all_lessons, course
from playground.ui import lessons as lessons_ui
from playground.ui.layout import build_demo
from playground.ui.links import view_of

ORDER = [
    "next-token", "tokens", "embeddings", "self-attention", "multi-head", "transformer-block", "bert-gpt",
    "pretraining", "fine-tuning", "decoding", "chat", "applications", "evaluation",
]  # fmt: skip


@pytest.fixture(scope="module")
def lc(settings, manager):
    return build_demo(settings, manager).playground_lessons


def test_the_course_follows_the_issues_order_and_size(lc):
    assert [lesson.id for lesson in all_lessons()] == ORDER
    for lesson in all_lessons():
        assert 3 <= len(lesson.steps) <= 8, lesson.id
    assert sum(len(lesson.steps) for lesson in lc.lessons) >= 40  # on this page, without the optional tabs
    for lesson in all_lessons():
        for step in lesson.steps:
            for language in ("en", "zh"):
                assert step.title[language] and step.text[language], (lesson.id, step.id)


def test_steps_of_a_missing_tab_are_left_out_and_come_back_with_it(lc):
    ids = [step.id for lesson in lc.lessons for step in lesson.steps]
    assert {"bleu", "rouge", "question-answering", "translation", "head-finder"} <= set(ids)
    missing = {"evaluate", "question-answering", "translation", "experiments"}
    fewer = course([tab for tab in lc.wiring.ids if tab not in missing])
    fewer_ids = [step.id for lesson in fewer for step in lesson.steps]
    assert not {"bleu", "rouge", "question-answering", "translation", "head-finder"} & set(fewer_ids)


@pytest.mark.parametrize("models", ["en", "zh"])
def test_every_steps_inputs_fit_its_tab_on_the_page(lc, models):
    for lesson in lc.lessons:
        for step in lesson.steps:
            view = view_of(lc.wiring.links, step.tab, step.inputs_for(models), lc.wiring.ids)
            assert view.tab == step.tab and not view.notices, (lesson.id, step.id, view.notices)
            assert len(view.values) == len(step.inputs_for(models))


def test_lessons_api_has_exactly_the_documented_shape(lc):
    for language in ("en", "zh"):
        answer = lessons_ui.lessons_api(lc, language)
        assert [lesson["id"] for lesson in answer] == [lesson.id for lesson in lc.lessons]
        for lesson in answer:
            assert set(lesson) == {"id", "title", "steps"}
            for step in lesson["steps"]:
                assert set(step) == {"id", "title", "text", "tab", "inputs"}
                assert step["tab"] in lc.wiring.ids and isinstance(step["inputs"], dict)
    assert lessons_ui.lessons_api(lc, "zh")[0]["title"] == all_lessons()[0].title["zh"]
    with pytest.raises(Exception, match="language"):
        lessons_ui.lessons_api(lc, "fr")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_step_shows_in_both_languages(lc, language):
    with using(language):
        for lesson in lc.lessons:
            for index, step in enumerate(lesson.steps):
                shown = lessons_ui.show(lc, lesson.id, index, [])
                assert step.title[language] in shown["content"]
                if step.question is not None:
                    assert step.question.prompt[language] in shown["question"]
                    assert "⚠️" not in shown["question"], (lesson.id, step.id, shown["question"])


def test_a_choice_question_and_a_model_question_are_checked(lc):
    lesson = lc.lesson("next-token")
    right, sentence = lessons_ui.check_answer(lc, lesson, 0, "1")
    assert right and "Right" in sentence
    wrong, sentence = lessons_ui.check_answer(lc, lesson, 0, "0")
    assert not wrong and "1" in sentence
    answer = lessons_ui.model_answer(lc, lesson.steps[1])  # the model's answer, read from the model
    assert lessons_ui.check_answer(lc, lesson, 1, answer.answer)[0]
    other = next(choice for choice in answer.choices if choice != answer.answer)
    right, sentence = lessons_ui.check_answer(lc, lesson, 1, other)
    assert not right and "model" in sentence


def test_next_marks_the_step_done_and_crosses_into_the_next_lesson(lc):
    first = lc.lessons[0]
    shown = lessons_ui.next_lesson_step(lc, first.id, len(first.steps) - 1, [], "")
    assert shown["index"] == 0 and shown["lesson"]["value"] == lc.lessons[1].id
    assert shown["done"] == [f"{first.id}/{first.steps[-1].id}"]
    back = lessons_ui.previous_lesson_step(lc, lc.lessons[1].id, 0, [], "")
    assert back["lesson"]["value"] == first.id and back["index"] == len(first.steps) - 1


def test_a_led_class_keeps_only_counts_of_its_own_choices():
    clock = [0.0]
    room = Classroom(clock=lambda: clock[0])
    code, key = room.start("next-token", 0)
    assert room.move(key, "next-token", 0, ["0", "1", "2"])
    assert room.poll(code, "s1", -1).step == 0 and room.poll(code, "s2", -1).step == 0
    assert room.poll(code, "s1", room.position().version) is None  # nothing changed: nothing to send
    assert room.answer(code, "s1", "next-token", 0, "1")
    assert room.answer(code, "s1", "next-token", 0, "2")  # a new answer replaces the page's earlier one
    assert not room.answer(code, "s2", "next-token", 0, "my name is Ann")  # not a choice: never kept
    assert not room.answer(code, "s2", "next-token", 1, "1")  # not the class's step
    stats = room.stats(key)
    assert (stats.joined, stats.answered, stats.counts) == (2, 1, [("0", 0), ("1", 0), ("2", 1)])
    assert room.stats("not-the-key") is None and not room.move("not-the-key", "x", 1)
    assert room.move(key, "next-token", 1, ["a", "b"])
    assert room.poll(code, "s2", stats.version).step == 1 and room.stats(key).answered == 0
    room.leave(code, "s2")
    clock[0] += 60  # s1 went away
    assert room.stats(key).joined == 0
    assert room.end(key) and room.poll(code, "s1", -1) is False and room.stats(key) is None


def test_a_session_begun_again_still_takes_every_lesson(settings, manager):
    # gradio forgets a page's session (a phone that slept, a closed heartbeat); the next event starts from the
    # page's first config, whose lesson field must offer every lesson, or the page's lesson is refused
    demo = build_demo(settings, manager)
    field = next(
        block for block in demo.blocks.values() if getattr(block, "elem_id", None) == "lesson-choice"
    )
    offered = [value for _label, value in field.choices]
    assert offered == [lesson.id for lesson in demo.playground_lessons.lessons]
