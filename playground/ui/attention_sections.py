"""Attention where students ask for it, as one closed accordion in another tab:
in Fill-Mask, what each [MASK] attended to; in Generate, the attention over the prompt and the generated text.

Each section computes only while it is open: opening it draws the picture, and while it stays open every new
result of its tab (Predict, Generate, Next token) redraws it.
"""

from __future__ import annotations

import gradio as gr

from playground.i18n import _, ui
from playground.models import ModelManager
from playground.settings import Settings
from playground.tasks import attention
from playground.tasks import attention_ops as ops
from playground.tasks.validation import InputError
from playground.ui.common import friendly_errors, load_model, on, summary_markdown
from playground.viz import attention as attention_viz


def _open_close(accordion: gr.Accordion) -> gr.State:
    """A State that is True while the accordion is open."""
    is_open = gr.State(False)
    accordion.expand(lambda: True, None, is_open, queue=False, api_visibility="private")
    accordion.collapse(lambda: False, None, is_open, queue=False, api_visibility="private")
    return is_open


def mask_attention_section(
    manager: ModelManager, settings: Settings, text: gr.Textbox, triggers: list
) -> None:
    """Fill-Mask: per [MASK], per layer, the heads' mean attention to every token. `triggers` (the tab's
    Predict events) redraw it while it is open."""
    with gr.Accordion(ui("Attention: what did each [MASK] look at?"), open=False) as accordion:
        gr.Markdown(
            ui(
                "For every `[MASK]`, one row per layer: how much the mask's position attended to each token, "
                "averaged over the heads. The model fills the blank from what it looks at."
            )
        )
        info = gr.Markdown()
        plot = gr.Plot(label=ui("Mask attention"), show_label=False)
    is_open = _open_close(accordion)

    @friendly_errors
    def draw(text, is_open, progress=gr.Progress()):
        if not is_open:
            return gr.skip(), gr.skip()
        loaded = load_model(manager, "fill-mask", progress)
        try:
            result = attention.mask_attention(
                loaded, text, settings.max_input_chars, settings.max_attention_tokens
            )
        except InputError as error:  # the tab's own Predict already says so in a pop-up
            return None, f"⚠️ {error}"
        summary = _(
            "Masks: {masks} · {tokens} tokens · {layers} layers",
            masks=len(result.positions),
            tokens=len(result.tokens),
            layers=result.weights.shape[1],
        )
        return attention_viz.mask_attention_figure(result), summary_markdown(summary, result.notices)

    def draw_on_open(text, progress=gr.Progress()):
        return draw(text, True, progress)

    on([accordion.expand], draw_on_open, [text], [plot, info], "fill-mask")
    on(triggers, draw, [text, is_open], [plot, info], "fill-mask")


def generation_attention_section(manager: ModelManager, settings: Settings, step_state: gr.State) -> None:
    """Generate: attention over the prompt and the generated tokens of the last generation (or of step mode).
    `step_state` holds `model_id`, `prompt_ids` and `context_ids` (prompt + generated) after each generation."""
    with gr.Accordion(ui("Attention over the prompt and the generated text"), open=False) as accordion:
        gr.Markdown(
            ui(
                "Each generated token (rows below the orange line) was chosen while attending to the prompt "
                "and to the tokens generated before it. Grey: later tokens, which it could not see yet."
            )
        )
        with gr.Row():
            layer = gr.Slider(1, 12, value=1, step=1, label=ui("Layer"))
            head = gr.Slider(0, 12, value=0, step=1, label=ui("Head (0 = mean over heads)"))
        info = gr.Markdown()
        plot = gr.Plot(label=ui("Attention over the generated text"), show_label=False)
    is_open = _open_close(accordion)
    result_state = gr.State()

    def figure(result, layer, head):
        kind = "mean" if int(head) == 0 else "head"
        view = ops.make_view(
            result, kind, min(int(layer), result.num_layers), max(1, min(int(head), result.num_heads))
        )
        return attention_viz.view_figure(view)

    @friendly_errors
    def compute(state, is_open, layer, head, progress=gr.Progress()):
        if not is_open:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        if state is None:
            return (
                None,
                gr.skip(),
                gr.skip(),
                None,
                _("Generate some text first (or draw tokens with Next token)."),
            )
        loaded = load_model(manager, "generation", progress)
        if state.model_id != loaded.model_id:
            raise gr.Error(_("The generation model has changed since this text was made. Generate again."))
        prompt_length = len(state.prompt_ids)
        result = attention.attention_of_ids(
            loaded, state.context_ids, settings.max_attention_tokens, prompt_length
        )
        generated = len(state.context_ids) - prompt_length
        summary = _(
            "{prompt} prompt tokens + {generated} generated · {layers} layers × {heads} heads",
            prompt=prompt_length,
            generated=generated,
            layers=result.num_layers,
            heads=result.num_heads,
        )
        layer, head = min(int(layer), result.num_layers), min(int(head), result.num_heads)
        return (
            result,
            gr.Slider(maximum=result.num_layers, value=layer),
            gr.Slider(maximum=result.num_heads, value=head),
            figure(result, layer, head),
            summary_markdown(summary, result.notices),
        )

    outputs = [result_state, layer, head, plot, info]

    def compute_on_open(state, layer, head, progress=gr.Progress()):
        return compute(state, True, layer, head, progress)

    on([accordion.expand], compute_on_open, [step_state, layer, head], outputs, "generation")
    on([step_state.change], compute, [step_state, is_open, layer, head], outputs, "generation")
    on(
        [layer.release, head.release],
        friendly_errors(
            lambda result, layer, head: gr.skip() if result is None else figure(result, layer, head)
        ),
        [result_state, layer, head],
        [plot],
        "generation",
        trigger_mode="always_last",
    )
