"""Fill-Mask tab: a sentence with [MASK] in it, and the model's top candidates for every mask."""

from __future__ import annotations

import gradio as gr

from playground import api
from playground.i18n import _, ui
from playground.markup import escape_markdown
from playground.tasks import fill_mask
from playground.ui.attention_sections import mask_attention_section
from playground.ui.context import Context, summary_markdown
from playground.ui.demo_notes import demo_note, with_notes
from playground.ui.errors import api_answers
from playground.ui.events import api_endpoint, batch_outputs, batched
from playground.ui.random_mask import random_mask_section
from playground.viz import charts, highlight

EXAMPLES = {  # for the English and the Chinese models (bert-base-chinese: one character per mask)
    "en": [
        ["The cat sat on the [MASK].", 5, ""],
        ["Paris is the [MASK] of France.", 5, ""],
        ["She went to the ___ to buy some ___.", 5, ""],
        ["The cat sat on the [MASK].", 5, "mat, floor, roof, dog"],
        ["The doctor said that [MASK] would be back soon.", 10, "he, she, they"],
    ],
    "zh": [
        ["今天天气很[MASK]。", 5, ""],
        ["巴黎是[MASK]国的首都。", 5, ""],
        ["中国的首都是[MASK][MASK]。", 5, ""],
        ["今天天气很[MASK]。", 5, "好, 热, 冷, 差"],
        ["医生说[MASK]很快就回来。", 10, "他, 她"],
    ],
}
INDEPENDENT = (
    "With several masks, each one is predicted **on its own**, as if the other blanks were still blank "
    "(as `transformers.pipeline` does): the best fills need not make sense together."
)


def shown_top_k(top_k, targets):
    """The page shows every target word, whatever top-k says (the API keeps the pipeline's rule: at most
    top_k of them)."""
    if not isinstance(top_k, (int, float)) or not isinstance(targets, str):
        return top_k  # preprocess says what is wrong with it
    count = len(fill_mask.parse_targets(targets) or [])
    return max(top_k, min(count, fill_mask.MAX_TOP_K))


def predict_batch(context: Context, texts, top_ks, targets) -> list:
    """Fill-mask results (or InputErrors) of a batch of requests, with one forward pass."""
    requests = [fill_mask.FillMaskRequest(*request) for request in zip(texts, top_ks, targets, strict=True)]
    return fill_mask.fill_mask_batch(context.model("fill-mask"), requests, context.settings.max_input_chars)


def render(result: fill_mask.FillMaskResult) -> tuple:
    """The chart, summary and sentence with the best fills of one result."""
    best = [candidates[0] for candidates in result.masks]
    fills = ", ".join(
        f"“**{escape_markdown(charts.label(c.word))}**” ({charts.percent(c.score)})" for c in best
    )
    summary = _("Best fill: {fills}", fills=fills)
    if len(result.masks) > 1:
        summary += "\n\n" + _(INDEPENDENT)
    if result.targets:
        words = ", ".join(f"“{escape_markdown(t)}”" for t in result.targets)
        summary += "\n\n" + _("Scored only the target words: {words}", words=words)
    return (
        charts.fill_mask_figure(result),
        summary_markdown(summary, result.notices),
        highlight.best_fill_html(result),
    )


def run(context: Context, texts, top_ks, targets):
    """Predict (batched): the outputs of each request, in its own language."""
    top_ks = [shown_top_k(k, t) for k, t in zip(top_ks, targets, strict=True)]
    results = with_notes(predict_batch(context, texts, top_ks, targets), demo_note(context, "fill-mask"))
    return batch_outputs(results, render, 3)


# Gradio calls this with a batch: one list per parameter. The hints describe one request (the API schema).
def fill_mask_api(
    context: Context, text: str, top_k: int = 5, targets: list[str] | str | None = None
) -> list:
    """Guess the hidden words with the BERT-style fill-mask model: for a text with one [MASK] (or <mask>,
    ___), its top_k candidates [{"score", "token", "token_str", "sequence"}], best first; for several masks,
    one such list per mask, in order, each predicted on its own (as transformers.pipeline("fill-mask")).

    Args:
        text: a text with one or more [MASK], <mask> or ___ where a word is missing
        top_k: how many candidates per mask, 1 to 50 (default 5)
        targets: score only these words at the mask instead: a list, or words separated by commas (optional)
    """
    return (api_answers(predict_batch(context, text, top_k, targets), api.fill_mask_json),)


def build(context: Context) -> None:
    """The Fill-Mask tab and the /fill_mask endpoint (both batched: clicks that arrive together share one
    forward pass)."""
    settings = context.settings
    examples = context.examples(EXAMPLES)
    with gr.Tab(ui("Fill-Mask"), id="fill-mask"):
        gr.Markdown(
            ui(
                "A BERT-style model guesses a hidden word from the words on **both** sides. "
                "Write `[MASK]`, `<mask>` or `___` where a word is missing; you may use several. "
                "Each mask is predicted on its own, as if the other blanks were still blank."
            )
        )
        text = gr.Textbox(
            label=ui("Text with [MASK]"), lines=2, value=examples[0][0], max_length=settings.max_input_chars
        )
        targets = gr.Textbox(
            label=ui("Target words (optional)"),
            placeholder=ui("e.g. mat, floor, roof: score only these words at the mask"),
            max_length=settings.max_input_chars,
        )
        top_k = gr.Slider(1, fill_mask.MAX_TOP_K, value=5, step=1, label=ui("Candidates per mask (top-k)"))
        button = gr.Button(ui("Predict"), variant="primary")
        context.links.add("fill-mask", "text", text)  # linkable inputs: ?tab=fill-mask&text=… (ui/links.py)
        context.links.add("fill-mask", "targets", targets)
        context.links.add("fill-mask", "top_k", top_k)
        context.links.action("fill-mask", "predict", button)  # what "Try it" runs
        summary = gr.Markdown()
        best_fill = gr.HTML()
        plot = gr.Plot(label=ui("Candidates"), show_label=False)
        error = gr.Textbox(visible=False)
        gr.Examples(examples, inputs=[text, top_k, targets], label=ui("Examples: click one, then Predict"))
        api_endpoint(fill_mask_api, context, "fill_mask", "fill-mask", settings.max_batch_size)
        mask_attention_section(context, text, [button.click, text.submit])
        random_mask_section(context, text)

    batched(
        [button.click, text.submit, targets.submit],
        run,
        context,
        [text, top_k, targets],
        [plot, summary, best_fill],
        error,
        "fill-mask",
    )
