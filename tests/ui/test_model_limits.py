"""Defaults and limits from the model (issue 26, points 1 and 4): every slider whose range depends on a model, in
every tab, follows the model served, so the page never offers what the model refuses."""

from __future__ import annotations

import gradio as gr

from playground.ui.context import Context
from playground.ui.language import english_text
from playground.ui.layout import build_demo
from playground.ui.model_limits import followers, limits

# The sliders that count something of a model, by their English label.
MODEL_SLIDERS = {
    "Max new tokens": "new_tokens",
    "Layer": "layers",
    "Head": "heads",
    "Head (0 = mean over heads)": "heads",
}


def test_every_slider_that_counts_a_models_tokens_layers_or_heads_follows_the_model(settings, manager):
    demo = build_demo(settings, manager)
    context = Context.create(settings, manager)
    marked = {id(f.slider): f for f in followers(demo)}
    sliders = [
        block
        for block in demo.blocks.values()
        if isinstance(block, gr.Slider) and english_text(block.label) in MODEL_SLIDERS
    ]
    assert (
        len(sliders) >= 8
    )  # Generate and Chat's new tokens; Attention, Inside, Generate's attention: layer, head
    for slider in sliders:
        label = english_text(slider.label)
        follower = marked.get(id(slider))
        assert follower is not None, f"the slider {label!r} does not follow its model"
        assert follower.what == MODEL_SLIDERS[label]
        loaded = manager.get(follower.task)
        most, value = limits(context, follower)
        assert (slider.maximum, slider.value) == (most, value)  # the page as built fits already
        if follower.what == "new_tokens":
            assert most < loaded.context_length and value <= loaded.context_length // 2
        else:
            config = loaded.model.config
            count = config.num_hidden_layers if follower.what == "layers" else config.num_attention_heads
            assert most == count
        assert slider.minimum <= value <= most
