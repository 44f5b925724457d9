"""Question answering agrees with an independent computation from the model's own start and end logits.

transformers 5 no longer has the question-answering pipeline, so the reference is written out here the long
way: the windows the tokenizer itself makes (truncation="only_second", stride, return_overflowing_tokens) from
a fresh copy of the tokenizer, one plain forward pass per window, a softmax over the context tokens, and every
pair a <= b within max_answer_len tried by brute force."""

from __future__ import annotations

import math

import pytest
import torch
from transformers import AutoModelForQuestionAnswering, AutoTokenizer

from playground.api import question_answering_json
from playground.models import ModelManager
from playground.tasks import question_answering as qa
from playground.tasks.validation import InputError
from playground.tiny_models import QA_FACTS, build_bert_qa_chinese
from playground.translations import charts, messages, page, question_answering

MAX_CHARS = 5000
SHORT = ("Where did the cat sit?", "Paris is the capital of France. The cat sat on the mat.")
LONG_CONTEXT = " ".join(sentence for sentence, _, _ in QA_FACTS) * 2  # several windows of the tiny model


@pytest.fixture(scope="module")
def reader(manager):
    return manager.get("question-answering")


@pytest.fixture(scope="module")
def chinese_reader(tmp_path_factory):
    """A BERT reader (token_type_ids, single characters) like uer/roberta-base-chinese-extractive-qa; a few
    training steps are enough: only the agreement with the reference is checked."""
    folder = build_bert_qa_chinese(tmp_path_factory.mktemp("qa-zh") / "tiny-bert-qa-chinese", steps=5)
    return ModelManager({"question-answering": str(folder)}, "cpu").get("question-answering")


def reference_windows(loaded, question: str, context: str):
    """The tokenizer's own windows, from a fresh copy (truncation is switched on in this copy only)."""
    tokenizer = AutoTokenizer.from_pretrained(loaded.tokenizer.name_or_path)
    window, stride = qa.window_size(loaded)
    question_tokens = len(tokenizer(question, add_special_tokens=False)["input_ids"])
    room = window - question_tokens - tokenizer.num_special_tokens_to_add(pair=True)
    encoded = tokenizer(
        question,
        context,
        truncation="only_second",
        max_length=window,
        stride=min(stride, room // 2),
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
    )
    return tokenizer, encoded


def reference_spans(loaded, question: str, context: str, max_answer_len: int) -> list[tuple[float, int, int]]:
    """Every span of every window as (score, start char, end char), best first, by brute force."""
    tokenizer, encoded = reference_windows(loaded, question, context)
    model = AutoModelForQuestionAnswering.from_pretrained(loaded.tokenizer.name_or_path).eval()
    spans = {}
    for w in range(len(encoded["input_ids"])):
        inputs = {name: torch.tensor([encoded[name][w]]) for name in tokenizer.model_input_names}
        with torch.no_grad():
            output = model(**inputs)
        in_context = [i for i, s in enumerate(encoded.sequence_ids(w)) if s == 1]
        start = output.start_logits[0, in_context].double()
        end = output.end_logits[0, in_context].double()
        p_start = [math.exp(x) / sum(math.exp(y) for y in start.tolist()) for x in start.tolist()]
        p_end = [math.exp(x) / sum(math.exp(y) for y in end.tolist()) for x in end.tolist()]
        offsets = [encoded["offset_mapping"][w][i] for i in in_context]
        for a in range(len(in_context)):
            for b in range(a, min(len(in_context), a + max_answer_len)):
                key = (offsets[a][0], offsets[b][1])
                spans[key] = max(spans.get(key, 0.0), p_start[a] * p_end[b])
    return sorted(((score, s, e) for (s, e), score in spans.items()), reverse=True)


def assert_agrees(loaded, question: str, context: str, top_k: int, max_answer_len: int = 30) -> None:
    ours = qa.answer(loaded, question, context, MAX_CHARS, top_k, max_answer_len)
    theirs = reference_spans(loaded, question, context, max_answer_len)[:top_k]
    assert [(s.start, s.end) for s in ours.spans] == [(s, e) for _, s, e in theirs]
    for span, (score, _, _) in zip(ours.spans, theirs, strict=True):
        assert span.score == pytest.approx(score, rel=1e-4)
        assert context[span.start : span.end] == span.answer


@pytest.mark.parametrize("top_k", [1, 3, 10])
def test_best_spans_equal_the_brute_force_reference(reader, top_k):
    assert_agrees(reader, *SHORT, top_k)


def test_a_long_context_is_read_in_the_tokenizers_own_windows(reader):
    question = "What does Tom play?"
    ours = qa.preprocess(reader, qa.QuestionAnsweringRequest(question, LONG_CONTEXT), MAX_CHARS)
    _, encoded = reference_windows(reader, question, LONG_CONTEXT)
    assert len(ours.rows) == len(encoded["input_ids"]) > 2
    assert [row["input_ids"] for row in ours.rows] == encoded["input_ids"]
    for w, offsets in enumerate(ours.offsets):
        in_context = [i for i, s in enumerate(encoded.sequence_ids(w)) if s == 1]
        assert offsets == [tuple(encoded["offset_mapping"][w][i]) for i in in_context]
    assert not reader.tokenizer.backend_tokenizer.truncation  # the shared tokenizer was never switched


@pytest.mark.parametrize("max_answer_len", [1, 4, 30])
def test_the_best_over_all_windows_equals_the_reference(reader, max_answer_len):
    assert_agrees(reader, "What does Tom play?", LONG_CONTEXT, 5, max_answer_len)


def test_a_bert_reader_with_token_types_agrees_too(chinese_reader):
    assert "token_type_ids" in chinese_reader.tokenizer.model_input_names
    assert_agrees(chinese_reader, "中国的首都是哪里？", "小猫坐在垫子上。北京是中国的首都。", 5)
    assert_agrees(chinese_reader, "谁认真听讲？", "老师在教室里上课，学生认真听讲。" * 12, 3)


def test_the_result_holds_the_probability_rows_and_a_note_on_windows(reader):
    one = qa.answer(reader, *SHORT, MAX_CHARS)
    assert len(one.windows) == 1 and one.notices == []
    window = one.windows[0]
    assert len(window.start_probs) == len(window.end_probs) == len(window.offsets) == len(window.pieces)
    assert sum(window.start_probs) == pytest.approx(1.0, abs=1e-5)
    assert sum(window.end_probs) == pytest.approx(1.0, abs=1e-5)
    best = one.best
    assert best.score == pytest.approx(
        window.start_probs[best.first_token] * window.end_probs[best.last_token]
    )
    many = qa.answer(reader, "What does Tom play?", LONG_CONTEXT, MAX_CHARS, top_k=20, max_answer_len=3)
    assert len(many.windows) > 2 and "windows" in str(many.notices[0])
    assert len({(s.start, s.end) for s in many.spans}) == len(many.spans) == 20  # distinct, as asked
    assert [s.score for s in many.spans] == sorted((s.score for s in many.spans), reverse=True)
    tokens = [many.windows[s.window].offsets[s.first_token : s.last_token + 1] for s in many.spans]
    assert all(len(t) <= 3 for t in tokens)


def test_the_json_is_the_pipelines_shape(reader):
    result = question_answering_json(qa.answer(reader, *SHORT, MAX_CHARS, top_k=2))
    assert [sorted(item) for item in result] == [["answer", "end", "score", "start"]] * 2
    assert all(SHORT[1][item["start"] : item["end"]] == item["answer"] for item in result)


def test_a_batch_answers_each_request_as_alone(reader):
    requests = [
        qa.QuestionAnsweringRequest(*SHORT, 3),
        qa.QuestionAnsweringRequest("", "A context."),
        qa.QuestionAnsweringRequest("What does Tom play?", LONG_CONTEXT, 3),
    ]
    together = qa.answer_batch(reader, requests, MAX_CHARS)
    assert isinstance(together[1], InputError)
    for request, result in zip(requests[::2], together[::2], strict=True):
        alone = qa.answer(reader, request.question, request.context, MAX_CHARS, request.top_k)
        ours, theirs = question_answering_json(result), question_answering_json(alone)
        assert [(a["start"], a["end"], a["answer"]) for a in ours] == [
            (a["start"], a["end"], a["answer"]) for a in theirs
        ]
        assert [a["score"] for a in ours] == pytest.approx([a["score"] for a in theirs], abs=1e-6)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"question": ""}, "Please type some question first"),
        ({"question": "   "}, "Please type some question first"),
        ({"context": ""}, "Please type some context first"),
        ({"question": 42}, "The question must be text"),
        ({"context": ["a", "list"]}, "The context must be text"),
        ({"context": "x" * (MAX_CHARS + 1)}, "The context is 5,001 characters long"),
        ({"top_k": 0}, "Top-k must be a whole number between 1 and 20"),
        ({"top_k": 21}, "Top-k must be a whole number between 1 and 20"),
        ({"top_k": "three"}, "Top-k must be a whole number"),
        ({"max_answer_len": 0}, "Longest answer must be a whole number between 1 and 200"),
        ({"max_answer_len": 10**9}, "Longest answer must be a whole number between 1 and 200"),
        ({"question": "Where did the cat sit? " * 20}, "a question may have at most"),
    ],
)
def test_bad_input_gets_one_sentence(reader, changes, words):
    request = {"question": SHORT[0], "context": SHORT[1], "top_k": 1, "max_answer_len": 30} | changes
    with pytest.raises(InputError, match=words) as refused:
        qa.answer(reader, max_chars=MAX_CHARS, **request)
    assert str(refused.value).endswith(".")


def test_the_question_limit_leaves_half_a_window_to_the_context(reader):
    limit = qa.longest_question(reader)
    window, _ = qa.window_size(reader)
    longest = " ".join(["cat"] * limit)
    assert qa.answer(reader, longest, LONG_CONTEXT, MAX_CHARS).spans  # exactly at the limit: answered
    with pytest.raises(InputError, match=f"at most {limit}"):
        qa.answer(reader, longest + " cat", LONG_CONTEXT, MAX_CHARS)
    assert window - limit - reader.tokenizer.num_special_tokens_to_add(pair=True) >= window // 2


def test_the_translations_of_question_answering_are_its_own():
    for layer in (page.ZH, messages.ZH, charts.ZH):
        assert not set(layer) & set(question_answering.ZH)


# --- the Attention and Inside tabs take the question-answering model like the others ------------------


@pytest.mark.parametrize("which", ["distilbert", "bert"])
def test_attention_and_inside_read_the_readers_own_tensors(reader, chinese_reader, which):
    from playground.registry import REGISTRY
    from playground.tasks import inside
    from playground.tasks.attention import attention
    from playground.ui.attention import MODELS

    assert "question-answering" in MODELS and REGISTRY["question-answering"].attention_label
    loaded = reader if which == "distilbert" else chinese_reader
    text = "The cat sat on the mat." if which == "distilbert" else "北京是中国的首都。"
    shown = attention(loaded, text, MAX_CHARS, 64)
    ids = torch.tensor([shown.token_ids])
    with loaded.eager_attention() as model, torch.no_grad():
        outputs = model(input_ids=ids, attention_mask=torch.ones_like(ids), output_attentions=True)
    assert torch.allclose(torch.tensor(shown.attentions), torch.stack(outputs.attentions)[:, 0], atol=1e-5)
    step = inside.head_step(loaded, text, MAX_CHARS, 64, 2, 1)
    assert torch.allclose(torch.tensor(step.weights), outputs.attentions[1][0, 0], atol=1e-5)
    view = inside.look(loaded, text, MAX_CHARS, 64, 1, 1)
    assert view.lens is None and "start" in str(view.lens_error)  # no token head: the lens says why
