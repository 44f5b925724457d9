"""Evaluate tab: the three measures the course names, each explained rather than only printed.

Perplexity: how surprised the generation model is by a text, token by token, for two texts side by side (a
fluent sentence and the same words shuffled). BLEU and ROUGE: a candidate against up to three references, with
the matched n-grams, BLEU's precisions and brevity penalty and ROUGE-L's longest common subsequence shown.
Another tab sends a text here as the candidate with `send_to_evaluate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import gradio as gr

from playground import api
from playground.demo import shown_model_id
from playground.i18n import _, lazy, ui
from playground.tasks import evaluation
from playground.tasks.chat_tasks import language_of_text
from playground.tasks.validation import InputError
from playground.ui.context import Context, summary_markdown, with_token_note
from playground.ui.events import CLEARED, api_endpoint, on
from playground.viz import evaluation as viz

TAB_ID = "evaluate"


def _pair(text: str) -> list[str]:
    return [text, evaluation.shuffle_words(text, 0)]


PERPLEXITY_EXAMPLES = {  # a fluent text and the same words shuffled (seed 0), for the English and Chinese models
    "en": [
        _pair("The best way to learn a language is to speak it every day."),
        _pair("Paris is the capital of France."),
        _pair("Once upon a time, in a small village, there lived a teacher."),
    ],
    "zh": [
        _pair("北京是中国的首都。"),
        _pair("我喜欢学习语言模型。"),
        _pair("老师在教室里上课，学生认真听讲。"),
    ],
}
SCORE_EXAMPLES = {  # candidate, references 1-3, language: a translation with two references, a summary with one
    "en": [
        [
            "The cat is sitting on the mat.",
            "The cat sat on the mat.",
            "A cat was sitting on the mat.",
            "",
            "en",
        ],
        [
            "It is a guide to action which ensures that the military always obeys the commands of the party.",
            "It is a guide to action that ensures that the military will forever heed Party commands.",
            "It is the guiding principle which guarantees the military forces always being under the command "
            "of the Party.",
            "It is the practical guide for the army always to heed the directions of the party.",
            "en",
        ],
        [
            "Heavy rain closed schools in the city on Monday.",
            "Schools across the city were closed on Monday because of heavy rain.",
            "",
            "",
            "en",
        ],
    ],
    "zh": [
        ["猫坐在垫子上。", "猫坐在席子上。", "一只猫坐在垫子上。", "", "zh"],
        [
            "今天天气很好，我们去公园散步。",
            "今天天气不错，我们一起去公园散步吧。",
            "天气很好，我们去公园走走。",
            "",
            "zh",
        ],
        ["周一大雨，全市学校停课。", "因为大雨，全市的学校周一停课了。", "", "", "zh"],
    ],
}


# --- Perplexity -----------------------------------------------------------------------------------------------


def _one_text(loaded, name: str, text: str, max_chars: int, progress) -> evaluation.TextPerplexity:
    """The perplexity of text `name` ("A", "B"); a refusal says which text it is about."""

    def on_window(done: int, total: int) -> None:
        progress(
            done / total, desc=_("Text {name}: window {done} of {total}", name=name, done=done, total=total)
        )

    try:
        return evaluation.text_perplexity(loaded, text, max_chars, on_window)
    except InputError as error:
        raise InputError(lazy("Text {name}: {message}", name=name, message=error.args[0])) from error


def _line(name: str, result: evaluation.TextPerplexity) -> str:
    return _(
        "**Text {name}**: perplexity **{perplexity}** · average surprise {mean} nats over {count} tokens",
        name=name,
        perplexity=f"{result.perplexity:.1f}",
        mean=f"{result.mean_surprise:.2f}",
        count=len(result.logprobs),
    )


def perplexities(context: Context, text_a, text_b, progress=gr.Progress()) -> dict:
    """Compute: the perplexity of text A and, if there is one, of text B, each with its chart."""
    loaded = context.model("generation", progress)
    limit = context.settings.max_input_chars
    a = _one_text(loaded, "A", text_a, limit, progress)
    b = (
        _one_text(loaded, "B", text_b, limit, progress)
        if isinstance(text_b, str) and text_b.strip()
        else None
    )
    lines = [with_token_note(_line("A", a), a.tokens)]
    if b is not None:
        lines.append(with_token_note(_line("B", b), b.tokens))
        lines.append(
            _(
                "Text B is {ratio}× as perplexing as text A to {model}.",
                ratio=f"{b.perplexity / a.perplexity:.2f}",
                model=f"`{shown_model_id(loaded.model_id).replace('`', '')}`",  # as the footer writes it
            )
        )
    notices = [
        f"{_('Text {name}', name=name)}: {notice}"
        for name, r in (("A", a), ("B", b))
        if r
        for notice in r.notices
    ]
    top = max(-min(r.logprobs) for r in (a, b) if r)  # one scale for both charts: their bars compare

    def chart(name: str, result: evaluation.TextPerplexity):
        return viz.surprise_figure(result, _("Text {name}: surprise of each token", name=name), top)

    return {
        "summary": summary_markdown("\n\n".join(lines), notices),
        "plot_a": chart("A", a),
        "plot_b": chart("B", b) if b else CLEARED,
    }


def shuffle(text_a, seed) -> dict:
    """Shuffle: text A's words (characters, for Chinese) in a random order, as text B."""
    return {"text_b": evaluation.shuffle_words(text_a, seed)}


def perplexity_api(context: Context, text: str) -> dict:
    """How surprised the generation model is by a text: {"perplexity", "tokens": [{"token", "logprob"}]}, one
    entry per token after the first with its natural-log probability given the tokens before it;
    perplexity = e^(−mean logprob), equal to exp(model(ids, labels=ids).loss). A text longer than the model's
    context is read in overlapping windows (stride: half the context), as Hugging Face's perplexity guide does.

    Args:
        text: the text to score (at least two tokens)
    """
    loaded = context.model("generation")
    return api.perplexity_json(evaluation.text_perplexity(loaded, text, context.settings.max_input_chars))


# --- BLEU and ROUGE -------------------------------------------------------------------------------------------


def score(context: Context, candidate, reference_1, reference_2, reference_3, language) -> dict:
    """Score: BLEU and ROUGE of the candidate against the references typed (empty boxes left out)."""
    boxes = (reference_1, reference_2, reference_3)
    references = [r for r in boxes if not isinstance(r, str) or r.strip()]
    result = evaluation.score_text(candidate, references, language, context.settings.max_input_chars)
    return {
        "cards": viz.scores_html(result),
        "bleu_plot": viz.bleu_figure(result),
        "bleu_text": viz.bleu_explanation(result),
        "bleu_html": viz.bleu_matches_html(result),
        "rouge_html": viz.rouge_html(result),
    }


def score_text_api(context: Context, candidate: str, references: list[str], language: str = "en") -> dict:
    """BLEU and ROUGE of a candidate text (a translation, a summary) against one or more references:
    {"bleu", "rouge1", "rouge2", "rougeL", "details"}. bleu is sacrebleu's corpus_bleu (0-100; tokenizer 13a for
    English, zh for Chinese); rouge1/2/L are rouge-score's F-measures (0-1) against the best reference
    (score_multi), Chinese scored character by character. details: BLEU's precisions, counts, totals, brevity
    penalty, lengths, tokens and matched n-grams; each ROUGE's precision, recall, F-measure, best reference,
    matched n-grams (ROUGE-1, ROUGE-2) or longest common subsequence (ROUGE-L).

    Args:
        candidate: the text to judge
        references: a list of one or more reference texts
        language: "en" or "zh" (default "en")
    """
    result = evaluation.score_text(candidate, references, language, context.settings.max_input_chars)
    return api.score_text_json(result)


# --- Sending a text here from another tab ---------------------------------------------------------------------


@dataclass
class _Page:
    """The Evaluate tab's inputs on one page, and the senders that wait for them (wired when the tab is built)."""

    tabs: gr.Tabs | None = None
    candidate: gr.Textbox | None = None
    references: list[gr.Textbox] = field(default_factory=list)
    language: gr.Radio | None = None
    waiting: list[tuple] = field(default_factory=list)


def _page() -> _Page:
    root = gr.context.Context.root_block
    if not hasattr(root, "playground_evaluate"):
        root.playground_evaluate = _Page()
    return root.playground_evaluate


def send_to_evaluate(
    triggers: list, source: gr.components.Component, reference: gr.components.Component | None = None
) -> None:
    """One click sends a text to Evaluate: `source`'s text becomes the candidate, the Evaluate tab opens, and the
    references are emptied, ready to fill (with `reference`, its text is the first reference).

    Call it while building the page (inside its gr.Blocks), before or after the Evaluate tab is built, e.g.
    `send_to_evaluate([button.click], translation_box)`; `source` may also be a state holding {"output": text}."""
    page = _page()
    if page.candidate is None:
        page.waiting.append((triggers, source, reference))
    else:
        _wire(page, triggers, source, reference)


def _wire(page: _Page, triggers: list, source, reference) -> None:
    inputs = [source] if reference is None else [source, reference]
    outputs = {"candidate": page.candidate} | {f"reference_{i}": box for i, box in enumerate(page.references)}
    if page.tabs is not None:
        outputs["tabs"] = page.tabs
    if page.language is not None:
        outputs["language"] = page.language
    on(triggers, _sent, None, inputs, outputs, clear_on_error=False)  # queued: a refusal is a pop-up


def _sent(text, reference=None) -> dict:
    """The candidate and references after a text was sent here (the page's earlier references do not fit it),
    and the language it is written in (BLEU and ROUGE cut Chinese into characters, English into words).
    `text` is a text, or a state holding a result as {"output": text, ...} (the Translation tab's)."""
    if isinstance(text, dict):
        text = text.get("output")
    if not isinstance(text, str) or not text.strip():  # Evaluate keeps what it shows (its example, a text)
        raise InputError(
            lazy("There is no answer to score yet: translate or summarize first, then click here.")
        )
    first = reference if isinstance(reference, str) else ""
    return {
        "candidate": text,
        "reference_0": first,
        "reference_1": "",
        "reference_2": "",
        "tabs": gr.Tabs(selected=TAB_ID),
        "language": language_of_text(text),  # a translation is in the other language than the page's models
    }


# --- The tab --------------------------------------------------------------------------------------------------


def build(context: Context) -> None:
    """The Evaluate tab and the /perplexity and /score_text endpoints."""
    settings = context.settings
    limit = settings.max_input_chars
    parent = gr.context.Context.block  # the page's gr.Tabs: a text sent here opens this tab
    perplexity_examples = context.examples(PERPLEXITY_EXAMPLES)
    score_examples = context.examples(SCORE_EXAMPLES)
    with gr.Tab(ui("Evaluate"), id=TAB_ID):
        gr.Markdown(
            ui(
                "How good is a model, or a text it wrote? Three measures the course names: **perplexity** (how "
                "surprised the generation model is by a text), **BLEU** and **ROUGE** (how close a translation or "
                "a summary is to references written by people)."
            )
        )
        gr.Markdown("## " + ui("Perplexity"))
        gr.Markdown(
            ui(
                "For each token after the first, the model's **surprise** is −log p(token | the tokens before "
                "it), in nats. Perplexity is e^(average surprise): how many equally likely choices the model "
                "was, on average, hesitating between. A fluent text scores low; the same words shuffled score "
                "high."
            )
        )
        with gr.Row():
            text_a = gr.Textbox(
                label=ui("Text A"), lines=3, value=perplexity_examples[0][0], max_length=limit
            )
            text_b = gr.Textbox(
                label=ui("Text B (optional)"), lines=3, value=perplexity_examples[0][1], max_length=limit
            )
        with gr.Row():
            seed = gr.Number(  # the examples' text B is seed 0: the first click gives another order
                value=1, precision=0, label=ui("Seed"), minimum=0, min_width=120
            )
            shuffle_button = gr.Button(ui("Shuffle the words of A into B"))
            compute_button = gr.Button(ui("Compute perplexity"), variant="primary")
        perplexity_summary = gr.Markdown()
        with gr.Row():
            plot_a = gr.Plot(label=ui("Text A"), show_label=False)
            plot_b = gr.Plot(label=ui("Text B (optional)"), show_label=False)
        gr.Examples(
            perplexity_examples, inputs=[text_a, text_b], label=ui("Examples: click one, then Compute")
        )

        gr.Markdown("## " + ui("BLEU and ROUGE"))
        gr.Markdown(
            ui(
                "A **candidate** (a machine translation, a summary) against one or more **references** written "
                "by people. **BLEU** (sacrebleu, 0–100) counts how many of the candidate's 1- to 4-grams the "
                "references contain (precision), and penalises a candidate shorter than the references. "
                "**ROUGE** (rouge-score, 0–1) counts what the candidate and the best reference share: words "
                "(ROUGE-1), pairs of words (ROUGE-2), the longest common subsequence (ROUGE-L); the F-measure "
                "combines precision and recall. For Chinese, BLEU and ROUGE read one character at a time."
            )
        )
        first = score_examples[0]  # the page opens on the first example: Score answers at once
        candidate = gr.Textbox(
            label=ui("Candidate"), lines=2, max_length=limit, value=first[0], elem_id="evaluate-candidate"
        )
        references = [  # distinct labels: the examples' table is keyed by its column names
            gr.Textbox(
                label=ui("Reference 1"),
                lines=2,
                max_length=limit,
                value=first[1],
                elem_id="evaluate-reference-1",
            ),
            gr.Textbox(label=ui("Reference 2 (optional)"), lines=1, max_length=limit, value=first[2]),
            gr.Textbox(label=ui("Reference 3 (optional)"), lines=1, max_length=limit, value=first[3]),
        ]
        with gr.Row():
            language = gr.Radio(
                [("English", "en"), ("中文", "zh")],
                value="zh" if settings.preset == "zh" else "en",
                label=ui("Language of the texts"),
            )
            score_button = gr.Button(ui("Score"), variant="primary")
        links = {"text_a": text_a, "text_b": text_b, "candidate": candidate, "language": language}
        for index, reference in enumerate(references, start=1):
            links[f"reference_{index}"] = reference
        for name, component in links.items():
            context.links.add(TAB_ID, name, component)  # ?tab=evaluate&candidate=… (ui/links.py)
        context.links.action(TAB_ID, "perplexity", compute_button)  # what "Try it" runs
        context.links.action(TAB_ID, "score", score_button)
        cards = gr.HTML()
        with gr.Row():
            with gr.Column():
                bleu_plot = gr.Plot(label=ui("BLEU"), show_label=False)
                bleu_text = gr.Markdown()
            with gr.Column():
                bleu_html = gr.HTML()
        rouge_html = gr.HTML()
        gr.Examples(
            score_examples,
            inputs=[candidate, *references, language],
            label=ui("Examples: click one, then Score"),
            elem_id="evaluate-score-examples",
        )
        api_endpoint(perplexity_api, context, "perplexity", "generation")
        api_endpoint(score_text_api, context, "score_text", "evaluate")

    on(
        [compute_button.click, text_a.submit, text_b.submit],
        perplexities,
        context,
        [text_a, text_b],
        {"summary": perplexity_summary, "plot_a": plot_a, "plot_b": plot_b},
        "generation",
    )
    on([shuffle_button.click], shuffle, None, [text_a, seed], {"text_b": text_b}, queue=False)
    on(
        [score_button.click, candidate.submit, *[box.submit for box in references]],
        score,
        context,
        [candidate, *references, language],
        {
            "cards": cards,
            "bleu_plot": bleu_plot,
            "bleu_text": bleu_text,
            "bleu_html": bleu_html,
            "rouge_html": rouge_html,
        },
        "evaluate",
    )
    page = _page()
    page.tabs = parent if isinstance(parent, gr.Tabs) else None
    page.candidate, page.references, page.language = candidate, references, language
    for waiting in page.waiting:
        _wire(page, *waiting)
    page.waiting.clear()
