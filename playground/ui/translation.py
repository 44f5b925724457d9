"""Translation tab (翻译): the Transformer the course draws, an encoder-decoder that translates.

Translate runs `model.generate` (greedy, or beam search with several beams) and shows the translation coloured
by probability, with the distribution each token was chosen from; "Next token" writes the translation one
greedy token at a time and "Undo" takes one back. Below: the cross-attention as a target x source heatmap (a
layer's head, or the mean of its heads), bertviz's model view of the encoder, decoder and cross-attention
(offline, in a sandboxed iframe), and the architecture with the course's formulas and this model's shapes.
Then "two architectures, one task": the chat model translates and summarizes the same text, showing the text
it actually reads. Endpoints: /translate, /cross_attention, /translate_chat, /summarize.

Each output goes to Evaluate (BLEU, ROUGE) with one click: the handlers that write a translation or a summary
also keep it as plain text (`compare_marian`, and the state `chat_output`: {"task", "source", "output"}), and
the two Score buttons send it there as the candidate (ui/evaluate.send_to_evaluate).
"""

from __future__ import annotations

import gradio as gr

from playground import api
from playground.i18n import _, lazy, ui
from playground.tasks import chat_tasks, translation
from playground.tasks.generation import GenerationParams
from playground.tasks.translation import TranslationParams
from playground.tasks.validation import InputError
from playground.ui.context import Context, session_state, summary_markdown
from playground.ui.demo_notes import demo_note
from playground.ui.evaluate import send_to_evaluate
from playground.ui.events import api_endpoint, on
from playground.ui.model_limits import follows_model
from playground.viz import charts
from playground.viz import chat as chat_viz
from playground.viz import translation as translation_viz

# Sentences whose word order changes between the languages: time and place move before the verb in Chinese,
# a relative clause before its noun, a question word stays where the answer would be. The demo's tiny models
# were trained on these (playground/tiny_models.py PARALLEL), so they translate them.
EXAMPLES = {  # the en preset translates English into Chinese; the zh preset Chinese into English
    "en": [
        ["I read a book in the library yesterday."],
        ["The book that I bought yesterday is very interesting."],
        ["Where is the train station?"],
        ["She goes to school by bus every morning."],
    ],
    "zh": [
        ["我昨天在图书馆看书。"],
        ["我昨天买的书很有意思。"],
        ["火车站在哪里？"],
        ["她每天早上坐公交车去学校。"],
    ],
}
TARGET_CHOICES = [("中文", "zh"), ("English", "en")]
HEAD_HELP = "Head (0 = the mean of the layer's heads)"


def chat_target(context: Context) -> str:
    """The chat model translates into the language the translation model writes: the other one."""
    return "en" if context.settings.preset == "zh" else "zh"


# --- the encoder-decoder -------------------------------------------------------------------------------------


def _shown(
    context: Context, loaded, state: translation.StepState, summary: str, layer, head, step: int | None = None
) -> dict:
    """What the page shows of a translation (finished or in step mode): its coloured tokens, the
    distribution of its last token (or of token `step`), its cross-attention, the architecture's shapes."""
    text = translation.step_text(loaded, state)
    outputs = {
        "html": translation_viz.translation_html(state.steps),
        "info": summary_markdown(
            summary, [*state.source.notices, *demo_note(context, "translation", loaded.model_id)]
        ),
        "step_state": state,
        "marian_output": {"task": "translate", "source": state.source.text, "output": text},
        "compare_marian": text,
    }
    if state.distributions:
        number = len(state.steps) if step is None else step
        outputs["distribution"] = charts.next_token_figure(state.distributions[number - 1], number)
    else:
        outputs["distribution"] = None
    if state.steps:
        cross = translation.attention_of(loaded, state.source, state.target_ids)
        outputs |= {"cross": translation.kept_for_redraw(cross), **draw_cross(cross, layer, head)}
        outputs["architecture"] = translation_viz.architecture_markdown(
            translation.architecture(loaded), len(state.source.ids), len(state.steps)
        )
    return outputs


def run(context: Context, text, max_new_tokens, num_beams, layer, head, progress=gr.Progress()) -> dict:
    """Translate: generate the whole translation (greedy or beam search)."""
    loaded = context.model("translation", progress)
    limits = context.settings
    result = translation.translate(
        loaded,
        text,
        TranslationParams(max_new_tokens, num_beams),
        limits.max_input_chars,
        limits.max_new_tokens_cap,
        limits.max_beams,
    )
    search = (
        _("greedy search")
        if result.params.num_beams == 1
        else _("beam search with {beams} beams", beams=result.params.num_beams)
    )
    end = (
        _("the model ended with `</s>`")
        if result.ended
        else _("stopped at the limit of new tokens before the model wrote `</s>`")
    )
    summary = _("{count} tokens · {search} · {end}", count=len(result.steps), search=search, end=end)
    outputs = _shown(context, loaded, translation.state_of(result), summary, layer, head)
    outputs["code"] = translation.reproduction_code(loaded.model_id, result.source.text, result.params)
    return outputs


def next_step(context: Context, state, text, max_new_tokens, layer, head, progress=gr.Progress()) -> dict:
    """Next token: write one more token of the translation (greedy), and show what it was chosen from."""
    loaded = context.model("translation", progress)
    limits = context.settings
    state = translation.next_step(
        loaded, state, text, max_new_tokens, limits.max_input_chars, limits.max_new_tokens_cap
    )
    summary = _("Step mode · tokens written one at a time (greedy): {count}", count=len(state.steps))
    return _shown(context, loaded, state, summary, layer, head)


def undo_step(context: Context, state, layer, head) -> dict:
    """Undo: take the last token back; the chart shows the distribution it was chosen from."""
    before = translation.undo(state)
    loaded = context.model("translation")
    summary = _("Step mode · tokens written one at a time (greedy): {count}", count=len(before.steps))
    outputs = _shown(context, loaded, before, summary, layer, head)
    outputs["distribution"] = charts.next_token_figure(state.distributions[-1], len(state.steps))
    return outputs


def draw_cross(cross, layer, head) -> dict:
    """The heatmap of the chosen layer and head (0: the mean), the sliders fitted to the model."""
    if cross is None:
        return {}
    layer = min(max(int(layer), 1), cross.num_layers)
    head = min(max(int(head), 0), cross.num_heads)
    return {
        "heatmap": translation_viz.cross_attention_figure(cross, layer, head),
        "layer": gr.Slider(maximum=cross.num_layers, value=layer),
        "head": gr.Slider(maximum=cross.num_heads, value=head),
    }


def redraw_cross(cross, layer, head) -> dict:
    """A slider moved: the same cross-attention, another layer or head."""
    outputs = draw_cross(None if cross is None else translation.cross_in_full(cross), layer, head)
    return {"heatmap": outputs["heatmap"]} if outputs else {}


def draw_model_view(context: Context, state, progress=gr.Progress()) -> dict:
    """Draw bertviz's model view of the translation shown."""
    if state is None or not state.steps:
        raise InputError(lazy("Translate a text first; then its attention can be drawn."))
    loaded = context.model("translation", progress)
    cross = translation.attention_of(loaded, state.source, state.target_ids)
    notices = [str(n) for n in cross.notices]
    document = translation_viz.model_view_document(cross, notices)
    return {"frame": translation_viz.model_view_iframe(cross, document, len(notices))}


def show_architecture(context: Context, progress=gr.Progress()) -> dict:
    loaded = context.model("translation", progress)
    return {
        "architecture": translation_viz.architecture_markdown(translation.architecture(loaded), None, None)
    }


# --- the chat model: the same tasks by a decoder that follows instructions ----------------------------------


def _chat_params(max_new_tokens, temperature, top_k, top_p, seed) -> GenerationParams:
    return GenerationParams(max_new_tokens, temperature, top_k, top_p, 1.0, seed)


def _application_outputs(result: chat_tasks.ApplicationResult, source: str) -> dict:
    count = len(result.chat.generation.token_ids)
    status = (
        _("writing… {count} new tokens", count=count)
        if not result.finished
        else _("{count} new tokens", count=count)
    )
    outputs = {
        "chat_reply": chat_viz.reply_html(result.chat),
        "chat_info": _("Seed **{seed}** · {status}", seed=result.chat.generation.seed, status=status),
        "chat_output": {"task": result.task, "source": source, "output": result.output},
    }
    if count <= 1 or result.finished:
        outputs["template"] = chat_viz.prompt_html(result.chat.prompt)
    return outputs


def _stream(context: Context, task: str, messages, params: GenerationParams, source: str, progress=None):
    loaded = context.model("chat", progress)
    limits = context.settings
    for result in chat_tasks.stream(
        loaded,
        task,
        messages,
        params,
        limits.max_input_chars,
        limits.max_new_tokens_cap,
        context.engine(loaded),
    ):
        yield _application_outputs(result, source)


def chat_translate(
    context: Context, text, target, max_new_tokens, temperature, top_k, top_p, seed, progress=gr.Progress()
):
    """Translate with the chat model: the instruction, the text it reads, its reply streaming."""
    messages = chat_tasks.translation_messages(text, target, context.settings.max_input_chars)
    params = _chat_params(max_new_tokens, temperature, top_k, top_p, seed)
    yield from _stream(context, "translate", messages, params, text, progress)


def chat_summarize(
    context: Context, text, max_new_tokens, temperature, top_k, top_p, seed, progress=gr.Progress()
):
    """Summarize with the chat model."""
    messages = chat_tasks.summary_messages(text, context.settings.max_input_chars)
    params = _chat_params(max_new_tokens, temperature, top_k, top_p, seed)
    yield from _stream(context, "summarize", messages, params, text, progress)


# --- the API ---------------------------------------------------------------------------------------------------


def translate_api(context: Context, text: str, max_new_tokens: int = 128, num_beams: int = 1) -> list[dict]:
    """Translate a text with the translation model (an encoder-decoder such as Marian): returns
    [{"translation_text": ...}], what model.generate(..., num_beams=num_beams, do_sample=False) writes, decoded
    without its special tokens.

    Args:
        text: the text to translate (cut to the model's limit, with a notice, if longer)
        max_new_tokens: the longest translation in tokens, 1 to the server's cap (default 128)
        num_beams: 1 is greedy search; more keeps that many candidates (beam search), up to the server's limit
    """
    limits = context.settings
    result = translation.translate(
        context.model("translation"),
        text,
        TranslationParams(max_new_tokens, num_beams),
        limits.max_input_chars,
        limits.max_new_tokens_cap,
        limits.max_beams,
    )
    return api.translation_json(result)


def cross_attention_api(context: Context, text: str, max_new_tokens: int = 64) -> dict:
    """The cross-attention of the translation model's greedy translation of a text: {"model", "source_tokens",
    "target_tokens", "cross_attentions": [layer][head][target][source]}: for each token of the translation,
    its attention over the source tokens while it was written (each row adds up to 1).

    Args:
        text: the text to translate (its source tokens are cut to the server's attention limit)
        max_new_tokens: the longest translation in tokens (default 64)
    """
    limits = context.settings
    result = translation.cross_attention(
        context.model("translation"),
        text,
        max_new_tokens,
        limits.max_input_chars,
        limits.max_new_tokens_cap,
        limits.max_attention_tokens,
    )
    return api.cross_attention_json(result)


def _application_api(context: Context, task: str, messages, params: GenerationParams):
    loaded = context.model("chat")
    limits = context.settings
    *_steps, last = chat_tasks.stream(
        loaded,
        task,
        messages,
        params,
        limits.max_input_chars,
        limits.max_new_tokens_cap,
        context.engine(loaded),
    )
    return api.application_json(last)


def translate_chat_api(
    context: Context,
    text: str,
    target: str = "zh",
    max_new_tokens: int = 128,
    temperature: float = 0.0,
    top_k: int = 50,
    top_p: float = 1.0,
    seed: int = 0,
) -> dict:
    """Translate a text with the chat model, asked in the text's language: returns {"messages": the chat
    messages sent, "prompt": the text the model read (its chat template applied), "output": its reply}.

    Args:
        text: the text to translate
        target: the language to translate into: "zh" (Chinese) or "en" (English) (default "zh")
        max_new_tokens: the longest reply in tokens (default 128)
        temperature: 0 is greedy (default 0)
        top_k: sample only from the k most likely tokens; 0 = no limit (default 50)
        top_p: sample only from the most likely tokens whose probabilities add up to p (default 1.0)
        seed: the random seed; -1 picks a random one (default 0)
    """
    messages = chat_tasks.translation_messages(text, target, context.settings.max_input_chars)
    params = _chat_params(max_new_tokens, temperature, top_k, top_p, seed)
    return _application_api(context, "translate", messages, params)


def summarize_api(
    context: Context,
    text: str,
    max_new_tokens: int = 128,
    temperature: float = 0.0,
    top_k: int = 50,
    top_p: float = 1.0,
    seed: int = 0,
) -> dict:
    """Summarize a text with the chat model, asked in the text's language: returns {"messages", "prompt",
    "output"} as /translate_chat does.

    Args:
        text: the text to summarize
        max_new_tokens: the longest summary in tokens (default 128)
        temperature: 0 is greedy (default 0)
        top_k: sample only from the k most likely tokens; 0 = no limit (default 50)
        top_p: sample only from the most likely tokens whose probabilities add up to p (default 1.0)
        seed: the random seed; -1 picks a random one (default 0)
    """
    messages = chat_tasks.summary_messages(text, context.settings.max_input_chars)
    params = _chat_params(max_new_tokens, temperature, top_k, top_p, seed)
    return _application_api(context, "summarize", messages, params)


def chat_controls(max_new_tokens_cap: int) -> list:
    """Generate's decoding sliders but the repetition penalty (the endpoints take none); greedy by default."""
    return [
        follows_model(
            gr.Slider(
                1, max_new_tokens_cap, value=min(128, max_new_tokens_cap), step=1, label=ui("Max new tokens")
            ),
            "chat",
            "new_tokens",
        ),
        gr.Slider(0, 2, value=0.0, step=0.05, label=ui("Temperature (0 = greedy)")),
        gr.Slider(0, 200, value=50, step=1, label=ui("Top-k (0 = off)")),
        gr.Slider(0.01, 1, value=1.0, step=0.01, label=ui("Top-p")),
    ]


# --- the page ----------------------------------------------------------------------------------------------------


def build(context: Context) -> None:
    """The Translation tab and its four endpoints."""
    settings = context.settings
    examples = context.examples(EXAMPLES)
    with gr.Tab(ui("Translation"), id="translation"):
        gr.Markdown(
            ui(
                "The Transformer of the original paper is an **encoder-decoder**: the encoder reads the whole "
                "sentence, the decoder writes the translation one token at a time, and in every decoder layer "
                "**cross-attention** looks back at the source. The heatmap shows where each output token "
                "looked: the alignment of the two sentences, which changes word order where the languages do."
            )
        )
        with gr.Row(equal_height=False, elem_classes=["controls-row"]):
            with gr.Column(scale=3, min_width=320, elem_classes=["controls-main"]):
                text = gr.Textbox(
                    label=ui("Text to translate"),
                    lines=3,
                    value=examples[0][0],
                    max_length=settings.max_input_chars,
                )
                with gr.Row(elem_classes=["action-buttons"]):
                    translate_button = gr.Button(ui("Translate"), variant="primary")
                    next_button = gr.Button(ui("Next token"))
                    undo_button = gr.Button(ui("Undo"))
                output_html = gr.HTML(
                    label=ui("Translation, coloured by probability"), elem_classes=["gen-output"]
                )
                info = gr.Markdown()
            with gr.Column(scale=2, min_width=280, elem_classes=["controls-settings"]):
                max_new_tokens = follows_model(gr.Slider(
                    1, settings.max_new_tokens_cap, value=min(128, settings.max_new_tokens_cap), step=1,
                    label=ui("Max new tokens"),
                ), "translation", "new_tokens")  # fmt: skip
                num_beams = gr.Slider(
                    1, settings.max_beams, value=1, step=1, label=ui("Beams (1 = greedy search)")
                )
        gr.Examples(examples, inputs=[text], label=ui("Examples: click one, then Translate"))
        for name, component in (("text", text), ("max_new_tokens", max_new_tokens), ("num_beams", num_beams)):
            context.links.add("translation", name, component)  # ?tab=translation&text=… (ui/links.py)
        context.links.action("translation", "translate", translate_button)  # what "Try it" runs
        distribution_plot = gr.Plot(label=ui("Next-token distribution"), show_label=False)
        with gr.Accordion(ui("Cross-attention: which source tokens each output token looked at"), open=True):
            with gr.Row():
                layer = gr.Slider(1, 6, value=1, step=1, label=ui("Layer"))
                head = gr.Slider(0, 8, value=0, step=1, label=ui(HEAD_HELP))
                follows_model(layer, "translation", "layers"), follows_model(head, "translation", "heads")
            heatmap = gr.Plot(label=ui("Cross-attention"), show_label=False, elem_classes=["wide-chart"])
        with gr.Accordion(ui("bertviz: encoder, decoder and cross-attention (works offline)"), open=False):
            bertviz_button = gr.Button(ui("Draw bertviz model view"))
            bertviz_html = gr.HTML()
        with gr.Accordion(ui("The architecture: encoder and decoder, with this model's shapes"), open=False):
            architecture_button = gr.Button(ui("Show the architecture"))
            architecture = gr.Markdown()
        with gr.Accordion(ui("Show code: reproduce this with transformers"), open=False):
            code = gr.Code(language="python", label="Python")
        with gr.Accordion(
            ui("Two architectures, one task: the chat model translates and summarizes"), open=True
        ):
            gr.Markdown(
                ui(
                    "A chat model (a decoder only) does the same tasks when asked in words: the playground "
                    "writes the instruction in the text's language, and the chat template turns it into the "
                    "one text the model reads."
                )
            )
            with gr.Row(equal_height=False, elem_classes=["controls-row"]):
                with gr.Column(scale=3, min_width=320, elem_classes=["controls-main"]):
                    target = gr.Radio(
                        choices=TARGET_CHOICES, value=chat_target(context), label=ui("Translate into")
                    )
                    with gr.Row(elem_classes=["action-buttons"]):
                        chat_translate_button = gr.Button(
                            ui("Translate with the chat model"), variant="primary"
                        )
                        summarize_button = gr.Button(ui("Summarize with the chat model"))
                        stop_button = gr.Button(ui("Stop"), variant="stop")
                    with gr.Row():
                        with gr.Column(min_width=240):
                            gr.Markdown(ui("**Encoder-decoder** (the translation model)"))
                            compare_marian = gr.Textbox(
                                show_label=False, lines=2, interactive=False, buttons=["copy"]
                            )
                        with gr.Column(min_width=240):
                            gr.Markdown(ui("**Chat model** (a decoder following an instruction)"))
                            chat_reply = gr.HTML(elem_classes=["gen-output"])
                    with gr.Row(elem_classes=["action-buttons"]):
                        score_marian = gr.Button(ui("Score the encoder-decoder's translation"), size="sm")
                        score_chat = gr.Button(ui("Score the chat model's answer"), size="sm")
                    chat_info = gr.Markdown()
                with gr.Column(scale=2, min_width=280, elem_classes=["controls-settings"]):
                    chat_max_new_tokens, temperature, top_k, top_p = chat_controls(
                        settings.max_new_tokens_cap
                    )
                    seed = gr.Number(value=0, precision=0, label=ui("Seed"), minimum=-1)
            with gr.Accordion(
                ui("What the model reads: the conversation as one text, token by token"), open=True
            ):
                template_html = gr.HTML()
        step_state, cross_state = session_state(), session_state()
        marian_output, chat_output = session_state(), session_state()  # the hook for scoring (see above)
        api_endpoint(translate_api, context, "translate", "translation")
        api_endpoint(cross_attention_api, context, "cross_attention", "translation")
        api_endpoint(translate_chat_api, context, "translate_chat", "chat")
        api_endpoint(summarize_api, context, "summarize", "chat")

    shown = {
        "html": output_html,
        "info": info,
        "distribution": distribution_plot,
        "step_state": step_state,
        "cross": cross_state,
        "heatmap": heatmap,
        "layer": layer,
        "head": head,
        "architecture": architecture,
        "marian_output": marian_output,
        "compare_marian": compare_marian,
    }
    on(
        [translate_button.click, text.submit],
        run,
        context,
        [text, max_new_tokens, num_beams, layer, head],
        shown | {"code": code},
        "translation",
    )
    on(  # any refused step changes nothing (past the end as every tab's; a bad text too): the view stays
        [next_button.click],
        next_step,
        context,
        [step_state, text, max_new_tokens, layer, head],
        shown,
        "translation",
        clear_on_error=False,
    )
    on([undo_button.click], undo_step, context, [step_state, layer, head], shown, "translation")
    on(
        [layer.release, head.release],
        redraw_cross,
        None,
        [cross_state, layer, head],
        {"heatmap": heatmap},
        trigger_mode="always_last",
    )
    on([bertviz_button.click], draw_model_view, context, [step_state], {"frame": bertviz_html}, "translation")
    on(
        [architecture_button.click],
        show_architecture,
        context,
        None,
        {"architecture": architecture},
        "translation",
    )
    chat_shown = {"chat_reply": chat_reply, "chat_info": chat_info, "template": template_html}
    chat_shown |= {"chat_output": chat_output}
    sampler = [chat_max_new_tokens, temperature, top_k, top_p, seed]
    translated = on(
        [chat_translate_button.click], chat_translate, context, [text, target, *sampler], chat_shown, "chat"
    )
    summarized = on([summarize_button.click], chat_summarize, context, [text, *sampler], chat_shown, "chat")
    stop_button.click(None, cancels=[translated, summarized])
    # Each output to Evaluate with one click: it becomes the candidate, the references wait for a person's text.
    send_to_evaluate([score_marian.click], compare_marian)
    send_to_evaluate([score_chat.click], chat_output)
