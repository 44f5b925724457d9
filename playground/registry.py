"""The task registry: one TaskSpec per kind of model the playground serves, as transformers' SUPPORTED_TASKS.

Everything that lists tasks iterates REGISTRY: the model flags of Settings, the presets, ModelManager's loading
rules, the tabs of the page, the System and Attention tabs and the test fixtures. Adding a task is one entry
here (plus its task, UI and viz modules); nothing else lists tasks. Pure data: settings.py reads it while
answering `--help`, so nothing heavy (torch, transformers, gradio) is imported here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from playground.i18n import Message, lazy

# What a tokenizer must have for a task: None if it is fit, else the sentence saying what it lacks.
TokenizerCheck = Callable[[object, str], Message | None]


@dataclass(frozen=True)
class TaskSpec:
    name: str  # "generation": the key of Settings.models, the presets and the API's `model` argument
    auto_class: str  # the transformers Auto class that loads its models
    architectures: tuple[str, ...]  # suffixes of `config.architectures` that fit (GPT2LMHeadModel, ...)
    kind: Message  # the kind of model it needs, for error messages ("a fill-mask (masked language) model …")
    label: str  # its name on the page (English; the UI translates it)
    help: str  # the help of its --<name>-model flag
    tab: str | None  # the module of playground.ui whose build(context) draws its tab; None: no tab of its own
    causal: bool = False  # its models read left to right (no [CLS]/[SEP] added; attention masked causally)
    attention_label: str | None = None  # its choice in the Attention tab; None: not offered there
    check_tokenizer: TokenizerCheck | None = None
    endpoints: tuple[str, ...] = ()  # its public JSON endpoints (/name), in the shapes of api.py

    @property
    def flag(self) -> str:
        """The command-line flag that sets its model, e.g. --fill-mask-model."""
        return f"--{self.name}-model"

    @property
    def setting(self) -> str:
        """The flag's name in argparse and in PLAYGROUND_* variables, e.g. fill_mask_model."""
        return self.name.replace("-", "_") + "_model"


def _needs_mask_token(tokenizer, model_id: str) -> Message | None:
    if getattr(tokenizer, "mask_token", None) is not None:
        return None
    return lazy(
        "The fill-mask model {model} has no mask token, so it cannot fill in blanks. Give {kind} with {flag}.",
        model=model_id,
        kind=REGISTRY["fill-mask"].kind,
        flag=REGISTRY["fill-mask"].flag,
    )


def _needs_chat_template(tokenizer, model_id: str) -> Message | None:
    if getattr(tokenizer, "chat_template", None):
        return None
    return lazy(
        "The chat model {model} has no chat template, so it cannot turn a conversation into the one text it "
        "reads. Give {kind} with {flag}.",
        model=model_id,
        kind=REGISTRY["chat"].kind,
        flag=REGISTRY["chat"].flag,
    )


def _needs_offsets(tokenizer, model_id: str) -> Message | None:
    if getattr(tokenizer, "is_fast", False):
        return None
    return lazy(
        "The question-answering model {model} has no fast tokenizer, so the characters of each token in the "
        "context cannot be found. Give {kind} with {flag}.",
        model=model_id,
        kind=REGISTRY["question-answering"].kind,
        flag=REGISTRY["question-answering"].flag,
    )


_CAUSAL = ("ForCausalLM", "LMHeadModel")

REGISTRY: dict[str, TaskSpec] = {
    spec.name: spec
    for spec in (
        TaskSpec(
            name="generation",
            auto_class="AutoModelForCausalLM",
            architectures=_CAUSAL,
            kind=lazy("a text-generation (causal language) model such as openai-community/gpt2"),
            label="Generation",
            help="Hub id or local save_pretrained folder of the text-generation (causal LM) model",
            tab="generate",
            causal=True,
            attention_label="Generation (GPT-style, reads left to right)",
            endpoints=("generate", "next_token"),
        ),
        TaskSpec(
            name="fill-mask",
            auto_class="AutoModelForMaskedLM",
            architectures=("ForMaskedLM", "ForPreTraining"),
            kind=lazy("a fill-mask (masked language) model such as google-bert/bert-base-uncased"),
            label="Fill-mask",
            help="Hub id or local folder of the fill-mask (masked LM) model",
            tab="fill_mask",
            attention_label="Fill-mask (BERT-style, reads both ways)",
            check_tokenizer=_needs_mask_token,
            endpoints=("fill_mask",),
        ),
        TaskSpec(
            name="sentiment",
            auto_class="AutoModelForSequenceClassification",
            architectures=("ForSequenceClassification",),
            kind=lazy(
                "a text-classification model such as distilbert/distilbert-base-uncased-finetuned-sst-2-english"
            ),
            label="Sentiment",
            help="Hub id or local folder of the sentiment (sequence classification) model",
            tab="sentiment",
            attention_label="Sentiment (a classifier)",
            endpoints=("classify", "explain"),
        ),
        TaskSpec(
            name="chat",
            auto_class="AutoModelForCausalLM",
            architectures=_CAUSAL,
            kind=lazy(
                "a chat model (a causal language model with a chat template) such as "
                "HuggingFaceTB/SmolLM2-135M-Instruct"
            ),
            label="Chat",
            help="Hub id or local folder of the chat model: a causal LM with a chat template (an instruct model)",
            tab="chat",
            causal=True,
            attention_label="Chat (an instruction-tuned decoder, reads left to right)",
            check_tokenizer=_needs_chat_template,
            endpoints=("chat", "chat_template"),
        ),
        TaskSpec(
            name="question-answering",
            auto_class="AutoModelForQuestionAnswering",
            architectures=("ForQuestionAnswering",),
            kind=lazy(
                "an extractive question-answering model such as distilbert/distilbert-base-cased-distilled-squad"
            ),
            label="Question answering",
            help="Hub id or local folder of the extractive question-answering model (it finds the answer in a "
            "text)",
            tab="question_answering",
            attention_label="Question answering (a BERT-style reader that finds the answer)",
            check_tokenizer=_needs_offsets,
            endpoints=("question_answering",),
        ),
        TaskSpec(
            name="translation",
            auto_class="AutoModelForSeq2SeqLM",
            architectures=("ForConditionalGeneration", "MarianMTModel"),
            kind=lazy("a translation (encoder-decoder) model such as Helsinki-NLP/opus-mt-en-zh"),
            label="Translation",
            help="Hub id or local folder of the translation model: an encoder-decoder (seq2seq) such as Marian",
            tab="translation",
            attention_label="Translation (an encoder-decoder: its encoder, its decoder or its cross-attention)",
            endpoints=("translate", "cross_attention", "translate_chat", "summarize"),
        ),
    )
}
TASKS = tuple(REGISTRY)


def task_spec(name: str) -> TaskSpec:
    """The spec of a task; KeyError for an unknown name."""
    return REGISTRY[name]
