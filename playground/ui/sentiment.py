"""Sentiment tab: a text and the probability the classifier gives each label; which words pushed it there
(Integrated Gradients); and many texts at once (lines or a CSV column) as a table to download."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from playground import api, export
from playground.i18n import _, ui
from playground.markup import escape_markdown
from playground.tasks import explain, sentiment
from playground.ui.context import Context, summary_markdown
from playground.ui.demo_notes import NOTES
from playground.ui.errors import api_answers
from playground.ui.events import CLEARED, api_endpoint, batch_outputs, batched, on
from playground.viz import charts, highlight

EXAMPLES = {  # for the English and the Chinese models
    "en": [
        ["I loved this film, the actors were wonderful."],
        ["The food was cold and the service was slow."],
        ["The lesson was not as boring as I expected."],
        ["It is a movie."],
    ],
    "zh": [
        ["这家餐厅的菜很好吃，服务也很周到。"],
        ["菜是凉的，等了一个小时才上菜。"],
        ["这节课没有我想象的那么无聊。"],
        ["这是一部电影。"],
    ],
}
BATCH_EXAMPLES = {
    "en": [
        "What a lovely day.",
        "The lesson was boring.",
        "I loved this film, the actors were wonderful.",
        "The food was cold and the service was slow.",
        "I hated the ending.",
    ],
    "zh": [
        "今天真是美好的一天。",
        "这节课很无聊。",
        "这部电影太好看了，演员都很棒。",
        "菜是凉的，服务也很慢。",
        "我讨厌这个结局。",
    ],
}
PREDICTED = "predicted"  # the target value that means "the label the model predicts"
TABLE_HEADERS = ["text", "label", "score"]


def predict_batch(context: Context, texts) -> list:
    """Classification results (or InputErrors) of a batch of texts, with one forward pass."""
    return sentiment.classify_batch(context.model("sentiment"), texts, context.settings.max_input_chars)


def render(result: sentiment.ClassificationResult, demo: bool = False) -> tuple:
    """The label chart and the summary of one result (with `demo`, a note that a demo model's number means little)."""
    top = result.scores[0]
    summary = _("Prediction: **{label}** ({score})", label=charts.label(top.label), score=f"{top.score:.1%}")
    if demo:
        summary += " · " + _(NOTES["sentiment"])
    return charts.label_figure(result), summary_markdown(summary, result.notices)


def demo_model(context: Context) -> bool:
    """Whether the classifier is still the tiny one of --demo."""
    manager = context.manager
    return context.settings.demo and manager.model_ids["sentiment"] == manager.started_model_ids["sentiment"]


def run(context: Context, texts):
    """Classify (batched): the outputs of each request, in its own language."""
    demo = demo_model(context)
    return batch_outputs(predict_batch(context, texts), lambda result: render(result, demo), 2)


# Gradio calls this with a batch: one list per parameter. The hints describe one request (the API schema).
def classify_api(context: Context, text: str) -> list[dict]:
    """Classify the sentiment of a text with the fine-tuned classifier: every label with its probability,
    highest first, as [{"label", "score"}] (as transformers.pipeline("text-classification", top_k=None)).

    Args:
        text: the text to classify, e.g. a review
    """
    return (api_answers(predict_batch(context, text), api.classify_json),)


def compute_explanation(context: Context, text, target, progress=None) -> explain.Explanation:
    loaded = context.model("sentiment", progress, exact=True)
    target = None if target in (None, "", PREDICTED) else target
    return explain.explain(loaded, text, context.settings.max_input_chars, target)


def run_explain(context: Context, text, target, progress=gr.Progress()) -> dict:
    """Explain: the prediction again, the words coloured by their attribution, and the labels to explain."""
    result = compute_explanation(context, text, target, progress)
    classified = sentiment.classify(context.model("sentiment"), text, context.settings.max_input_chars)
    summary = _(
        "Why **{label}**? Its probability is **{score}** for this text and {baseline} for the baseline (the "
        "same length of [PAD] tokens). The colours split the difference between the words. Check: they add "
        "up to {total}; score − baseline is {difference} (Integrated Gradients, {steps} steps).",
        label=charts.label(result.label),
        score=f"{result.score:.1%}",
        baseline=f"{result.baseline_score:.1%}",
        total=f"{sum(result.attributions):+.4f}",
        difference=f"{result.score - result.baseline_score:+.4f}",
        steps=result.n_steps,
    )
    if result.label != result.predicted:
        summary += " " + _("The model itself predicts {label}.", label=charts.label(result.predicted))
    choices = [(_("the predicted label"), PREDICTED)] + [(label, label) for label in result.labels]
    values = [value for _label, value in choices]
    plot, prediction = render(classified, demo_model(context))
    return {
        "plot": plot,
        "summary": prediction,
        "explanation": highlight.attribution_html(result),
        "explanation_summary": summary_markdown(summary, result.notices),
        "target": gr.Dropdown(choices=choices, value=target if target in values else PREDICTED),
    }


def explain_api(context: Context, text: str, target: str | None = None) -> dict:
    """Explain the sentiment classifier's prediction with Integrated Gradients over the input embeddings:
    {"label", "score", "baseline_score", "attributions": [{"token", "score"}]}, one attribution per token
    (positive pushed towards the label, negative away); they add up to score - baseline_score, the label's
    probability for the text and for a baseline of [PAD] tokens.

    Args:
        text: the text to explain
        target: the label to explain, e.g. "POSITIVE" (default: the predicted one)
    """
    return api.explain_json(compute_explanation(context, text, target))


MANY_RESULTS = ("table", "plot", "download", "summary")  # what "Classify all" shows


def upload(path) -> dict:
    """A CSV was chosen (or removed): its columns to pick from, a text-like one first. The results shown
    belonged to the texts before: they are cleared. A file that cannot be read is refused here, on upload."""
    stale = dict.fromkeys(MANY_RESULTS, CLEARED)
    if not path:
        return {"column": gr.Dropdown(choices=[], value=None)} | stale
    columns = sentiment.csv_columns(path)
    text_like = [c for c in columns if c.lower() in ("text", "texts", "sentence", "review", "comment")]
    return {"column": gr.Dropdown(choices=columns, value=(text_like or columns)[0])} | stale


def run_many(context: Context, lines, path, column, progress=gr.Progress()) -> dict:
    """Classify all: the lines, or a CSV column, as a table, a chart and a CSV file to download."""
    limits = context.settings
    if path:
        texts, notices = sentiment.texts_from_csv(path, column, limits.max_batch_rows)
        name = escape_markdown(Path(path).name)
        source = (
            _("column “{column}” of {file}", column=escape_markdown(column), file=name) if column else name
        )
    else:
        texts, notices = sentiment.texts_from_lines(lines, limits.max_batch_rows)
        source = _("the lines above")
    loaded = context.model("sentiment", progress)
    classifying, unit = _("Classifying"), _("texts")
    progress((0, len(texts)), desc=classifying, unit=unit)
    result = sentiment.classify_many(
        loaded,
        texts,
        limits.max_input_chars,
        max(1, limits.max_batch_size),
        lambda done, total: progress((done, total), desc=classifying, unit=unit),
    )
    csv_path = export.new_file(loaded.model_id, "sentiment", ".csv")
    csv_path.write_text(api.batch_csv(result), encoding="utf-8")
    table = [[row.text, row.label, round(row.score, 4)] for row in result.rows]
    summary = _("Classified {count} texts from {source}.", count=len(result.rows), source=source)
    return {
        "table": gr.Dataframe(value=table, headers=[_(header) for header in TABLE_HEADERS], visible=True),
        "plot": charts.batch_figure(result),
        "download": gr.DownloadButton(value=str(csv_path), visible=True),
        "summary": summary_markdown(summary, notices + result.notices),
    }


def build(context: Context) -> None:
    """The Sentiment tab and the /classify (batched) and /explain endpoints."""
    settings = context.settings
    examples = context.examples(EXAMPLES)
    with gr.Tab(ui("Sentiment"), id="sentiment"):
        gr.Markdown(ui("A fine-tuned classifier reads the whole text and gives a probability to each label."))
        text = gr.Textbox(
            label=ui("Text"), lines=3, value=examples[0][0], max_length=settings.max_input_chars
        )
        button = gr.Button(ui("Classify"), variant="primary")
        context.links.add("sentiment", "text", text)  # linkable inputs: ?tab=sentiment&text=… (ui/links.py)
        context.links.action("sentiment", "classify", button)  # what "Try it" runs
        summary = gr.Markdown()
        plot = gr.Plot(label=ui("Label probabilities"), show_label=False)
        error = gr.Textbox(visible=False)
        gr.Examples(examples, inputs=[text], label=ui("Examples: click one, then Classify"))
        with gr.Accordion(ui("Why? The words that pushed the prediction"), open=True):
            gr.Markdown(
                ui(
                    "**Integrated Gradients** (from the captum library) fades each word in, from a neutral "
                    "baseline to the real text, and measures how much the label's probability rises or falls "
                    "on the way. Green words pushed **towards** the label, red words **away** from it."
                )
            )
            with gr.Row():
                target = gr.Dropdown(
                    [(ui("the predicted label"), PREDICTED)],
                    value=PREDICTED,
                    label=ui("Explain which label"),
                    scale=2,
                    min_width=200,
                )
                explain_button = gr.Button(ui("Explain"), scale=1, min_width=120)
            explanation = gr.HTML()
            explanation_summary = gr.Markdown()
        with gr.Accordion(ui("Many texts at once: one per line, or a CSV file"), open=False):
            with gr.Row(equal_height=False):
                lines = gr.Textbox(
                    label=ui("Texts, one per line"),
                    lines=6,
                    value="\n".join(context.examples(BATCH_EXAMPLES)),
                    scale=3,
                )
                with gr.Column(scale=2, min_width=240):
                    csv_file = gr.File(
                        label=ui("…or a CSV file (used instead of the lines)"),
                        file_types=[".csv"],
                        elem_classes=["csv-upload"],
                    )
                    column = gr.Dropdown([], label=ui("Column with the texts"), allow_custom_value=False)
            gr.Markdown(ui("Empty lines are skipped. Most texts at once:") + f" {settings.max_batch_rows:,}")
            many_button = gr.Button(ui("Classify all"))
            many_summary = gr.Markdown()
            many_plot = gr.Plot(label=ui("Predicted labels"), show_label=False)
            table = gr.Dataframe(
                headers=TABLE_HEADERS,
                visible=False,  # shown with the results, its headers in the page's language
                datatype=["str", "str", "number"],
                interactive=False,
                wrap=True,
                max_chars=160,
                column_widths=["48%", "28%", "24%"],
                label=ui("Results"),
                elem_classes=["batch-table"],
            )
            download = gr.DownloadButton(ui("Download the table as CSV"), visible=False)
        api_endpoint(classify_api, context, "classify", "sentiment", settings.max_batch_size)
        api_endpoint(explain_api, context, "explain", "sentiment")

    batched([button.click, text.submit], run, context, [text], [plot, summary], error, "sentiment")
    explained = {"plot": plot, "summary": summary, "explanation": explanation}
    explained |= {"explanation_summary": explanation_summary, "target": target}
    on([explain_button.click], run_explain, context, [text, target], explained, "sentiment")
    many = {"table": table, "plot": many_plot, "download": download, "summary": many_summary}
    on([csv_file.change], upload, None, [csv_file], {"column": column} | many)  # queued: it reads the file
    on([many_button.click], run_many, context, [lines, csv_file, column], many, "sentiment")
