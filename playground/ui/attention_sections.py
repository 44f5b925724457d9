"""Attention where students ask for it, as one closed accordion in another tab:
in Fill-Mask, what each [MASK] attended to; in Generate, the attention over the prompt and the generated text.

Each section computes only while it is open: opening it draws the picture, and while it stays open every new
result of its tab (Predict, Generate, Next token) redraws it.
"""

from __future__ import annotations

import gradio as gr

from playground.i18n import _, ui
from playground.tasks import attention
from playground.tasks.validation import InputError
from playground.ui.context import Context, session_state, summary_markdown, with_token_note
from playground.ui.events import on
from playground.ui.model_limits import follows_model
from playground.viz import attention as attention_viz


def _open_close(accordion: gr.Accordion) -> gr.State:
    """A State that is True while the accordion is open."""
    is_open = gr.State(False)
    accordion.expand(lambda: True, None, is_open, queue=False, api_visibility="private")
    accordion.collapse(lambda: False, None, is_open, queue=False, api_visibility="private")
    return is_open


def draw_mask_attention(context: Context, text, is_open=True, progress=gr.Progress()) -> dict:
    """Fill-Mask's section: per [MASK], per layer, the heads' mean attention to every token."""
    if not is_open:
        return {}
    loaded = context.model("fill-mask", progress, exact=True)
    limits = context.settings
    try:
        result = attention.mask_attention(loaded, text, limits.max_input_chars, limits.max_attention_tokens)
    except InputError as error:  # the tab's own Predict already says so in a pop-up
        return {"plot": None, "info": f"⚠️ {error}"}
    summary = _(
        "Masks: {masks} · {tokens} tokens · {layers} layers",
        masks=len(result.positions),
        tokens=len(result.tokens),
        layers=result.weights.shape[1],
    )
    return {
        "plot": attention_viz.mask_attention_figure(result),
        "info": summary_markdown(with_token_note(summary, result.tokens), result.notices),
    }


def mask_attention_section(context: Context, text: gr.Textbox, triggers: list) -> None:
    """Fill-Mask: what each [MASK] looked at. `triggers` (the tab's Predict events) redraw it while open."""
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
    outputs = {"plot": plot, "info": info}
    on([accordion.expand], draw_mask_attention, context, [text], outputs, "fill-mask")
    on(triggers, draw_mask_attention, context, [text, is_open], outputs, "fill-mask")


def generation_attention_figure(result: attention.AttentionResult, layer, head):
    """One head of a layer, or (head 0) the mean over its heads."""
    view = attention_viz.make_view(
        result,
        "mean" if int(head) == 0 else "head",
        min(int(layer), result.num_layers),
        max(1, min(int(head), result.num_heads)),
    )
    return attention_viz.view_figure(view)


def draw_generation_attention(context: Context, state, is_open, layer, head, progress=gr.Progress()) -> dict:
    """Generate's section: the attention over the prompt and the tokens generated (or drawn) after it."""
    if not is_open:
        return {}
    if state is None:
        return {
            "result": None,
            "plot": None,
            "info": _("Generate some text first (or draw tokens with Next token)."),
        }
    loaded = context.model("generation", progress, exact=True)
    if state.model_id != loaded.model_id:
        raise InputError(_("The generation model has changed since this text was made. Generate again."))
    prompt_length = len(state.prompt_ids)
    result = attention.attention_of_ids(
        loaded, state.context_ids, context.settings.max_attention_tokens, prompt_length
    )
    summary = _(
        "{prompt} prompt tokens + {generated} generated · {layers} layers × {heads} heads",
        prompt=prompt_length,
        generated=len(state.context_ids) - prompt_length,
        layers=result.num_layers,
        heads=result.num_heads,
    )
    layer, head = min(int(layer), result.num_layers), min(int(head), result.num_heads)
    return {
        "result": attention.kept_half(result),  # kept in the session for the sliders: half the memory
        "layer": gr.Slider(maximum=result.num_layers, value=layer),
        "head": gr.Slider(maximum=result.num_heads, value=head),
        "plot": generation_attention_figure(result, layer, head),
        "info": summary_markdown(with_token_note(summary, result.tokens), result.notices),
    }


def open_generation_attention(context: Context, state, layer, head, progress=gr.Progress()) -> dict:
    return draw_generation_attention(context, state, True, layer, head, progress)


def redraw_generation_attention(result, layer, head) -> dict:
    if result is None:
        return {}
    return {"plot": generation_attention_figure(attention.in_full(result), layer, head)}


def generation_attention_section(context: Context, step_state: gr.State) -> None:
    """Generate: attention over the prompt and the generated tokens of the last generation (or of step mode).
    `step_state` holds a generation.StepState after each generation."""
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
            follows_model(layer, "generation", "layers"), follows_model(head, "generation", "heads")
        info = gr.Markdown()
        plot = gr.Plot(label=ui("Attention over the generated text"), show_label=False)
    is_open = _open_close(accordion)
    result_state = session_state()  # the attention of the last generation
    outputs = {"result": result_state, "layer": layer, "head": head, "plot": plot, "info": info}
    on(
        [accordion.expand],
        open_generation_attention,
        context,
        [step_state, layer, head],
        outputs,
        "generation",
    )
    on(
        [step_state.change],
        draw_generation_attention,
        context,
        [step_state, is_open, layer, head],
        outputs,
        "generation",
    )
    on(
        [layer.release, head.release],
        redraw_generation_attention,
        None,
        [result_state, layer, head],
        {"plot": plot},
        "generation",
        trigger_mode="always_last",
    )
