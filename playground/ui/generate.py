"""Generate tab: decoding made visible.

The text streams in coloured by how likely each token was; the chart shows the next-token distribution before
and after temperature, top-k and top-p; "Next token" draws one token at a time from it and "Undo" takes it
back; samples and two settings sit side by side; perplexity and the code that reproduces the result below.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import gradio as gr

from playground import api
from playground.i18n import _, ui
from playground.tasks import generation
from playground.tasks.generation import GenerationParams, Sample, StepState
from playground.tasks.text import character_runs
from playground.tasks.validation import check_int
from playground.ui.attention_sections import generation_attention_section
from playground.ui.context import Context, session_state, summary_markdown
from playground.ui.demo_notes import demo_note
from playground.ui.events import api_endpoint, on
from playground.ui.model_limits import follows_model
from playground.viz import charts, tokens

EXAMPLES = {  # for the English and the Chinese models
    "en": [
        ["The best way to learn a language is", 40, 0.0, 50, 1.0, 1.0, 0, 1],
        ["Once upon a time, in a small village,", 60, 0.8, 50, 0.95, 1.1, 42, 3],
        ["The meaning of life is", 40, 1.5, 0, 1.0, 1.0, 7, 2],
        ["Artificial intelligence will", 40, 0.7, 10, 1.0, 1.3, 3, 1],
    ],
    "zh": [
        ["学习一门语言最好的方法是", 40, 0.0, 50, 1.0, 1.0, 0, 1],
        ["从前有座山，山里有座庙，", 60, 0.8, 50, 0.95, 1.1, 42, 3],
        ["今天天气很好，我们", 40, 1.5, 0, 1.0, 1.0, 7, 2],
        ["人工智能将会", 40, 0.7, 10, 1.0, 1.3, 3, 1],
    ],
}
TOP_N = 20  # candidates shown in the next-token chart
# A streamed text's updates, at most one per this many seconds after the first token (the last always sent):
# about 10 a second still grows the text smoothly, and each update's work (the text decoded, serialised, sent
# and read) is paid a few times less often on a CPU (benchmarks/lone_stream.py).
STREAM_INTERVAL = 0.1


def paced_stream(context: Context, loaded, prompt: str, params: GenerationParams):
    """The growing result of a generation on the shared engine, at most one update per STREAM_INTERVAL."""
    limits = context.settings
    return generation.stream(
        loaded,
        prompt,
        params,
        limits.max_input_chars,
        limits.max_new_tokens_cap,
        context.engine(loaded),
        update_interval=STREAM_INTERVAL,
    )


@dataclass
class ShownDistribution:
    """Which distribution the chart shows: the context it follows, and the token drawn from it (if any);
    for its title, which new token it is (`step`, from 1) of which `sample` (None: the only one)."""

    context_ids: list[int]
    drawn_id: int | None = None
    step: int | None = None
    sample: int | None = None


def sampler_params(temperature, top_k, top_p, repetition_penalty, seed) -> GenerationParams:
    """The sampler's settings for one draw (step mode, the chart), checked."""
    return GenerationParams(1, temperature, top_k, top_p, repetition_penalty, seed).validated(1)


def distribution_figure(loaded, shown: ShownDistribution, params: GenerationParams, engine=None):
    result = generation.next_token(loaded, shown.context_ids, params, TOP_N, engine=remote_only(engine))
    result.drawn_id = shown.drawn_id
    return charts.next_token_figure(result, shown.step, shown.sample)


def remote_only(engine):
    """The engine when it is a server's (--generation-server): the chart's distribution comes from it; the
    local engine's distribution is one forward pass in the caller's thread."""
    return engine if getattr(engine, "remote", False) else None


def drawn_by(result) -> str:
    """ " · drawn by vLLM at …" when a server drew the tokens (a GenerationResult's, step mode's StepState),
    else nothing."""
    return _(" · drawn by {engine}", engine=result.drawn_by) if result.drawn_by else ""


def stopped(info) -> dict:
    """After Stop: the status line says the generation was stopped, instead of still "generating…"."""
    text = str(info or "")
    for marker in (_(" · generating…"), " · generating…"):
        text = text.replace(marker, _(" · stopped"))
    return {"info": text}


def generation_outputs(context: Context, loaded, result: generation.GenerationResult) -> dict:
    """What the page shows of a generation: the streamed text while it runs; when it has finished, also the
    distribution of its last token, its perplexity, the code that reproduces it and the state of step mode."""
    info = _("Seed **{seed}** · {count} new tokens", seed=result.seed, count=len(result.token_ids))
    info += drawn_by(result)
    notes = demo_note(context, "generation", loaded.model_id) if result.finished else []
    info = summary_markdown(
        info + ("" if result.finished else _(" · generating…")), [*result.notices, *notes]
    )
    outputs = {
        "html": tokens.result_html(result),
        "text": "\n\n---\n\n".join(result.generated_texts),
        "info": info,
        "seed": result.seed,
    }
    if not result.finished:
        return outputs
    first = result.samples[0]
    sample = 1 if len(result.samples) > 1 else None
    shown = ShownDistribution(
        result.prompt_ids + first.token_ids[:-1], first.token_ids[-1], len(first.token_ids), sample
    )
    return outputs | {
        "distribution": distribution_figure(loaded, shown, result.params, context.engine(loaded)),
        "perplexity": charts.perplexity_figure(
            generation.perplexity(loaded, result.prompt_ids, first.token_ids), sample
        ),
        "code": generation.reproduction_code(loaded.model_id, result.prompt, result.params),
        "step_state": StepState(
            loaded.model_id, result.prompt, result.prompt_ids, list(first.steps), drawn_by=result.drawn_by
        ),
        "shown": shown,
    }


def run(
    context: Context,
    prompt, max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed, num_samples, new_seed,
    progress=gr.Progress(track_tqdm=True),
):  # fmt: skip
    """Generate: stream the text, then everything drawn from the finished result."""
    if new_seed:
        seed = generation.random_seed()
    params = GenerationParams(
        max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed, num_samples
    )
    loaded = context.model("generation", progress)
    for result in paced_stream(context, loaded, prompt, params):
        yield generation_outputs(context, loaded, result)


def step_outputs(state: StepState, figure, shown: ShownDistribution) -> dict:
    count = len(state.steps)
    return {
        "html": tokens.samples_html(state.prompt, [Sample(steps=state.steps)]),
        "text": state.prompt
        + "".join(text for *_run, text in character_runs([s.token for s in state.steps])),
        "info": _("Step mode · tokens drawn one at a time: {count}", count=count)
        + (drawn_by(state) if count else ""),
        "distribution": figure,
        "step_state": state,
        "shown": shown,
    }


def next_step(
    context: Context,
    state,
    prompt,
    temperature,
    top_k,
    top_p,
    repetition_penalty,
    seed,
    progress=gr.Progress(),
):
    """Next token: draw one token from the distribution after the text so far."""
    loaded = context.model("generation", progress)
    params = sampler_params(temperature, top_k, top_p, repetition_penalty, seed)
    state, result = generation.draw_step(
        loaded, state, prompt, params, context.settings.max_input_chars, TOP_N, context.engine(loaded)
    )
    step = len(state.steps)
    return step_outputs(
        state,
        charts.next_token_figure(result, step),
        ShownDistribution(state.context_ids[:-1], result.drawn_id, step),
    )


def undo_step(context: Context, state, temperature, top_k, top_p, repetition_penalty, seed):
    """Undo: take the last drawn token back, and show the distribution it was drawn from."""
    state = generation.undo_step(state)
    params = sampler_params(temperature, top_k, top_p, repetition_penalty, seed)
    shown = ShownDistribution(state.context_ids, step=len(state.steps) + 1)  # the token to draw next
    loaded = context.model("generation")
    return step_outputs(state, distribution_figure(loaded, shown, params, context.engine(loaded)), shown)


def redraw_distribution(context: Context, shown, temperature, top_k, top_p, repetition_penalty, seed):
    """A sampler slider moved: the chart of the same distribution under the new settings."""
    if shown is None:
        return {}
    params = sampler_params(temperature, top_k, top_p, repetition_penalty, seed)
    loaded = context.model("generation")
    return {"distribution": distribution_figure(loaded, shown, params, context.engine(loaded))}


def compare(
    context: Context,
    prompt, max_new_tokens, repetition_penalty, seed, a_temperature, a_top_k, a_top_p,
    b_temperature, b_top_k, b_top_p, progress=gr.Progress(),
):  # fmt: skip
    """Compare: the same prompt generated with two decoding settings, streamed side by side."""
    loaded = context.model("generation", progress)
    limits = context.settings
    pairs = [(a_temperature, a_top_k, a_top_p), (b_temperature, b_top_k, b_top_p)]
    runs = [
        generation.stream(
            loaded,
            prompt,
            GenerationParams(max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed),
            limits.max_input_chars,
            limits.max_new_tokens_cap,
            context.engine(loaded),
        )
        for temperature, top_k, top_p in pairs
    ]
    titles = [
        _(
            "temperature {temperature}, top-k {top_k}, top-p {top_p}",
            temperature=f"{t:g}",
            top_k=int(k),
            top_p=f"{p:g}",
        )
        for t, k, p in pairs
    ]
    for a, b in _zip_longest_last(*runs):
        yield {"compare": tokens.result_html(replace(a, samples=[a.samples[0], b.samples[0]]), titles)}


def _zip_longest_last(*iterators):
    """Step several iterators together; one that has ended keeps giving its last value."""
    last = [None] * len(iterators)
    while True:
        progressed = False
        for i, iterator in enumerate(iterators):
            try:
                last[i] = next(iterator)
                progressed = True
            except StopIteration:
                pass
        if not progressed:
            return
        yield tuple(last)


def generate_api(
    context: Context,
    prompt: str,
    max_new_tokens: int = 50,
    temperature: float = 1.0,
    top_k: int = 50,
    top_p: float = 1.0,
    repetition_penalty: float = 1.0,
    seed: int = 0,
    num_samples: int = 1,
) -> list[dict]:
    """Continue a prompt with the GPT-style generation model, sampling with the given settings; returns
    [{"generated_text": prompt + continuation}], one per sample (streams the growing text to API clients).

    Args:
        prompt: the text to continue
        max_new_tokens: how many tokens to add, 1 to the server's cap (default 50)
        temperature: 0 is greedy (always the most likely token); higher is more random (default 1.0)
        top_k: sample only from the k most likely tokens; 0 = no limit (default 50)
        top_p: sample only from the likeliest tokens whose probabilities add up to p, 0.01 to 1 (default 1.0)
        repetition_penalty: above 1 makes tokens already in the text less likely (default 1.0)
        seed: the random seed; the same seed and settings give the same text; -1: a random one (default 0)
        num_samples: how many continuations, 1 to 4 (generate's num_return_sequences); not with temperature 0
    """
    params = GenerationParams(
        max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed, num_samples
    )
    loaded = context.model("generation")
    for result in paced_stream(context, loaded, prompt, params):
        yield api.generation_json(result)


def next_token_api(
    context: Context,
    text: str,
    temperature: float = 1.0,
    top_k: int = 50,
    top_p: float = 1.0,
    top_n: int = 20,
) -> list[dict]:
    """The generation model's next-token distribution after a text: the top_n candidates ordered by raw logit,
    as [{"token", "token_id", "logit", "prob", "prob_after", "kept"}]; prob is the softmax of the logits, and
    prob_after the distribution the sampler really draws from after temperature, top-k and top-p (kept: false
    for a token they removed).

    Args:
        text: the text so far
        temperature: 0 is greedy; higher flattens the distribution (default 1.0)
        top_k: keep only the k most likely tokens; 0 = no limit (default 50)
        top_p: keep only the most likely tokens whose probabilities add up to p, 0.01 to 1 (default 1.0)
        top_n: how many candidates to list, 1 to the server's limit (default 20)
    """
    top_n = check_int(top_n, "top_n", 1, context.settings.max_top_n)
    params = GenerationParams(1, temperature, top_k, top_p).validated(max_new_tokens_cap=1)
    loaded = context.model("generation")
    context_ids, _notices = generation.encode_context(loaded, text, context.settings.max_input_chars)
    engine = remote_only(context.engine(loaded))
    return api.next_token_json(generation.next_token(loaded, context_ids, params, top_n, engine=engine))


def decoding_controls(max_new_tokens_cap: int, max_new_tokens: int = 50, temperature: float = 1.0) -> list:
    """The sliders of the decoding settings (Generate and Chat): max new tokens, temperature, top-k, top-p,
    repetition penalty, in the order GenerationParams takes them."""
    return [
        gr.Slider(1, max_new_tokens_cap, value=max_new_tokens, step=1, label=ui("Max new tokens")),
        gr.Slider(0, 2, value=temperature, step=0.05, label=ui("Temperature (0 = greedy)")),
        gr.Slider(0, 200, value=50, step=1, label=ui("Top-k (0 = off)")),
        gr.Slider(0.01, 1, value=1.0, step=0.01, label=ui("Top-p")),
        gr.Slider(1, 2, value=1.0, step=0.05, label=ui("Repetition penalty")),
    ]


def build(context: Context) -> None:
    """The Generate tab and the /generate and /next_token endpoints."""
    settings = context.settings
    with gr.Tab(ui("Generate"), id="generate"):
        gr.Markdown(
            ui(
                "A GPT-style model continues your text one token at a time. **Temperature** 0 always picks "
                "the most likely token (greedy); higher values take more risks. **Top-k** keeps only the k most "
                "likely tokens (0 = all), **top-p** the smallest set whose probabilities add up to p. The same "
                "**seed** and settings give the same text. Each token is coloured by how likely it was; hover "
                "or tap it to see the alternatives."
            )
        )
        with gr.Row(equal_height=False, elem_classes=["controls-row"]):  # a phone: see assets/style.css
            with gr.Column(scale=3, min_width=320, elem_classes=["controls-main"]):
                prompt = gr.Textbox(
                    label=ui("Prompt"),
                    lines=3,
                    value=context.examples(EXAMPLES)[0][0],
                    placeholder=ui("Type the start of a text…"),
                    max_length=settings.max_input_chars,
                )
                with gr.Row(elem_classes=["action-buttons"]):
                    generate_button = gr.Button(ui("Generate"), variant="primary")
                    stop_button = gr.Button(ui("Stop"), variant="stop")
                    next_button = gr.Button(ui("Next token"))
                    undo_button = gr.Button(ui("Undo"))
                output_html = gr.HTML(
                    label=ui("Generated text, coloured by probability"), elem_classes=["gen-output"]
                )
                info = gr.Markdown()
            with gr.Column(scale=2, min_width=280, elem_classes=["controls-settings"]):
                controls = decoding_controls(settings.max_new_tokens_cap)
                follows_model(controls[0], "generation", "new_tokens")
                max_new_tokens, temperature, top_k, top_p, repetition_penalty = controls
                num_samples = gr.Slider(
                    1, generation.MAX_SAMPLES, value=1, step=1, label=ui("Samples side by side")
                )
                with gr.Row():
                    seed = gr.Number(value=0, precision=0, label=ui("Seed"), minimum=-1)
                    new_seed = gr.Checkbox(value=False, label=ui("New random seed each time"))
        inputs = [prompt, max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed, num_samples]
        context.links.add(
            "generate", "prompt", prompt
        )  # linkable inputs: ?tab=generate&prompt=… (ui/links.py)
        context.links.add("generate", "max_new_tokens", max_new_tokens)
        context.links.add("generate", "temperature", temperature)
        context.links.add("generate", "top_k", top_k)
        context.links.add("generate", "top_p", top_p)
        context.links.add("generate", "repetition_penalty", repetition_penalty)
        context.links.add("generate", "seed", seed)
        context.links.action("generate", "generate", generate_button)  # what "Try it" runs
        context.links.add("generate", "num_samples", num_samples)
        gr.Examples(context.examples(EXAMPLES), inputs=inputs, label=ui("Examples: click one, then Generate"))
        distribution_plot = gr.Plot(label=ui("Next-token distribution"), show_label=False)
        with gr.Accordion(ui("Plain text"), open=False):
            output = gr.Textbox(label=ui("Generated text"), lines=4, interactive=False, buttons=["copy"])
        with gr.Accordion(ui("Perplexity: how surprising was each token?"), open=False):
            gr.Markdown(
                ui(
                    "The log-probability the model gave each token, given the tokens before it. Perplexity is "
                    "e^(−average log-probability): lower means the text was less surprising to the model."
                )
            )
            perplexity_plot = gr.Plot(label=ui("Perplexity"), show_label=False)
        with gr.Accordion(ui("Compare two settings side by side"), open=False):
            gr.Markdown(ui("Same prompt, length, seed and repetition penalty; two decoding settings."))
            with gr.Row():
                a_temperature = gr.Slider(0, 2, value=0.0, step=0.05, label=ui("A: temperature"))
                a_top_k = gr.Slider(0, 200, value=50, step=1, label=ui("A: top-k"))
                a_top_p = gr.Slider(0.01, 1, value=1.0, step=0.01, label=ui("A: top-p"))
            with gr.Row():
                b_temperature = gr.Slider(0, 2, value=1.2, step=0.05, label=ui("B: temperature"))
                b_top_k = gr.Slider(0, 200, value=0, step=1, label=ui("B: top-k"))
                b_top_p = gr.Slider(0.01, 1, value=1.0, step=0.01, label=ui("B: top-p"))
            compare_button = gr.Button(ui("Compare"))
            compare_html = gr.HTML()
        with gr.Accordion(ui("Show code: reproduce this with transformers"), open=False):
            code = gr.Code(language="python", label="Python")
        step_state, shown_state = session_state(), session_state()
        generation_attention_section(context, step_state)
        api_endpoint(generate_api, context, "generate", "generation")
        api_endpoint(next_token_api, context, "next_token", "generation", tokens=True)

    sampler = [temperature, top_k, top_p, repetition_penalty, seed]
    texts = {"html": output_html, "text": output, "info": info, "distribution": distribution_plot}
    states = {"step_state": step_state, "shown": shown_state}
    finished = {"seed": seed, "perplexity": perplexity_plot, "code": code}
    event = on(
        [generate_button.click, prompt.submit],
        run,
        context,
        inputs + [new_seed],
        texts | finished | states,
        "generation",
    )
    stop_button.click(None, cancels=[event])
    on([stop_button.click], stopped, None, [info], {"info": info}, queue=False)
    on(
        [next_button.click],
        next_step,
        context,
        [step_state, prompt] + sampler,
        texts | states,
        "generation",
        tokens=True,
    )
    on([undo_button.click], undo_step, context, [step_state] + sampler, texts | states, "generation")
    on(  # while a slider moves, only the latest position is drawn
        [temperature.input, top_k.input, top_p.input, repetition_penalty.input],
        redraw_distribution,
        context,
        [shown_state] + sampler,
        {"distribution": distribution_plot},
        "generation",
        trigger_mode="always_last",
    )
    compare_event = on(
        [compare_button.click],
        compare,
        context,
        [prompt, max_new_tokens, repetition_penalty, seed, a_temperature, a_top_k, a_top_p]
        + [b_temperature, b_top_k, b_top_p],
        {"compare": compare_html},
        "generation",
    )
    stop_button.click(None, cancels=[compare_event])
