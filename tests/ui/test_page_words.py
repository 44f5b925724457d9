"""Words of the page outside the tabs in both languages: the pop-ups' titles and the footer's task names."""

from __future__ import annotations

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
