"""Inside tab (模型内部): the text as the model's tokenizer cuts it, one attention head step by step, and what
the model would predict after each layer (the logit lens), all from the model's own tensors (hooks).
Endpoints: /tokenize, /inside, /logit_lens.
"""

from __future__ import annotations

import gradio as gr

from playground import api
from playground.i18n import _, ui
from playground.registry import REGISTRY
from playground.tasks import attention, inside
from playground.tasks.validation import InputError
from playground.ui.attention import MODEL_CHOICES, checked_model, choices
from playground.ui.context import Context, summary_markdown
from playground.ui.events import api_endpoint, on
from playground.viz import inside as inside_viz

EXAMPLES = {  # model, text: for the English and the Chinese models
    "en": [
        ["generation", "The cat sat on the mat because it was tired."],
        ["fill-mask", "Paris is the [MASK] of France."],
        ["generation", "unbelievable tokenization"],
    ],
    "zh": [
        ["generation", "小猫坐在垫子上，因为它累了。"],
        ["fill-mask", "巴黎是法国的[MASK]都。"],
        ["generation", "今天天气很好"],
    ],
}
FORMULAS = (
    "$$Q = XW_Q,\\quad K = XW_K,\\quad V = XW_V$$\n"
    "$$A = \\mathrm{softmax}\\!\\left(\\frac{QK^\\top}{\\sqrt{d_k}} + M\\right),\\qquad \\text{head} = AV$$"
)


def look_inside(context: Context, model, text, layer, head, progress=gr.Progress()) -> dict:
    """Look inside: the tokens, the chosen head step by step and the logit lens of the text."""
    task = checked_model(model)
    loaded = context.model(task, progress)
    limits = context.settings
    chars, max_tokens = limits.max_input_chars, limits.max_attention_tokens
    n_layers, n_heads = attention.layers_and_heads(loaded)
    layer, head = min(int(layer), n_layers), min(int(head), n_heads)
    tokens = inside.tokenize(loaded, text, chars, max_tokens)
    embedded = inside.embeddings(loaded, text, chars, max_tokens)
    embeddings_info = inside_viz.embeddings_sum_text(embedded)
    if embedded.position_note is not None:
        embeddings_info += " " + str(embedded.position_note)
    step = inside.head_step(loaded, text, chars, max_tokens, layer, head)
    summary = _(
        "Layer {layer} of this model, head {head} of {heads}; d_k = {d_k}.",
        layer=step.layer,
        head=step.head,
        heads=step.num_heads,
        d_k=step.d_k,
    )
    if step.num_kv_heads < step.num_heads:
        summary += " " + _(
            "Grouped-query attention: {heads} query heads share {kv} key/value heads; this head reads key/value "
            "head {kv_head}.",
            heads=step.num_heads,
            kv=step.num_kv_heads,
            kv_head=step.kv_head,
        )
    if step.rotary:
        summary += " " + _(
            "Position enters by rotating q and k (RoPE): the Q and K shown are after the rotation."
        )
    if step.causal:
        summary += " " + _("The mask hides each token's future: the blank cells of the scores.")
    outputs = {
        "tokens": inside_viz.tokens_html(tokens),
        "embeddings": inside_viz.embeddings_figure(embedded),
        "embeddings_info": summary_markdown(embeddings_info, embedded.notices),
        "head_plot": inside_viz.head_step_figure(step),
        "head_info": summary_markdown(summary, step.notices),
        "layer": gr.Slider(maximum=n_layers, value=layer),
        "head": gr.Slider(maximum=n_heads, value=head),
    }
    try:
        lens = inside.logit_lens(loaded, text, chars, max_tokens)
    except InputError as error:  # a classifier has no token head; a masked LM needs a [MASK]
        return outputs | {"lens": None, "lens_info": f"⚠️ {error}"}
    return outputs | {
        "lens": inside_viz.logit_lens_figure(lens, REGISTRY[task].causal),
        "lens_info": summary_markdown(
            _("Layer 0 is the embeddings; the last layer is the model's own output."), lens.notices
        ),
    }


def tokenize_api(context: Context, text: str, model: str = "fill-mask") -> dict:
    """{"model", "tokens": [{"id", "piece", "text", "start", "end", "special"}]}: the tokens the model is fed,
    start/end their character offsets in the text (null for special tokens)."""
    limits = context.settings
    loaded = context.model(checked_model(model))
    return api.tokenize_json(
        inside.tokenize(loaded, text, limits.max_input_chars, limits.max_attention_tokens)
    )


def inside_api(context: Context, text: str, model: str = "fill-mask", layer: int = 1, head: int = 1) -> dict:
    """One head step by step: {"model", "tokens", "ids", "layer", "head", "d_k", "q", "k", "v", "scores",
    "masked", "weights", "head_output"}; q, k, v (T, d_k) after RoPE where the model has it, scores = q·kᵀ/√d_k
    before the mask, weights equal to output_attentions, head_output = weights·v. layer, head: 1-based."""
    limits = context.settings
    loaded = context.model(checked_model(model))
    step = inside.head_step(loaded, text, limits.max_input_chars, limits.max_attention_tokens, layer, head)
    return api.inside_json(step)


def logit_lens_api(context: Context, text: str, model: str = "generation", top_k: int = 5) -> dict:
    """What the model would predict after each layer: {"model", "tokens", "ids", "positions", "layers":
    [l][i] -> top_k [{"token", "token_str", "score"}]}, l = 0 (embeddings) .. the number of layers (the model's
    own output); positions: every token (generation, chat) or each [MASK] (fill-mask)."""
    limits = context.settings
    loaded = context.model(checked_model(model))
    lens = inside.logit_lens(loaded, text, limits.max_input_chars, limits.max_attention_tokens, top_k)
    return api.logit_lens_json(lens)


def build(context: Context) -> None:
    """The Inside tab and the /tokenize, /inside and /logit_lens endpoints."""
    settings = context.settings
    examples = context.examples(EXAMPLES)
    with gr.Tab(ui("Inside"), id="inside"):
        gr.Markdown(
            ui(
                "How a transformer computes, from the model's own tensors: the text cut into **tokens**, then one "
                "attention **head** step by step, then the **logit lens**: what the model would predict if it "
                "stopped after each layer."
            )
        )
        model = gr.Radio(choices(MODEL_CHOICES), value=examples[0][0], label=ui("Model"))
        text = gr.Textbox(
            label=ui("Text"), lines=2, value=examples[0][1], max_length=settings.max_input_chars
        )
        with gr.Row():
            layer = gr.Slider(1, 12, value=1, step=1, label=ui("Layer"))
            head = gr.Slider(1, 12, value=1, step=1, label=ui("Head"))
        button = gr.Button(ui("Look inside"), variant="primary")
        gr.Markdown("### " + ui("Tokens"))
        tokens_html = gr.HTML()
        gr.Markdown("### " + ui("Embeddings"))
        embeddings_info = gr.Markdown()
        embeddings_plot = gr.Plot(label=ui("Embeddings"), show_label=False)
        gr.Markdown("### " + ui("One attention head, step by step"))
        gr.Markdown(FORMULAS, latex_delimiters=[{"left": "$$", "right": "$$", "display": True}])
        head_info = gr.Markdown()
        head_plot = gr.Plot(label=ui("One head step by step"), show_label=False)
        gr.Markdown("### " + ui("Logit lens"))
        lens_info = gr.Markdown()
        lens_plot = gr.Plot(label=ui("Logit lens"), show_label=False)
        gr.Examples(  # the model column is not shown: gradio would show its choices' translation keys
            examples,
            inputs=[model, text],
            label=ui("Examples: click one, then Look inside"),
            visible_columns=[1],
        )
        api_endpoint(tokenize_api, context, "tokenize", "inside")
        api_endpoint(inside_api, context, "inside", "inside")
        api_endpoint(logit_lens_api, context, "logit_lens", "inside")

    outputs = {
        "tokens": tokens_html,
        "head_plot": head_plot,
        "head_info": head_info,
        "layer": layer,
        "head": head,
    }
    outputs |= {"lens": lens_plot, "lens_info": lens_info}
    outputs |= {"embeddings": embeddings_plot, "embeddings_info": embeddings_info}
    on([button.click, text.submit], look_inside, context, [model, text, layer, head], outputs, "inside")
