"""Words of the page outside the tabs in both languages: the pop-ups' titles, the footer's task names, and how the
page names the demo models."""

from __future__ import annotations

from playground.demo import demo_models, shown_model_id
from playground.i18n import lazy, using
from playground.tasks.validation import InputError
from playground.ui.context import Context
from playground.ui.errors import as_gr_error
from playground.ui.layout import footer_text


def test_the_pop_up_title_is_in_the_page_language():
    error = InputError(lazy("Please type some {what} first: it is empty.", what="text"))
    with using("zh"):
        assert as_gr_error(error, page=True).title == "出错了"
    with using("en"):
        assert as_gr_error(error, page=True).title == "Error"


def test_the_footer_names_the_tasks_in_the_page_language(settings, manager):
    context = Context.create(settings, manager)
    with using("zh"):
        chinese = footer_text(context)
    assert "文本生成" in chinese and "完形填空" in chinese and "generation:" not in chinese
    with using("en"):
        assert "Generation: `" in footer_text(context)


def test_a_demo_model_is_named_by_its_folder_not_by_its_path_in_the_cache(
    settings, manager, monkeypatch, tmp_path
):
    monkeypatch.setenv("PLAYGROUND_DEMO_DIR", str(tmp_path / "cache" / "demo"))
    folders = demo_models("en")
    assert shown_model_id(folders["generation"]) == "tiny-gpt2"
    assert shown_model_id("openai-community/gpt2") == "openai-community/gpt2"
    own = str(tmp_path / "models" / "tiny-gpt2")  # a folder the admin gave: named as given
    assert shown_model_id(own) == own
    monkeypatch.setattr(manager, "model_ids", folders)
    footer = footer_text(Context.create(settings, manager))
    assert "`tiny-gpt2`" in footer and "`tiny-marian-en-zh`" in footer and "cache" not in footer
