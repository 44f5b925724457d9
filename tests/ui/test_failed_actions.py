"""A failed page action shows one message, a pop-up in the page's language, and ends without failing the event
(gradio would badge every output "Error"); the results of the earlier request are cleared. API endpoints and
events outside the queue still raise gr.Error. The browser test (tests/browser/test_browser_failed_actions.py)
checks what the page shows; these check the wrapper that decides it."""

from __future__ import annotations

import contextlib

import gradio as gr
import pytest
from gradio.context import LocalContext

from playground.i18n import lazy
from playground.tasks.validation import InputError, check_text
from playground.translations import ZH
from playground.ui import errors, sentiment
from playground.ui.events import CLEARED, by_component, cleared, failing_quietly, stale_outputs
from playground.ui.language import in_page_language


@contextlib.contextmanager
def in_queued_event(monkeypatch, blocks: gr.Blocks, language: str = "en-US"):
    """As inside an event the queue runs for a page in `language`: what it would be sent as a pop-up, recorded."""
    shown = []
    monkeypatch.setattr(errors, "log_message", lambda *args, **kwargs: shown.append((args, kwargs)))
    request = gr.Request(headers={"accept-language": language})
    variables = (
        (LocalContext.blocks, blocks),
        (LocalContext.event_id, "event-1"),
        (LocalContext.request, request),
    )
    tokens = [(variable, variable.set(value)) for variable, value in variables]
    try:
        yield shown
    finally:
        for variable, token in tokens:
            variable.reset(token)


@pytest.fixture
def page():
    with gr.Blocks() as blocks:
        components = {
            "text": gr.Textbox(),  # the event's input
            "html": gr.HTML(),
            "info": gr.Markdown(),
            "plot": gr.Plot(),
            "plain": gr.Textbox(interactive=False),
            "download": gr.DownloadButton(visible=False),
            "column": gr.Dropdown(choices=["a", "b"]),
            "state": gr.State(),
            "conversation": gr.Chatbot(),  # what the user keeps
            "layer": gr.Slider(1, 4),
            "table": gr.Dataframe(interactive=True),  # what the user edits
        }
    return blocks, components


def refuse(text):
    check_text(text, 100)


def zh(message: str, **values) -> str:
    return ZH[message].format(**values)


def page_event(handler, outputs, inputs):
    """The wrapping `events.on` gives a page handler."""
    wrapped = errors.friendly_errors(by_component(handler, outputs), page=True)
    return in_page_language(failing_quietly(wrapped, outputs, inputs))


def test_a_failed_page_action_is_one_pop_up_and_clears_the_results(monkeypatch, page):
    blocks, outputs = page
    with in_queued_event(monkeypatch, blocks, "zh-CN,zh;q=0.9") as shown:
        updates = page_event(refuse, outputs, [outputs["text"]])("")

    [(args, kwargs)] = shown  # one message
    message, title = args
    assert message == zh("Please type some {what} first: it is empty.", what=zh("text")) and title == "出错了"
    assert kwargs["level"] == "error"
    assert updates[outputs["text"]] == gr.skip()  # the request's own input stays
    for name in ("html", "info", "plot", "plain", "state"):
        assert updates[outputs[name]] is None, name
    assert updates[outputs["download"]] == gr.update(value=None, visible=False, interactive=True)
    assert updates[outputs["column"]] == gr.update(choices=[], value=None)
    for name in ("conversation", "layer", "table"):
        assert updates[outputs[name]] == gr.skip(), name


def test_the_message_of_a_failed_action_is_shown_as_written(monkeypatch, page):
    blocks, outputs = page

    def refuse_column(text):
        raise InputError(
            lazy("The CSV file has no column named “{column}”; it has: {columns}.", column="<b>", columns="a")
        )

    with in_queued_event(monkeypatch, blocks) as shown:
        page_event(refuse_column, outputs, [])("")
    assert "“&lt;b&gt;”" in shown[0][0][0]


def test_a_stream_that_fails_ends_with_its_results_cleared(monkeypatch, page):
    blocks, outputs = page

    def stream(text):
        yield {"html": "so far"}
        refuse(text)

    with in_queued_event(monkeypatch, blocks) as shown:
        steps = list(page_event(stream, outputs, [outputs["text"]])(""))
    assert steps[0] == {outputs["html"]: "so far"}
    assert steps[-1][outputs["html"]] is None and len(shown) == 1


def test_outside_the_queue_or_without_outputs_the_action_still_fails(monkeypatch, page):
    blocks, outputs = page
    with pytest.raises(gr.Error, match="type some text"):  # no event to send a pop-up in
        page_event(refuse, outputs, [])("")
    with in_queued_event(monkeypatch, blocks) as shown, pytest.raises(gr.Error, match="type some text"):
        page_event(refuse, {}, [])("")  # no output to badge; the steps chained with .success must not run
    assert not shown


def test_a_refused_action_can_leave_its_outputs(monkeypatch, page):
    blocks, outputs = page
    wrapped = failing_quietly(errors.friendly_errors(refuse, page=True), outputs, [], clear=False)
    with in_queued_event(monkeypatch, blocks):
        assert all(update == gr.skip() for update in wrapped("").values())


def test_a_handler_clears_an_output_by_name(page):
    _blocks, outputs = page
    updates = by_component(lambda: {"download": CLEARED, "html": "new"}, outputs)()
    assert updates == {outputs["download"]: cleared(outputs["download"]), outputs["html"]: "new"}
    assert stale_outputs({"html": outputs["html"]}, [outputs["html"]]) == {outputs["html"]: gr.skip()}


def test_a_new_csv_clears_the_results_of_the_texts_before(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text("id,review\n1,Great.\n", encoding="utf-8")
    shown = sentiment.upload(str(path))
    assert shown["column"].value == "review"
    assert all(shown[name] is CLEARED for name in ("table", "plot", "download", "summary"))
    assert all(sentiment.upload(None)[name] is CLEARED for name in ("table", "plot", "download", "summary"))


def test_a_csv_that_cannot_be_read_is_refused_on_upload(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="The CSV file is empty"):
        sentiment.upload(str(empty))
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(InputError):
        sentiment.upload(str(binary))
