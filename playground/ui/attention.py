"""Attention tab: pick a model, type a text, and see how much each token attends to every other token.

Views: one head, the mean over a layer's heads, rollout, all heads of a layer, a layers x heads overview;
special tokens can be hidden. Below: bertviz's head and model views (offline, in a sandboxed iframe, with a
Download HTML button) and the attention tensor as .npz and .json. Endpoints: /attention, /attention_view.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from playground import api, export
from playground.i18n import _, lazy, ui
from playground.registry import REGISTRY
from playground.tasks import attention
from playground.tasks import attention_ops as ops
from playground.tasks.validation import InputError
from playground.ui.context import Context, session_state, summary_markdown, with_token_note
from playground.ui.events import api_endpoint, on
from playground.ui.model_limits import follows_model
from playground.viz import attention as attention_viz
from playground.viz import bertviz

EXAMPLES = {  # for the English and the Chinese models
    "en": [
        ["fill-mask", "The animal didn't cross the street because it was too tired."],
        ["generation", "The quick brown fox jumps over the lazy dog."],
        ["sentiment", "The plot was thin, but the music was lovely."],
    ],
    "zh": [
        ["fill-mask", "小猫没有过马路，因为它太累了。"],
        ["generation", "今天天气很好，我们去公园散步。"],
        ["sentiment", "情节很单薄，但是音乐很好听。"],
    ],
}
# The models whose attention can be shown: every task of the registry that offers it, fill-mask first.
MODELS = sorted(
    (name for name, spec in REGISTRY.items() if spec.attention_label), key=lambda name: name != "fill-mask"
)
MODEL_CHOICES = [(REGISTRY[name].attention_label, name) for name in MODELS]
BERTVIZ_CHOICES = [("Head view", "head"), ("Model view", "model")]
PART_CHOICES = [  # the translation model's three attentions
    ("Encoder: self-attention over the source", "encoder"),
    ("Decoder: masked self-attention over the translation", "decoder"),
    ("Cross-attention: each translation token over the source", "cross"),
]
HIDE_SPECIAL_LABEL = "Hide special tokens ([CLS], [SEP], <|endoftext|>) and renormalise the rows"
OWN_SCALE_LABEL = "Colours to each head's own largest weight (a head that spreads its attention shows up)"


def choices(pairs) -> list[tuple]:
    """(label, value) choices with their labels translated in the page."""
    return [(ui(label), value) for label, value in pairs]


@dataclass
class Shown:
    """What the explorer shows: the request (to read a shorter piece of it again) and its attention, kept in
    the session at half precision (`attention.kept_half`): `result` gives it back in float32."""

    model: str
    text: str
    kept: attention.AttentionResult
    part: str | None = None  # the translation model: "encoder", "decoder" or "cross"

    @classmethod
    def of(cls, model: str, text: str, result: attention.AttentionResult, part: str | None = None) -> Shown:
        return cls(model, text, attention.kept_half(result), part)

    @property
    def result(self) -> attention.AttentionResult:
        return attention.in_full(self.kept)


def fit_choice(values: list[int] | None, count: int) -> list[int]:
    """The ticked layers (or heads) that this model has, 1-based; all of them if none is left. The boxes
    offer 1-12 until a first result tells how many the model has."""
    kept = [v for v in values or [] if 1 <= v <= count]
    return kept or list(range(1, count + 1))


def describe(result: attention.AttentionResult) -> str:
    if result.part is not None:
        return _describe_translation(result)
    kind = (
        _(
            "This model reads left to right: a token attends only to itself and the tokens before it, "
            "so everything above the diagonal is 0 (grey)."
        )
        if result.causal
        else _("This model reads both ways: every token may attend to every other token.")
    )
    shape = _(
        "{tokens} tokens · {layers} layers × {heads} heads.",
        tokens=len(result.tokens),
        layers=result.num_layers,
        heads=result.num_heads,
    )
    return f"{shape} {kind}"


def _describe_translation(result: attention.AttentionResult) -> str:
    """The translation model's encoder, decoder or cross-attention, named."""
    if result.part == "cross":
        return _(
            "The cross-attention (encoder-decoder attention): {tokens} tokens of the model's own translation "
            "(rows) × {source} source tokens (columns) · {layers} decoder layers × {heads} heads. Each row "
            "adds up to 1 over the source: the alignment.",
            tokens=len(result.tokens),
            source=len(result.key_tokens or []),
            layers=result.num_layers,
            heads=result.num_heads,
        )
    shape = _(
        "{tokens} tokens · {layers} layers × {heads} heads.",
        tokens=len(result.tokens),
        layers=result.num_layers,
        heads=result.num_heads,
    )
    if result.part == "decoder":
        return f"{shape} " + _(
            "The decoder's masked self-attention over the model's own translation (its start token first): "
            "each token sees itself and the tokens written before it."
        )
    return f"{shape} " + _(
        "The encoder's self-attention over the source: every token may attend to every other token."
    )


def checked_part(model: str, part: object) -> str | None:
    """The translation model's attention ("encoder", "decoder" or "cross"); None for the other models."""
    return attention.check_part(part) if model == "translation" else None


def checked_model(model: object) -> str:
    """The task name of a model whose attention can be shown, else InputError."""
    if model not in MODELS:
        raise InputError(
            lazy(
                "Unknown model {model}: choose one of {choices}.",
                model=repr(model),
                choices=", ".join(MODELS),
            )
        )
    return model


def compute(
    context: Context, text, model, progress=None, max_tokens: int | None = None, part: str | None = None
):
    """The attention of a served model on the text, cut to `max_tokens` (default: the server's limit); the
    translation model's encoder, decoder or cross-attention (`part`)."""
    loaded = context.model(checked_model(model), progress, exact=True)
    limit = context.settings.max_attention_tokens if max_tokens is None else max_tokens
    part = checked_part(model, part)
    return attention.attention(loaded, text, context.settings.max_input_chars, limit, part)


def within_budget(
    context: Context,
    shown: Shown,
    result: attention.AttentionResult,
    matrices: int,
    budget: int,
    view_name: str,
    what: str,
):
    """The attention of the text cut so that `matrices` T x T matrices fit `budget`, and a notice. `result`:
    the attention of the text shown (`shown.result`)."""

    def reread(max_tokens: int) -> attention.AttentionResult:
        return compute(context, shown.text, shown.model, max_tokens=max_tokens, part=shown.part)

    limit = context.settings.max_attention_tokens
    return ops.fit_to_budget(result, matrices, budget, limit, reread, view_name, what)


def draw(
    context: Context, shown: Shown | None, kind, layer, head, hide_special, layers, heads, own_scale=False
) -> dict:
    """The chosen view of what is shown, and the summary with every notice."""
    if shown is None:
        return {}
    full = result = shown.result
    layers = ops.check_selection(fit_choice(layers, result.num_layers), result.num_layers, "layer")
    heads = ops.check_selection(fit_choice(heads, result.num_heads), result.num_heads, "head")
    matrices = ops.panels_in_view(kind, result.num_heads, layers, heads)
    budget = ops.PLOT_CELL_BUDGET
    result, cut = within_budget(context, shown, full, matrices, budget, _(ops.VIEWS[kind]), _("cells"))
    view = attention_viz.make_view(result, kind, layer, head, layers, heads, hide_special, bool(own_scale))
    # a text cut again for a big view says so once (the shorter reading's own notice would repeat it)
    notices = list(full.notices) + cut + view.notices
    return {
        "plot": attention_viz.view_figure(view),
        "info": summary_markdown(with_token_note(describe(full), full.tokens), notices),
    }


def run(
    context: Context,
    model, text, kind, layer, head, hide_special, layers, heads, own_scale=False, part="encoder",
    progress=gr.Progress(track_tqdm=True),
) -> dict:  # fmt: skip
    """Show attention: run the model on the text, fit the sliders to its layers and heads, draw the view."""
    result = compute(context, text, model, progress, part=part)
    shown = Shown.of(model, text, result, checked_part(model, part))
    n_layers, n_heads = result.num_layers, result.num_heads
    layer, head = min(int(layer), n_layers), min(int(head), n_heads)
    layers, heads = fit_choice(layers, n_layers), fit_choice(heads, n_heads)
    return {
        "shown": shown,
        "layer": gr.Slider(maximum=n_layers, value=layer),
        "head": gr.Slider(maximum=n_heads, value=head),
        "layers": gr.CheckboxGroup(choices=list(range(1, n_layers + 1)), value=layers),
        "heads": gr.CheckboxGroup(choices=list(range(1, n_heads + 1)), value=heads),
        **draw(context, shown, kind, layer, head, hide_special, layers, heads, own_scale),
    }


def _part_for(model) -> dict:
    """The encoder/decoder/cross choice, shown for the translation model only."""
    return {"part": gr.Radio(visible=model == "translation")}


def sliders_for(kind) -> dict:
    """Only the sliders the view reads: the head one for a single head, the layer one unless the overview."""
    return {
        "layer": gr.Slider(visible=kind != "overview"),
        "head": gr.Slider(visible=kind == "head"),
    }


def bertviz_view(
    context: Context,
    text, model, view, layers, heads, hide_special=False, layer=1, progress=None, part="encoder",
):  # fmt: skip
    """bertviz's head or model view of the text, as a standalone HTML document, its iframe and the result."""
    if not isinstance(view, str) or view not in bertviz.VIEW_NAMES:  # a list or a dict cannot be looked up
        raise InputError(lazy("Unknown view {view}: choose 'head' or 'model'.", view=repr(view)[:40]))
    part = checked_part(model, part)
    if part == "cross":
        raise InputError(
            lazy(
                "bertviz draws the cross-attention together with the encoder and the decoder: open it in the "
                "Translation tab (bertviz: encoder, decoder and cross-attention)."
            )
        )
    loaded = context.model(checked_model(model), progress, exact=True)
    n_layers, n_heads = attention.layers_and_heads(loaded, part)
    layers = ops.check_selection(layers, n_layers, "layer")
    heads = ops.check_selection(heads, n_heads, "head")
    matrices = len(layers) * (len(heads) if view == "model" else n_heads)
    full = compute(context, text, model, progress, part=part)
    shown = Shown(model, text, full, part)
    name = "bertviz " + _(bertviz.VIEW_NAMES[view])
    budget = ops.BERTVIZ_LINE_BUDGET
    result, notices = within_budget(context, shown, full, matrices, budget, name, _("attention lines"))
    notices = list(full.notices) + notices
    tokens, weights = result.tokens, result.attentions
    if hide_special:
        tokens, weights, hidden = ops.hide_special_tokens(tokens, result.special, weights)
        notices += hidden
    document = bertviz.view_document(
        view, result.model_id, tokens, weights, layers, heads, notices, open_layer=int(layer) - 1
    )
    frame = bertviz.iframe(document, view, len(tokens), len(layers), n_heads, len(notices))
    return document, frame, result


def draw_bertviz(
    context: Context,
    model, text, view, layers, heads, hide_special, layer, part="encoder", progress=gr.Progress(),
) -> dict:  # fmt: skip
    """Draw bertviz view: the view in a sandboxed frame, and its HTML to download."""
    loaded = context.model(checked_model(model), progress, exact=True)
    n_layers, n_heads = attention.layers_and_heads(loaded, checked_part(model, part))
    layers, heads = fit_choice(layers, n_layers), fit_choice(heads, n_heads)
    document, frame, result = bertviz_view(
        context, text, model, view, layers, heads, hide_special, layer, progress, part
    )
    path = export.write_html(document, result.model_id, f"bertviz-{view}-view")
    return {"frame": frame, "download": gr.DownloadButton(value=str(path), interactive=True)}


def prepare_downloads(context: Context, shown: Shown | None, progress=gr.Progress()) -> dict:
    """Prepare downloads: the attention shown as .npz and .json files, read again in full precision (the
    session keeps it at half precision)."""
    if shown is None:
        raise InputError(lazy("Click “Show attention” first; then its attention can be downloaded."))
    result = compute(context, shown.text, shown.model, progress, part=shown.part)
    return {"files": [str(export.write_npz(result)), str(export.write_json(result))]}


def attention_api(context: Context, text: str, model: str = "fill-mask", part: str = "encoder") -> dict:
    """The attention weights of every layer and head of a model for a text: {"model": its id, "tokens",
    "attentions": [layer][head][query][key]}, each query's row adding up to 1 (as output_attentions gives).
    The translation model's cross-attention adds "key_tokens" (the source tokens of its columns).

    Args:
        text: the text to read
        model: which served model: "fill-mask", "generation", "sentiment" or "chat" (default "fill-mask"), or
            "translation"
        part: the translation model only: "encoder" (default: its self-attention over the text), "decoder"
            (its masked self-attention over its own greedy translation) or "cross" (translation × source)
    """
    return api.attention_json(compute(context, text, model, part=part))


def attention_view_api(
    context: Context,
    text: str,
    model: str = "fill-mask",
    view: str = "head",
    layers: str = "",
    heads: str = "",
    part: str = "encoder",
) -> str:
    """bertviz's head or model view as a standalone HTML document that draws with no internet.
    layers, heads: e.g. "1-3, 6" (1-based; empty = all); fewer of them leave room for more tokens.
    part: the translation model only, "encoder" (default) or "decoder"."""
    part_checked = checked_part(model, part)
    n_layers, n_heads = attention.layers_and_heads(
        context.model(checked_model(model), exact=True), part_checked
    )
    chosen_layers = [i + 1 for i in ops.parse_selection(layers, n_layers, "layer")]
    chosen_heads = [i + 1 for i in ops.parse_selection(heads, n_heads, "head")]
    return bertviz_view(context, text, model, view, chosen_layers, chosen_heads, part=part)[0]


def build(context: Context) -> None:
    """The Attention tab and the /attention and /attention_view endpoints."""
    settings = context.settings
    examples = context.examples(EXAMPLES)
    with gr.Tab(ui("Attention"), id="attention"):
        gr.Markdown(
            ui(
                "Each row is a token *attending*; each column a token it *looks at*. Darker means more "
                "attention, and every row adds up to 1. Every layer has several heads, and each head learns "
                "its own pattern. **Rollout** follows attention through the layers (Abnar & Zuidema, 2020)."
            )
        )
        model = gr.Radio(choices(MODEL_CHOICES), value="fill-mask", label=ui("Model"))
        part = gr.Radio(
            choices(PART_CHOICES),
            value="encoder",
            label=ui("Which attention of the translation model"),
            visible=False,
        )
        text = gr.Textbox(
            label=ui("Text"), lines=2, value=examples[0][1], max_length=settings.max_input_chars
        )
        button = gr.Button(ui("Show attention"), variant="primary")
        kind = gr.Radio(
            choices([(name, key) for key, name in ops.VIEWS.items()]), value="head", label=ui("View")
        )
        with gr.Row():
            layer = gr.Slider(1, 12, value=1, step=1, label=ui("Layer"))
            head = gr.Slider(1, 12, value=1, step=1, label=ui("Head"))
            follows_model(layer, model.value, "layers"), follows_model(head, model.value, "heads")
        context.links.add("attention", "model", model)  # linkable inputs: ?tab=attention&text=… (ui/links.py)
        context.links.add("attention", "text", text)
        context.links.add("attention", "view", kind)
        context.links.add("attention", "layer", layer)
        context.links.add("attention", "head", head)
        context.links.action("attention", "show", button)  # what "Try it" runs
        step_by_step = gr.Button(
            ui("This head step by step (Inside) ▸"), size="sm", elem_id="attention-to-inside"
        )
        context.links.jump(  # opens Inside's Q = XW_Q … softmax(QKᵀ/√d_k)V with this model, text, layer, head
            step_by_step,
            "inside",
            {"model": model, "text": text, "layer": layer, "head": head},
            run="look",
            anchor="inside-formula",
        )
        with gr.Row():
            hide_special = gr.Checkbox(value=False, label=ui(HIDE_SPECIAL_LABEL))
            own_scale = gr.Checkbox(value=False, label=ui(OWN_SCALE_LABEL))
        with gr.Accordion(ui("Layers and heads in the overview and the bertviz views"), open=False):
            gr.Markdown(
                ui(
                    "Big views draw many matrices; fewer layers and heads leave room for more tokens "
                    "(the view says when it reads only the start of the text)."
                )
            )
            layers = gr.CheckboxGroup(list(range(1, 13)), value=list(range(1, 13)), label=ui("Layers"))
            heads = gr.CheckboxGroup(list(range(1, 13)), value=list(range(1, 13)), label=ui("Heads"))
        info = gr.Markdown()
        # a wide chart (the overview with its tokens named) scrolls sideways in its own box
        plot = gr.Plot(label=ui("Attention"), show_label=False, elem_classes=["wide-chart"])
        shown_state = session_state()  # the whole attention tensor, at half precision: not kept forever
        gr.Examples(  # the model column is not shown: gradio would show its choices' translation keys
            examples,
            inputs=[model, text],
            label=ui("Examples: click one, then Show attention"),
            visible_columns=[1],
        )
        with gr.Accordion(ui("bertviz: head view and model view (works offline)"), open=False):
            gr.Markdown(
                ui(
                    "Jesse Vig's bertviz pictures of the same text, drawn in a sandboxed frame with no "
                    "internet needed. The head view shows one layer (pick it in its menu); lines join each "
                    "token to the tokens it attends to, one colour per head."
                )
            )
            with gr.Row():
                bertviz_kind = gr.Radio(choices(BERTVIZ_CHOICES), value="head", label=ui("bertviz view"))
                bertviz_button = gr.Button(ui("Draw bertviz view"))
                bertviz_download = gr.DownloadButton(ui("Download HTML"), interactive=False)
            bertviz_html = gr.HTML()
        with gr.Accordion(ui("Download the attention tensor (.npz, .json)"), open=False):
            gr.Markdown(
                ui(
                    "Every layer and head of the text shown above: `attentions[layer][head][query][key]` with "
                    "the tokens. The .json has the shape of the /attention endpoint; the .npz loads with "
                    "`numpy.load(path)`."
                )
            )
            export_button = gr.Button(ui("Prepare downloads"))
            files = gr.File(label=ui("Attention tensor"), file_count="multiple", interactive=False)
        api_endpoint(attention_api, context, "attention", "attention")
        api_endpoint(attention_view_api, context, "attention_view", "attention", tool=False)

    view_inputs = [kind, layer, head, hide_special, layers, heads, own_scale]
    drawn = {"plot": plot, "info": info}
    fitted = {"shown": shown_state, "layer": layer, "head": head, "layers": layers, "heads": heads}
    on(
        [button.click, text.submit],
        run,
        context,
        [model, text] + view_inputs + [part],
        fitted | drawn,
        "attention",
    )
    on([model.change], _part_for, None, [model], {"part": part})
    on(  # a new view of what is shown: no model run, except to cut a long text for a big view
        [
            kind.input,
            layer.release,
            head.release,
            hide_special.input,
            layers.input,
            heads.input,
            own_scale.input,
        ],
        draw,
        context,
        [shown_state] + view_inputs,
        drawn,
        "attention",
        trigger_mode="always_last",
    )
    on(
        [bertviz_button.click],
        draw_bertviz,
        context,
        [model, text, bertviz_kind, layers, heads, hide_special, layer, part],
        {"frame": bertviz_html, "download": bertviz_download},
        "attention",
    )
    on([kind.change], sliders_for, None, [kind], {"layer": layer, "head": head})
    on([export_button.click], prepare_downloads, context, [shown_state], {"files": files}, "attention")
