"""Experiments tab (实验): find the heads, knock them out, patch activations, watch the KV cache, train a
tokenizer, each on the served models' own tensors (tasks/experiments). Endpoints: /heads, /ablate, /patch,
/kv_cache, /train_tokenizer.
"""

from __future__ import annotations

import dataclasses

import gradio as gr

from playground import api
from playground.demo import shown_model_id
from playground.i18n import _, lazy, ui
from playground.registry import REGISTRY
from playground.tasks import attention
from playground.tasks.experiments import ablation, heads, kv_cache, patching, tokenizer_lab
from playground.tasks.validation import InputError, check_float
from playground.ui.attention import MODEL_CHOICES, MODELS, checked_model, choices
from playground.ui.context import Context, session_state, summary_markdown
from playground.ui.events import api_endpoint, on
from playground.viz import attention as attention_viz
from playground.viz import experiments as viz
from playground.viz import inside as inside_viz

HEAD_EXAMPLES = {  # model, text: a repeated name for the induction and duplicate-token heads
    "en": [
        ["generation", "When Mary and John went to the store, John gave a drink to Mary."],
        ["generation", "Harry Potter lived with the Dursleys. Every summer Harry Potter went back to them."],
        ["fill-mask", "The teacher asked the student, and the student answered the teacher."],
    ],
    "zh": [
        ["generation", "小明和小红去了商店，小明把一杯水给了小红。"],
        ["generation", "哈利波特住在姨妈家。每年夏天，哈利波特都回到那里。"],
        ["fill-mask", "老师问学生问题，学生回答老师。"],
    ],
}
PATCH_EXAMPLES = {  # clean, corrupted: the same number of tokens on the preset's generation model
    "en": [["The Eiffel Tower is in the city of", "The Colosseum is in the city of"]],
    "zh": [["埃菲尔铁塔所在的城市是", "罗马斗兽场所在的城市是"]],
}
# The --demo GPT keeps every word of its texts whole: "Eiffel Tower" is two tokens there and "Colosseum" one
DEMO_PATCH_EXAMPLES = {
    "en": [["Paris is the capital of", "Rome is the capital of"]],
    "zh": PATCH_EXAMPLES["zh"],
}
KV_EXAMPLES = {"en": "The Eiffel Tower is in the city of", "zh": "今天天气很好，我们"}
LAB_TEXTS = {  # built-in training texts of the tokenizer lab
    "en": "\n".join(
        [
            "The cat sat on the mat. The cat ate the rat.",
            "The students learn how a tokenizer learns its vocabulary.",
            "A tokenizer merges the most frequent pair of tokens, again and again.",
            "The model reads tokens, not letters: the tokens the tokenizer learned.",
            "lower lowest newer newest wider widest",
        ]
    ),
    "zh": "\n".join(
        [
            "今天天气很好，我们去公园散步。",
            "今天我们学习分词器怎样学习词表。",
            "分词器一次又一次地合并最常见的一对词元。",
            "模型读的是词元，不是汉字：一个汉字在字节层面是三个字节。",
            "语言模型，语言学习，学习语言。",
        ]
    ),
}
KIND_CHOICES = [(name, kind) for kind, name in heads.KIND_NAMES.items()]
MODE_CHOICES = [("Zero", "zero"), ("Mean over the text's positions", "mean")]
COMPARED = ("generation", "fill-mask", "sentiment")  # byte-level BPE, WordPiece, the classifier's tokenizer


def _model(context: Context, model, progress=None):
    return context.model(checked_model(model), progress, exact=True)


# --- head finder ----------------------------------------------------------------------------------


def find_heads(context: Context, model, text, progress=gr.Progress()) -> dict:
    """Find heads: the four scores of every head, the top heads of each kind, and the pattern of the top
    induction head."""
    limits = context.settings
    result = heads.head_scores(
        _model(context, model, progress), text, limits.max_input_chars, limits.max_attention_tokens
    )
    layer, head, _score = result.top("induction", 1)[0]
    summary = _(
        "{tokens} tokens · {layers} layers × {heads} heads. Click a cell of a map to see that head's pattern and "
        "add it to the heads to knock out.",
        tokens=len(result.tokens),
        layers=result.num_layers,
        heads=result.num_heads,
    )
    return {
        # kept in the session for the clicks on the maps: the weights at half precision (issue 30, as the
        # Attention tab keeps them), the scores as they are
        "heads_state": dataclasses.replace(result, attention=attention.kept_half(result.attention)),
        "top": viz.top_heads_markdown(result),
        "heads_info": summary_markdown(summary, result.notices),
        **{f"map_{kind}": viz.head_table(result, kind) for kind in heads.KINDS},
        "pattern": _pattern(result, layer, head),
    }


def _pattern(result: heads.HeadScores, layer: int, head: int):
    weights = attention.in_full(result.attention)  # float32 again where the session kept half precision
    return attention_viz.view_figure(attention_viz.make_view(weights, "head", layer, head))


def head_picker(kind: str):
    """The click on a cell of one map: that head's pattern, and the head added to the heads to knock out."""

    def pick_head(result, chosen, evt: gr.SelectData) -> dict:
        if result is None:
            raise InputError(lazy("Click “Find heads” first; then click a head in a map."))
        row, column = evt.index
        if column < 1:  # the layer's own column
            return {}
        layer, head = row + 1, int(column)
        name = f"{layer}.{head}"
        listed = [item.strip() for item in (chosen or "").split(",") if item.strip()]
        if name not in listed:
            listed.append(name)
        return {"pattern": _pattern(result, layer, head), "chosen": ", ".join(listed)}

    pick_head.__name__ = f"pick_{kind}_head"
    return pick_head


def heads_above(result, kind, threshold, chosen) -> dict:
    """Every head whose score of `kind` is at least `threshold`, added to the heads to knock out."""
    if result is None:
        raise InputError(lazy("Click “Find heads” first; then heads of one kind can be chosen."))
    threshold = check_float(threshold, lazy("Threshold"), 0, 1)
    matrix = result.scores[kind]
    found = [f"{layer + 1}.{head + 1}" for layer, head in zip(*(matrix >= threshold).nonzero(), strict=True)]
    if not found:
        raise InputError(
            lazy("No head scores {threshold} or more: lower the threshold.", threshold=threshold)
        )
    listed = [item.strip() for item in (chosen or "").split(",") if item.strip()]
    return {"chosen": ", ".join(listed + [name for name in found if name not in listed])}


# --- ablation -------------------------------------------------------------------------------------


def knock_out(context: Context, model, text, chosen, mode, progress=gr.Progress()) -> dict:
    """Knock out: the prediction before and after the heads are ablated, and the logit lens after."""
    limits = context.settings
    loaded = _model(context, model, progress)
    result = ablation.ablate(loaded, text, limits.max_input_chars, limits.max_attention_tokens, chosen, mode)
    info = summary_markdown(viz.ablation_summary(result), result.notices)
    try:
        lens = ablation.lens_after(
            loaded, text, limits.max_input_chars, limits.max_attention_tokens, chosen, mode
        )
        lens_plot = inside_viz.logit_lens_figure(lens, REGISTRY[loaded.task].causal)
    except InputError as error:  # a classifier has no token head to look through
        lens_plot, info = None, info + f"\n\n⚠️ {error}"
    return {"ablation_plot": viz.ablation_figure(result), "ablation_info": info, "ablation_lens": lens_plot}


# --- patching -------------------------------------------------------------------------------------


def run_patching(
    context: Context, model, clean, corrupted, clean_answer, corrupted_answer, progress=gr.Progress()
) -> dict:
    """Patch: every layer × position of the corrupted run patched from the clean run."""
    result = patching.patch(
        _model(context, model, progress),
        clean,
        corrupted,
        context.settings.max_input_chars,
        clean_answer or None,
        corrupted_answer or None,
    )
    summary = _(
        "Answers: “{clean}” (clean) and “{corrupted}” (corrupted). Logit difference {ld_clean:.2f} on the clean "
        "prompt, {ld_corrupted:.2f} on the corrupted one. Where a cell is red, the clean run's residual stream "
        "at that layer and token brings the clean answer back.",
        clean=result.answers[0],
        corrupted=result.answers[1],
        ld_clean=result.ld_clean,
        ld_corrupted=result.ld_corrupted,
    )
    return {
        "patch_plot": viz.patching_figure(result),
        "patch_info": summary_markdown(summary, result.notices),
    }


# --- KV cache -------------------------------------------------------------------------------------


def run_kv_cache(context: Context, model, text, new_tokens, progress=gr.Progress()) -> dict:
    """Generate with the KV cache, step by step, each step timed beside the same step without it."""
    limits = context.settings
    loaded = _model(context, model, progress)
    result = kv_cache.kv_cache(loaded, text, limits.max_input_chars, limits.max_attention_tokens, new_tokens)
    return {
        "kv_info": summary_markdown(viz.kv_summary(result), result.notices),
        "kv_table": viz.kv_table(result),
        "kv_plot": viz.kv_figure(result),
    }


# --- tokenizer lab --------------------------------------------------------------------------------


def train_lab(context: Context, text, vocab_size, min_frequency) -> dict:
    """Train: a byte-level BPE tokenizer on the text; the slider shows all its merges."""
    trained = tokenizer_lab.train(text, context.settings.max_input_chars, vocab_size, min_frequency)
    k = len(trained.merges)
    summary = _(
        "{merges} merges learned: a vocabulary of {size} tokens (256 bytes + one token per merge). Move the "
        "slider to cut the text with fewer merges; 0 is bytes alone.",
        merges=k,
        size=trained.vocab_size,
    )
    return {
        "lab_state": trained,
        "lab_merges": gr.Slider(maximum=max(k, 1), value=k, interactive=k > 0),
        "lab_info": summary_markdown(summary, trained.notices),
        **_lab_views(trained, k),
    }


def _lab_views(trained: tokenizer_lab.TrainedTokenizer, k: int) -> dict:
    return {
        "lab_pieces": viz.tokenized_html(tokenizer_lab.tokenize_with(trained, k)),
        "lab_table": viz.merges_table(trained, k),
    }


def retokenize(trained, k) -> dict:
    """The text cut with the first k merges."""
    if trained is None:
        raise InputError(lazy("Click “Train” first; then the slider steps through the merges."))
    return _lab_views(trained, min(int(k), len(trained.merges)))


def compare_lab(context: Context, text, progress=gr.Progress()) -> dict:
    """The same text as the served models' tokenizers cut it: count and pieces."""
    from playground.tasks.validation import check_text

    text = check_text(text, context.settings.max_input_chars)
    parts = []
    for task in COMPARED:
        loaded = context.model(task, progress)
        pieces, count = tokenizer_lab.model_pieces(loaded.tokenizer, text)
        parts.append(
            viz.pieces_html(pieces, count, f"{_(REGISTRY[task].label)} · {shown_model_id(loaded.model_id)}")
        )
    return {"lab_compare": "".join(parts)}


# --- the JSON API ---------------------------------------------------------------------------------


def heads_api(context: Context, text: str, model: str = "generation") -> dict:
    """Four scores per attention head from the eager attention weights: {"model", "tokens", "scores":
    {"previous_token", "first_token", "duplicate_token", "induction"}}, each [layer][head] (index 0 = layer 1,
    head 1). Induction reads the text's tokens repeated twice.

    Args:
        text: the text to read
        model: which served model: "generation", "fill-mask", "sentiment", "chat", ... (default "generation")
    """
    limits = context.settings
    result = heads.head_scores(
        _model(context, model), text, limits.max_input_chars, limits.max_attention_tokens
    )
    return api.heads_json(result)


def ablate_api(
    context: Context,
    text: str,
    model: str = "generation",
    heads: str = "1.1",
    mode: str = "zero",
    top_n: int = 10,
) -> dict:
    """Knock attention heads out (their slice of W_O's input set to 0 or to its mean over the positions):
    {"before": [{"token", "token_id", "prob"}], "after": [...]}, each the top_n of its own distribution: the next
    token, the token at the first [MASK], or (a classifier) every label.

    Args:
        text: the text to read (with a [MASK] for the fill-mask model)
        model: which served model (default "generation")
        heads: the heads as "layer.head", 1-based, e.g. "3.1, 5.7"
        mode: "zero" or "mean"
        top_n: how many outcomes of each distribution, 1 to 50 (default 10)
    """
    limits = context.settings
    result = ablation.ablate(
        _model(context, model), text, limits.max_input_chars, limits.max_attention_tokens, heads, mode, top_n
    )
    return api.ablation_json(result)


def patch_api(
    context: Context,
    clean: str,
    corrupted: str,
    model: str = "generation",
    clean_answer: str | None = None,
    corrupted_answer: str | None = None,
) -> dict:
    """Activation patching: {"tokens", "corrupted_tokens", "answers": [clean, corrupted], "effect": [layer 0..L]
    [position]}; effect = (LD_patched − LD_corrupted) / (LD_clean − LD_corrupted), LD the logit difference of
    the two answers at the last position, the corrupted run patched with the clean residual stream (layer 0:
    the input of block 1; l: the output of block l).

    Args:
        clean: the clean prompt
        corrupted: the corrupted prompt, with as many tokens
        model: "generation" or "chat" (or "fill-mask" with a [MASK] in both) (default "generation")
        clean_answer: one token (default: the clean run's top next token)
        corrupted_answer: one token (default: the corrupted run's top next token)
    """
    result = patching.patch(
        _model(context, model),
        clean,
        corrupted,
        context.settings.max_input_chars,
        clean_answer,
        corrupted_answer,
    )
    return api.patch_json(result)


def kv_cache_api(context: Context, text: str, model: str = "generation", new_tokens: int = 8) -> dict:
    """Greedy generation with the KV cache, step by step: {"tokens": [{"token", "token_id"}], "steps": [{"step",
    "kind": "prefill"|"decode", "positions", "shape": [layers, 2, kv_heads, positions, head_dim], "bytes",
    "ms_cached", "ms_uncached"}]}, the tokens equal to greedy model.generate.

    Args:
        text: the prompt
        model: "generation" or "chat" (default "generation")
        new_tokens: how many tokens, 1 to 32 (default 8)
    """
    limits = context.settings
    result = kv_cache.kv_cache(
        _model(context, model), text, limits.max_input_chars, limits.max_attention_tokens, new_tokens
    )
    return api.kv_cache_json(result)


def train_tokenizer_api(context: Context, text: str, vocab_size: int = 300, min_frequency: int = 2) -> dict:
    """Train a byte-level BPE tokenizer (tokenizers' BpeTrainer, ByteLevel pre-tokenizer without a prefix
    space, no special tokens) on the text's non-empty lines: {"merges": [[left, right], ...], "vocab_size"}.

    Args:
        text: the training text
        vocab_size: at least 256 (the bytes), at most 5000 (default 300)
        min_frequency: how often a pair must occur to be merged (default 2)
    """
    return api.train_tokenizer_json(
        tokenizer_lab.train(text, context.settings.max_input_chars, vocab_size, min_frequency)
    )


# --- the page -------------------------------------------------------------------------------------


def build(context: Context) -> None:
    """The Experiments tab and its endpoints."""
    settings = context.settings
    language = "zh" if settings.preset == "zh" else "en"
    head_examples = context.examples(HEAD_EXAMPLES)
    with gr.Tab(ui("Experiments"), id="experiments", elem_id="experiments"):
        gr.Markdown(
            ui(
                "Experiments on the model's own tensors: which **heads** do what, what happens when they are "
                "**knocked out**, where the answer is decided (**activation patching**), why generation is fast "
                "(the **KV cache**), and how a **tokenizer** learns its vocabulary."
            )
        )
        model = gr.Radio(
            choices(MODEL_CHOICES),
            value="generation" if "generation" in MODELS else MODELS[0],
            label=ui("Model"),
        )
        # Every experiment in view on a phone too: the names wrap onto more rows (as the main tabs do) instead
        # of hiding in gradio's "•••" menu.
        with gr.Tabs(overflow_behavior="wrap", elem_id="experiments-tabs"):
            with gr.Tab(ui("Head finder"), id="experiments-heads", elem_id="experiments-heads"):
                gr.Markdown(
                    ui(
                        "Four scores per head from its attention weights: **previous token** (each token looks at "
                        "the one before), **first token** (the attention sink), **duplicate token** (a token looks "
                        "at its earlier copies) and **induction** (the text read twice: each token of the second "
                        "copy looks at what followed it the first time)."
                    )
                )
                text = gr.Textbox(
                    label=ui("Text"), lines=2, value=head_examples[0][1], max_length=settings.max_input_chars
                )
                gr.Examples(
                    head_examples,
                    inputs=[model, text],
                    label=ui("Examples: click one, then Find heads"),
                    visible_columns=[1],
                )
                find_button = gr.Button(ui("Find heads"), variant="primary")
                context.links.action("experiments", "heads", find_button)  # what "Try it" runs
                heads_info = gr.Markdown()
                top = gr.Markdown()
                maps = {}
                kinds = list(heads.KIND_NAMES.items())
                for pair in (kinds[:2], kinds[2:]):  # two maps a row: a phone stacks them
                    with gr.Row(elem_classes="experiments-maps"):
                        for kind, name in pair:
                            with gr.Column(min_width=300):
                                maps[kind] = gr.Dataframe(
                                    label=ui(name), interactive=False, elem_classes="head-map"
                                )
                pattern = gr.Plot(label=ui("The head's pattern"), show_label=False)
            with gr.Tab(ui("Knock heads out"), id="experiments-ablation", elem_id="experiments-ablation"):
                gr.Markdown(
                    ui(
                        "Knock heads out of the text of the head finder: each head's output is set to 0 (zero) or "
                        "to its mean over the text's positions (mean), by a hook on the input of the attention "
                        "output projection. Compare the prediction before and after."
                    )
                )
                chosen = gr.Textbox(label=ui("Heads (layer.head, e.g. 1.2, 2.1)"), value="1.1")
                with gr.Row():
                    kind = gr.Dropdown(
                        choices(KIND_CHOICES), value="induction", label=ui("Every head of this kind")
                    )
                    threshold = gr.Slider(0, 1, value=0.3, step=0.05, label=ui("with a score of at least"))
                    add_button = gr.Button(ui("Add them"), size="sm")
                mode = gr.Radio(choices(MODE_CHOICES), value="zero", label=ui("Ablation"))
                ablate_button = gr.Button(ui("Knock out"), variant="primary")
                ablation_info = gr.Markdown()
                ablation_plot = gr.Plot(label=ui("Before and after"), show_label=False)
                gr.Markdown(
                    ui(
                        "The logit lens with the heads knocked out: what the model would predict after each layer."
                    )
                )
                ablation_lens = gr.Plot(  # as wide as Inside's: it scrolls on a phone instead of being cut
                    label=ui("Logit lens"), show_label=False, elem_classes=["wide-chart"]
                )
            with gr.Tab(ui("Activation patching"), id="experiments-patching", elem_id="experiments-patching"):
                gr.Markdown(
                    ui(
                        "Two prompts with the same number of tokens. The corrupted prompt is run again and again, "
                        "each time with the residual stream of one layer at one token taken from the clean run: "
                        "where that brings the clean answer back, the answer is decided there."
                    )
                )
                patch_examples = DEMO_PATCH_EXAMPLES if settings.demo else PATCH_EXAMPLES
                patch_example = context.examples(patch_examples)[0]
                with gr.Row():
                    clean = gr.Textbox(
                        label=ui("Clean prompt"), value=patch_example[0], max_length=settings.max_input_chars
                    )
                    corrupted = gr.Textbox(
                        label=ui("Corrupted prompt"),
                        value=patch_example[1],
                        max_length=settings.max_input_chars,
                    )
                with gr.Row():
                    clean_answer = gr.Textbox(
                        label=ui("Clean answer (one token; empty: the model's top)"), max_length=100
                    )
                    corrupted_answer = gr.Textbox(
                        label=ui("Corrupted answer (one token; empty: the model's top)"), max_length=100
                    )
                patch_button = gr.Button(ui("Patch"), variant="primary")
                patch_info = gr.Markdown()
                patch_plot = gr.Plot(
                    label=ui("Activation patching"), show_label=False, elem_classes=["wide-chart"]
                )
            with gr.Tab(ui("KV cache"), id="experiments-kv", elem_id="experiments-kv"):
                gr.Markdown(
                    ui(
                        "Generation one token at a time. **Prefill** reads the whole prompt once and keeps every "
                        "layer's keys and values; each **decode** step reads one new token and the cache. Beside "
                        "each step, the same token computed without the cache (the whole sequence again)."
                    )
                )
                kv_text = gr.Textbox(
                    label=ui("Prompt"), value=KV_EXAMPLES[language], max_length=settings.max_input_chars
                )
                new_tokens = gr.Slider(1, kv_cache.MAX_NEW_TOKENS, value=8, step=1, label=ui("New tokens"))
                kv_button = gr.Button(ui("Generate step by step"), variant="primary")
                kv_info = gr.Markdown()
                kv_table = gr.Dataframe(  # a row on two lines on a phone (style.css)
                    label=ui("Steps"), interactive=False, elem_classes=["stack-table"]
                )
                kv_plot = gr.Plot(label=ui("KV cache"), show_label=False)
            with gr.Tab(ui("Tokenizer lab"), id="experiments-tokenizer", elem_id="experiments-tokenizer"):
                gr.Markdown(
                    ui(
                        "Train a byte-level BPE tokenizer (as GPT-2's) on a text: it starts from the 256 bytes and "
                        "learns merges, the most frequent pair first. A Chinese character is three bytes: with few "
                        "merges it is three tokens."
                    )
                )
                lab_text = gr.Textbox(
                    label=ui("Training text"),
                    lines=5,
                    value=LAB_TEXTS[language],
                    max_length=settings.max_input_chars,
                )
                with gr.Row():
                    vocab_size = gr.Slider(256, 2000, value=300, step=1, label=ui("Vocabulary size"))
                    min_frequency = gr.Slider(1, 10, value=2, step=1, label=ui("Minimum frequency"))
                train_button = gr.Button(ui("Train"), variant="primary")
                lab_info = gr.Markdown()
                lab_merges = gr.Slider(0, 1, value=0, step=1, label=ui("Merges used"), interactive=False)
                lab_pieces = gr.HTML()
                lab_table = gr.Dataframe(  # long byte pieces wrap inside their cells on a phone (style.css)
                    label=ui("The latest merges"), interactive=False, elem_classes=["stack-table"]
                )
                compare_button = gr.Button(ui("Compare the served models' tokenizers"), size="sm")
                lab_compare = gr.HTML()
        linkable = {"model": model, "text": text, "heads": chosen, "mode": mode, "clean": clean}
        linkable |= {
            "corrupted": corrupted,
            "kv_text": kv_text,
            "new_tokens": new_tokens,
            "lab_text": lab_text,
        }
        linkable |= {"vocab_size": vocab_size, "min_frequency": min_frequency}
        for name, component in linkable.items():
            context.links.add("experiments", name, component)  # ?tab=experiments&text=… (ui/links.py)
        heads_state = session_state()
        lab_state = session_state()
        api_endpoint(heads_api, context, "heads", "experiments")
        api_endpoint(ablate_api, context, "ablate", "experiments")
        api_endpoint(patch_api, context, "patch", "experiments")
        api_endpoint(kv_cache_api, context, "kv_cache", "experiments")
        api_endpoint(train_tokenizer_api, context, "train_tokenizer", "tokenizer-lab")

    found = {"heads_state": heads_state, "top": top, "heads_info": heads_info, "pattern": pattern}
    found |= {f"map_{kind}": table for kind, table in maps.items()}
    on([find_button.click, text.submit], find_heads, context, [model, text], found, "experiments")
    for name, table in maps.items():
        on(
            [table.select],
            head_picker(name),
            None,
            [heads_state, chosen],
            {"pattern": pattern, "chosen": chosen},
            clear_on_error=False,
        )
    on(
        [add_button.click],
        heads_above,
        None,
        [heads_state, kind, threshold, chosen],
        {"chosen": chosen},
        clear_on_error=False,
    )
    on(
        [ablate_button.click],
        knock_out,
        context,
        [model, text, chosen, mode],
        {"ablation_plot": ablation_plot, "ablation_info": ablation_info, "ablation_lens": ablation_lens},
        "experiments",
    )
    on(
        [patch_button.click],
        run_patching,
        context,
        [model, clean, corrupted, clean_answer, corrupted_answer],
        {"patch_plot": patch_plot, "patch_info": patch_info},
        "experiments",
    )
    on(
        [kv_button.click],
        run_kv_cache,
        context,
        [model, kv_text, new_tokens],
        {"kv_info": kv_info, "kv_table": kv_table, "kv_plot": kv_plot},
        "experiments",
    )
    lab = {"lab_pieces": lab_pieces, "lab_table": lab_table}
    on(
        [train_button.click],
        train_lab,
        context,
        [lab_text, vocab_size, min_frequency],
        lab | {"lab_state": lab_state, "lab_merges": lab_merges, "lab_info": lab_info},
    )
    on([lab_merges.release], retokenize, None, [lab_state, lab_merges], lab, clear_on_error=False)
    on([compare_button.click], compare_lab, context, [lab_text], {"lab_compare": lab_compare})
