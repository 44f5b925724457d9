"""Attention tab: pick a model, type a text, and see how much each token attends to every other token."""

from __future__ import annotations

import gradio as gr

from playground import api
from playground.models import TASKS, ModelManager
from playground.settings import Settings
from playground.tasks import InputError, attention
from playground.ui.common import api_endpoint, friendly_errors, load_model, on, summary_markdown
from playground.viz import charts

EXAMPLES = [
    ["fill-mask", "The animal didn't cross the street because it was too tired."],
    ["generation", "The quick brown fox jumps over the lazy dog."],
    ["sentiment", "The plot was thin, but the music was lovely."],
]
MODEL_CHOICES = [
    ("Fill-mask (BERT, reads both ways)", "fill-mask"),
    ("Generation (GPT-2, reads left to right)", "generation"),
    ("Sentiment (DistilBERT classifier)", "sentiment"),
]


def build(manager: ModelManager, settings: Settings) -> None:
    """The Attention tab and the /attention endpoint."""

    def compute(text, model, progress=None) -> attention.AttentionResult:
        if model not in TASKS:
            raise InputError(f"Unknown model {model!r}: choose one of {', '.join(TASKS)}.")
        loaded = load_model(manager, model, progress)
        return attention.attention(loaded, text, settings.max_input_chars, settings.max_attention_tokens)

    def heatmap(result, layer, head):
        if result is None:
            return None
        layer, head = min(int(layer), result.num_layers) - 1, min(int(head), result.num_heads) - 1
        title = f"Layer {layer + 1}, head {head + 1}"
        return charts.attention_heatmap(result.tokens, result.attentions[layer, head], title)

    @friendly_errors
    def run(model, text, layer, head, progress=gr.Progress(track_tqdm=True)):
        result = compute(text, model, progress)
        layer = min(int(layer), result.num_layers)
        head = min(int(head), result.num_heads)
        kind = (
            "GPT-2 reads left to right: a token attends only to itself and the tokens before it, "
            "so everything above the diagonal is 0."
            if result.causal
            else "This model reads both ways: every token may attend to every other token."
        )
        info = f"{len(result.tokens)} tokens · {result.num_layers} layers × {result.num_heads} heads. {kind}"
        return (
            result,
            gr.Slider(maximum=result.num_layers, value=layer),
            gr.Slider(maximum=result.num_heads, value=head),
            heatmap(result, layer, head),
            summary_markdown(info, result.notices),
        )

    @friendly_errors
    def attention_api(text: str, model: str = "fill-mask") -> dict:
        """{"model", "tokens", "attentions": [layer][head][query][key]} for the chosen task's model."""
        return api.attention_json(compute(text, model))

    with gr.Tab("Attention", id="attention"):
        gr.Markdown(
            "Each row is a token *attending*; each column a token it *looks at*. Darker means more "
            "attention. Every layer has several heads, and each head learns its own pattern."
        )
        model = gr.Radio(MODEL_CHOICES, value="fill-mask", label="Model")
        text = gr.Textbox(label="Text", lines=2, value=EXAMPLES[0][1], max_length=settings.max_input_chars)
        button = gr.Button("Show attention", variant="primary")
        with gr.Row():
            layer = gr.Slider(1, 12, value=1, step=1, label="Layer")
            head = gr.Slider(1, 12, value=1, step=1, label="Head")
        info = gr.Markdown()
        plot = gr.Plot(label="Attention", show_label=False)
        result_state = gr.State()
        gr.Examples(EXAMPLES, inputs=[model, text], label="Examples: click one, then Show attention")
        api_endpoint(attention_api, "attention", "attention")

    on(
        [button.click, text.submit],
        run,
        [model, text, layer, head],
        [result_state, layer, head, plot, info],
        "attention",
    )
    gr.on(
        [layer.release, head.release],
        heatmap,
        [result_state, layer, head],
        plot,
        api_visibility="private",
        queue=False,
    )
