"""Fill-Mask tab: a sentence with [MASK] in it, and the model's top candidates for every mask."""

from __future__ import annotations

import gradio as gr

from playground import api
from playground.models import ModelManager
from playground.settings import Settings
from playground.tasks import fill_mask
from playground.ui.attention_sections import mask_attention_section
from playground.ui.common import api_endpoint, friendly_errors, load_model, on, summary_markdown
from playground.viz import charts

EXAMPLES = [
    ["The cat sat on the [MASK].", 5],
    ["Paris is the [MASK] of France.", 5],
    ["She went to the [MASK] to buy some [MASK].", 5],
    ["The doctor said that [MASK] would be back soon.", 10],
]


def build(manager: ModelManager, settings: Settings) -> None:
    """The Fill-Mask tab and the /fill_mask endpoint."""

    def predict(text, top_k, progress=None) -> fill_mask.FillMaskResult:
        loaded = load_model(manager, "fill-mask", progress)
        return fill_mask.fill_mask(loaded, text, top_k, settings.max_input_chars)

    @friendly_errors
    def run(text, top_k, progress=gr.Progress(track_tqdm=True)):
        result = predict(text, top_k, progress)
        best = [candidates[0].token_str.strip() for candidates in result.masks]
        summary = "Best fill: " + ", ".join(f"**{charts.label(word)}**" for word in best)
        if len(result.masks) > 1:
            summary += "\n\nWith several masks, each one is predicted on its own (the others stay masked)."
        return charts.fill_mask_figure(result), summary_markdown(summary, result.notices)

    @friendly_errors
    def fill_mask_api(text: str, top_k: int = 5) -> list:
        """Top-k candidates per mask: [{"score", "token", "token_str", "sequence"}, ...] (a list per mask)."""
        return api.fill_mask_json(predict(text, top_k))

    with gr.Tab("Fill-Mask", id="fill-mask"):
        gr.Markdown(
            "A BERT-style model guesses a hidden word from the words on **both** sides. "
            "Write `[MASK]` (or `<mask>`) where a word is missing; you may use several."
        )
        text = gr.Textbox(
            label="Text with [MASK]", lines=2, value=EXAMPLES[0][0], max_length=settings.max_input_chars
        )
        top_k = gr.Slider(1, fill_mask.MAX_TOP_K, value=5, step=1, label="Candidates per mask (top-k)")
        button = gr.Button("Predict", variant="primary")
        summary = gr.Markdown()
        plot = gr.Plot(label="Candidates", show_label=False)
        gr.Examples(EXAMPLES, inputs=[text, top_k], label="Examples: click one, then Predict")
        api_endpoint(fill_mask_api, "fill_mask", "fill-mask")
        mask_attention_section(manager, settings, text, [button.click, text.submit])

    on([button.click, text.submit], run, [text, top_k], [plot, summary], "fill-mask")
