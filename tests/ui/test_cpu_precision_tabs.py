"""With `--dtype int8`: the System tab says the precision each model runs at, and the views that read internals
(attention, Inside, experiments, explanations) read the float32 model, so they show float32's exact numbers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from playground.i18n import using
from playground.models import ModelManager
from playground.ui import attention as attention_tab
from playground.ui import inside as inside_tab
from playground.ui import system
from playground.ui.context import Context

TEXT = "The cat sat on the mat."


@pytest.fixture(scope="module")
def int8_context(settings, tiny_model_dirs) -> Context:
    int8_settings = dataclasses.replace(settings, dtype="int8")
    return Context.create(int8_settings, ModelManager(tiny_model_dirs, device="cpu", dtype="int8"))


def test_the_system_tab_shows_each_model_s_precision(int8_context):
    manager = int8_context.manager
    manager.get("sentiment")
    [[task, _model, device, dtype, parameters, memory]] = system.loaded_rows(manager)
    assert task == "Sentiment" and device == "cpu"
    assert dtype == "int8 + float32 copy"
    loaded = manager.get("sentiment")
    assert parameters == round(loaded.exact_model.num_parameters() / 1e6, 1)  # the int8 layers' too
    assert (
        memory == round(loaded.memory_bytes / 2**20, 1) and loaded.memory_bytes > loaded.exact().memory_bytes
    )
    assert "cpu, int8 weights (float32 activations)" in system.device_summary(manager)
    summary = system.status(int8_context)["summary"]
    assert "**Precision:**" in summary and "int8 copy" in summary
    with using("zh"):
        assert system.loaded_rows(manager)[0][3] == "int8 + float32 副本"
        assert "**精度：**" in system.status(int8_context)["summary"]


def test_the_system_tab_at_float32_says_nothing_of_copies(settings, manager):
    context = Context.create(settings, manager)
    manager.get("sentiment")
    rows = {row[0]: row for row in system.loaded_rows(manager)}
    assert rows["Sentiment"][3] == "float32"
    assert "**Precision:**" not in system.status(context)["summary"]


def test_internals_views_read_the_float32_model(int8_context, settings, manager):
    loaded = int8_context.manager.get("generation")
    assert int8_context.model("generation", exact=True) is loaded.exact()
    assert int8_context.model("generation") is loaded
    exact = Context.create(settings, manager)
    ours = attention_tab.compute(int8_context, TEXT, "generation")
    theirs = attention_tab.compute(exact, TEXT, "generation")
    np.testing.assert_array_equal(ours.attentions, theirs.attentions)
    view = inside_tab._look(int8_context, int8_context.model("generation", exact=True), TEXT, 1, 1, None)
    reference = inside_tab._look(exact, exact.model("generation", exact=True), TEXT, 1, 1, None)
    np.testing.assert_array_equal(view.head.q, reference.head.q)
