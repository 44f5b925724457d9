"""Inside tab (模型内部): the text as the model's tokenizer cuts it, one attention head step by step, and what
the model would predict after each layer (the logit lens), all from the model's own tensors (hooks).
Endpoints: /tokenize, /inside, /logit_lens.
"""

from __future__ import annotations

import gradio as gr

from playground import api
from playground.i18n import _, ui
from playground.registry import REGISTRY
from playground.tasks import inside
from playground.ui.attention import MODEL_CHOICES, checked_model, choices
from playground.ui.context import Context, summary_markdown
from playground.ui.events import api_endpoint, on
from playground.ui.inside_positions import build_block, build_positions
from playground.ui.model_limits import follows_model
from playground.viz import inside as inside_viz
from playground.viz.marks import token_labels

EXAMPLES = {  # model, text: for the English and the Chinese models
    "en": [
        ["generation", "The cat sat on the mat because it was tired."],
        ["fill-mask", "Paris is the [MASK] of France."],
        ["generation", "unbelievable tokenization"],
        ["translation", "I read a book in the library yesterday."],
    ],
    "zh": [
        ["generation", "小猫坐在垫子上，因为它累了。"],
        ["fill-mask", "巴黎是法国的[MASK]都。"],
        ["generation", "今天天气很好"],
        ["translation", "我昨天在图书馆看书。"],
    ],
}
FORMULAS = (
    "$$Q = XW_Q,\\quad K = XW_K,\\quad V = XW_V$$\n"
    "$$A = \\mathrm{softmax}\\!\\left(\\frac{QK^\\top}{\\sqrt{d_k}} + M\\right)$$\n"
    "$$\\text{head} = AV$$"  # a line of its own: on a phone the line above has no room for it
)


CROSS_FORMULA = (  # short lines: a phone has no room for a whole decoder layer on one
    "$$A_1 = \\mathrm{MaskedMultiHead}(X, X, X)$$\n"
    "$$Z_1 = \\mathrm{LayerNorm}(X + A_1)$$\n"
    "$$A_2 = \\mathrm{MultiHead}(Z_1, X^{(L)}, X^{(L)})$$\n"
    "$$Z_2 = \\mathrm{LayerNorm}(Z_1 + A_2)$$"
)
PART_CHOICES = [
    ("Encoder: reads the source sentence, both ways", "encoder"),
    ("Decoder: writes the translation; masked self-attention, then cross-attention", "decoder"),
]
COMPARED = ("generation", "fill-mask", "sentiment")  # byte-level BPE, WordPiece, the classifier's tokenizer
NEURONS = 12
LENS_COLUMNS = 24  # positions of the logit lens drawn: the last ones of the text


def look_inside(
    context: Context, model, text, layer, head, part="encoder", target="", progress=gr.Progress()
) -> dict:
    """Look inside: the tokens, the embeddings, the chosen head step by step, the block and the logit lens,
    all from one forward pass; the query token is the text's last word. The translation model: its encoder
    or its decoder (`part`), the decoder reading `target` (empty: the model's own translation)."""
    task = checked_model(model)
    view = _look(
        context, context.model(task, progress, exact=True), text, layer, head, None, part=part, target=target
    )
    embedded = view.embeddings
    embeddings_info = inside_viz.embeddings_sum_text(embedded)
    if embedded.position_note is not None:
        embeddings_info += " " + str(embedded.position_note)
    outputs = _head_outputs(view) | {
        "tokens": inside_viz.tokens_html(view.tokens),
        "embeddings": inside_viz.embeddings_figure(embedded),
        "embeddings_info": summary_markdown(embeddings_info, embedded.notices),
        "query": gr.Dropdown(choices=_query_choices(view.tokens), value=view.block.position),
    }
    if view.lens is None:  # a classifier has no token head; a masked LM needs a [MASK]
        return outputs | {"lens": None, "lens_info": f"⚠️ {view.lens_error}"}
    lens_info = _("Layer 0 is the embeddings; the last layer is the model's own output.")
    shown = len(view.lens.positions)
    if (REGISTRY[task].causal or view.head.causal) and shown < len(view.tokens.tokens):
        lens_info += " " + _(
            "The last {shown} of {total} positions are shown; /logit_lens gives them all.",
            shown=shown,
            total=len(view.tokens.tokens),
        )
    return outputs | {
        "lens": inside_viz.logit_lens_figure(view.lens, REGISTRY[task].causal or view.head.causal),
        "lens_info": summary_markdown(lens_info, view.lens.notices),
    }


def look_at_head(context: Context, model, text, layer, head, query, part="encoder", target="") -> dict:
    """The chosen head step by step, the chosen query token's row of it, and the block of that layer."""
    loaded = context.model(checked_model(model), exact=True)
    view = _look(context, loaded, text, layer, head, query, lens=False, part=part, target=target)
    return _head_outputs(view)


def _look(
    context: Context, loaded, text, layer, head, query, lens: bool = True, part="encoder", target=""
) -> inside.InsideView:
    """One forward pass for every view; layer and head clipped to the model (the sliders may be set for a
    bigger one)."""
    limits = context.settings
    n_layers, n_heads = inside.stack_size(loaded, part)
    return inside.look(
        loaded,
        text,
        limits.max_input_chars,
        limits.max_attention_tokens,
        min(int(layer), n_layers),
        min(int(head), n_heads),
        int(query) if isinstance(query, int | float) else None,
        NEURONS,
        LENS_COLUMNS if lens else 0,
        part=part,
        target=target if isinstance(target, str) else "",
    )


def _head_outputs(view: inside.InsideView) -> dict:
    step, n_layers, n_heads = view.head, len(view.block.residual_norms) - 1, view.head.num_heads
    figures = inside_viz.head_step_figures(step)
    return (
        {f"head_{name}": figures[name] for name in inside_viz.HEAD_PANELS}
        | {
            "head_info": summary_markdown(_head_summary(step), step.notices),
            "query_plot": inside_viz.query_row_figure(step, view.block.position),
            "residual": inside_viz.residual_figure(view.block),
            "neurons": inside_viz.neurons_figure(view.block),
            "layer": gr.Slider(maximum=n_layers, value=step.layer),
            "head": gr.Slider(maximum=n_heads, value=step.head),
        }
        | _cross_outputs(view)
    )


def _cross_outputs(view: inside.InsideView) -> dict:
    """The decoder's cross-attention sub-layer, shown only for a translation model's decoder."""
    cross = view.cross
    if cross is None:
        return {"cross_section": gr.Column(visible=False)}
    figures = inside_viz.head_step_figures(cross)
    query = min(view.block.position, len(cross.tokens) - 1)
    info = _(
        "Layer {layer} of the decoder, head {head} of {heads}: each of the {n} tokens written so far (rows) "
        "looks at the {s} source tokens (columns), the encoder's output X⁽ᴸ⁾; no mask: the whole source is "
        "there from the start. Its residual sum Z₁ + cross-attention gets its own LayerNorm, Z₂.",
        layer=cross.layer,
        head=cross.head,
        heads=cross.num_heads,
        n=len(cross.tokens),
        s=len(cross.keys),
    )
    return {f"cross_{name}": figures[name] for name in inside_viz.HEAD_PANELS} | {
        "cross_section": gr.Column(visible=True),
        "cross_info": summary_markdown(info, []),
        "cross_query_plot": inside_viz.query_row_figure(cross, query),
    }


def _head_summary(step: inside.HeadStep) -> str:
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
    if step.stack == "encoder":
        summary += " " + _(
            "The translation model's encoder: it reads the whole source sentence, each token every other; its "
            "output X⁽ᴸ⁾ is what the decoder's cross-attention reads."
        )
    elif step.stack == "decoder":
        summary += " " + _(
            "The translation model's decoder reads the start token and the translation so far; its "
            "self-attention is masked, and its cross-attention (below) reads the source."
        )
    if step.causal:
        summary += " " + _("The mask hides each token's future: the blank cells of the scores.")
    if not step.pre_norm:
        summary += " " + _(
            "This model normalises after each step (post-norm): X is the block's input, and a LayerNorm "
            "follows the residual sum."
        )
    return summary


def _stack_row(model) -> dict:
    """The encoder/decoder choice, shown for the translation model only."""
    return {"stack_row": gr.Row(visible=model == "translation")}


def _query_choices(tokens: inside.Tokenization) -> list[tuple[str, int]]:
    """'3: cat' per token; the tokens of one character as it, '5: 中 2/3' (`token_labels`)."""
    texts = token_labels([token.text for token in tokens.tokens])
    return [
        (f"{i + 1}: {text or token.piece}", i)
        for i, (token, text) in enumerate(zip(tokens.tokens, texts, strict=True))
    ]


def compare_tokenizers(context: Context, text, progress=gr.Progress()) -> dict:
    """The text as the tokenizers of the generation, fill-mask and sentiment models cut it, side by side."""
    limits = context.settings
    results = []
    for task in COMPARED:
        loaded = context.model(task, progress, exact=True)
        results.append((_(REGISTRY[task].label), inside.tokenize(loaded, text, limits.max_input_chars)))
    return {"compare": inside_viz.compare_tokens_html(results)}


def tokenize_api(context: Context, text: str, model: str = "fill-mask") -> dict:
    """The tokens a model's tokenizer cuts a text into: {"model", "tokens": [{"id", "piece", "text",
    "start", "end", "special"}]}: piece is the vocabulary entry (e.g. "Ġcat", "##ing"), text what it reads
    as, start/end its character offsets in the text (null for special tokens such as [CLS]).

    Args:
        text: the text to cut
        model: which served model: "fill-mask", "generation", "sentiment" or "chat" (default "fill-mask")
    """
    limits = context.settings
    loaded = context.model(checked_model(model), exact=True)
    return api.tokenize_json(
        inside.tokenize(loaded, text, limits.max_input_chars, limits.max_attention_tokens)
    )


def inside_api(
    context: Context,
    text: str,
    model: str = "fill-mask",
    layer: int = 1,
    head: int = 1,
    part: str = "encoder",
    target: str = "",
) -> dict:
    """One attention head computed step by step from the model's own tensors: {"model", "tokens", "ids",
    "layer", "head", "d_k", "q", "k", "v", "scores", "masked", "weights", "head_output"}: q, k, v
    (tokens x d_k) after RoPE where the model has it, scores = q·kᵀ/√d_k before the mask, masked the causal
    mask, weights the softmax (equal to output_attentions), head_output = weights·v. The cross-attention
    adds "key_tokens": the source tokens its keys and values belong to.

    Args:
        text: the text to read (the translation model: the source sentence)
        model: which served model: "fill-mask", "generation", "sentiment", "chat" or "translation" (default
            "fill-mask")
        layer: the layer, 1-based (default 1)
        head: the head, 1-based (default 1)
        part: the translation model only: "encoder" (default), "decoder" (its masked self-attention) or
            "cross" (the decoder's cross-attention over the source)
        target: the translation model's decoder only: the translation it reads (empty: its own greedy one)
    """
    limits = context.settings
    loaded = context.model(checked_model(model), exact=True)
    chars, tokens = limits.max_input_chars, limits.max_attention_tokens
    target = target if isinstance(target, str) else ""
    if part == "cross" and inside.is_encoder_decoder(loaded):
        return api.inside_json(inside.cross_step(loaded, text, chars, tokens, layer, head, target))
    step = inside.head_step(loaded, text, chars, tokens, layer, head, part, target)
    return api.inside_json(step)


def logit_lens_api(
    context: Context,
    text: str,
    model: str = "generation",
    top_k: int = 5,
    part: str = "decoder",
    target: str = "",
) -> dict:
    """The logit lens: what the model would predict if it stopped after each layer (the final norm and the
    unembedding applied to each layer's residual stream): {"model", "tokens", "ids", "positions", "layers":
    [l][i] -> top_k [{"token", "token_str", "score"}]}, l = 0 (the embeddings) to the number of layers (the
    model's own output); positions: every token (generation, chat: the next token) or each [MASK] (fill-mask).

    Args:
        text: the text to read (with a [MASK] for the fill-mask model)
        model: "generation", "chat", "fill-mask" or "translation" (its decoder) (default "generation")
        top_k: how many predictions per layer and position, 1 to 50 (default 5)
        part: the translation model only: "decoder" (default; the encoder predicts no tokens)
        target: the translation model only: the translation its decoder reads (empty: its own greedy one)
    """
    limits = context.settings
    loaded = context.model(checked_model(model), exact=True)
    target = target if isinstance(target, str) else ""
    lens = inside.logit_lens(
        loaded, text, limits.max_input_chars, limits.max_attention_tokens, top_k, part, target
    )
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
        with gr.Row(visible=model.value == "translation") as stack_row:
            part = gr.Radio(choices(PART_CHOICES), value="encoder", label=ui("Part of the translation model"))
            target = gr.Textbox(
                label=ui("Translation the decoder reads (empty: the model's own translation)"),
                lines=1,
                max_length=settings.max_input_chars,
            )
        text = gr.Textbox(
            label=ui("Text"), lines=2, value=examples[0][1], max_length=settings.max_input_chars
        )
        gr.Examples(  # the model column is not shown: gradio would show its choices' translation keys
            examples,
            inputs=[model, text],
            label=ui("Examples: click one, then Look inside"),
            visible_columns=[1],
        )
        button = gr.Button(ui("Look inside"), variant="primary")
        context.links.action("inside", "look", button)  # what "Try it" runs (first: before "shuffle")
        gr.Markdown("### " + ui("Tokens"))
        tokens_html = gr.HTML()
        compare_button = gr.Button(ui("Compare the tokenizers of the served models"), size="sm")
        compare_html = gr.HTML()
        gr.Markdown("### " + ui("Embeddings"))
        embeddings_info = gr.Markdown()
        embeddings_plot = gr.Plot(label=ui("Embeddings"), show_label=False)
        # the head's layer and head, made here for the positions section, drawn in the head section below
        layer = gr.Slider(1, 12, value=1, step=1, label=ui("Layer"), render=False)
        head = gr.Slider(1, 12, value=1, step=1, label=ui("Head"), render=False)
        follows_model(layer, model.value, "layers"), follows_model(head, model.value, "heads")
        build_positions(context, model, text, layer, head, [button.click, text.submit])
        gr.Markdown("### " + ui("One attention head, step by step"), elem_id="inside-formula")
        with gr.Row():
            layer.render()
            head.render()
        context.links.add("inside", "model", model)  # linkable inputs: ?tab=inside&text=… (ui/links.py)
        context.links.add("inside", "text", text)
        context.links.add("inside", "layer", layer)
        context.links.add("inside", "head", head)
        gr.Markdown(FORMULAS, latex_delimiters=[{"left": "$$", "right": "$$", "display": True}])
        head_info = gr.Markdown()
        head_plots = {}
        with gr.Row(elem_classes="inside-grid"):
            for name in inside_viz.HEAD_PANELS:
                with gr.Column(min_width=320):
                    head_plots[f"head_{name}"] = gr.Plot(show_label=False)
        cross_plots = {}
        with gr.Column(visible=False) as cross_section:
            gr.Markdown("### " + ui("The decoder's cross-attention (encoder-decoder attention)"))
            gr.Markdown(CROSS_FORMULA, latex_delimiters=[{"left": "$$", "right": "$$", "display": True}])
            cross_info = gr.Markdown()
            with gr.Row(elem_classes="inside-grid"):
                for name in inside_viz.HEAD_PANELS:
                    with gr.Column(min_width=320):
                        cross_plots[f"cross_{name}"] = gr.Plot(show_label=False)
            cross_query_plot = gr.Plot(label=ui("One query token"), show_label=False)
        gr.Markdown("### " + ui("One query token"))
        query = gr.Dropdown(
            choices=[],
            label=ui("Query token: its row of scores and weights, and its MLP neurons"),
        )
        query_plot = gr.Plot(label=ui("One query token"), show_label=False)
        gr.Markdown("### " + ui("The block: residual stream and MLP"))
        gr.Markdown(
            ui(
                "Attention mixes information between tokens; the MLP then works on each token on its own. The "
                "residual stream carries the sum of everything the layers have added."
            )
        )
        build_block(context, model, text, layer, [button.click, text.submit])
        with gr.Row(elem_classes="inside-grid"):
            with gr.Column(min_width=320):
                residual_plot = gr.Plot(label=ui("Residual stream"), show_label=False)
            with gr.Column(min_width=320):
                neurons_plot = gr.Plot(label=ui("MLP neurons"), show_label=False)
        gr.Markdown("### " + ui("Logit lens"))
        lens_info = gr.Markdown()
        lens_plot = gr.Plot(label=ui("Logit lens"), show_label=False, elem_classes=["wide-chart"])
        api_endpoint(tokenize_api, context, "tokenize", "inside")
        api_endpoint(inside_api, context, "inside", "inside")
        api_endpoint(logit_lens_api, context, "logit_lens", "inside")

    head_outputs = head_plots | cross_plots
    head_outputs |= {
        "cross_section": cross_section,
        "cross_info": cross_info,
        "cross_query_plot": cross_query_plot,
        "head_info": head_info,
        "query_plot": query_plot,
        "residual": residual_plot,
        "neurons": neurons_plot,
        "layer": layer,
        "head": head,
    }
    outputs = head_outputs | {
        "tokens": tokens_html,
        "query": query,
        "lens": lens_plot,
        "lens_info": lens_info,
    }
    outputs |= {"embeddings": embeddings_plot, "embeddings_info": embeddings_info}
    inputs = [model, text, layer, head]
    on(
        [button.click, text.submit, target.submit],
        look_inside,
        context,
        inputs + [part, target],
        outputs,
        "inside",
    )
    on(
        [layer.release, head.release, query.input],
        look_at_head,
        context,
        inputs + [query, part, target],
        head_outputs,
        "inside",
    )
    on([model.change], _stack_row, None, [model], {"stack_row": stack_row})
    on([compare_button.click], compare_tokenizers, context, [text], {"compare": compare_html})
