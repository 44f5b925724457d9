"""Sentiment tab: a text, and the probability the classifier gives each label."""

from __future__ import annotations

import gradio as gr

from playground import api
from playground.models import ModelManager
from playground.settings import Settings
from playground.tasks import sentiment
from playground.ui.common import api_endpoint, friendly_errors, load_model, on, summary_markdown
from playground.viz import charts

EXAMPLES = [
    ["I loved this film, the actors were wonderful."],
    ["The food was cold and the service was slow."],
    ["The lesson was not as boring as I expected."],
    ["It is a movie."],
]


def build(manager: ModelManager, settings: Settings) -> None:
    """The Sentiment tab and the /classify endpoint."""

    def predict(text, progress=None) -> sentiment.ClassificationResult:
        loaded = load_model(manager, "sentiment", progress)
        return sentiment.classify(loaded, text, settings.max_input_chars)

    @friendly_errors
    def run(text, progress=gr.Progress(track_tqdm=True)):
        result = predict(text, progress)
        top = result.scores[0]
        summary = f"Prediction: **{charts.label(top.label)}** ({top.score:.1%})"
        return charts.label_figure(result), summary_markdown(summary, result.notices)

    @friendly_errors
    def classify_api(text: str) -> list[dict]:
        """Every label with its probability, highest first: [{"label", "score"}, ...]."""
        return api.classify_json(predict(text))

    with gr.Tab("Sentiment", id="sentiment"):
        gr.Markdown("A fine-tuned classifier reads the whole text and gives a probability to each label.")
        text = gr.Textbox(label="Text", lines=3, value=EXAMPLES[0][0], max_length=settings.max_input_chars)
        button = gr.Button("Classify", variant="primary")
        summary = gr.Markdown()
        plot = gr.Plot(label="Label probabilities", show_label=False)
        gr.Examples(EXAMPLES, inputs=[text], label="Examples: click one, then Classify")
        api_endpoint(classify_api, "classify", "sentiment")

    on([button.click, text.submit], run, [text], [plot, summary], "sentiment")
