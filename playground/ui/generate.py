"""Generate tab: a prompt, the decoding controls, and the text streaming in token by token."""

from __future__ import annotations

import gradio as gr

from playground import api
from playground.models import ModelManager
from playground.settings import Settings
from playground.tasks import generation
from playground.ui.common import api_endpoint, friendly_errors, load_model, on, summary_markdown

EXAMPLES = [
    ["The best way to learn a language is", 40, 0.0, 50, 1.0, 1.0, 0],
    ["Once upon a time, in a small village,", 60, 0.8, 50, 0.95, 1.1, 42],
    ["The meaning of life is", 40, 1.5, 0, 1.0, 1.0, 7],
    ["Artificial intelligence will", 40, 0.7, 10, 1.0, 1.3, 3],
]


def build(manager: ModelManager, settings: Settings) -> None:
    """The Generate tab and the /generate endpoint."""

    def stream(prompt, max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed, progress=None):
        params = generation.GenerationParams(
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            top_k=top_k,
            top_p=top_p,
            repetition_penalty=repetition_penalty,
            seed=seed,
        )
        loaded = load_model(manager, "generation", progress)
        return generation.stream(
            loaded, prompt, params, settings.max_input_chars, settings.max_new_tokens_cap
        )

    @friendly_errors
    def run(
        prompt, max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed,
        progress=gr.Progress(track_tqdm=True),
    ):  # fmt: skip
        results = stream(
            prompt, max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed, progress
        )
        for result in results:
            info = f"Seed **{result.seed}** · {len(result.token_ids)} new tokens"
            info += "" if result.finished else " · generating…"
            yield result.generated_text, summary_markdown(info, result.notices)

    @friendly_errors
    def generate_api(
        prompt: str,
        max_new_tokens: int = 50,
        temperature: float = 1.0,
        top_k: int = 50,
        top_p: float = 1.0,
        repetition_penalty: float = 1.0,
        seed: int = 0,
    ) -> list[dict]:
        """Continue the prompt; streams, and ends with [{"generated_text": prompt + continuation}]."""
        for result in stream(prompt, max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed):
            yield api.generation_json(result)

    with gr.Tab("Generate", id="generate"):
        gr.Markdown(
            "A GPT-style model continues your text one token at a time. **Temperature** 0 always picks "
            "the most likely token (greedy); higher values take more risks. **Top-k** keeps only the k most "
            "likely tokens (0 = all), **top-p** the smallest set whose probabilities add up to p. The same "
            "**seed** and settings give the same text."
        )
        prompt = gr.Textbox(
            label="Prompt",
            lines=3,
            placeholder="Type the start of a text…",
            max_length=settings.max_input_chars,
        )
        with gr.Row():
            max_new_tokens = gr.Slider(
                1, settings.max_new_tokens_cap, value=50, step=1, label="Max new tokens"
            )
            temperature = gr.Slider(0, 2, value=1.0, step=0.05, label="Temperature (0 = greedy)")
            top_k = gr.Slider(0, 200, value=50, step=1, label="Top-k (0 = off)")
        with gr.Row():
            top_p = gr.Slider(0.01, 1, value=1.0, step=0.01, label="Top-p")
            repetition_penalty = gr.Slider(1, 2, value=1.0, step=0.05, label="Repetition penalty")
            seed = gr.Number(value=0, precision=0, label="Seed (-1 = random)")
        with gr.Row():
            generate_button = gr.Button("Generate", variant="primary")
            stop_button = gr.Button("Stop", variant="stop")
        output = gr.Textbox(label="Generated text", lines=8, interactive=False)
        info = gr.Markdown()
        inputs = [prompt, max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed]
        gr.Examples(EXAMPLES, inputs=inputs, label="Examples: click one, then Generate")
        api_endpoint(generate_api, "generate", "generation")

    event = on([generate_button.click, prompt.submit], run, inputs, [output, info], "generation")
    stop_button.click(None, cancels=[event])
