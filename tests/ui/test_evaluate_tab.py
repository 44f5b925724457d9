"""The Evaluate tab's handlers, called as gradio would: perplexity of two texts side by side, BLEU and ROUGE with
what explains them, user text escaped, every word in both languages, and a text sent here from another tab."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import gradio as gr
import pytest

from playground.i18n import using
from playground.tasks import evaluation
from playground.tasks.validation import InputError
from playground.translations import ZH
from playground.ui import evaluate
from playground.ui.context import Context
from playground.ui.events import CLEARED
from playground.viz import evaluation as viz

PLAYGROUND = Path(evaluate.__file__).resolve().parents[1]
INJECTION = "<img src=x onerror=alert(1)><script>alert(2)</script>"


@pytest.fixture(scope="module")
def context(settings, manager) -> Context:
    return Context.create(settings, manager)


def test_two_texts_side_by_side(context):
    text = "Once upon a time, in a small village, there lived a teacher."
    shuffled = evaluate.shuffle(text, 0)["text_b"]
    shown = evaluate.perplexities(context, text, shuffled)
    assert set(shown) == {"summary", "plot_a", "plot_b"}
    a = evaluation.text_perplexity(context.model("generation"), text, 2000)
    assert f"perplexity **{a.perplexity:.1f}**" in shown["summary"] and "Text B is" in shown["summary"]
    bars = shown["plot_a"].data[0]
    assert list(bars.y) == pytest.approx(
        [-v for v in a.logprobs]
    )  # the surprise of each token after the first
    assert shown["plot_b"].data[0].y is not None


def test_text_b_is_optional_and_a_refusal_names_its_text(context):
    shown = evaluate.perplexities(context, "The cat sat on the mat.", "  ")
    assert shown["plot_b"] is CLEARED and "Text B" not in shown["summary"]
    with pytest.raises(InputError, match="^Text B: Perplexity needs at least two tokens"):
        evaluate.perplexities(context, "The cat sat on the mat.", "a")
    with using("zh"), pytest.raises(InputError, match="^文本 A：请"):
        evaluate.perplexities(context, "", "The cat")


def test_a_long_text_says_it_was_read_in_windows(context):
    text = " ".join(["The quick brown fox jumps over the lazy dog."] * 12)
    shown = evaluate.perplexities(context, text, "")
    assert "overlapping windows" in shown["summary"]


def test_score_shows_the_numbers_and_what_explains_them(context):
    candidate, ref_1, ref_2 = (
        "The cat is sitting on the mat.",
        "The cat sat on the mat.",
        "A cat was sitting on the mat.",
    )
    shown = evaluate.score(context, candidate, ref_1, "", ref_2, "en")
    result = evaluation.score_text(candidate, [ref_1, ref_2], "en", 2000)  # the empty box is left out
    assert (
        f"{result.bleu.score:.1f}" in shown["cards"]
        and f"{result.rouge['rougeL'].fmeasure:.3f}" in shown["cards"]
    )
    assert list(shown["bleu_plot"].data[0].y) == result.bleu.precisions
    assert "no brevity penalty" in shown["bleu_text"]
    assert shown["bleu_html"].count("ev-o4") >= 1 + 1  # a matched 4-gram in the candidate and a reference
    assert "ev-lcs" in shown["rouge_html"] and "Reference 2" in shown["bleu_html"]
    short = evaluate.score(context, "The cat on mat", ref_1, "", "", "en")  # no 3-gram matches: smoothed
    assert "brevity penalty e^(1 − 7/4)" in short["bleu_text"] and "smoothing" in short["bleu_text"]
    tiny = evaluate.score(context, "The cat", ref_1, "", "", "en")
    assert "no 3-grams" in tiny["bleu_text"] and "0.0" in tiny["cards"]


def test_chinese_scores_in_chinese(context):
    with using("zh"):
        shown = evaluate.score(context, "猫坐在垫子上。", "猫坐在席子上。", "一只猫坐在垫子上。", "", "zh")
    assert "参考文本 2" in shown["bleu_html"] and "最长公共子序列" in shown["rouge_html"]
    assert '<span class="ev-tok ev-lcs">猫</span>' in shown["rouge_html"]


def test_the_means_are_named_in_the_legend_not_over_the_bars(context):
    """The geometric mean's label beside its line covered the "n/n" over the bars it crossed (a perfect
    candidate on a phone: 5/5 and 4/4 hidden), the average surprise's the top of a bar (projector mode); now
    each is a legend entry below its chart, and no bar's count is hidden."""
    with using("zh"):
        fig = viz.bleu_figure(evaluation.score_text("猫坐在垫子上。", ["猫坐在垫子上。"], "zh", 2000))
    assert not fig.layout.annotations  # nothing drawn over the bars
    named = [trace.name for trace in fig.data if trace.showlegend is not False]
    assert named == ["几何平均 100.0"] and fig.layout.showlegend
    assert list(fig.data[0].text) == ["7/7", "6/6", "5/5", "4/4"]
    surprise = evaluate.perplexities(context, "The cat sat on the mat.", "")["plot_a"]
    assert not surprise.layout.annotations and surprise.layout.showlegend
    assert [trace.name for trace in surprise.data if trace.showlegend is not False][0].startswith("average ")


def test_score_refuses_bad_input_in_one_sentence(context):
    with pytest.raises(InputError, match="at least one reference"):
        evaluate.score(context, "The cat", "", " ", "", "en")
    with pytest.raises(InputError, match="candidate"):
        evaluate.score(context, "", "The cat", "", "", "en")
    with pytest.raises(InputError, match="Unknown language"):
        evaluate.score(context, "The cat", "The cat", "", "", "de")


def test_user_text_is_escaped_everywhere(context):
    text = f"{INJECTION} the cat sat"
    shown = evaluate.score(context, text, text, "", "", "en")
    for html in (shown["cards"], shown["bleu_html"], shown["rouge_html"]):
        assert "<img" not in html and "<script" not in html
    assert "&lt;" in shown["bleu_html"]  # sacrebleu's tokens of the tags, shown as text
    figure = evaluate.perplexities(context, text, "")["plot_a"]
    assert not any("<img" in str(tick) for tick in figure.layout.xaxis.ticktext)


def test_matched_orders_marks_each_ngram_as_often_as_it_counts():
    matches = [evaluation.NgramMatch(("the",), 1), evaluation.NgramMatch(("the", "cat"), 1)]
    assert viz.matched_orders(["the", "cat", "the", "dog"], matches) == [2, 2, 0, 0]
    assert viz.subsequence_positions(["a", "b", "a", "c"], ["a", "c"]) == {0, 3}


def _strings_to_translate(path: Path) -> list[str]:
    """Every literal string passed to _(), lazy() or ui() in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in {"_", "lazy", "ui"} and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append(first.value)
    return found


@pytest.mark.parametrize("module", ["tasks/evaluation.py", "ui/evaluate.py", "viz/evaluation.py"])
def test_every_string_of_the_evaluate_modules_has_its_chinese(module):
    strings = _strings_to_translate(PLAYGROUND / module)
    assert strings
    missing = [s for s in strings if s not in ZH]
    assert not missing, missing
    placeholders = re.compile(r"\{\w*\}")
    for english in strings:  # the Chinese fills in the same values
        assert sorted(placeholders.findall(ZH[english])) == sorted(placeholders.findall(english)), english


def test_another_tab_sends_its_text_here_with_one_click(settings, manager):
    context = Context.create(settings, manager)
    with gr.Blocks() as demo:
        with gr.Tabs() as tabs:
            with gr.Tab("Elsewhere"):
                translation = gr.Textbox()
                button = gr.Button()
                evaluate.send_to_evaluate([button.click], translation)  # before the Evaluate tab exists
            evaluate.build(context)
    page = demo.playground_evaluate
    assert page.tabs is tabs and page.candidate is not None and not page.waiting
    sends = [
        d
        for d in demo.fns.values()
        if d.fn is not None and d.fn.__name__ == "_sent" and button._id in {t[0] for t in d.targets}
    ]
    assert len(sends) == 1 and sends[0].outputs[0] is page.candidate
    assert [box._id for box in sends[0].outputs[1:4]] == [box._id for box in page.references]
    values = evaluate._sent("Le chat est assis.")
    assert values["candidate"] == "Le chat est assis." and values["tabs"].selected == evaluate.TAB_ID
    assert [values[f"reference_{i}"] for i in range(3)] == ["", "", ""]  # emptied, ready to fill
    assert evaluate._sent("Le chat.", "The cat.")["reference_0"] == "The cat."


def page_with_a_sender(settings, manager, source_kind):
    """A page with Evaluate and another tab's button that sends its `source_kind` component's value there:
    the page and the send event."""
    with gr.Blocks() as demo:
        with gr.Tabs():
            with gr.Tab("Elsewhere"):
                button, source = gr.Button(), source_kind()
                evaluate.send_to_evaluate([button.click], source)
            evaluate.build(Context.create(settings, manager))
    (send,) = [d for d in demo.fns.values() if d.fn is not None and d.fn.__name__ == "_sent"]
    return demo, send


def test_a_sent_text_sets_the_language_it_is_written_in(settings, manager):
    """The zh preset translates into English and the en preset into Chinese; Evaluate's language stayed the
    preset's, so BLEU cut a sent English translation into characters, or a Chinese one into one word."""
    assert evaluate._sent("I read a book in the library yesterday.")["language"] == "en"
    assert evaluate._sent({"output": "我昨天在图书馆看书。"})["language"] == "zh"
    demo, send = page_with_a_sender(settings, manager, gr.Textbox)
    assert demo.playground_evaluate.language in send.outputs


def test_nothing_sent_leaves_evaluate_as_it_was_and_says_why(settings, manager):
    """Translation's "Score the chat model's answer" before any answer emptied Evaluate's candidate and
    references and opened it, so that its Score then refused an empty candidate. Now the click is refused in
    one sentence and Evaluate keeps what it shows."""
    for nothing in (None, "", "  ", {"output": None}, {}):
        with pytest.raises(InputError, match="no answer to score yet"):
            evaluate._sent(nothing)
    _demo, send = page_with_a_sender(settings, manager, gr.State)
    for nothing in (None, {"output": ""}):  # on the page a pop-up, every output left as it is
        with pytest.raises(gr.Error, match="no answer to score yet"):
            send.fn(nothing)


def test_the_handlers_take_the_context_first():
    for handler in (evaluate.perplexities, evaluate.score, evaluate.perplexity_api, evaluate.score_text_api):
        assert next(iter(inspect.signature(handler).parameters)) == "context"
