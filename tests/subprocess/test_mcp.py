"""Issue 17, point 3: `--mcp` serves the endpoints as MCP tools for AI assistants; without it, no MCP endpoint.

The app is started as `playground --mcp` on the tiny models; an MCP client (the `mcp` package, over streamable
HTTP, as Claude Desktop or Cursor connect) lists the tools and calls them, and their answers are compared with
the same endpoints called through gradio_client.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from playground.settings import MCP_MISSING, Settings
from tests.helpers import free_port, start_app

ROOT = Path(__file__).resolve().parents[2]
TOOLS = {
    "generate",
    "next_token",
    "fill_mask",
    "classify",
    "explain",
    "chat",
    "chat_template",
    "attention",
    "tokenize",
    "inside",
    "logit_lens",
    "question_answering",
    "perplexity",
    "score_text",
    "translate",
    "cross_attention",
    "translate_chat",
    "summarize",
    "heads",
    "ablate",
    "patch",
    "kv_cache",
    "train_tokenizer",
    "lessons",
    "positions",
    "word_order",
    "block_structure",
    "random_mask",
}
NOT_TOOLS = {
    "fine_tune",
    "train_tiny",
    "attention_view",
    "pretrain_mlm",
}  # training runs and an HTML download


@pytest.fixture(scope="module")
def mcp_app(tiny_model_dirs):
    """`playground --mcp` on the tiny models: its URL."""
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    env.pop("GRADIO_MCP_SERVER", None)
    command = [sys.executable, "-m", "playground.cli", "--port", str(port), "--device", "cpu", "--mcp"]
    for task, folder in tiny_model_dirs.items():
        command += [f"--{task}-model", folder]
    server, url, _config = start_app(command, port, ROOT, env)
    yield url
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=60)


def with_session(url: str, work):
    """`await work(session)` in an initialised MCP client session with the app's MCP endpoint."""
    from mcp import ClientSession  # the test extra installs it
    from mcp.client.streamable_http import streamable_http_client

    async def run():
        async with streamable_http_client(url + "gradio_api/mcp/") as (read, write, _session_id):
            async with ClientSession(read, write) as session:
                await session.initialize()
                return await work(session)

    return asyncio.run(run())


def call(url: str, tool: str, arguments: dict):
    """The tool's answer: (is_error, its text)."""

    async def work(session):
        return await session.call_tool(tool, arguments)

    result = with_session(url, work)
    [content] = result.content
    return result.isError, content.text


def test_the_tools_are_the_endpoints_each_described(mcp_app):
    async def work(session):
        return (await session.list_tools()).tools

    tools = {tool.name: tool for tool in with_session(mcp_app, work)}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert len(tool.description) > 40, tool.name  # what it takes and returns
        properties = tool.inputSchema["properties"]
        assert properties, tool.name
        for name, schema in properties.items():
            assert schema.get("description"), f"{tool.name}({name}) is not described"
        assert "FileData" not in json.dumps(tool.inputSchema)  # no tool takes a file (gradio fetches URLs)
    assert tools["classify"].inputSchema["required"] == ["text"]
    assert "[MASK]" in tools["fill_mask"].description
    assert '"prob_after"' in tools["next_token"].description


def test_a_tool_answers_what_its_endpoint_answers(mcp_app):
    from gradio_client import Client

    client = Client(mcp_app, verbose=False)
    text = "What a lovely day."
    is_error, answer = call(mcp_app, "classify", {"text": text})
    assert not is_error
    assert json.loads(answer) == client.predict(text, api_name="/classify")
    masked = "The cat sat on the [MASK]."
    is_error, answer = call(mcp_app, "fill_mask", {"text": masked, "top_k": 3})
    assert not is_error
    assert json.loads(answer) == client.predict(masked, top_k=3, api_name="/fill_mask")
    # a streamed endpoint: the tool gives its last answer
    settings = {"max_new_tokens": 6, "temperature": 0}
    is_error, answer = call(mcp_app, "generate", {"prompt": "Once upon", **settings})
    assert not is_error
    assert json.loads(answer) == client.predict("Once upon", **settings, api_name="/generate")


def test_bad_input_is_one_sentence_and_other_endpoints_are_no_tools(mcp_app):
    is_error, answer = call(mcp_app, "classify", {"text": "   "})
    assert is_error and answer == "Please type some text first: it is empty."
    for name in NOT_TOOLS:
        is_error, answer = call(mcp_app, name, {"text": "abc"})
        assert is_error and "Unknown tool" in answer
    is_error, _answer = call(mcp_app, "classify", {"text": "Still serving."})
    assert not is_error


def test_without_mcp_no_mcp_endpoint_is_served(app_url):
    """The session's app, launched with launch_options(settings) as `playground` is, without --mcp."""
    for path, data in [("gradio_api/mcp/", b"{}"), ("gradio_api/mcp/schema", None)]:
        request = urllib.request.Request(
            app_url + path, data=data, headers={"Content-Type": "application/json"}
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code in (404, 405)


def test_mcp_is_off_by_default_even_when_gradio_is_told_otherwise(monkeypatch):
    from playground.ui.layout import launch_options

    monkeypatch.setenv("GRADIO_MCP_SERVER", "true")  # gradio's own switch is overridden by ours
    assert launch_options(Settings.from_args([], environ={}))["mcp_server"] is False
    assert launch_options(Settings.from_args([], environ={"PLAYGROUND_MCP": "1"}))["mcp_server"] is True


def test_mcp_without_the_package_is_one_sentence(monkeypatch, capsys):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "mcp" else find_spec(name, *a)
    )
    with pytest.raises(SystemExit) as stopped:
        Settings.from_args(["--mcp"], environ={})
    assert stopped.value.code == 2
    assert MCP_MISSING in capsys.readouterr().err
