"""Evaluate: perplexity agrees with the model's own loss (tiny GPT-2, tiny Chinese GPT-2; long texts with Hugging
Face's sliding windows), and BLEU / ROUGE agree with direct sacrebleu and rouge-score calls, their details with
their counts."""

from __future__ import annotations

import math

import pytest
import sacrebleu
import torch
from rouge_score import rouge_scorer

from playground.api import perplexity_json, score_text_json
from playground.i18n import using
from playground.models import ModelManager
from playground.tasks.evaluation import (
    MAX_REFERENCES,
    score_text,
    shuffle_words,
    text_perplexity,
    window_starts,
)
from playground.tasks.validation import InputError

MAX_CHARS = 2000
EN = ("The cat is sitting on the mat.", ["The cat sat on the mat.", "A cat was sitting on the mat."])
ZH = ("我喜欢学习语言模型。", ["我喜欢学习模型。", "我爱语言模型。"])


@pytest.fixture(scope="module")
def gpt2(manager):
    return manager.get("generation")


@pytest.fixture(scope="module")
def gpt2_zh(chinese_gpt2_dir, tiny_model_dirs):
    return ModelManager({**tiny_model_dirs, "generation": chinese_gpt2_dir}, device="cpu").get("generation")


def loss_perplexity(loaded, text: str) -> float:
    """The reference: exp of the model's own loss with labels = ids."""
    ids = loaded.tokenizer(text, add_special_tokens=False, return_tensors="pt").input_ids
    with torch.no_grad():
        return math.exp(loaded.model(ids, labels=ids).loss.item())


@pytest.mark.parametrize(
    "text", ["The cat sat on the mat.", "Paris is the capital of France. The food was cold."]
)
def test_perplexity_is_the_exponent_of_the_models_loss(gpt2, text):
    result = text_perplexity(gpt2, text, MAX_CHARS)
    assert result.perplexity == pytest.approx(loss_perplexity(gpt2, text), rel=1e-5)
    ids = gpt2.tokenizer(text, add_special_tokens=False).input_ids
    assert len(result.tokens) == len(ids) and len(result.logprobs) == len(ids) - 1
    assert result.windows == 1 and not result.notices
    as_json = perplexity_json(result)
    assert set(as_json) == {"perplexity", "tokens"} and len(as_json["tokens"]) == len(ids) - 1
    assert as_json["tokens"][0]["token"] == result.tokens[1]
    assert math.exp(-sum(t["logprob"] for t in as_json["tokens"]) / len(ids[1:])) == pytest.approx(
        as_json["perplexity"]
    )


@pytest.mark.parametrize("text", ["北京是中国的首都。", "老师在教室里上课，学生认真听讲。"])
def test_perplexity_of_chinese_is_the_exponent_of_the_models_loss(gpt2_zh, text):
    result = text_perplexity(gpt2_zh, text, MAX_CHARS)
    assert result.perplexity == pytest.approx(loss_perplexity(gpt2_zh, text), rel=1e-5)
    assert result.tokens == list(text)  # one token per character


def test_a_fluent_text_is_less_perplexing_than_its_words_shuffled(gpt2):
    text = "Once upon a time, in a small village, there lived a teacher."
    shuffled = shuffle_words(text, 0)
    assert (
        text_perplexity(gpt2, text, MAX_CHARS).perplexity
        < text_perplexity(gpt2, shuffled, MAX_CHARS).perplexity
    )


def sliding_window_reference(loaded, ids: list[int], window: int, stride: int) -> float:
    """Hugging Face's perplexity guide, each token scored once: labels before a window's new tokens are -100."""
    nll, scored, previous_end = 0.0, 0, 0
    for begin in range(0, len(ids), stride):
        end = min(begin + window, len(ids))
        new = end - previous_end
        input_ids = torch.tensor([ids[begin:end]])
        labels = input_ids.clone()
        labels[:, :-new] = -100
        count = int((labels[:, 1:] != -100).sum())  # the loss scores label i+1 from logits i
        with torch.no_grad():
            nll += loaded.model(input_ids, labels=labels).loss.item() * count
        scored += count
        previous_end = end
        if end == len(ids):
            break
    assert scored == len(ids) - 1
    return math.exp(nll / scored)


@pytest.mark.parametrize("repeats", [3, 6])
def test_a_text_longer_than_the_context_is_read_in_sliding_windows(gpt2, repeats):
    text = " ".join(
        ["The quick brown fox jumps over the lazy dog. Paris is the capital of France."] * repeats
    )
    ids = gpt2.tokenizer(text, add_special_tokens=False).input_ids
    window = gpt2.context_length
    assert len(ids) > window
    calls = []
    result = text_perplexity(gpt2, text, MAX_CHARS, on_window=lambda done, total: calls.append((done, total)))
    assert result.window == window and result.stride == window // 2
    assert len(result.logprobs) == len(ids) - 1
    assert result.windows == len(window_starts(len(ids), window, window // 2)) > 1
    assert calls[-1] == (result.windows, result.windows)
    assert result.perplexity == pytest.approx(
        sliding_window_reference(gpt2, ids, window, window // 2), rel=1e-5
    )
    assert "overlapping windows" in str(result.notices[0])
    with using("zh"):
        assert "窗口" in str(result.notices[0])


def test_window_starts():
    assert window_starts(10, 64, 32) == [0]
    assert window_starts(64, 64, 32) == [0]
    assert window_starts(65, 64, 32) == [0, 32]
    assert window_starts(96, 64, 32) == [0, 32]
    assert window_starts(100, 64, 32) == [0, 32, 64]
    assert window_starts(129, 64, 32) == [0, 32, 64, 96]


@pytest.mark.parametrize("text", ["a", "北"])
def test_a_one_token_text_has_no_perplexity(gpt2, gpt2_zh, text):
    loaded = gpt2_zh if text == "北" else gpt2
    assert len(loaded.tokenizer(text, add_special_tokens=False).input_ids) == 1
    with pytest.raises(InputError, match="at least two tokens"):
        text_perplexity(loaded, text, MAX_CHARS)


@pytest.mark.parametrize(
    ("text", "message"), [("", "empty"), ("   ", "empty"), (None, "must be text"), ("a" * 2001, "limit")]
)
def test_bad_perplexity_input_is_one_sentence(gpt2, text, message):
    with pytest.raises(InputError, match=message):
        text_perplexity(gpt2, text, MAX_CHARS)


def test_shuffle_words():
    text = "The cat sat on the mat ."
    shuffled = shuffle_words(text, 3)
    assert shuffled == shuffle_words(text, 3) != text
    assert sorted(shuffled.split()) == sorted(text.split())
    chinese = shuffle_words("今天天气很好。", 1)
    assert sorted(chinese) == sorted("今天天气很好。") and chinese != "今天天气很好。"
    with pytest.raises(InputError):
        shuffle_words("  ", 0)


# --- BLEU and ROUGE -----------------------------------------------------------------------------------------


class Characters:
    """The test's own Chinese tokenizer for rouge-score: characters, whitespace dropped."""

    def tokenize(self, text):
        return [c for c in text if not c.isspace()]


def direct_scores(candidate, references, language):
    bleu = sacrebleu.corpus_bleu(
        [candidate], [[r] for r in references], tokenize="zh" if language == "zh" else "13a"
    )
    tokenizer = Characters() if language == "zh" else None
    rouge = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], tokenizer=tokenizer).score_multi(
        references, candidate
    )
    return bleu, rouge


CASES = [
    (*EN, "en"),
    (*ZH, "zh"),
    ("The cat", ["The cat sat on the mat."], "en"),  # short: a brevity penalty, 3- and 4-grams smoothed
    ("It is a guide to action which ensures that the military always obeys the commands of the party.",
     ["It is a guide to action that ensures that the military will forever heed Party commands.",
      "It is the guiding principle which guarantees the military forces always being under the command of the Party.",
      "It is the practical guide for the army always to heed the directions of the party."], "en"),
    ("今天 天气 很好，我们 去 公园。", ["今天天气不错，我们一起去公园散步吧。"], "zh"),
    ("Nothing in common here", ["完全不同的文本"], "en"),
]  # fmt: skip


@pytest.mark.parametrize(("candidate", "references", "language"), CASES)
def test_scores_are_sacrebleus_and_rouge_scores(candidate, references, language):
    result = score_text(candidate, references, language, MAX_CHARS)
    bleu, rouge = direct_scores(candidate, references, language)
    assert result.bleu.score == bleu.score
    assert result.bleu.precisions == bleu.precisions and result.bleu.brevity_penalty == bleu.bp
    assert (result.bleu.counts, result.bleu.totals) == (bleu.counts, bleu.totals)
    assert (result.bleu.sys_len, result.bleu.ref_len) == (bleu.sys_len, bleu.ref_len)
    for kind in ("rouge1", "rouge2", "rougeL"):
        assert result.rouge[kind].fmeasure == rouge[kind].fmeasure
        assert result.rouge[kind].precision == rouge[kind].precision
        assert result.rouge[kind].recall == rouge[kind].recall
    as_json = score_text_json(result)
    assert set(as_json) == {"bleu", "rouge1", "rouge2", "rougeL", "details"}
    assert as_json["bleu"] == bleu.score and as_json["rougeL"] == rouge["rougeL"].fmeasure


@pytest.mark.parametrize(("candidate", "references", "language"), CASES)
def test_the_details_explain_the_counts(candidate, references, language):
    result = score_text(candidate, references, language, MAX_CHARS)
    bleu = result.bleu
    for n in range(1, 5):  # the matched n-grams add up to sacrebleu's matched counts
        assert sum(m.count for m in bleu.matches if len(m.ngram) == n) == bleu.counts[n - 1]
    assert len(bleu.candidate_tokens) == bleu.sys_len
    assert bleu.ref_len in [len(tokens) for tokens in bleu.reference_tokens]
    candidate_tokens = result.rouge_candidate_tokens
    for kind, n in (("rouge1", 1), ("rouge2", 2)):
        rouge = result.rouge[kind]
        grams = max(len(candidate_tokens) - n + 1, 1)
        assert sum(m.count for m in rouge.matches) / grams == pytest.approx(rouge.precision)
    lcs = result.rouge["rougeL"]
    assert len(lcs.lcs) == pytest.approx(lcs.precision * len(candidate_tokens))
    reference = result.rouge_reference_tokens[lcs.reference]
    assert len(lcs.lcs) == pytest.approx(lcs.recall * len(reference))


def test_chinese_rouge_reads_characters_and_english_rouge_words():
    chinese = score_text(*ZH, "zh", MAX_CHARS)
    assert chinese.rouge_candidate_tokens == list("我喜欢学习语言模型。")
    assert chinese.rouge["rougeL"].lcs == list("我喜欢学习模型。")
    english = score_text(*EN, "en", MAX_CHARS)
    assert english.rouge_candidate_tokens == ["the", "cat", "is", "sitting", "on", "the", "mat"]
    assert english.bleu.candidate_tokens == ["The", "cat", "is", "sitting", "on", "the", "mat", "."]


def test_the_best_reference_is_named_per_kind():
    result = score_text("a cat sat on the mat", ["the dog ran", "a cat sat on a mat"], "en", MAX_CHARS)
    assert {kind: rouge.reference for kind, rouge in result.rouge.items()} == {
        "rouge1": 1,
        "rouge2": 1,
        "rougeL": 1,
    }


def test_html_in_texts_is_scored_as_text():
    text = "<img src=x onerror=alert(1)> the cat"
    result = score_text(text, [text], "en", MAX_CHARS)
    assert result.bleu.score == pytest.approx(100.0) and result.rouge["rougeL"].fmeasure == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("candidate", "references", "language", "message"),
    [
        ("", ["a"], "en", "empty"),
        ("  ", ["a"], "en", "empty"),
        (None, ["a"], "en", "must be text"),
        ("a" * 2001, ["a"], "en", "limit"),
        ("a cat", [], "en", "at least one reference"),
        ("a cat", "the cat", "en", "must be a list"),
        ("a cat", {"text": "the cat"}, "en", "must be a list"),
        ("a cat", 3, "en", "must be a list"),
        ("a cat", None, "en", "must be a list"),
        ("a cat", ["the cat", 3], "en", "Reference 2 must be text"),
        ("a cat", ["the cat", "  "], "en", "Reference 2 is empty"),
        ("a cat", ["x"] * (MAX_REFERENCES + 1), "en", "at most"),
        ("a cat", ["a" * 2001], "en", "limit"),
        ("a cat", ["the cat"], "fr", "Unknown language 'fr'"),
        ("a cat", ["the cat"], None, "Unknown language"),
        ("a cat", ["the cat"], 3, "Unknown language"),
    ],
)
def test_bad_score_input_is_one_sentence(candidate, references, language, message):
    with pytest.raises(InputError, match=message):
        score_text(candidate, references, language, MAX_CHARS)


def test_rouge_l_work_is_limited():
    long = "字" * 2000
    with pytest.raises(InputError, match="comparisons"):
        score_text(long, [long, long], "zh", MAX_CHARS)
