"""The Inside tab's positions and block sections (issue 27, point 4): the sinusoidal encoding beside the model's
learned position embeddings, the word-order check (positions removed by a hook: the shuffled sentence's attention
is the same attention shuffled), and the block as a diagram of the model's own modules.
Endpoints: /positions, /word_order, /block_structure.
"""

from __future__ import annotations

import html

import gradio as gr

from playground import api
from playground.i18n import _, ui
from playground.tasks import attention
from playground.tasks.inside import positions as positions_task
from playground.tasks.inside import structure as structure_task
from playground.tasks.validation import two_stacks
from playground.ui.attention import checked_model
from playground.ui.context import Context, summary_markdown
from playground.ui.events import api_endpoint, on
from playground.viz import block_diagram
from playground.viz import positions as positions_viz

SINUSOID = (  # two lines: one is wider than a phone
    "$$PE_{(pos,\\,2i)} = \\sin\\!\\left(\\frac{pos}{10000^{2i/d}}\\right)$$\n"
    "$$PE_{(pos,\\,2i+1)} = \\cos\\!\\left(\\frac{pos}{10000^{2i/d}}\\right)$$"
)
LATEX = [{"left": "$$", "right": "$$", "display": True}]
POSITIONS_TEXT = (
    "Attention by itself does not see word order, so each token's vector gets its position added. The original "
    "Transformer used fixed sine and cosine waves (left); GPT-2 and BERT learn a vector per position (right, read "
    "from the model)."
)


def show_positions(context: Context, model) -> dict:
    """The sinusoidal encoding at the model's width beside the model's own learned position embeddings."""
    loaded = context.model(checked_model(model))
    result = positions_task.positions(loaded)
    if result.rotary:
        info = _(
            "This model has no position vectors to add: position enters in every layer by rotating each "
            "query and key by an angle that grows with the token's position (rotary embeddings, RoPE)."
        )
    else:
        info = _(
            "This model learned its own position vectors: a table of {size} rows (its longest input) × {d}; "
            "the first {n} rows are drawn on the right.",
            size=result.table_size,
            d=result.d_model,
            n=result.positions,
        )
    return {
        "sinusoidal": positions_viz.sinusoidal_figure(result),
        "learned": positions_viz.learned_figure(result),
        "positions_info": SINUSOID + "\n\n" + summary_markdown(info, result.notices),
    }


def shuffle(context: Context, model, text, layer, head, seed) -> dict:
    """The word-order check: the sentence and its shuffled tokens, with and without the model's positions."""
    loaded = context.model(checked_model(model))
    limits = context.settings
    n_layers, n_heads = attention.layers_and_heads(loaded)
    result = positions_task.word_order(
        loaded,
        text,
        limits.max_input_chars,
        limits.max_attention_tokens,
        min(int(layer), n_layers),
        min(int(head), n_heads),
        seed,
    )
    return {
        "order_info": summary_markdown(word_order_text(result), result.notices),
        "with": positions_viz.word_order_figure(result, without=False),
        "without": positions_viz.word_order_figure(result, without=True),
    }


def word_order_text(result: positions_task.WordOrder) -> str:
    """What was shuffled and what the measured differences say (Markdown)."""
    shuffled = " ".join(f"`{token.strip() or '␣'}`" for token in result.shuffled_tokens)
    with_, without = result.with_positions, result.without_positions
    text = _("Shuffled: {tokens}", tokens=shuffled) + "\n\n"
    text += _(
        "Largest difference between the sentence's attention and the shuffled sentence's (put back in order), "
        "over every head: **{with_}** with positions, **{without}** without them (the largest value compared "
        "is {size}).",
        with_=f"{with_.difference:.3g}",
        without=f"{without.difference:.2g}",
        size=f"{with_.size:.3g}",
    )
    if result.measure == "scores":
        text += " " + _(
            "This model reads left to right: its mask lets each token see only the tokens before it, which is "
            "order too. So the scores q·kᵀ/√d_k of layer 1 are compared, before the mask."
        )
    else:
        text += " " + _("Compared: the attention weights of every layer and head.")
    if result.rotary:
        text += " " + _("Positions removed: the rotation of q and k (RoPE) set to no rotation.")
    else:
        text += " " + _(
            "Positions removed: the position embeddings set to zero, by a hook on the model's module."
        )
    return text


def show_block(context: Context, model, text, layer) -> dict:
    """The block of the chosen layer as a diagram of the model's own modules, with its residual sums checked."""
    loaded = context.model(checked_model(model))
    if two_stacks(loaded):  # Look inside shows it: a note, no pop-up
        note = _("The block diagram is drawn for models of one stack of blocks (GPT, BERT, Llama).")
        return {"diagram": f"<p>{html.escape(note)}</p>"}
    limits = context.settings
    n_layers, _heads = attention.layers_and_heads(loaded)
    result = structure_task.structure(
        loaded, text, limits.max_input_chars, limits.max_attention_tokens, min(int(layer), n_layers)
    )
    return {"diagram": block_diagram.block_diagram_html(result)}


def positions_api(context: Context, model: str = "generation", positions: int = 64) -> dict:
    """The original Transformer's sinusoidal position encoding at the model's width beside the model's own
    learned position embeddings: {"model", "d_model", "positions", "sinusoidal", "sinusoidal_dot", "dimensions",
    "learned", "learned_similarity", "table_size", "rotary"} (learned is null for a rotary model).

    Args:
        model: which served model: "generation", "fill-mask", "sentiment" or "chat" (default "generation")
        positions: how many positions, 2 to 512 (default 64)
    """
    loaded = context.model(checked_model(model))
    return api.positions_json(positions_task.positions(loaded, positions))


def word_order_api(
    context: Context, text: str, model: str = "fill-mask", layer: int = 1, head: int = 1, seed: int = 0
) -> dict:
    """Without positions word order is lost: the attention of `text` and of its tokens shuffled (seeded), put
    back in order, with the model's positions and with them removed by a hook: {"model", "tokens",
    "shuffled_tokens", "order", "measure", "layer", "head", "with_positions", "without_positions"}, each
    {"original", "shuffled_back", "difference", "size"} (a causal model: layer 1's scores before the mask).

    Args:
        text: the sentence (at least two tokens)
        model: which served model: "fill-mask", "generation", "sentiment" or "chat" (default "fill-mask")
        layer: the layer shown, 1-based (default 1)
        head: the head shown, 1-based (default 1)
        seed: the shuffle's seed (default 0)
    """
    limits = context.settings
    loaded = context.model(checked_model(model))
    result = positions_task.word_order(
        loaded, text, limits.max_input_chars, limits.max_attention_tokens, layer, head, seed
    )
    return api.word_order_json(result)


def block_structure_api(context: Context, text: str, model: str = "generation", layer: int = 1) -> dict:
    """The Transformer block as the model has it: its norms, attention and MLP modules with classes and shapes,
    pre-norm or post-norm, and the residual sums x + f(x) checked on `text`: {"model", "family", "pre_norm",
    "layer", "num_layers", "d_model", "d_ff", "num_heads", "num_kv_heads", "head_dim", "first_norm",
    "attention", "second_norm", "mlp", "embedding_norm", "final_norm", "residuals"}.

    Args:
        text: a text for the residual check
        model: which served model: "generation", "fill-mask", "sentiment" or "chat" (default "generation")
        layer: the layer, 1-based (default 1)
    """
    limits = context.settings
    loaded = context.model(checked_model(model))
    result = structure_task.structure(
        loaded, text, limits.max_input_chars, limits.max_attention_tokens, layer
    )
    return api.block_structure_json(result)


def build_positions(context: Context, model, text, layer, head, triggers: list) -> None:
    """The positions section (inside the Inside tab, after the embeddings)."""
    gr.Markdown("### " + ui("Positions: fixed waves or learned"))
    gr.Markdown(ui(POSITIONS_TEXT))
    info = gr.Markdown(latex_delimiters=LATEX)  # the formula, then what this model has
    with gr.Row(elem_classes="inside-grid"):
        with gr.Column(min_width=320):
            sinusoidal = gr.Plot(label=ui("Sinusoidal encoding"), show_label=False)
        with gr.Column(min_width=320):
            learned = gr.Plot(label=ui("Learned position embeddings"), show_label=False)
    gr.Markdown("### " + ui("Without positions, word order is lost"))
    gr.Markdown(
        ui(
            "Shuffle the tokens of the text and compare the attention with the text's own, put back in the "
            "original order. With the model's positions they differ; with the positions switched off (a hook on "
            "the model's own module) the shuffled attention is the same attention, shuffled."
        )
    )
    with gr.Row():
        seed = gr.Number(value=0, precision=0, minimum=0, label=ui("Seed"), scale=1, min_width=120)
        button = gr.Button(ui("Shuffle the words"), scale=2, elem_id="inside-shuffle")
    context.links.action("inside", "shuffle", button)  # a lesson step's `run: shuffle`
    order_info = gr.Markdown()
    with gr.Row(elem_classes="inside-grid"):
        with gr.Column(min_width=320):
            with_plot = gr.Plot(label=ui("with positions"), show_label=False)
        with gr.Column(min_width=320):
            without_plot = gr.Plot(label=ui("without positions"), show_label=False)
    on(
        triggers,
        show_positions,
        context,
        [model],
        {"sinusoidal": sinusoidal, "learned": learned, "positions_info": info},
        "inside",
    )
    on(
        [button.click],
        shuffle,
        context,
        [model, text, layer, head, seed],
        {"order_info": order_info, "with": with_plot, "without": without_plot},
        "inside",
    )
    api_endpoint(positions_api, context, "positions", "inside")
    api_endpoint(word_order_api, context, "word_order", "inside")


def build_block(context: Context, model, text, layer, triggers: list) -> None:
    """The block diagram (inside the Inside tab, in the block section)."""
    gr.Markdown(
        ui(
            "The block as this model has it: its norms, attention and feed-forward modules with their shapes, "
            "and each residual connection x + f(x) checked on your text."
        )
    )
    diagram = gr.HTML(elem_id="inside-block-diagram")
    on(triggers + [layer.release], show_block, context, [model, text, layer], {"diagram": diagram}, "inside")
    api_endpoint(block_structure_api, context, "block_structure", "inside")
