"""The public endpoints as MCP tools for AI assistants (`--mcp`), through gradio's MCP server.

Gradio makes every public API endpoint a tool, named after its Python function and described by its docstring
(the text before `Args:`, and one line per parameter under it), and answers with the Python repr of the
result. Here the tools are named as the endpoints are (`classify`, `fill_mask`, ...), answer JSON (the
endpoints' own shapes), and the endpoints that make no sense as tools (training runs, an HTML download) are
neither listed nor callable as tools; they stay public API endpoints. Only public endpoints can become tools:
the UI's events, the admin controls among them, are private, so no tool reaches them. No endpoint takes a
file, so no tool makes the server fetch a URL (and ui/no_urls.py refuses every fetch anyway).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import gradio.mcp
from gradio_client import utils as client_utils

NOT_A_TOOL = "_playground_not_a_tool"


def not_a_tool(fn: Callable) -> Callable:
    """Mark an API endpoint's function as one that AI assistants do not see as a tool."""
    setattr(fn, NOT_A_TOOL, True)
    return fn


class PlaygroundMCPServer(gradio.mcp.GradioMCPServer):
    """Gradio's MCP server with the playground's tools: named as the endpoints, answering JSON."""

    def get_tool_to_endpoint(self) -> dict[str, str]:
        tools: dict[str, str] = {}
        for endpoint in self.api_info["named_endpoints"]:
            block_fn = self.get_block_fn_from_endpoint_name(endpoint)
            if block_fn is None or block_fn.fn is None or getattr(block_fn.fn, NOT_A_TOOL, False):
                continue
            name = self.valid_and_unique_tool_name(self.tool_prefix + endpoint.lstrip("/"), set(tools))
            tools[name] = endpoint
        return tools

    def postprocess_output_data(self, data: Any, root_url: str) -> list:
        contents = []
        for output in data:
            if isinstance(output, dict | list) and not client_utils.is_file_obj_with_meta(output):
                text = json.dumps(output, ensure_ascii=False)
                contents.append(self.types.TextContent(type="text", text=text))
            else:
                contents.extend(super().postprocess_output_data([output], root_url))
        return contents


def serve_playground_tools() -> None:
    """Make gradio's MCP server (started by launch(mcp_server=True)) the playground's (idempotent)."""
    gradio.mcp.GradioMCPServer = PlaygroundMCPServer
