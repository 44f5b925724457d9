""" "Try it" runs the step: every tab a step opens registers the action it runs, each step's `run` names one,
and try_it answers the button the page clicks; Attention's "step by step" jump opens Inside (issue 27)."""

from __future__ import annotations

import pytest

from playground.ui import lessons as lessons_ui
from playground.ui.layout import build_demo


@pytest.fixture(scope="module")
def lc(settings, manager):
    return build_demo(settings, manager).playground_lessons


def test_every_step_runs_an_action_of_its_tab(lc):
    links = lc.wiring.links
    for lesson in lc.lessons:
        for index, step in enumerate(lesson.steps):
            if step.tab == "lessons":
                continue
            target = lessons_ui.try_it(lc, lesson.id, index)[-1]
            if step.run is False:
                assert target == ""
                continue
            actions = links.actions.get(step.tab, {})
            assert actions, f"the {step.tab} tab registers no action"
            name = step.run if step.run is not None else next(iter(actions))
            assert name in actions, (lesson.id, step.id, step.run)
            assert target and target == actions[name].elem_id


def test_named_runs_and_first_actions(lc):
    actions = lc.wiring.links.actions
    assert next(iter(actions["inside"])) == "look" and "shuffle" in actions["inside"]
    assert next(iter(actions["fill-mask"])) == "predict" and "random" in actions["fill-mask"]
    assert next(iter(actions["train"])) == "fine-tune" and "pretrain" in actions["train"]
    runs = {step.id: step.run for lesson in lc.lessons for step in lesson.steps}
    assert (
        runs["order-lost"] == "shuffle" and runs["masked"] == "random" and runs["from-scratch"] == "pretrain"
    )
    ids = [button.elem_id for tab in actions.values() for button in tab.values()]
    assert len(ids) == len(set(ids))  # the page finds each by its own id


def test_attention_jumps_to_insides_step_by_step(lc):
    (jump,) = [jump for jump in lc.wiring.links.jumps if jump.tab == "inside"]
    assert set(jump.sources) == {"model", "text", "layer", "head"} and jump.anchor == "inside-formula"
    assert jump.button.elem_id == "attention-to-inside"
    assert lc.wiring.links.action_id("inside", jump.run) == "run-inside-look"
