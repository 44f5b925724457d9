"""A follower's page draws the class's move cheaply (ui/lessons.py follow_move): a step on (into the next lesson
too), on the Lessons tab, sends only the step's own outputs, each as show() draws it; anything more (buttons that
change, another tab, a page whose step is not known, the class ended) is handed on to redraw_step,
which draws the whole step as before. What the page shows after either is what show() gives."""

from __future__ import annotations

import pytest

from playground.ui import lessons as lessons_ui
from playground.ui.layout import build_demo


@pytest.fixture(scope="module")
def lc(settings, manager):
    return build_demo(settings, manager).playground_lessons


def showing(lesson, index) -> str:
    return f"{lesson.id}|{index}"


def test_a_step_on_sends_only_the_steps_own_outputs(lc):
    lesson = next(lesson for lesson in lc.lessons if len(lesson.steps) >= 3)
    drawn = lessons_ui.follow_move(lc, f"{lesson.id}|2|7|1", [], showing(lesson, 1), lessons_ui.TAB)
    assert set(drawn) <= set(lessons_ui.LEAN) and "redraw" not in drawn
    assert {"index", "showing", "content", "question", "answer", "result"} <= set(drawn)
    full = lessons_ui.show(lc, lesson.id, 2, [])
    assert all(drawn[name] == full[name] for name in drawn)  # each as the whole draw gives it
    # what it leaves out, the page already shows the same
    before = lessons_ui.show(lc, lesson.id, 1, [])
    assert all(before[name] == full[name] for name in full if name not in drawn)
    assert drawn["result"] == "" and drawn["answer"]["value"] is None  # the last step's answer cleared


def test_the_step_the_page_shows_already_sends_nothing(lc):
    lesson = lc.lessons[0]
    assert lessons_ui.follow_move(lc, f"{lesson.id}|1|3|2", [], showing(lesson, 1), lessons_ui.TAB) == {}


def test_on_into_the_next_lesson_is_lean_too(lc):
    first, second = lc.lessons[1], lc.lessons[2]
    last = len(first.steps) - 1
    drawn = lessons_ui.follow_move(lc, f"{second.id}|0|9|1", [], showing(first, last), lessons_ui.TAB)
    assert "redraw" not in drawn and drawn["lesson"]["value"] == second.id
    full = lessons_ui.show(lc, second.id, 0, [])
    assert all(drawn[name] == full[name] for name in drawn)


@pytest.mark.parametrize("case", ["the course's first step", "other tab", "step not known", "ended"])
def test_more_than_a_step_on_is_handed_on_to_the_whole_draw(lc, case):
    first, second = lc.lessons[0], lc.lessons[1]
    moved, page_step, tab = f"{second.id}|0|5|1", showing(second, 1), lessons_ui.TAB
    if case == "the course's first step":  # Previous can be clicked now: a button changes
        moved, page_step = f"{first.id}|1|5|1", showing(first, 0)
    elif case == "other tab":
        tab = "generate"
    elif case == "step not known":
        page_step = None
    else:
        moved = "ended|3"
    assert lessons_ui.follow_move(lc, moved, [], page_step, tab) == {"redraw": moved}
    whole = lessons_ui.redraw_step(lc, moved, [])
    if case == "ended":
        assert whole["listen"] == "" and whole["code"] == "" and "ended" in whole["follow_status"]
    else:
        assert whole["showing"] == moved.rsplit("|", 3)[0] + "|" + moved.split("|")[1]
        assert whole["selected"] == lessons_ui.TAB and whole["lesson"]["value"] == moved.split("|")[0]


def test_a_move_that_changes_the_buttons_is_drawn_whole(lc):
    lesson = next(lesson for lesson in lc.lessons if len(lesson.steps) >= 2)
    before = lessons_ui.show(lc, lesson.id, 0, [])
    after = lessons_ui.show(lc, lesson.id, 1, [])
    differ = [name for name in lessons_ui.KEPT_WHEN_SAME if before[name] != after[name]]
    moved = f"{lesson.id}|1|4|1"
    drawn = lessons_ui.follow_move(lc, moved, [], showing(lesson, 0), lessons_ui.TAB)
    assert drawn == (
        {"redraw": moved} if differ else {k: v for k, v in after.items() if k in lessons_ui.LEAN}
    )
    assert lessons_ui.follow_move(lc, "not a move", [], showing(lesson, 0), lessons_ui.TAB) == {}
