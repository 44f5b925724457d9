"""The Question answering tab (问答): its batched handler, in both languages, with user text shown as text."""

from __future__ import annotations

import re

import pytest

from playground.i18n import using
from playground.tasks import question_answering as qa
from playground.ui import question_answering as qa_tab
from playground.ui.context import Context
from playground.ui.layout import build_demo
from playground.viz import question_answering as qa_viz

HTML_CONTEXT = "<img src=x onerror=alert(1)> The cat sat on the <b>mat</b>. <script>alert('hi')</script>"


@pytest.fixture(scope="module")
def context(settings, manager) -> Context:
    return Context.create(settings, manager)


def test_a_batch_of_requests_gets_each_its_own_view_or_its_own_sentence(context):
    summaries, marked, spans, probabilities, errors = qa_tab.run(
        context,
        ["Where did the cat sit?", ""],
        ["Paris is the capital of France. The cat sat on the mat.", "The cat sat."],
        [3, 3],
        [30, 30],
    )
    assert summaries[0].startswith("Answer: “**") and errors[0] == ""
    expected = qa.answer(
        context.model("question-answering"), "Where did the cat sit?", qa_tab.EXAMPLES["en"][0][1], 2000, 3
    )
    assert '<mark class="qa-answer"' in marked[0] and expected.best.answer in marked[0]
    assert spans[0].count("<tr>") == 1 + 3  # the header and three spans
    assert probabilities[0].count('class="qa-tok') == 1 + len(
        expected.windows[0].offsets
    )  # row names + tokens
    assert (
        "question" in errors[1] and summaries[1] is not None
    )  # the empty question: its sentence, results cleared


def test_user_text_is_shown_as_text_never_as_html(context):
    result = qa.answer(
        context.model("question-answering"), "<b>Where</b> did the cat sit?", HTML_CONTEXT, 2000, 5
    )
    for html in (qa_viz.answer_html(result), qa_viz.spans_html(result), qa_viz.probabilities_html(result)):
        assert "<img" not in html and "<script" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in qa_viz.answer_html(result)
    summary, *_ = qa_tab.render(result)
    assert "<" not in summary.replace("⚠️", "")


def test_the_view_in_chinese_and_the_window_note(context):
    long = " ".join([qa_tab.FACTS_EN] * 2)
    result = qa.answer(context.model("question-answering"), "What does Tom play?", long, 2000, 3)
    assert len(result.windows) > 1
    with using("zh"):
        summary, marked, spans, probabilities = qa_tab.render(result)
    assert summary.startswith("答案：") and "窗口" in summary  # the note on windows, in Chinese
    assert "名次" in spans and "其他" in probabilities and "最好的答案在这里" in probabilities
    assert (
        probabilities.count("<details") == len(result.windows) + 1
    )  # each window, and the fold of the others
    assert probabilities.count("<details class='qa-window' open>") == 1


def test_the_tab_is_on_the_page_with_examples_in_both_languages(settings, manager):
    demo = build_demo(settings, manager)
    config = demo.get_config_file()
    assert any(c.get("props", {}).get("id") == "question-answering" for c in config["components"])
    assert "/question_answering" in {f"/{d['api_name']}" for d in config["dependencies"] if d.get("api_name")}
    for language, examples in qa_tab.EXAMPLES.items():
        assert len(examples) >= 3
        assert all(bool(re.search("[\u4e00-\u9fff]", q + c)) == (language == "zh") for q, c, _, _ in examples)
