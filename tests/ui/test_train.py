"""The Train tab's handlers, called as gradio calls them (each in the request of a session): a visitor's models
belong to their session, are used by the other tabs only when they ask, are freed with the session, count
against the memory budget, and never change what anyone else gets from the server."""

from __future__ import annotations

import contextlib
import dataclasses
import zipfile

import pytest
import torch
from gradio.context import LocalContext
from transformers import AutoModelForCausalLM, AutoTokenizer

from playground.models import ModelLoadError, ModelManager, SessionModels
from playground.tasks import generation, sentiment, training
from playground.ui import attention, generate, inside, train
from playground.ui import fill_mask as fill_mask_tab
from playground.ui import sentiment as sentiment_tab
from playground.ui.context import Context, current_session
from playground.ui.events import bind, in_sessions
from playground.ui.layout import build_demo

TEXT = training.builtin_text("en")


class Request:
    """What the handlers read of a gradio request: its session (and no cookies or headers)."""

    def __init__(self, session: str):
        self.session_hash, self.cookies, self.headers = session, {}, {}


@contextlib.contextmanager
def in_request(session: str):
    token = LocalContext.request.set(Request(session))
    try:
        yield
    finally:
        LocalContext.request.reset(token)


def answered(session: str, handler, *args):
    """A handler's outputs (all the steps of a generator) in a request of `session`."""
    with in_request(session):
        result = handler(*args)
        return list(result) if hasattr(result, "__next__") else result


@pytest.fixture(scope="module")
def context(settings, manager):
    context = Context.create(dataclasses.replace(settings, max_train_steps=500), manager)
    yield context
    for session in manager.sessions.sessions():
        manager.sessions.free(session)


def fine_tune(context, session, epochs=2, train_what="all"):
    table = train.table_rows(training.builtin_examples("en"))
    return answered(session, train.run_fine_tune, context, table, epochs, 1e-3, 8, train_what, 0)


def pretrain(context, session, steps=20):
    return answered(session, train.run_tiny, context, TEXT, "tiny", "characters", steps, 10, 3e-3, 0)


def test_fine_tuning_shows_the_loss_live_then_before_and_after(context):
    steps = fine_tune(context, "ui-a")
    assert "plot" in steps[0] and "progress" in steps[0]
    last = steps[-1]
    rows = last["compare"].value["data"]
    assert len(rows) == 12 and all(len(row) == 5 for row in rows)
    assert {row[1] for row in rows} == {"sports", "food", "school"}
    assert "Validation accuracy" in last["summary"] and "new classification head" in last["summary"]
    assert "AdamW" in last["code"].value and last["code"].visible
    # the table shows the trained model's own predictions
    own = context.manager.sessions.get("ui-a", "sentiment")
    predicted = sentiment.classify(own, rows[0][0], 1000).scores[0]
    assert rows[0][3].endswith(f"{predicted.label} ({predicted.score:.0%})")
    assert (rows[0][4] != "") == (rows[0][2].split(" ")[1] != rows[0][3].split(" ")[1])


def test_two_sessions_models_stay_apart_and_the_server_answers_the_same(context):
    server_text = generation.generate(
        context.manager.get("generation"), "Once", generation.GenerationParams(8, temperature=0), 2000, 60
    ).generated_text
    server_scores = sentiment.classify(context.manager.get("sentiment"), "What a lovely day.", 1000).scores
    pretrain(context, "ui-b")
    fine_tune(context, "ui-b", epochs=1)
    answered("ui-b", train.use_mine, context, True)
    mine = context.manager.sessions
    with in_request("ui-b"):
        assert context.model("generation") is mine.get("ui-b", "generation")
        assert context.model("sentiment") is mine.get("ui-b", "sentiment")
        assert context.model("fill-mask") is context.manager.get("fill-mask")
    for other in ("ui-c", None):
        with contextlib.nullcontext() if other is None else in_request(other):
            assert context.model("generation") is context.manager.get("generation")
            assert context.model("sentiment") is context.manager.get("sentiment")
    assert mine.get("ui-b", "sentiment") is not mine.get("ui-a", "sentiment")
    # what the other tabs answer: session b with its models, everyone else as before
    b_steps = answered("ui-b", generate.run, context, "Once", 8, 0, 50, 1.0, 1.0, 0, 1, False)
    c_steps = answered("ui-c", generate.run, context, "Once", 8, 0, 50, 1.0, 1.0, 0, 1, False)
    assert c_steps[-1]["text"] == server_text != b_steps[-1]["text"]
    b_text = generation.generate(
        mine.get("ui-b", "generation"), "Once", generation.GenerationParams(8, temperature=0), 2000, 60
    ).generated_text
    assert b_steps[-1]["text"] == b_text
    assert (
        sentiment.classify(context.manager.get("sentiment"), "What a lovely day.", 1000).scores
        == server_scores
    )
    # Attention and Inside read the session's tiny GPT (2 layers, 2 heads)
    with in_request("ui-b"):
        result = attention.compute(context, "Once upon a time", "generation")
    assert result.attentions.shape[:2] == (2, 2) and result.tokens[:4] == ["O", "n", "c", "e"]
    looked = answered("ui-b", inside.look_inside, context, "generation", "Once upon", 2, 2, None)
    assert looked["head_info"] and looked["lens"] is not None and looked["layer"].maximum == 2
    answered("ui-b", train.use_mine, context, False)
    with in_request("ui-b"):
        assert context.model("generation") is context.manager.get("generation")


def test_a_batch_of_several_sessions_answers_each_with_its_own_models(context):
    fine_tune(context, "ui-d", epochs=1)
    answered("ui-d", train.use_mine, context, True)
    batch = in_sessions(context, bind(sentiment_tab.run, context))
    plots, summaries, errors = batch(
        ["Soup with noodles.", "Soup with noodles.", "x"], ["ui-d", "ui-e", "ui-d"]
    )
    assert errors == ["", "", ""]
    assert any(label in summaries[0] for label in ("sports", "food", "school"))
    assert "POSITIVE" in summaries[1] or "NEGATIVE" in summaries[1]
    assert any(label in summaries[2] for label in ("sports", "food", "school"))
    api = in_sessions(context, bind(sentiment_tab.classify_api, context), with_column=False)
    with in_request("ui-d"):  # the API answers with the server's models only
        (answers,) = api(["Soup with noodles."])
    assert {score["label"] for score in answers[0]} == {"POSITIVE", "NEGATIVE"}
    with in_request("ui-d"):
        assert current_session() == "ui-d"


def test_stop_ends_the_session_s_training_within_a_step(context, monkeypatch):
    monkeypatch.setattr(train, "REDRAW_SECONDS", 0.0)  # every step is sent to the page
    table = train.table_rows(training.builtin_examples("en"))
    with in_request("ui-f"):
        steps = train.run_fine_tune(context, table, 10, 1e-3, 4, "head", 0)
        first = next(steps)
        answered("ui-g", train.stop, context)  # another session's Stop changes nothing here
        second = next(steps)
        train.stop(context)
        rest = list(steps)
    assert "Step 1 of 90" in first["progress"] and "Step 2 of 90" in second["progress"]
    assert "Stopped after 2 of 90 steps." in rest[-1]["summary"]


def test_download_gives_a_save_pretrained_folder_that_loads_with_transformers(context, tmp_path):
    pretrain(context, "ui-h", steps=10)
    archive = answered("ui-h", train.download, context, "generation")["file"].value["path"]
    with zipfile.ZipFile(archive) as opened:
        assert "config.json" in opened.namelist()
        opened.extractall(tmp_path)
    model = AutoModelForCausalLM.from_pretrained(tmp_path)
    tokenizer = AutoTokenizer.from_pretrained(tmp_path)
    own = context.manager.sessions.get("ui-h", "generation")
    ids = tokenizer("Once upon", return_tensors="pt").input_ids
    assert ids[0].tolist() == own.tokenizer("Once upon").input_ids
    with torch.no_grad():
        assert torch.allclose(model(ids).logits, own.model(ids).logits, atol=1e-6)
    with pytest.raises(Exception, match="Train a model first"):
        answered("ui-nobody", train.download, context, "sentiment")


def test_a_session_s_models_are_freed_when_it_ends_or_idles(context):
    pretrain(context, "ui-i", steps=10)
    assert context.manager.sessions.tasks("ui-i") == ["generation"]
    train.free_session(context, Request("ui-i"))
    assert context.manager.sessions.get("ui-i", "generation") is None
    idle = SessionModels(idle_seconds=60)
    idle.put("x", context.manager.sessions.get("ui-h", "generation"))
    assert idle.sweep() == [] and idle.sessions() == ["x"]
    idle._last_used["x"] -= 61  # a minute and a second later
    assert idle.sweep() == ["x"] and idle.get("x", "generation") is None


def test_session_models_count_against_the_memory_budget(tiny_model_dirs):
    manager = ModelManager(tiny_model_dirs, "cpu", memory_budget_mb=1)
    limits = training.TrainingLimits()
    tiny = [
        training.last(
            training.train_tiny(TEXT, training.TinySettings(steps=1, seed=s, sample_length=1), limits)
        )
        for s in range(3)
    ]
    assert tiny[0].model.memory_bytes < 2**19  # two fit in 1 MB, three do not
    for session, result in zip("abc", tiny, strict=True):
        manager.keep_session_model(session, result.model)
    assert manager.sessions.sessions() == ["b", "c"]  # a, the least recently used, was freed
    assert any("memory budget" in str(notice) for notice in manager.notices)
    small = training.TinySettings(steps=1, size="small", sample_length=1)
    big = training.last(training.train_tiny(TEXT, small, limits))
    with pytest.raises(ModelLoadError, match="does not fit"):
        manager.keep_session_model("d", big.model)
    assert manager.sessions.sessions() == ["b", "c"]  # nobody's model was freed for one that cannot fit


def test_the_page_has_the_train_tab_and_its_endpoints(settings, manager):
    demo = build_demo(settings, manager)
    tabs = [block.id for block in demo.blocks.values() if type(block).__name__ == "Tab"]
    assert tabs.index("train") == len(tabs) - 2  # before System
    functions = {fn.api_name: fn for fn in demo.fns.values() if fn.api_name}
    for name in ("fine_tune", "train_tiny", "pretrain_mlm"):
        assert functions[name].concurrency_id == train.GROUP
        assert functions[name].concurrency_limit == settings.max_trainings


def test_the_api_answers_with_the_server_s_models_even_in_a_session_that_uses_its_own(context):
    """Issue 14: gradio knows a visitor by the session hash their page sends, and an API request names its
    session itself: so no endpoint uses a visitor's own models, only their page's events do."""
    pretrain(context, "ui-g")
    fine_tune(context, "ui-g", epochs=1)
    answered("ui-g", train.use_mine, context, True)
    demo = build_demo(context.settings, context.manager)
    endpoints = {fn.api_name: fn.fn for fn in demo.fns.values() if fn.api_name}
    server = context.manager.model_ids
    with in_request("ui-g"):
        assert context.model("generation") is context.manager.sessions.get("ui-g", "generation")  # the page's
        assert endpoints["attention"]("Once upon a time", "generation")["model"] == server["generation"]
        assert endpoints["tokenize"]("Once", "generation")["model"] == server["generation"]
        streamed = list(endpoints["generate"]("Once", 8, 0.0))  # a streaming endpoint, step by step
    expected = generation.generate(
        context.manager.get("generation"), "Once", generation.GenerationParams(8, temperature=0), 2000, 60
    ).generated_text
    assert streamed[-1] == [{"generated_text": expected}]  # batched endpoints: the test above
    answered("ui-g", train.use_mine, context, False)


def pretrain_bert(context, session, steps=20):
    return answered(session, train.run_mlm, context, TEXT, "tiny", "characters", steps, 10, 0.15, 2e-3, 0, "")


def test_pretraining_a_tiny_bert_shows_its_batch_and_probes_and_serves_the_session_s_fill_mask(context):
    from playground.tasks import fill_mask

    steps = pretrain_bert(context, "ui-m")
    assert any("batch" in step and "replaced by a random token" in step["batch"] for step in steps[:-1])
    assert any("probes" in step and "[MASK]" in step["probes"] for step in steps[:-1])
    last = steps[-1]
    assert "DataCollatorForLanguageModeling" in last["code"].value and last["code"].visible
    assert "Accuracy on the chosen tokens" in last["summary"] and "your tiny BERT" in last["mine"]
    own = context.manager.sessions.get("ui-m", "fill-mask")
    assert own.model_id == "tiny-bert-tiny"
    server = context.manager.get("fill-mask")
    with in_request("ui-m"):
        assert context.model("fill-mask") is server  # until the visitor asks for their own
    answered("ui-m", train.use_mine, context, True)
    with in_request("ui-m"):
        assert context.model("fill-mask") is own
        result = attention.compute(context, "Once upon a time", "fill-mask")
    assert result.attentions.shape[:2] == (2, 2) and result.tokens[:3] == ["[CLS]", "O", "n"]
    with in_request("ui-m"):  # what the Fill-Mask tab answers this visitor: their BERT's guesses
        (answer,) = fill_mask_tab.predict_batch(context, ["Once upon a t[MASK]me"], [3], [""])
    (theirs,) = fill_mask.fill_mask_batch(own, [fill_mask.FillMaskRequest("Once upon a t[MASK]me", 3)], 1000)
    assert [c.token_str for c in answer.masks[0]] == [c.token_str for c in theirs.masks[0]]
    looked = answered("ui-m", inside.look_inside, context, "fill-mask", "Once [MASK]", 2, 2, None)
    assert looked["head_info"] and looked["layer"].maximum == 2
    with in_request("ui-n"):  # everyone else: the server's model
        assert context.model("fill-mask") is server
    answered("ui-m", train.use_mine, context, False)
    with in_request("ui-m"):
        assert context.model("fill-mask") is server


def test_the_bert_section_offers_each_built_in_text_with_its_probe_and_reads_words_by_default():
    from playground.tasks import training_mlm

    assert train.choose_mlm_text("zh", "") == {
        "text": training.builtin_text("zh"),
        "probe": "小猫坐在窗边的[MASK]子上。",
    }
    assert train.choose_mlm_text("en", "")["probe"] == "The cat sat on the [MASK] by the window."
    assert train.choose_mlm_text("own", TEXT) == {"text": "", "probe": ""}  # a probe is made from their text
    assert next(iter(train.MLM_TOKENIZER_LABELS)) == training_mlm.MlmSettings.tokenizer == "words"
