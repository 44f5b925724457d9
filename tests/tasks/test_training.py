"""Training (Train tab, /fine_tune, /train_tiny) on the tiny models: the loss falls, the runs are deterministic,
new labels get a new head, what is trained is what was chosen, Stop ends within a step, the server's model is
untouched, and the Show-code loops (run here as they are shown) give the same losses."""

from __future__ import annotations

import math
import re

import pytest
import torch
from transformers import pipeline

from playground.i18n import using
from playground.tasks import training
from playground.tasks.sentiment import classify
from playground.tasks.training import Example, FineTuneSettings, Sample, Step, TinySettings, TrainingLimits
from playground.tasks.training_code import fine_tune_code, tiny_code
from playground.tasks.validation import InputError

LIMITS = TrainingLimits()
SEPARABLE = [  # two labels a classifier tells apart from their words alone
    Example("good good good", "POSITIVE"),
    Example("great, good fun", "POSITIVE"),
    Example("a good day", "POSITIVE"),
    Example("bad bad bad", "NEGATIVE"),
    Example("awful and bad", "NEGATIVE"),
    Example("a bad day", "NEGATIVE"),
]
TOPICS = training.builtin_examples("en")
QUICK = FineTuneSettings(epochs=2, learning_rate=1e-3, batch_size=8, train="all", seed=3)


@pytest.fixture(scope="module")
def classifier(manager):
    return manager.get("sentiment")


def state(model) -> dict[str, torch.Tensor]:
    return {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}


def same_state(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def run_code(code: str) -> list[float]:
    namespace: dict = {}
    exec(compile(code, "<show code>", "exec"), namespace)  # the code exactly as the page shows it
    return namespace["losses"]


def test_the_loss_falls_and_training_accuracy_reaches_100_percent(classifier):
    settings = FineTuneSettings(epochs=15, learning_rate=1e-3, batch_size=3, train="all", seed=0)
    events = list(training.fine_tune(classifier, SEPARABLE, settings, LIMITS, evaluate_on_training=True))
    result = events[-1]
    assert isinstance(result, training.FineTuneResult) and not result.new_head and not result.stopped
    assert len(result.losses) == 15 * 2 == len([e for e in events if isinstance(e, Step)])
    assert sum(result.losses[-4:]) / 4 < sum(result.losses[:4]) / 4 / 5
    assert result.accuracy_after == 1.0
    assert [p.label for p in result.after] == [e.label for e in SEPARABLE]
    # the predictions are the trained model's own, as the text-classification pipeline gives them
    reference = pipeline("text-classification", model=result.model.model, tokenizer=result.model.tokenizer)
    for prediction, theirs in zip(result.after, reference([e.text for e in SEPARABLE]), strict=True):
        assert prediction.label == theirs["label"] and prediction.score == pytest.approx(
            theirs["score"], abs=1e-5
        )


def test_the_same_data_settings_and_seed_give_the_same_losses_and_model(classifier):
    first = training.last(training.fine_tune(classifier, TOPICS, QUICK, LIMITS))
    second = training.last(training.fine_tune(classifier, TOPICS, QUICK, LIMITS))
    assert first.losses == second.losses
    assert same_state(state(first.model.model), state(second.model.model))
    other = training.last(
        training.fine_tune(classifier, TOPICS, FineTuneSettings(**{**QUICK.__dict__, "seed": 4}), LIMITS)
    )
    assert other.losses != first.losses  # another seed, another batch order and head


def test_new_labels_get_a_new_head_and_the_model_s_own_labels_keep_theirs(classifier):
    result = training.last(training.fine_tune(classifier, TOPICS, QUICK, LIMITS))
    assert result.new_head and result.labels == ["food", "school", "sports"]
    config = result.model.model.config
    assert config.num_labels == 3 and config.id2label == {0: "food", 1: "school", 2: "sports"}
    assert result.model.model.classifier.out_features == 3
    assert any("new classification head" in str(notice) for notice in result.notices)
    assert classifier.model.config.num_labels == 2  # the server's model keeps its own
    own = training.last(training.fine_tune(classifier, SEPARABLE, QUICK, LIMITS))
    assert not own.new_head and own.labels == ["NEGATIVE", "POSITIVE"]
    assert not own.notices


def test_the_server_s_model_and_its_answers_are_unchanged_by_training(classifier):
    before_state = state(classifier.model)
    text = "The lesson was great fun."
    before = classify(classifier, text, 1000)
    for train in training.TRAIN_CHOICES:
        settings = FineTuneSettings(epochs=1, learning_rate=1e-2, batch_size=4, train=train, seed=0)
        result = training.last(training.fine_tune(classifier, TOPICS, settings, LIMITS))
        assert result.model.model is not classifier.model
    assert same_state(before_state, state(classifier.model))
    assert classify(classifier, text, 1000).scores == before.scores
    assert not classifier.model.training


@pytest.mark.parametrize("train", ["head", "last", "all"])
def test_only_the_chosen_weights_change(classifier, train):
    settings = FineTuneSettings(epochs=1, learning_rate=1e-2, batch_size=8, train=train, seed=0)
    result = training.last(training.fine_tune(classifier, SEPARABLE, settings, LIMITS))
    before, after = state(classifier.model), state(result.model.model)
    changed = {name for name in before if not torch.equal(before[name], after[name])}
    encoder = {name for name in changed if name.startswith("distilbert.")}
    if train == "head":
        assert changed and not encoder
    elif train == "last":
        last = training._last_layer_prefix(result.model.model)
        assert encoder and all(name.startswith(last) for name in encoder)
        assert any(not name.startswith("distilbert.") for name in changed)
    else:
        assert "distilbert.embeddings.word_embeddings.weight" in changed
    trained = sum(p.numel() for name, p in result.model.model.named_parameters() if name in changed)
    assert trained <= result.trained_parameters <= result.total_parameters


def test_stop_ends_a_training_within_a_step(classifier):
    steps = []

    def should_stop() -> bool:
        return len(steps) >= 3

    for event in training.fine_tune(classifier, TOPICS, QUICK, LIMITS, should_stop):
        if isinstance(event, Step):
            steps.append(event.step)
        result = event
    assert steps == [1, 2, 3] and result.stopped and len(result.losses) == 3
    assert any("Stopped after 3 of" in str(notice) for notice in result.notices)
    assert result.after  # what it learnt so far is still compared

    tiny_steps = []
    events = training.train_tiny(
        training.builtin_text("en"),
        TinySettings(steps=300, sample_length=20),
        LIMITS,
        should_stop=lambda: len(tiny_steps) >= 5,
    )
    for event in events:
        if isinstance(event, Step):
            tiny_steps.append(event.step)
    assert tiny_steps == [1, 2, 3, 4, 5] and event.stopped and event.samples[-1].step == 5


@pytest.mark.parametrize("train", ["all", "last"])
def test_the_show_code_loop_reproduces_the_fine_tuning_losses(classifier, train):
    settings = FineTuneSettings(epochs=2, learning_rate=1e-3, batch_size=8, train=train, seed=5)
    result = training.last(training.fine_tune(classifier, TOPICS, settings, LIMITS))
    code = fine_tune_code(
        classifier.model_id,
        TOPICS,
        settings,
        result.labels,
        training.head_path(result.model.model),
        classifier.model.config.initializer_range,
        None if train == "all" else training.trainable_names(result.model.model, train),
    )
    assert "AdamW" in code and "manual_seed(SEED)" in code and ", 5\n" in code
    assert run_code(code) == pytest.approx(result.losses, rel=1e-5, abs=1e-6)


def test_the_tiny_gpt_learns_and_the_show_code_loop_reproduces_its_losses():
    text = training.builtin_text("en")
    settings = TinySettings(steps=60, sample_every=20, sample_length=20, seed=1)
    events = list(training.train_tiny(text, settings, LIMITS))
    result = events[-1]
    assert len(result.losses) == 60 and [s.step for s in result.samples] == [0, 20, 40, 60]
    assert [e.step for e in events if isinstance(e, Sample)] == [0, 20, 40, 60]
    assert sum(result.losses[-10:]) / 10 < result.losses[0] - 1.0
    assert result.perplexity_after < result.perplexity_before / 3
    # perplexity is e^(the model's own next-token loss) over the text's windows
    model, tokenizer = result.model.model, result.model.tokenizer
    ids = torch.tensor(tokenizer(text, add_special_tokens=False).input_ids)
    chunks = training.windows(ids, training.SIZES["tiny"].block_size)
    with torch.no_grad():
        own = model(input_ids=chunks[:, :-1], labels=chunks[:, :-1]).loss  # shifts inside
    assert math.exp(own.item()) == pytest.approx(result.perplexity_after, rel=0.05)
    assert tokenizer.decode(ids[:40].tolist()) == text[:40]  # one token per character
    assert run_code(tiny_code(text, settings)) == pytest.approx(result.losses, rel=1e-5, abs=1e-6)
    again = training.last(training.train_tiny(text, settings, LIMITS))
    assert again.losses == result.losses and again.samples == result.samples
    assert same_state(state(again.model.model), state(model))


def test_the_tiny_gpt_can_use_the_generation_model_s_tokenizer(manager):
    tokenizer = manager.get("generation").tokenizer
    max_length = tokenizer.model_max_length
    text = training.builtin_text("en")
    settings = TinySettings(steps=5, tokenizer="generation", sample_every=5, sample_length=10)
    result = training.last(training.train_tiny(text, settings, LIMITS, tokenizer))
    assert result.vocab_size == len(tokenizer) and len(result.losses) == 5
    assert result.model.tokenizer is not tokenizer
    assert tokenizer.model_max_length == max_length  # the server's tokenizer is untouched
    code = tiny_code(text, settings, manager.model_ids["generation"])
    assert run_code(code) == pytest.approx(result.losses, rel=1e-5, abs=1e-6)


def test_chinese_text_and_sentences():
    text = training.builtin_text("zh")
    result = training.last(training.train_tiny(text, TinySettings(steps=3, sample_length=10), LIMITS))
    assert len(result.losses) == 3 and result.vocab_size > 100
    examples = training.builtin_examples("zh")
    assert len(examples) == 48 and {e.label for e in examples} == {"体育", "美食", "学校"}
    assert sum(e.validation for e in examples) == 12


def refused(events) -> InputError:
    with pytest.raises(InputError) as error:
        training.last(events)
    return error.value


@pytest.mark.parametrize(
    ("examples", "options", "words"),
    [
        ([], QUICK, "no examples"),
        ([Example("a", "x"), Example("b", "x")], QUICK, "only one label"),
        (SEPARABLE + [Example("so so", "NEUTRAL", validation=True)], QUICK, "never appears"),
        (SEPARABLE, FineTuneSettings(epochs=0), "Epochs"),
        (SEPARABLE, FineTuneSettings(learning_rate=5.0), "Learning rate"),
        (SEPARABLE, FineTuneSettings(batch_size=2.5), "Batch size"),
        (SEPARABLE, FineTuneSettings(train="middle"), "What to train"),
        (SEPARABLE, FineTuneSettings(epochs=100, batch_size=1), "training steps"),
        (SEPARABLE + [Example("", "x")], QUICK, "empty"),
    ],
)
def test_bad_fine_tuning_input_gets_one_clear_sentence(classifier, examples, options, words):
    error = refused(training.fine_tune(classifier, examples, options, TrainingLimits(max_steps=500)))
    assert words in str(error)
    with using("zh"):
        assert re.search("[\u4e00-\u9fff]", str(error))  # it reads in Chinese too


@pytest.mark.parametrize(
    ("text", "options", "limits", "words"),
    [
        ("too short", TinySettings(), LIMITS, "too short"),
        ("", TinySettings(), LIMITS, "empty"),
        (training.builtin_text("en"), TinySettings(steps=0), LIMITS, "Steps"),
        (training.builtin_text("en"), TinySettings(steps=10**6), LIMITS, "Steps"),
        (training.builtin_text("en"), TinySettings(size="huge"), LIMITS, "model size"),
        (
            training.builtin_text("en"),
            TinySettings(size="medium"),
            TrainingLimits(max_size="small"),
            "larger",
        ),
        (training.builtin_text("en"), TinySettings(tokenizer="words"), LIMITS, "tokenizer"),
        (training.builtin_text("en"), TinySettings(), TrainingLimits(max_chars=100), "limit"),
    ],
)
def test_bad_tiny_input_gets_one_clear_sentence(text, options, limits, words):
    assert words in str(refused(training.train_tiny(text, options, limits)))


def test_examples_from_a_table_and_a_csv(tmp_path):
    rows = [["A fine day", "sports", "train"], ["", "food", ""], ["Soup", "food", "validation"], [None, None]]
    assert training.examples_from_rows(rows) == [
        Example("A fine day", "sports", False),
        Example("Soup", "food", True),
    ]
    path = tmp_path / "data.csv"
    path.write_bytes("label,text\nfood,汤很好喝\nsports,他跑得很快\n".encode("gbk"))
    assert training.examples_from_csv(path) == [Example("汤很好喝", "food"), Example("他跑得很快", "sports")]
    path.write_text("sentence,kind\nx,y\n", encoding="utf-8")
    with pytest.raises(InputError, match="column named text"):
        training.examples_from_csv(path)
