"""English and 中文 for what the tasks say and what the charts show.

Errors and notices are lazy: they read in English (unchanged, as API clients and the other tests compare
them) unless they are shown inside `using("zh")`, where they read in Chinese with nothing of the English
template left. Every literal marked with _(), lazy() or ui() anywhere in playground/ has a Chinese
translation, and every translation keeps its English's {placeholders}.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import numpy as np
import pytest

from playground.i18n import using
from playground.tasks import attention_ops as ops
from playground.tasks.attention import AttentionResult
from playground.tasks.batching import encode_row
from playground.tasks.fill_mask import Candidate, FillMaskResult, fill_mask
from playground.tasks.generation import NextToken, TokenChoice
from playground.tasks.sentiment import classify_many, texts_from_csv, texts_from_lines
from playground.tasks.validation import InputError, check_int, check_text
from playground.translations import ZH, charts, messages, page
from playground.viz import attention as attention_viz
from playground.viz import bertviz
from playground.viz import charts as chart_figures

PLAYGROUND = Path(__file__).resolve().parents[2] / "playground"
MARKERS = {"_", "lazy", "ui"}  # the functions that mark a sentence for translation
CJK = re.compile(r"[\u4e00-\u9fff]")
# Words of an English sentence that stay as they are in its Chinese: code, flags, formats
KEPT = {"MASK", "CSV", "UTF", "max", "batch", "rows", "Excel", "xlsx"}


def raised(function, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as error:
        function(*args, **kwargs)
    return error.value


def english_and_chinese(message, english: str, template: str) -> str:
    """`message` reads `english` by default and Chinese inside using("zh"), with no word of its English
    `template` left in it; and English again after the block. Returns the Chinese."""
    assert str(message) == english
    assert template in ZH
    with using("zh"):
        chinese = str(message)
    assert CJK.search(chinese), chinese
    words = set(re.findall(r"[A-Za-z]{3,}", re.sub(r"\{[^}]*\}", " ", template))) - KEPT
    leaked = [word for word in words if re.search(rf"\b{word}\b", chinese)]
    assert not leaked, (leaked, chinese)
    assert str(message) == english
    return chinese


# --- errors and notices ---------------------------------------------------------------------------


def test_check_text_empty_and_too_long():
    empty = raised(check_text, "   ", 100)
    chinese = english_and_chinese(
        empty, "Please type some text first: it is empty.", "Please type some {what} first: it is empty."
    )
    assert chinese == "请先输入文本：现在是空的。"

    long = raised(check_text, "x" * 1500, 1000, "prompt")
    chinese = english_and_chinese(
        long,
        "The prompt is 1,500 characters long; the limit here is 1,000. Please shorten it.",
        "The {what} is {length} characters long; the limit here is {limit}. Please shorten it.",
    )
    assert "提示词" in chinese and "1,500" in chinese and "1,000" in chinese


def test_check_int_names_the_setting_in_the_reader_s_language():
    error = raised(check_int, 2.5, "The seed", -1, 100)
    chinese = english_and_chinese(
        error,
        "The seed must be a whole number between -1 and 100; got 2.5.",
        "{name} must be a whole number between {low} and {high}; got {value}.",
    )
    assert chinese.startswith("随机种子") and "2.5" in chinese


def test_fill_mask_without_a_mask(manager):
    error = raised(fill_mask, manager.get("fill-mask"), "The cat sat on the mat.", 5, 2000)
    english = "There is no mask in the text. Put [MASK] or ___ where a word is missing, e.g. 'The cat sat on the [MASK].'"
    chinese = english_and_chinese(error, english, english)
    assert "[MASK]" in chinese and "___" in chinese


def test_fill_mask_cut_text_notice(manager):
    bert = manager.get("fill-mask")
    text = "The [MASK] sat on the mat. " + "the cat sat on the mat " * 40
    n_tokens = len(bert.tokenizer(text)["input_ids"])
    (notice,) = fill_mask(bert, text, 3, 2000).notices
    english = f"The text has {n_tokens} tokens, more than the 64 used here: only the first 64 were used."
    chinese = english_and_chinese(
        notice,
        english,
        "The text has {count} tokens, more than the {limit} used here: only the first {limit} were used.",
    )
    assert str(n_tokens) in chinese and "64" in chinese
    assert "first 64" in notice  # a notice can be searched like text
    with using("zh"):
        assert "前 64 个" in notice and f"⚠️ {notice}" == f"⚠️ {chinese}"


def test_encode_row_notice_is_lazy(manager):
    tokenizer = manager.get("sentiment").tokenizer
    _, (notice,) = encode_row(tokenizer, "the mat " * 50, 16)
    with using("zh"):
        shown_in_chinese = str(notice)
    assert str(notice).startswith("The text has ") and CJK.search(shown_in_chinese)


def test_csv_errors(tmp_path):
    path = tmp_path / "texts.csv"
    path.write_text("review,stars\nLovely film,5\n", encoding="utf-8")
    error = raised(texts_from_csv, path, "comment", 100)
    chinese = english_and_chinese(
        error,
        "The CSV file has no column named “comment”; it has: review, stars.",
        "The CSV file has no column named “{column}”; it has: {columns}.",
    )
    assert chinese == "CSV 文件里没有叫“comment”的列；现有的列：review, stars。"

    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)) * 4)  # .xlsx
    error = raised(texts_from_csv, path, "text", 100)
    english = (
        "This file is not text. Upload a CSV file (an Excel workbook, .xlsx, must be saved as CSV first)."
    )
    assert "CSV" in english_and_chinese(error, english, english)


def test_row_errors_wrap_the_row_s_own_error_in_the_same_language(manager):
    error = raised(classify_many, manager.get("sentiment"), ["fine", "x" * 30], 20, 4)
    chinese = english_and_chinese(
        error,
        "Row 2: The text is 30 characters long; the limit here is 20. Please shorten it.",
        "Row {number}: {error}",
    )
    assert chinese == "第 2 行：文本有 30 个字符，这里最多只能有 20 个。请缩短一些。"


def test_too_many_lines_notice():
    texts, (notice,) = texts_from_lines("\n".join("abcde"), 3)
    english = (
        "There are 5 lines; only the first 3 were classified (the limit here, set with --max-batch-rows)."
    )
    chinese = english_and_chinese(
        notice,
        english,
        "There are {count} lines; only the first {limit} were classified (the limit here, set with "
        "--max-batch-rows).",
    )
    assert texts == ["a", "b", "c"] and "--max-batch-rows" in chinese


@pytest.mark.parametrize(
    "call,english,template",
    [
        (
            lambda: ops.check_selection([13], 12, "layer"),
            "There is no layer 13: this model has 12 layers (1 to 12).",
            "There is no {what} {value}: this model has {count} {what}s (1 to {count}).",
        ),
        (
            lambda: ops.check_selection([], 12, "head"),
            "Choose at least one head.",
            "Choose at least one {what}.",
        ),
        (
            lambda: ops.parse_selection("2-x", 12, "layer"),
            "Could not read the layers '2-x': write numbers and ranges such as '1-3, 7'.",
            "Could not read the {what}s {spec}: write numbers and ranges such as '1-3, 7'.",
        ),
    ],
)
def test_attention_selection_errors(call, english, template):
    chinese = english_and_chinese(raised(call), english, template)
    assert "层" in chinese or "头" in chinese


def test_hidden_special_tokens_notice():
    weights = np.full((1, 1, 3, 3), 1 / 3)
    _, _, (notice,) = ops.hide_special_tokens(["[CLS]", "cat", "[SEP]"], [True, False, True], weights)
    english_and_chinese(
        notice,
        "Hidden: [CLS], [SEP]; each row is renormalised to sum to 1 over the tokens left.",
        "Hidden: {tokens}; each row is renormalised to sum to 1 over the tokens left.",
    )


# --- charts -----------------------------------------------------------------------------------------


def two_masks() -> FillMaskResult:
    def candidate(word: str, score: float) -> Candidate:
        return Candidate(score, 7, word, f"the {word}", piece=word, word=word)

    return FillMaskResult(
        masks=[[candidate("cat", 0.6), candidate("dog", 0.3)], [candidate("mat", 0.9)]],
        text="The [MASK] sat on the [MASK].",
    )


def test_fill_mask_chart_in_chinese_and_in_english():
    with using("zh"):
        figure = chart_figures.fill_mask_figure(two_masks())
    assert figure.layout.title.text == "每个空的候选词"
    assert [a.text for a in figure.layout.annotations] == ["第 1 个空", "第 2 个空"]
    assert "词元：%{customdata[1]}" in figure.data[0].hovertemplate
    english = chart_figures.fill_mask_figure(two_masks())  # outside the block: English as before
    assert english.layout.title.text == "Candidates for the masks"
    assert [a.text for a in english.layout.annotations] == ["Mask 1", "Mask 2"]
    assert english.data[0].hovertemplate == (
        "%{customdata[0]}: %{customdata[2]}<br>token: %{customdata[1]}<extra></extra>"
    )


def test_next_token_chart_in_chinese():
    choices = [
        TokenChoice(" cat", 5, 2.0, 0.7, 1.0, True),
        TokenChoice(" dog", 6, 1.0, 0.3, 0.0, False),
    ]
    with using("zh"):
        figure = chart_figures.next_token_figure(NextToken([1, 2], choices, drawn_id=5))
    # one short line of title (a phone's width), the draw under it; the token's space kept visible
    assert figure.layout.title.text == "下一个词元的概率分布<br><sup>抽中了  cat</sup>"
    assert [trace.name for trace in figure.data] == [
        "模型给出的概率（原始）",
        "采样器使用的概率<br>（经过温度、top-k、top-p 之后）",  # broken in two: plotly never wraps a legend
    ]
    assert all(CJK.search(trace.hovertemplate) for trace in figure.data)


def test_attention_views_and_bertviz_in_chinese():
    weights = np.full((2, 2, 3, 3), 1 / 3, dtype=np.float32)
    result = AttentionResult("tiny", ["[CLS]", "cat", "[SEP]"], weights, False, special=[True, False, True])
    with using("zh"):
        head = attention_viz.make_view(result, "head", layer=2, head=1, hide_special=True)
        overview = attention_viz.make_view(result, "overview")
        head_figure, overview_figure = attention_viz.view_figure(head), attention_viz.view_figure(overview)
        document = bertviz.view_document("head", "tiny", result.tokens, weights, [0, 1], [0, 1], head.notices)
    assert head.title == "第 2 层，第 1 个头" and head_figure.layout.title.text.startswith(
        "第 2 层，第 1 个头<br>"
    )
    assert overview.title == "总览：2 层 × 2 个头" and overview.short_column_names == ["头1", "头2"]
    assert overview_figure.layout.coloraxis.colorbar.title.text == "权重"
    assert '<html lang="zh-CN">' in document and "已隐藏：[CLS], [SEP]" in document and "层：" in document
    english = attention_viz.make_view(result, "overview")
    assert english.title == "Overview: 2 layers × 2 heads" and english.short_column_names == ["H1", "H2"]
    assert '<html lang="en">' in bertviz.view_document("head", "tiny", result.tokens, weights, [0], [0])


# --- every marked sentence has its Chinese, with the same placeholders --------------------------------


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def marked_literals() -> list[tuple[str, int, str]]:
    """(file, line, English) for every _("..."), lazy("..."), notice("..."), ui("...") under playground/."""
    found = []
    for path in sorted(PLAYGROUND.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in MARKERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.append((str(path.relative_to(PLAYGROUND.parent)), node.lineno, node.args[0].value))
    return found


def test_every_marked_sentence_has_a_chinese_translation():
    literals = marked_literals()
    assert len(literals) > 150  # the scan sees the tasks, the charts and the tabs
    missing = [f"{path}:{line}: {english!r}" for path, line, english in literals if english not in ZH]
    assert not missing, "\n".join(missing)


def test_translations_keep_the_placeholders():
    wrong = {
        english: chinese for english, chinese in ZH.items() if placeholders(english) != placeholders(chinese)
    }
    assert not wrong, wrong


def test_no_english_text_is_translated_twice():
    layers = [page.ZH, messages.ZH, charts.ZH]
    for i, one in enumerate(layers):
        for other in layers[i + 1 :]:
            assert not set(one) & set(other)


def test_words_shown_by_name_have_chinese():
    """Texts translated where they are shown (_(VIEWS[kind]), _(VIEW_NAMES[view])) and the words callers
    pass to the checks (check_int(value, "Top-k", ...)) as plain text."""
    assert all(name in ZH for name in ops.VIEWS.values())
    assert all(name in ZH for name in bertviz.VIEW_NAMES.values())
    arguments = {
        "check_text": 2,
        "check_int": 1,
        "check_float": 1,
        "check_selection": 2,
        "parse_selection": 2,
    }
    words = []
    for path in PLAYGROUND.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                index = arguments.get(name)
                if (
                    index is not None
                    and len(node.args) > index
                    and isinstance(node.args[index], ast.Constant)
                ):
                    words.append(node.args[index].value)
    assert "layer" in words  # (generation.py passes lazy("Temperature"): the literal scan covers those)
    # parameter names of the JSON API ("top_n") are code and stay as they are
    assert not [word for word in words if word not in ZH and "_" not in word]
