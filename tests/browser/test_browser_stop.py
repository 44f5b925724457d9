"""Stop, as a student presses it in the middle of a generation: the text so far stays, the status says it
stopped, and nothing shows an error (issue 15, point 3).

The tiny test model writes its 60 tokens before a click could land, so here its forward pass is slowed down
(in this test only: the served app runs in the test process and shares `manager`'s models)."""

from __future__ import annotations

import functools
import re
import time

import pytest

from tests.browser.helpers import expect, open_tab
from tests.browser.test_browser_failed_actions import BADGES

SECONDS_PER_TOKEN = 0.3  # 60 tokens take 18 s: Stop lands long before the end


@pytest.fixture
def slow_generation(manager):
    model = manager.get("generation").model
    forward = model.forward

    @functools.wraps(forward)  # the same signature: the app reads it to name the cache argument
    def slow_forward(*args, **kwargs):
        time.sleep(SECONDS_PER_TOKEN)
        return forward(*args, **kwargs)

    model.forward = slow_forward  # an instance attribute: nn.Module.__call__ calls it
    try:
        yield
    finally:
        del model.forward


def test_stop_keeps_the_text_so_far_and_says_stopped(page, slow_generation, settings):
    panel = open_tab(page, "Generate")
    panel.get_by_label("Prompt").fill("The cat sat on the")
    for name, value in (
        ("Temperature (0 = greedy)", "0"),
        ("Max new tokens", str(settings.max_new_tokens_cap)),
    ):
        box = panel.get_by_role("spinbutton", name=name)
        box.fill(value)
        box.press("Enter")
    panel.get_by_role("button", name="Generate", exact=True).click()
    tokens = panel.locator(".generation .tok")
    expect(panel.get_by_text(re.compile(r"· generating…$"))).to_be_visible()
    expect(tokens.nth(2)).to_be_visible()  # a few tokens in
    panel.get_by_role("button", name="Stop", exact=True).click()

    status = panel.get_by_text(re.compile(r"^Seed \d+ · \d+ new tokens · stopped$"))
    expect(status).to_be_visible()
    expect(panel.get_by_text(re.compile("generating…"))).to_have_count(0)
    shown = tokens.count()
    assert 3 <= shown < settings.max_new_tokens_cap  # the text so far, not the whole text
    page.wait_for_timeout(2000)  # the generation really ended: no token arrives after Stop
    assert tokens.count() == shown
    assert page.evaluate(BADGES) == 0, "an output carries an error badge"
    expect(page.get_by_test_id("toast-body")).to_have_count(0)
    expect(panel.get_by_role("spinbutton", name="Seed")).to_have_value("0")
