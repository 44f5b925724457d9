"""The engine and the model's lock (issue 29, a class of 60): the engine's prefills and steps, and Next token's
distribution, take no lock, so a long forward pass of another view of the same model (Inside, Attention: the
model's lock held, its attention switched to eager) does not hold back every student's next token; their
tokens and the views' results stay exactly what each gets alone."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from playground.engine import Engine
from playground.models import own_configuration
from playground.tasks import inside
from playground.tasks.generation import GenerationParams, encode_prompt, generate, next_token
from tests.tasks.test_engine import CAP, MAX_CHARS, concurrently, mixed_requests, token_ids

TEXT = "The cat sat on the mat because it was tired"


@pytest.fixture(scope="module")
def gpt2(manager):
    return manager.get("generation")


def in_background(fn) -> threading.Thread:
    thread = threading.Thread(target=fn, daemon=True)
    thread.start()
    return thread


def test_the_engine_answers_while_another_view_holds_the_model(gpt2):
    """While a view holds the model (its lock, eager attention on, as Inside's forward pass does), generations
    through the engine and a Next token distribution are answered in full, and equal what each gets alone."""
    work = mixed_requests(6, seed=7)
    alone = [generate(gpt2, prompt, params, MAX_CHARS, CAP) for prompt, params in work]
    ids = encode_prompt(gpt2, "Once upon a time", 1)[0]
    shown_alone = next_token(gpt2, ids, GenerationParams(temperature=0.7), top_n=5)
    engine = Engine(gpt2, max_rows=4)
    answers = {}

    def students():
        answers["together"] = concurrently(
            lambda item: generate(gpt2, *item, MAX_CHARS, CAP, engine=engine), work
        )
        answers["next token"] = next_token(gpt2, ids, GenerationParams(temperature=0.7), top_n=5)

    with gpt2.eager_attention() as model:  # a view's long forward pass, under way
        assert model.config._attn_implementation == "eager"
        thread = in_background(students)
        thread.join(timeout=120)
        held_back = thread.is_alive()
    thread.join(timeout=120)
    assert not held_back, "the engine waited for the model's lock"
    for result, by_itself in zip(answers["together"], alone, strict=True):
        assert token_ids(result) == token_ids(by_itself)
        for ours, theirs in zip(result.samples, by_itself.samples, strict=True):
            assert [s.prob for s in ours.steps] == pytest.approx([s.prob for s in theirs.steps], abs=1e-5)
    shown = answers["next token"]
    assert [c.token_id for c in shown.choices] == [c.token_id for c in shown_alone.choices]
    for ours, theirs in zip(shown.choices, shown_alone.choices, strict=True):
        assert (ours.logit, ours.prob, ours.prob_after) == pytest.approx(
            (theirs.logit, theirs.prob, theirs.prob_after), abs=1e-6
        )
    assert gpt2.model.config._attn_implementation != "eager"  # switched back


def test_inside_beside_the_engine_is_exact(gpt2):
    """Inside's hooked, eager forward passes running while the engine steps: each view's numbers and every
    generation's tokens are those it gets alone (hooks act in their own thread, the switch stays in the view)."""
    work = mixed_requests(6, seed=8)
    alone = [generate(gpt2, prompt, params, MAX_CHARS, CAP) for prompt, params in work]
    step_alone = inside.head_step(gpt2, TEXT, MAX_CHARS, 64, 2, 1)
    engine = Engine(gpt2, max_rows=4)
    steps = []
    done = threading.Event()

    def look_inside():
        while not done.is_set() or not steps:
            steps.append(inside.head_step(gpt2, TEXT, MAX_CHARS, 64, 2, 1))

    viewer = in_background(look_inside)
    try:
        together = concurrently(lambda item: generate(gpt2, *item, MAX_CHARS, CAP, engine=engine), work)
    finally:
        done.set()
        viewer.join(timeout=120)
    for result, by_itself in zip(together, alone, strict=True):
        assert token_ids(result) == token_ids(by_itself)
    for step in steps:
        for name in ("q", "k", "v", "scores", "weights", "head_output", "attention_output", "residual"):
            np.testing.assert_allclose(
                getattr(step, name), getattr(step_alone, name), atol=1e-6, err_msg=name
            )


def test_the_unlocked_model_shares_weights_and_hooks_not_the_attention_switch(gpt2):
    copy = own_configuration(gpt2.model)
    assert copy is not gpt2.model and copy.config is not gpt2.model.config
    originals = dict(gpt2.model.named_parameters())
    for name, parameter in copy.named_parameters():
        assert parameter is originals[name]  # no tensor copied
    heard = []
    handle = gpt2.model.register_forward_hook(lambda *_: heard.append(1))  # a hook added later acts in both
    try:
        with gpt2.eager_attention():
            assert copy.config._attn_implementation != "eager"
            assert all(
                getattr(m, "config", copy.config)._attn_implementation != "eager" for m in copy.modules()
            )
            with torch.inference_mode():
                copy(input_ids=torch.tensor([encode_prompt(gpt2, TEXT, 1)[0]]))
    finally:
        handle.remove()
    assert heard == [1]
    assert gpt2.unlocked_model() is gpt2.unlocked_model()
