"""Issue 16, point 1: only an admin changes or unloads the server's models, whatever the request."""

from __future__ import annotations

import pytest

from playground.models import ModelManager
from playground.settings import Settings
from tests.helpers import ADMIN_PASSWORD, event_index, queue_call, refusal


@pytest.fixture(scope="module")
def open_server(tiny_model_dirs):
    """The app started without --admin-password; yields the demo, its URL and its models."""
    from playground.ui.layout import build_demo

    settings = Settings(models=dict(tiny_model_dirs), allow_custom_models=True)
    manager = ModelManager(settings.model_ids, "cpu")
    demo = build_demo(settings, manager).queue()
    demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)
    yield demo, demo.local_url, manager
    demo.close()


def test_without_a_password_the_controls_are_hidden_and_their_events_refuse(open_server, tiny_model_dirs):
    demo, url, manager = open_server
    password_boxes = [b for b in demo.blocks.values() if getattr(b, "type", None) == "password"]
    assert password_boxes  # the System tab's, and the Lessons tab's "Lead the class"
    for password_box in password_boxes:
        ancestors, block = [], password_box.parent
        while block is not None:
            ancestors.append(block)
            block = block.parent
        assert any(block.visible is False for block in ancestors)  # the group of the admin's controls
    manager.get("sentiment")
    started = dict(manager.model_ids)
    calls = [
        ("use_preset", ["", "zh"]),
        ("use_preset", ["anything", "zh"]),
        ("unload", ["", "sentiment"]),
        ("switch", ["", "sentiment", tiny_model_dirs["fill-mask"]]),
    ]
    for name, data in calls:
        answer = queue_call(url, event_index(demo, name), data)
        assert "--admin-password" in (refusal(answer) or ""), (name, answer)
    assert manager.model_ids == started and manager.is_loaded("sentiment")


def test_with_a_password_only_the_right_one_changes_the_models(app_url, manager, settings):
    from playground.ui.layout import build_demo

    demo = build_demo(settings, manager)  # the same events, numbered as on the session's app
    started = dict(manager.model_ids)
    manager.get("sentiment")
    for wrong in ["", "teacher", ADMIN_PASSWORD + " ", ["x"], None]:
        answer = queue_call(app_url, event_index(demo, "unload"), [wrong, "sentiment"])
        assert "Wrong admin password" in (refusal(answer) or ""), answer
        answer = queue_call(app_url, event_index(demo, "use_preset"), [wrong, "zh"])
        assert refusal(answer), answer
    assert manager.is_loaded("sentiment") and manager.model_ids == started

    answer = queue_call(app_url, event_index(demo, "use_preset"), [ADMIN_PASSWORD, "zh"])
    assert answer["success"] is True and manager.active_preset == "zh"
    answer = queue_call(app_url, event_index(demo, "use_preset"), [ADMIN_PASSWORD, "started"])
    assert answer["success"] is True and manager.model_ids == started  # the teacher's models again
    answer = queue_call(app_url, event_index(demo, "unload"), [ADMIN_PASSWORD, "sentiment"])
    assert answer["success"] is True and not manager.is_loaded("sentiment")


def test_the_password_is_a_flag_and_a_variable_and_never_shown():
    assert Settings.from_args(["--admin-password", "s3cret"]).admin_password == "s3cret"
    from_env = Settings.from_args([], environ={"PLAYGROUND_ADMIN_PASSWORD": "s3cret"})
    assert from_env.admin_password == "s3cret" and "s3cret" not in repr(from_env)
    from playground.settings import build_parser

    assert "s3cret" not in build_parser({"PLAYGROUND_ADMIN_PASSWORD": "s3cret"}).format_help()
    assert Settings.from_args([]).admin_password == ""
