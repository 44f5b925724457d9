"""The Attention tab's handlers: sliders only where the view reads them, and a text cut for a big view said once."""

from __future__ import annotations

import pytest

from playground.tasks import attention_ops as ops
from playground.ui import attention as attention_tab
from playground.ui.context import Context


@pytest.fixture(scope="module")
def context(settings, manager) -> Context:
    return Context.create(settings, manager)


def test_only_the_sliders_a_view_reads_are_shown():
    shown = {kind: attention_tab.sliders_for(kind) for kind in ops.VIEWS}
    assert shown["head"]["layer"].visible and shown["head"]["head"].visible
    for kind in ("mean", "rollout", "layer"):
        assert shown[kind]["layer"].visible and not shown[kind]["head"].visible
    assert not shown["overview"]["layer"].visible and not shown["overview"]["head"].visible


def test_a_text_cut_for_a_big_view_is_said_once(context, monkeypatch):
    text = " ".join(["the cat sat on the mat"] * 5)
    drawn = attention_tab.run(context, "fill-mask", text, "head", 1, 1, False, [1, 2], [1, 2], False)
    assert "⚠️" not in drawn["info"]  # the whole text fits one head
    monkeypatch.setattr(ops, "PLOT_CELL_BUDGET", 4 * 10 * 10)  # four 10 x 10 matrices
    overview = attention_tab.draw(context, drawn["shown"], "overview", 1, 1, False, [1, 2], [1, 2], True)
    assert overview["info"].count("⚠️") == 1 and "first 10 of the" in overview["info"]
    assert overview["plot"].layout.coloraxis.colorbar.title.text == "share of the panel's largest weight"
