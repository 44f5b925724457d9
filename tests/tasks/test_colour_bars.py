"""A horizontal colour bar (every attention and cross-attention heatmap: `viz.attention.color_axis`) has its title
above it: a title beside a horizontal bar takes its room from the bar's length, and on a phone the bar shrank to
a few pixels with its tick labels turned over each other (issue 26). The browser test
tests/browser/test_browser_phone_fit.py measures the labels at 390 px."""

from __future__ import annotations

import types

import numpy as np

from playground.viz import translation as translation_viz
from playground.viz.attention import color_axis


def test_a_horizontal_colour_bar_has_its_title_above_it():
    for axis in (color_axis(), color_axis(cmax=0.4, title="share"), color_axis(x=0, xanchor="left")):
        bar = axis["colorbar"]
        assert bar["orientation"] == "h"
        assert bar["title"]["side"] == "top"
        assert bar["title"]["font"]["size"] >= 11  # readable, and no larger than the ticks need


def test_the_cross_attention_heatmap_uses_it():
    cross = np.full((1, 2, 3, 4), 0.25)
    result = types.SimpleNamespace(
        cross=cross, target_tokens=["a", "b", "c"], source_tokens=["w", "x", "y", "z"], num_heads=2
    )
    figure = translation_viz.cross_attention_figure(result, 1, 1)
    bar = figure.layout.coloraxis.colorbar
    assert bar.orientation == "h" and bar.title.side == "top"
