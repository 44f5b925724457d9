"""The class's tokens first, as served (playground/priority.py): a view's forward pass (/fill_mask, /attention)
runs in a thread below the process's priority; Next token's draws at it, like the engine's tokens."""

from __future__ import annotations

import os
import threading

import pytest

from playground import priority

pytestmark = pytest.mark.skipif(not priority.lowers_priority(), reason="a thread's own priority: Linux only")


def forward_nices(model, call) -> list[int]:
    """The nice values of the threads that ran `model`'s forward passes during `call()`."""
    seen = []
    handle = model.register_forward_pre_hook(
        lambda *_: seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
    )
    try:
        call()
    finally:
        handle.remove()
    return seen


def test_views_run_behind_the_tokens_and_next_token_does_not(client, manager):
    base = os.getpriority(os.PRIO_PROCESS, 0)
    lowered = min(19, base + priority.VIEW_NICE)
    fill_mask = manager.get("fill-mask").model
    gpt2 = manager.get("generation").model

    def masked():
        client.predict(text="The cat sat on the [MASK].", top_k=3, api_name="/fill_mask")

    def attention():
        client.predict(text="The cat sat", model="generation", api_name="/attention")

    def next_token():
        client.predict(text="The cat sat", temperature=0.5, top_k=5, top_n=5, api_name="/next_token")

    assert set(forward_nices(fill_mask, masked)) == {lowered}
    assert set(forward_nices(gpt2, attention)) == {lowered}
    assert set(forward_nices(gpt2, next_token)) == {base}
