"""A class of 60 (issue 29): what sits between a student's request and its first token on the page's side.

- a generation model's group admits the engine's rows and the requests that may wait in it (--queue-size),
  and gradio's queue runs enough events at once for both groups beside the rest;
- a new session (every call of the HTTP API is one) starts without gradio's copy of every block's config."""

from __future__ import annotations

import dataclasses

import gradio as gr
import pytest
from gradio import route_utils, state_holder

from playground.ui.blocks import LeanSessionState, PlaygroundBlocks
from playground.ui.events import CONCURRENCY_LIMIT, GRADIO_WORKERS, engine_limit, queue_workers
from playground.ui.layout import build_demo, launch_options


@pytest.fixture(scope="module")
def demo(settings, manager):
    return build_demo(settings, manager)


def test_generation_groups_admit_the_engine_s_rows_and_its_waiting_ones(settings, demo):
    functions = {fn.api_name: fn for fn in demo.fns.values() if fn.api_name}
    expected = settings.max_generation_batch + settings.queue_size
    for name, group in (("generate", "generation"), ("next_token", "generation"), ("chat", "chat")):
        assert functions[name].concurrency_id == group
        assert functions[name].concurrency_limit == expected == engine_limit(settings)
    assert functions["fill_mask"].concurrency_limit == 1  # batched: one batch at a time, as before
    assert functions["inside"].concurrency_limit == CONCURRENCY_LIMIT


def test_without_an_engine_generations_take_turns(settings):
    assert engine_limit(dataclasses.replace(settings, max_generation_batch=0)) == CONCURRENCY_LIMIT


def test_the_queue_runs_both_generation_groups_beside_the_rest(settings, demo):
    workers = launch_options(settings, demo)["max_threads"]
    assert workers == queue_workers(settings)
    assert workers >= GRADIO_WORKERS + 2 * (engine_limit(settings) - CONCURRENCY_LIMIT)


def test_a_new_session_starts_without_a_copy_of_every_block_s_config(demo):
    assert state_holder.SessionState is route_utils.SessionState is LeanSessionState
    lean = state_holder.SessionState(demo)
    (gradio_own,) = LeanSessionState.__bases__
    full = gradio_own(demo)
    assert len(full.config_values) > 100  # what gradio would copy for each new session
    assert lean.config_values == {}
    assert set(vars(lean)) - {"_lean"} == set(vars(full))  # otherwise the same state
    assert set(lean.blocks_config.blocks) == set(full.blocks_config.blocks)
    # nor does an event fill that copy (gradio rebuilt an output's config for it, then forget_values emptied it);
    # what the next event reads, the session's blocks and gr.States, is kept as gradio keeps it
    block_id = next(iter(full.config_values))
    block = full.blocks_config.blocks[block_id]
    lean[block_id] = block
    lean._update_config(block_id)
    lean._update_value_in_config(block_id, "a value")
    assert lean.config_values == {} and lean[block_id] is block
    full._update_value_in_config(block_id, "a value")
    assert full.config_values[block_id]["props"]["value"] == "a value"  # gradio's own still does
    state = next(b for b in demo.blocks.values() if isinstance(b, gr.State))
    lean[state._id] = "kept"
    assert lean[state._id] == "kept" and state._id in lean._state_ttl and lean.config_values == {}


def test_a_page_with_a_deep_link_button_and_other_blocks_keep_gradio_s_copy():
    with PlaygroundBlocks() as linked:
        gr.Textbox("text")
        gr.DeepLinkButton()
    with gr.Blocks() as plain:
        gr.Textbox("text")
    assert state_holder.SessionState(linked).config_values
    assert state_holder.SessionState(plain).config_values
