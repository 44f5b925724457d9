"""The server fetches nothing from the internet on anyone's behalf.

Gradio downloads a URL given where a file is expected (a file input sent as {"path": "http://…"}) and
streams one through `/gradio_api/file=http…`, checking only that the host is public. That made the server
a relay, and broke `--offline` ("no connection outside the laptop"). The app takes no URL inputs, so both are
refused, always: gradio's three fetch functions are replaced by ones that refuse.
"""

from __future__ import annotations

import gradio.processing_utils
import gradio.routes
from fastapi import HTTPException

REFUSED = "This server does not fetch files from URLs: upload the file itself."


async def _refuse_download(url: str, *args, **kwargs) -> str:
    raise ValueError(REFUSED)


async def _refuse_get(url: str, *args, **kwargs):
    raise ValueError(REFUSED)


async def _refuse_stream(url: str, request):
    raise HTTPException(403, REFUSED)


def refuse_url_inputs() -> None:
    """Make gradio refuse every URL it would fetch (idempotent; the whole process serves this app)."""
    gradio.processing_utils.async_ssrf_protected_download = _refuse_download
    gradio.processing_utils.async_ssrf_protected_get = _refuse_get
    gradio.routes.secure_url_stream_response = _refuse_stream
