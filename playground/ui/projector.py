"""Projector mode (投影模式): the page uses the whole width of a projected screen, with larger type for text,
charts and heatmap labels. A switch in the page header; the browser remembers it (localStorage), and nothing
reaches the server: the page is zoomed as a whole (CSS `zoom` on the app, see assets/style.css), so every chart
is drawn at its usual layout, only bigger, and nothing overlaps.
"""

from __future__ import annotations

import gradio as gr

from playground.i18n import ui

STORAGE_KEY = "playground-projector"
# Applies the mode to the page and remembers it on this device.
APPLY_JS = f"""
(on) => {{
  document.documentElement.classList.toggle("projector", Boolean(on));
  try {{ localStorage.setItem("{STORAGE_KEY}", on ? "1" : "0"); }} catch (error) {{}}
  window.dispatchEvent(new Event("resize"));  // plotly redraws its charts for the new width
  return [on];
}}
"""
# The mode chosen last time on this device.
SAVED_JS = f"""
() => {{
  let saved = null;
  try {{ saved = localStorage.getItem("{STORAGE_KEY}"); }} catch (error) {{}}
  return saved === "1";
}}
"""


def projector_switch(demo: gr.Blocks) -> gr.Checkbox:
    """The projector switch, set as it was last time on this device."""
    switch = gr.Checkbox(
        value=False, label=ui("Projector mode"), elem_id="projector-switch", container=False, scale=0
    )
    demo.load(None, None, switch, js=SAVED_JS, api_visibility="private")
    switch.change(None, switch, switch, js=APPLY_JS, api_visibility="private", queue=False)
    return switch
