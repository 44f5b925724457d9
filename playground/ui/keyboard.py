"""The keyboard redraws like the mouse. A slider's `release` event (which the tabs use to redraw a chart once
the slider stops, not at every step of a drag) is sent by gradio on a pointer's release only: a slider moved
with the arrow keys, or a number typed into its box and confirmed with Enter, changed the value without a
redraw until the box lost focus. This script sends the same release when the keys that move a slider are let
go, and on Enter in a slider's number box.
"""

from __future__ import annotations

import json

# Keys that move an <input type=range> (the HTML standard's keyboard interaction for sliders).
SLIDER_KEYS = ("ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown")

KEYBOARD_JS = """
<script>
(() => {
  const sliderKeys = new Set(SLIDER_KEYS);
  document.addEventListener("keyup", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLInputElement)) return;
    const slider = target.type === "range" && sliderKeys.has(event.key);
    const box = target.type === "number" && event.key === "Enter" && target.dataset.testid === "number-input";
    if (slider || box) target.dispatchEvent(new PointerEvent("pointerup", {bubbles: true}));
  }, true);
})();
</script>
""".replace("SLIDER_KEYS", json.dumps(SLIDER_KEYS))
