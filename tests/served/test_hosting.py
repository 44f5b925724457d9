"""Public hosting: the server does not hand out files outside the app, and faults stay contained."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
import torch
from gradio_client.exceptions import AppError

from playground.models import ModelManager
from playground.settings import Settings


def status_of(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


@pytest.mark.parametrize(
    "path",
    [
        "/gradio_api/file=/etc/passwd",
        "/gradio_api/file=..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/gradio_api/file=%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/gradio_api/file=....//....//etc/passwd",
        "/file=/etc/passwd",
        "/gradio_api/file=app.py",
        "/gradio_api/file=playground/settings.py",
    ],
)
def test_files_outside_the_app_are_refused(app_url, path):
    status, body = status_of(app_url.rstrip("/") + path)
    assert status in {400, 403, 404}, status
    assert b"root:" not in body and b"import" not in body


def test_out_of_memory_is_a_clear_error_and_the_next_request_works(client, manager, monkeypatch):
    model = manager.get("sentiment").model
    original = model.forward

    def out_of_memory(*args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    monkeypatch.setattr(model, "forward", out_of_memory)
    with pytest.raises(AppError, match="ran out of memory"):
        client.predict(text="I loved it.", api_name="/classify")
    monkeypatch.setattr(model, "forward", original)
    assert client.predict(text="I loved it.", api_name="/classify")


def test_a_model_that_fails_to_load_breaks_only_its_own_tab(tiny_model_dirs, tmp_path):
    """Corrupt weights: a clear error for that model, the others keep working, a retry after repair succeeds."""
    import shutil

    from playground.ui.layout import build_demo

    broken = tmp_path / "broken-bert"
    shutil.copytree(tiny_model_dirs["fill-mask"], broken)
    (broken / "model.safetensors").write_bytes(b"not a safetensors file")
    settings = Settings(
        models={**tiny_model_dirs, "fill-mask": str(broken)},
    )
    manager = ModelManager({t: settings.model_id(t) for t in ("generation", "fill-mask", "sentiment")}, "cpu")
    demo = build_demo(settings, manager).queue()
    demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)
    try:
        from gradio_client import Client

        client = Client(demo.local_url, verbose=False)
        with pytest.raises(AppError, match="Could not load the Fill-mask model"):
            client.predict(text="The cat sat on the [MASK].", api_name="/fill_mask")
        assert client.predict(text="I loved it.", api_name="/classify")
        assert client.predict(prompt="The cat", max_new_tokens=2, api_name="/generate")
        shutil.copy(f"{tiny_model_dirs['fill-mask']}/model.safetensors", broken / "model.safetensors")
        assert client.predict(text="The cat sat on the [MASK].", api_name="/fill_mask")
    finally:
        demo.close()
