"""A page whose gradio session was forgotten keeps working (issue 27). Gradio keeps at most --max-sessions sessions
(20 in the tests) and forgets the least recently active first. What a lesson page needs to go on is held by the page
and sent with each event (the step's index, the join code it follows, the teacher's key), and the answer's choices
are derived again from the step: before, a forgotten student's Check was refused until the next move ("does not
offer … now": its session's copy of the choices was gone, and its join code with it), and a forgotten teacher could
no longer move the class (its key lived in its session only)."""

from __future__ import annotations

import uuid

from tests.helpers import ADMIN_PASSWORD, event_index, queue_call
from tests.served.test_follow_sessions import class_on_a_question, fixed_question, page_event


def forget(served_demo, url: str, session: str, max_sessions: int) -> None:
    """Other sessions come and go (one-off clients) until gradio has forgotten `session`."""
    lessons_api = event_index(served_demo, "lessons_api")
    for _ in range(max_sessions + 5):
        assert queue_call(url, lessons_api, ["en"])["success"]
    assert session not in served_demo.state_holder


def outputs_of(served_demo, name: str, answer: dict) -> dict:
    """An event's outputs by their component's elem_id or (for the hidden boxes) their index in the tab's parts."""
    parts = served_demo.playground_lessons_tab.parts
    fn = served_demo.fns[event_index(served_demo, name)]
    by_id = {block._id: value for block, value in zip(fn.outputs, answer["output"]["data"], strict=False)}
    return {part: by_id[block._id] for part, block in parts.items() if block._id in by_id}


def value(output):
    return output.get("value") if isinstance(output, dict) else output


def test_a_forgotten_followers_check_counts_with_the_choices_of_its_step(served_demo, settings):
    room, url = served_demo.playground_lessons.classroom, served_demo.local_url.rstrip("/")
    with class_on_a_question(served_demo) as (lesson, index, code, key, follower, opened):
        shown = outputs_of(served_demo, "open_page", opened)
        assert value(shown["code"]) == code and value(shown["index"]) == index
        forget(served_demo, url, follower, settings.max_sessions)
        check = event_index(served_demo, "check")
        page = [lesson.id, value(shown["index"]), "0", [], value(shown["code"])]  # what the page holds
        checked = page_event(url, check, page, follower)
        assert checked["success"], checked
        assert not [log for log in checked.get("logs", []) if log.get("level") == "error"]
        assert room.stats(key).answered == 1  # its answer reached the teacher's counts
        # a value the step does not offer is still refused, with one sentence, and not counted
        refused = queue_call(url, check, [lesson.id, index, "not a choice", [], code], session=follower)
        assert [log["log"] for log in refused["logs"] if log.get("level") == "error"] == [
            "“Your answer” does not offer &#x27;not a choice&#x27;: send one of its choices."
        ] or not refused["success"]
        assert room.stats(key).counts == [
            (str(i), int(i == 0)) for i in range(len(lesson.steps[index].question.choices))
        ]


def test_a_forgotten_teacher_still_moves_the_class(served_demo, settings):
    lc = served_demo.playground_lessons
    lesson, index = fixed_question(lc)
    url, teacher = served_demo.local_url.rstrip("/"), uuid.uuid4().hex
    led = page_event(url, event_index(served_demo, "lead"), [ADMIN_PASSWORD, lesson.id, index], teacher)
    assert led["success"], led
    key = value(outputs_of(served_demo, "lead", led)["key"])
    room = lc.classroom
    try:
        assert room.leading(key)
        version = room.position().version
        forget(served_demo, url, teacher, settings.max_sessions)
        moved = page_event(
            url, event_index(served_demo, "next_lesson_step"), [lesson.id, index, [], key], teacher
        )
        assert moved["success"], moved
        assert (room.position().lesson, room.position().step) == (lesson.id, index + 1)
        assert room.position().version == version + 1
        ticked = page_event(
            url, event_index(served_demo, "teacher_tick"), [key, None, lesson.id, index + 1], teacher
        )
        assert "Joined" in str(outputs_of(served_demo, "teacher_tick", ticked).get("stats"))
        # a key the page did not get from the server moves nothing
        page_event(
            url, event_index(served_demo, "next_lesson_step"), [lesson.id, index + 1, [], "guess"], teacher
        )
        assert room.position().version == version + 1
    finally:
        room.end(key)
