"""UI handlers are module-level functions of (context, inputs) that return their outputs by name; the page's
language reaches them from the request, never as an input. Called here directly, as gradio would."""

from __future__ import annotations

import inspect

import pytest

from playground.registry import REGISTRY, TASKS
from playground.tasks import generation
from playground.tasks.validation import InputError
from playground.ui import attention, fill_mask, generate, sentiment, system
from playground.ui.context import Context
from playground.ui.events import bind
from playground.ui.layout import build_demo


@pytest.fixture(scope="module")
def context(settings, manager) -> Context:
    return Context.create(settings, manager)


def test_generate_streams_then_gives_every_picture_of_the_finished_text(context):
    steps = list(generate.run(context, "The cat sat", 6, 0, 50, 1.0, 1.0, 0, 1, False))
    assert set(steps[0]) == {"html", "text", "info", "seed"}  # while streaming: the text only
    last = steps[-1]
    assert set(last) == {"html", "text", "info", "seed", "distribution", "perplexity", "code"} | {
        "step_state",
        "shown",
    }
    expected = generation.generate(
        context.model("generation"), "The cat sat", generation.GenerationParams(6, temperature=0), 2000, 60
    )
    assert last["text"] == expected.generated_text and last["step_state"].steps == expected.samples[0].steps


def test_step_mode_draws_and_undoes_tokens_like_stream(context):
    state = None
    for _ in range(3):
        shown = generate.next_step(context, state, "Once upon a time", 1.0, 50, 1.0, 1.0, 7)
        state = shown["step_state"]
    streamed = generation.generate(
        context.model("generation"), "Once upon a time", generation.GenerationParams(3, seed=7), 2000, 60
    )
    assert shown["text"] == streamed.generated_text
    undone = generate.undo_step(context, state, 1.0, 50, 1.0, 1.0, 7)
    assert len(undone["step_state"].steps) == 2 and undone["shown"].drawn_id is None
    with pytest.raises(InputError, match="no drawn token"):
        generation.undo_step(generation.StepState("m", "p", [1]))


def test_the_text_reaching_the_context_is_refused_in_one_sentence(context):
    loaded = context.model("generation")
    with pytest.raises(InputError, match="context length"):
        generation.check_room(loaded, [1] * loaded.context_length)


def test_fill_mask_sentiment_attention_and_system_handlers(context):
    plots, summaries, best, errors = fill_mask.run(
        context, ["The cat sat on the [MASK].", "No mask."], [3, 3], ["", ""]
    )
    assert errors[0] == "" and "mask" in errors[1].lower() and "Best fill" in summaries[0]
    explained = sentiment.run_explain(context, "I loved this film.", "predicted")
    assert set(explained) == {"plot", "summary", "explanation", "explanation_summary", "target"}
    shown = attention.run(context, "fill-mask", "The cat sat.", "head", 1, 1, False, [1, 2], [1, 2])
    assert shown["shown"].result.num_layers == 2 and "plot" in shown and "info" in shown
    assert attention.draw(context, None, "head", 1, 1, False, [], []) == {}  # nothing shown yet: no change
    with pytest.raises(InputError, match="Unknown model"):
        attention.compute(context, "The cat sat.", "wizard")
    status = system.status(context)
    assert set(status) == {"summary", "models", "notices"} and "**Device:**" in status["summary"]


def test_handlers_take_the_context_first_and_gradio_sees_the_rest():
    for handler in (generate.run, generate.next_step, sentiment.run_many, attention.run, system.switch):
        assert next(iter(inspect.signature(handler).parameters)) == "context"
        bound = bind(handler, object())
        parameters = inspect.signature(bound).parameters
        assert "context" not in parameters and "language" not in parameters
        assert inspect.isgeneratorfunction(bound) == inspect.isgeneratorfunction(handler)


def test_the_page_is_built_from_the_registry(settings, manager):
    demo = build_demo(settings, manager)
    (tabs,) = [block for block in demo.blocks.values() if getattr(block, "elem_id", None) == "main-tabs"]
    tab_ids = [tab.id for tab in tabs.children]
    expected = [spec.tab for spec in REGISTRY.values() if spec.tab]
    # Lessons, each task's tab, then Evaluate, Attention, Inside, Experiments, Train and System
    assert len(tab_ids) == len(expected) + 7
    endpoints = {fn.api_name for fn in demo.fns.values() if fn.api_name and fn.api_visibility != "private"}
    for spec in REGISTRY.values():
        assert set(spec.endpoints) <= endpoints, spec.name
    assert set(attention.MODELS) == {name for name, spec in REGISTRY.items() if spec.attention_label}
    # no UI event takes the page's language as an input, except the batched ones (gradio hands a batch function
    # only its first request) and the switch itself
    switch = demo.playground_language
    with_language = [fn for fn in demo.fns.values() if switch in fn.inputs]
    assert all(fn.batch or fn.name == "retitle" for fn in with_language), [fn.name for fn in with_language]


def test_the_test_fixtures_cover_every_task_of_the_registry(tiny_model_dirs, settings):
    assert set(tiny_model_dirs) == set(TASKS)
    assert settings.model_ids == {task: tiny_model_dirs[task] for task in TASKS}


def test_the_sentiment_tab_reads_a_csv_saved_by_excel_on_chinese_windows(context, tmp_path):
    path = tmp_path / "评论.csv"
    path.write_bytes("编号,评论\r\n1,这家餐厅的菜很好吃。\r\n2,菜是凉的，服务也很慢。\r\n".encode("gbk"))
    column = sentiment.upload(str(path))["column"]
    assert column.choices == [("编号", "编号"), ("评论", "评论")] and column.value == "编号"
    shown = sentiment.run_many(context, "", str(path), "评论", progress=lambda *args, **kwargs: None)
    assert [row[0] for row in shown["table"].value["data"]] == [
        "这家餐厅的菜很好吃。",
        "菜是凉的，服务也很慢。",
    ]
    assert "评论" in shown["summary"] and "评论.csv" in shown["summary"]


def test_a_handler_that_changes_nothing_leaves_every_output_as_it_is():
    import gradio as gr

    from playground.ui.events import by_component

    with gr.Blocks():
        plot, info = gr.Plot(), gr.Markdown()
    wrapped = by_component(lambda: {}, {"plot": plot, "info": info})
    assert set(wrapped()) == {plot, info}  # gradio reads a bare {} as one value and fails the event
    assert all(value == gr.skip() for value in wrapped().values())


def test_stop_leaves_a_status_that_says_stopped():
    from playground.i18n import using

    with using("en"):
        assert (
            generate.stopped("Seed **0** · 55 new tokens · generating…")["info"]
            == "Seed **0** · 55 new tokens · stopped"
        )
    with using("zh"):
        shown = generate.stopped("随机种子 **0** · 55 个新词元 · 生成中…")["info"]
        assert shown.endswith(" · 已停止") and "生成中" not in shown
    assert generate.stopped("Seed **0** · 55 new tokens")["info"] == "Seed **0** · 55 new tokens"  # finished
