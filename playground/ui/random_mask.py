"""Fill-Mask's "Mask 15% at random": BERT's pretraining rule (the tiny BERT's own collator) on the student's
sentence, then the model's predictions at the chosen places beside the original tokens. Endpoint: /random_mask.
"""

from __future__ import annotations

import gradio as gr

from playground import api
from playground.i18n import ui
from playground.tasks import random_mask as task
from playground.ui.context import Context, summary_markdown
from playground.ui.events import api_endpoint, on
from playground.viz import random_mask as viz


def mask_at_random(context: Context, text, seed) -> dict:
    result = task.random_mask(context.model("fill-mask"), text, context.settings.max_input_chars, seed=seed)
    return {
        "summary": summary_markdown(viz.random_mask_summary(result), result.notices),
        "table": viz.random_mask_html(result),
    }


def random_mask_api(context: Context, text: str, probability: float = 0.15, seed: int = 0) -> dict:
    """BERT's pretraining rule on a sentence: the collator that masks the tiny BERT's batches chooses
    `probability` of the tokens (of those, 80% become [MASK], 10% a random token, 10% stay), and the fill-mask
    model predicts each chosen token: {"model", "probability", "seed", "tokens": [{"token", "original",
    "kind"}], "masked": [{"position", "original", "input", "kind", "predictions": [{"token_str", "score"}],
    "right"}]}.

    Args:
        text: a sentence (no [MASK] needed)
        probability: the share of tokens chosen, 0.01 to 1 (default 0.15, BERT's)
        seed: the random choice's seed (default 0)
    """
    result = task.random_mask(
        context.model("fill-mask"), text, context.settings.max_input_chars, probability, seed
    )
    return api.random_mask_json(result)


def random_mask_section(context: Context, text) -> None:
    """The section, under the Fill-Mask tab's results (`text`: the tab's text box)."""
    gr.Markdown("### " + ui("Mask 15% at random, as BERT was pretrained"))
    gr.Markdown(
        ui(
            "BERT learned by guessing hidden words. Its rule, applied to your sentence by the same collator that "
            "masks the tiny BERT's training text: 15% of the tokens are chosen at random; of those, 80% become "
            "[MASK], 10% a random token, 10% stay as they are. The model must guess the original at each."
        )
    )
    with gr.Row():
        seed = gr.Number(value=0, precision=0, minimum=0, label=ui("Seed"), scale=1, min_width=120)
        button = gr.Button(ui("Mask 15% at random"), scale=2, elem_id="fill-mask-random")
    context.links.action("fill-mask", "random", button)  # a lesson step's `run: random`
    summary = gr.Markdown()
    table = gr.HTML()
    on(
        [button.click],
        mask_at_random,
        context,
        [text, seed],
        {"summary": summary, "table": table},
        "fill-mask",
    )
    api_endpoint(random_mask_api, context, "random_mask", "fill-mask")
