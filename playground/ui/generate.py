"""Generate tab: decoding made visible.

The text streams in coloured by how likely each token was; the chart shows the next-token distribution before
and after temperature, top-k and top-p; "Next token" draws one token at a time from it and "Undo" takes it
back; samples and two settings sit side by side; perplexity and the code that reproduces the result below.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import gradio as gr

from playground import api
from playground.i18n import _, ui
from playground.models import ModelManager
from playground.settings import Settings
from playground.tasks import generation
from playground.tasks.generation import GenerationParams, Sample, Step
from playground.tasks.validation import check_int
from playground.ui.attention_sections import generation_attention_section
from playground.ui.common import api_endpoint, examples_for, friendly_errors, load_model, on, summary_markdown
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


@dataclass
class StepState:
    """Step mode: the prompt, the tokens drawn one by one, and the sampler state after each draw."""

    model_id: str  # the model whose tokens these are (a preset switch changes it)
    prompt: str
    prompt_ids: list[int]
    steps: list[Step] = field(default_factory=list)
    rng_states: list[bytes] = field(default_factory=list)

    @property
    def context_ids(self) -> list[int]:
        return self.prompt_ids + [step.token_id for step in self.steps]


@dataclass
class ShownDistribution:
    """Which distribution the chart shows: the context it follows, and the token drawn from it (if any)."""

    context_ids: list[int]
    drawn_id: int | None = None


def step_from(choice_source: generation.NextToken) -> Step:
    """The drawn token of a NextToken as a Step, with its probability and the top alternatives."""
    by_prob = sorted(choice_source.choices, key=lambda c: c.prob_after, reverse=True)
    drawn = next((c for c in choice_source.choices if c.token_id == choice_source.drawn_id), None)
    return Step(
        token_id=choice_source.drawn_id,
        token=choice_source.drawn_text,
        prob=drawn.prob_after if drawn else 0.0,
        alternatives=[(c.token, c.prob_after) for c in by_prob[: generation.ALTERNATIVES]],
    )


def build(manager: ModelManager, settings: Settings) -> None:
    """The Generate tab and the /generate and /next_token endpoints."""

    def loaded_model(progress=None):
        return load_model(manager, "generation", progress)

    def make_params(max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed, num_samples=1):
        return GenerationParams(
            max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed, num_samples
        )

    def distribution_figure(loaded, shown: ShownDistribution, params: GenerationParams):
        result = generation.next_token(loaded, shown.context_ids, params, TOP_N)
        result.drawn_id = shown.drawn_id
        return charts.next_token_figure(result)

    @friendly_errors
    def run(
        prompt, max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed, num_samples, new_seed,
        progress=gr.Progress(track_tqdm=True),
    ):  # fmt: skip
        if new_seed:
            seed = generation.random_seed()
        params = make_params(max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed, num_samples)
        loaded = loaded_model(progress)
        skip = gr.skip()
        for result in generation.stream(
            loaded, prompt, params, settings.max_input_chars, settings.max_new_tokens_cap
        ):
            info = _("Seed **{seed}** · {count} new tokens", seed=result.seed, count=len(result.token_ids))
            info = summary_markdown(info + ("" if result.finished else _(" · generating…")), result.notices)
            text = "\n\n---\n\n".join(result.generated_texts)
            if not result.finished:
                yield tokens.result_html(result), text, info, result.seed, skip, skip, skip, skip, skip
                continue
            first = result.samples[0]
            shown = ShownDistribution(result.prompt_ids + first.token_ids[:-1], first.token_ids[-1])
            yield (
                tokens.result_html(result),
                text,
                info,
                result.seed,
                distribution_figure(loaded, shown, result.params),
                charts.perplexity_figure(generation.perplexity(loaded, result.prompt_ids, first.token_ids)),
                generation.reproduction_code(loaded.model_id, result.prompt, result.params),
                StepState(loaded.model_id, result.prompt, result.prompt_ids, list(first.steps)),
                shown,
            )

    @friendly_errors
    def next_step(state, prompt, temperature, top_k, top_p, repetition_penalty, seed, progress=gr.Progress()):
        loaded = loaded_model(progress)
        params = make_params(1, temperature, top_k, top_p, repetition_penalty, seed).validated(1)
        if state is None or state.prompt != prompt or state.model_id != loaded.model_id:
            ids, _notices = generation.encode_context(loaded, prompt, settings.max_input_chars)
            state = StepState(loaded.model_id, prompt, ids)
        if len(state.context_ids) >= loaded.context_length:
            raise gr.Error(
                _(
                    "The text has reached this model's context length of {tokens} tokens.",
                    tokens=loaded.context_length,
                )
            )
        rng = state.rng_states[-1] if state.rng_states else None
        result = generation.next_token(loaded, state.context_ids, params, TOP_N, draw_one=True, rng_state=rng)
        shown = ShownDistribution(state.context_ids, result.drawn_id)
        state = replace(
            state, steps=state.steps + [step_from(result)], rng_states=state.rng_states + [result.rng_state]
        )
        return step_outputs(state, charts.next_token_figure(result), shown)

    @friendly_errors
    def undo_step(state, temperature, top_k, top_p, repetition_penalty, seed):
        if state is None or not state.steps:
            raise gr.Error(_("There is no drawn token to undo. Click “Next token” first."))
        state = replace(state, steps=state.steps[:-1], rng_states=state.rng_states[:-1])
        params = make_params(1, temperature, top_k, top_p, repetition_penalty, seed).validated(1)
        shown = ShownDistribution(state.context_ids)
        return step_outputs(state, distribution_figure(loaded_model(), shown, params), shown)

    def step_outputs(state: StepState, figure, shown: ShownDistribution):
        html = tokens.samples_html(state.prompt, [Sample(steps=state.steps)])
        text = state.prompt + "".join(step.token for step in state.steps)
        count = len(state.steps)
        info = _("Step mode · tokens drawn one at a time: {count}", count=count)
        return html, text, info, figure, state, shown

    @friendly_errors
    def redraw_distribution(shown, temperature, top_k, top_p, repetition_penalty, seed):
        if shown is None:
            return gr.skip()
        params = make_params(1, temperature, top_k, top_p, repetition_penalty, seed).validated(1)
        return distribution_figure(loaded_model(), shown, params)

    @friendly_errors
    def compare(
        prompt, max_new_tokens, repetition_penalty, seed, a_settings, b_settings, progress=gr.Progress()
    ):
        loaded = loaded_model(progress)
        runs = [
            generation.stream(
                loaded,
                prompt,
                make_params(max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed),
                settings.max_input_chars,
                settings.max_new_tokens_cap,
            )
            for temperature, top_k, top_p in (a_settings, b_settings)
        ]
        titles = [
            _(
                "temperature {temperature}, top-k {top_k}, top-p {top_p}",
                temperature=f"{t:g}",
                top_k=int(k),
                top_p=f"{p:g}",
            )
            for t, k, p in (a_settings, b_settings)
        ]
        for a, b in _zip_longest_last(*runs):
            yield tokens.result_html(replace(a, samples=[a.samples[0], b.samples[0]]), titles)

    with gr.Tab(ui("Generate"), id="generate"):
        gr.Markdown(
            ui(
                "A GPT-style model continues your text one token at a time. **Temperature** 0 always picks "
                "the most likely token (greedy); higher values take more risks. **Top-k** keeps only the k most "
                "likely tokens (0 = all), **top-p** the smallest set whose probabilities add up to p. The same "
                "**seed** and settings give the same text. Each token is coloured by how likely it was; hover "
                "it to see the alternatives."
            )
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                prompt = gr.Textbox(
                    label=ui("Prompt"),
                    lines=3,
                    placeholder=ui("Type the start of a text…"),
                    max_length=settings.max_input_chars,
                )
                with gr.Row():
                    generate_button = gr.Button(ui("Generate"), variant="primary")
                    stop_button = gr.Button(ui("Stop"), variant="stop")
                    next_button = gr.Button(ui("Next token"))
                    undo_button = gr.Button(ui("Undo"))
                output_html = gr.HTML(
                    label=ui("Generated text, coloured by probability"), elem_classes=["gen-output"]
                )
                info = gr.Markdown()
            with gr.Column(scale=2, min_width=280):
                max_new_tokens = gr.Slider(
                    1, settings.max_new_tokens_cap, value=50, step=1, label=ui("Max new tokens")
                )
                temperature = gr.Slider(0, 2, value=1.0, step=0.05, label=ui("Temperature (0 = greedy)"))
                top_k = gr.Slider(0, 200, value=50, step=1, label=ui("Top-k (0 = off)"))
                top_p = gr.Slider(0.01, 1, value=1.0, step=0.01, label=ui("Top-p"))
                repetition_penalty = gr.Slider(1, 2, value=1.0, step=0.05, label=ui("Repetition penalty"))
                num_samples = gr.Slider(
                    1, generation.MAX_SAMPLES, value=1, step=1, label=ui("Samples side by side")
                )
                with gr.Row():
                    seed = gr.Number(value=0, precision=0, label=ui("Seed"), minimum=-1)
                    new_seed = gr.Checkbox(value=False, label=ui("New random seed each time"))
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
        step_state, shown_state = gr.State(), gr.State()
        generation_attention_section(manager, settings, step_state)
        inputs = [prompt, max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed, num_samples]
        gr.Examples(
            examples_for(settings, EXAMPLES), inputs=inputs, label=ui("Examples: click one, then Generate")
        )
        api_endpoint(generate_api_for(manager, settings), "generate", "generation")
        api_endpoint(next_token_api_for(manager, settings), "next_token", "generation")

    sampler = [temperature, top_k, top_p, repetition_penalty, seed]
    event = on(
        [generate_button.click, prompt.submit],
        run,
        inputs + [new_seed],
        [output_html, output, info, seed, distribution_plot, perplexity_plot, code, step_state, shown_state],
        "generation",
    )
    stop_button.click(None, cancels=[event])
    step_outputs_list = [output_html, output, info, distribution_plot, step_state, shown_state]
    on([next_button.click], next_step, [step_state, prompt] + sampler, step_outputs_list, "generation")
    on([undo_button.click], undo_step, [step_state] + sampler, step_outputs_list, "generation")
    on(  # while a slider moves, only the latest position is drawn
        [temperature.input, top_k.input, top_p.input, repetition_penalty.input],
        redraw_distribution,
        [shown_state] + sampler,
        [distribution_plot],
        "generation",
        trigger_mode="always_last",
    )

    def compare_inputs(prompt, max_new_tokens, repetition_penalty, seed, at, ak, ap, bt, bk, bp):
        yield from compare(prompt, max_new_tokens, repetition_penalty, seed, (at, ak, ap), (bt, bk, bp))

    compare_event = on(
        [compare_button.click],
        compare_inputs,
        [prompt, max_new_tokens, repetition_penalty, seed, a_temperature, a_top_k, a_top_p]
        + [b_temperature, b_top_k, b_top_p],
        [compare_html],
        "generation",
    )
    stop_button.click(None, cancels=[compare_event])


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


def generate_api_for(manager: ModelManager, settings: Settings):
    @friendly_errors
    def generate_api(
        prompt: str,
        max_new_tokens: int = 50,
        temperature: float = 1.0,
        top_k: int = 50,
        top_p: float = 1.0,
        repetition_penalty: float = 1.0,
        seed: int = 0,
        num_samples: int = 1,
    ) -> list[dict]:
        """Continue the prompt; streams, and ends with [{"generated_text": prompt + continuation}, ...]."""
        params = GenerationParams(
            max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed, num_samples
        )
        loaded = load_model(manager, "generation")
        for result in generation.stream(
            loaded, prompt, params, settings.max_input_chars, settings.max_new_tokens_cap
        ):
            yield api.generation_json(result)

    return generate_api


def next_token_api_for(manager: ModelManager, settings: Settings):
    @friendly_errors
    def next_token_api(
        text: str, temperature: float = 1.0, top_k: int = 50, top_p: float = 1.0, top_n: int = 20
    ) -> list[dict]:
        """The top_n next-token candidates by raw logit, with the probability the sampler draws from."""
        top_n = check_int(top_n, "top_n", 1, settings.max_top_n)
        params = GenerationParams(1, temperature, top_k, top_p).validated(max_new_tokens_cap=1)
        loaded = load_model(manager, "generation")
        context_ids, _notices = generation.encode_context(loaded, text, settings.max_input_chars)
        return api.next_token_json(generation.next_token(loaded, context_ids, params, top_n))

    return next_token_api
