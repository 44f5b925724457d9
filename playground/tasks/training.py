"""Training, live: fine-tune the sentiment classifier on labelled sentences, and pretrain a tiny GPT from scratch
(a tiny BERT: tasks/training_mlm.py).

Every training runs the one loop below (`loop`): batches in an order drawn from the seed, AdamW, a `Step`
after every optimisation step, Stop asked before each step. What differs is the objective, a small piece
each (`Classification` for fine-tuning, `NextToken` for the tiny GPT, `MaskedTokens` for the tiny BERT):
how its batches are drawn, the loss of a batch, and what it shows between steps (an `Epoch` after every pass
over the data, a `Sample` for the tiny GPT). The trainings are generators: they yield those progress events
as they go and, last, their result (`FineTuneResult`, `TinyResult`). Nothing they do touches the server's
models: the classifier is trained on a deep copy, the tiny GPT is a fresh model. Every random choice (the
order of the batches, the new weights, the samples) comes from a `torch.Generator` seeded with the seed given,
and dropout is off, so the same data, settings and seed give the same losses and the same model on a CPU;
`fine_tune_code` and `tiny_code` write the plain PyTorch/transformers loop that reproduces a run, step for step.

What one request may allocate is bounded whatever its text: a character vocabulary keeps the text's
MAX_CHAR_VOCAB most frequent characters (the others read as one unknown token), a step's batch holds at most
STEP_LOGITS logits (fewer windows with a large vocabulary), and every evaluation pass runs in chunks of at most
EVAL_LOGITS logits.
"""

from __future__ import annotations

import copy
import csv
import io
import math
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from tokenizers import Tokenizer, decoders, models
from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.tasks.text_files import read_text_file
from playground.tasks.validation import InputError, check_float, check_int, check_text

DATA = Path(__file__).resolve().parent.parent.parent / "assets" / "training"
TRAIN_CHOICES = ("head", "last", "all")  # the new head only; the last layer and the head; every weight
MAX_TOKENS = 64  # tokens per sentence when fine-tuning (the built-in sentences have fewer than 30)
MAX_LABELS = 20
MAX_BATCH = 64  # sentences per fine-tuning step (the page's slider too): a step's activations stay bounded
EVAL_BATCH = 32  # sentences per evaluation pass, whatever the batch size
ShouldStop = Callable[[], bool]
MAX_CHAR_VOCAB = (
    3000  # a character tokenizer keeps the text's most frequent characters (everyday Chinese fits)
)
STEP_LOGITS = (
    2**24
)  # most logits (floats) one training step may compute: with a large vocabulary, fewer windows
EVAL_LOGITS = 2**22  # most logits one evaluation pass may hold at once: the windows run in chunks


@dataclass(frozen=True)
class TrainingLimits:
    """The server's caps on one training (Settings: --max-train-examples, --max-train-steps, ...)."""

    max_examples: int = 500
    max_steps: int = 2000
    max_chars: int = 100_000
    max_size: str = "medium"


# --- progress events -------------------------------------------------------------------------------------


@dataclass
class Step:
    step: int  # 1-based: the optimisation steps done so far
    total: int  # all the steps of the run
    loss: float  # the training loss of this step's batch
    epoch: int  # fine-tuning: the pass over the data this step belongs to (1-based); tiny GPT: 1
    seconds: float  # since the training started
    accuracy: float | None = None  # the tiny BERT: the share of the chosen tokens it predicted right


@dataclass
class Epoch:
    epoch: int
    step: int  # the step it ended at
    val_loss: float | None  # None without validation sentences
    val_accuracy: float | None


@dataclass
class Sample:
    step: int
    text: str


# --- the loop every training shares ----------------------------------------------------------------------


class Objective:
    """What a training learns, as the loop sees it: `total` steps, batches drawn in a seeded order, the loss
    of a batch, and what to show after a step. One subclass per training."""

    total: int  # the optimisation steps planned

    def batches(self) -> Iterator[tuple[int, object]]:
        """(epoch, batch) for every step, in the order drawn from the training's generator."""
        raise NotImplementedError

    def loss(self, model: torch.nn.Module, batch) -> tuple[torch.Tensor, float | None]:
        """The batch's loss (to minimise) and, where the objective has one, its accuracy."""
        raise NotImplementedError

    def after_step(self, model: torch.nn.Module, step: int) -> Iterator[object]:
        """Progress to show after `step` (an Epoch, a Sample, ...), with gradients off; none by default."""
        return iter(())


@dataclass
class Run:
    losses: list[float]  # one per step taken
    accuracies: list[float | None]
    stopped: bool  # should_stop() answered True: fewer steps than planned
    total: int

    def notices(self) -> list[Message]:
        if not self.stopped:
            return []
        return [lazy("Stopped after {steps} of {total} steps.", steps=len(self.losses), total=self.total)]


def loop(
    model: torch.nn.Module,
    parameters: Sequence[torch.nn.Parameter],
    learning_rate: float,
    objective: Objective,
    should_stop: ShouldStop,
    started: float,
) -> Generator[object, None, Run]:
    """The optimisation loop of every training: AdamW on `parameters`, one step per batch of `objective`,
    `should_stop()` asked before each. Yields a Step after each step and what the objective shows; returns
    the Run (`run = yield from loop(...)`). Gradients are off for every weight afterwards."""
    optimizer = torch.optim.AdamW(parameters, lr=learning_rate)
    run = Run([], [], False, objective.total)
    for epoch, batch in objective.batches():
        if should_stop():
            run.stopped = True
            break
        loss, accuracy = objective.loss(model, batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        run.losses.append(loss.item())
        run.accuracies.append(accuracy)
        step = len(run.losses)
        yield Step(step, objective.total, run.losses[-1], epoch, time.monotonic() - started, accuracy)
        with torch.no_grad():
            yield from objective.after_step(model, step)
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return run


def char_vocabulary(text: str, limit: int = MAX_CHAR_VOCAB) -> list[str]:
    """The characters a character tokenizer keeps: the text's `limit` most frequent (ties: the first seen),
    in sorted order; every character of a text with fewer different ones."""
    return sorted(char for char, _count in Counter(text).most_common(limit))


def vocabulary_notice(text: str, unknown: str, limit: int = MAX_CHAR_VOCAB) -> list[Message]:
    """One sentence when the text has more different characters than the tokenizer keeps."""
    count = len(set(text))
    if count <= limit:
        return []
    return [
        lazy(
            "The text has {count} different characters; the model learns the {limit} most frequent, and reads "
            "each of the other {rest} as the one unknown token {unknown}.",
            count=f"{count:,}",
            limit=f"{limit:,}",
            rest=f"{count - limit:,}",
            unknown=unknown,
        )
    ]


def batch_for(batch_size: int, length: int, vocab_size: int) -> int:
    """The windows one step takes: `batch_size`, or fewer so that its logits (windows x length x vocabulary)
    stay within STEP_LOGITS."""
    return max(1, min(batch_size, STEP_LOGITS // max(1, length * vocab_size)))


def batch_notice(batch_size: int, planned: int) -> list[Message]:
    if batch_size == planned:
        return []
    return [
        lazy(
            "The vocabulary is large, so each step learns from {count} windows of the text instead of {planned}.",
            count=batch_size,
            planned=planned,
        )
    ]


# --- data ------------------------------------------------------------------------------------------------


@dataclass
class Example:
    text: str
    label: str
    validation: bool = False


def builtin_examples(language: str) -> list[Example]:
    """The built-in labelled sentences (sports / food / school), English ("en") or Chinese ("zh")."""
    content = (DATA / f"topics_{'zh' if language == 'zh' else 'en'}.csv").read_text(encoding="utf-8")
    return examples_from_csv_text(content)


def builtin_text(language: str) -> str:
    """The built-in text the tiny GPT learns from, English ("en") or Chinese ("zh")."""
    return (DATA / f"tiny_{'zh' if language == 'zh' else 'en'}.txt").read_text(encoding="utf-8")


def examples_from_rows(rows: Sequence[Sequence[object]]) -> list[Example]:
    """Table rows (text, label[, split]) as examples; rows without text or label are skipped. The split is
    "validation" (or 验证) for the sentences held out, anything else trains."""
    examples = []
    for row in rows:
        cells = [("" if cell is None else str(cell)).strip() for cell in row]
        if len(cells) < 2 or not cells[0] or not cells[1]:
            continue
        split = cells[2].lower() if len(cells) > 2 else ""
        examples.append(Example(cells[0], cells[1], split in ("validation", "val", "验证")))
    return examples


def examples_from_csv_text(content: str) -> list[Example]:
    """Examples from CSV text with the columns text and label (and optionally split)."""
    rows = list(csv.reader(io.StringIO(content)))
    if not rows:
        raise InputError(lazy("The CSV file is empty: its first row should name the columns text and label."))
    header = [name.strip().lower() for name in rows[0]]
    if "text" not in header or "label" not in header:
        raise InputError(
            lazy(
                "The CSV file needs a column named text and one named label; it has: {columns}.",
                columns=", ".join(rows[0]),
            )
        )
    order = [header.index("text"), header.index("label")]
    if "split" in header:
        order.append(header.index("split"))
    return examples_from_rows([[row[i] if i < len(row) else "" for i in order] for row in rows[1:]])


def examples_from_csv(path: str | Path) -> list[Example]:
    """Examples from a CSV file (any encoding Excel saves)."""
    return examples_from_csv_text(read_text_file(path, 20 * 2**20))


# --- fine-tuning -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FineTuneSettings:
    epochs: int = 3
    learning_rate: float = 5e-5
    batch_size: int = 8
    train: str = "all"  # one of TRAIN_CHOICES
    seed: int = 0


@dataclass
class Prediction:
    text: str
    label: str  # the predicted label
    score: float  # its probability


@dataclass
class FineTuneResult:
    model: LoadedModel  # the trained copy, in eval mode (the server's model is untouched)
    labels: list[str]  # the model's label names after training, in id order
    new_head: bool  # the labels were not the model's own: a fresh classification head was made for them
    losses: list[float]  # one per optimisation step
    epochs: list[Epoch]
    accuracy_before: float  # on the validation sentences (the API: on the given texts)
    accuracy_after: float
    before: list[Prediction]  # the validation sentences (the API: the given texts), before and after
    after: list[Prediction]
    truth: list[str]  # their true labels
    trained_parameters: int
    total_parameters: int
    seconds: float
    stopped: bool  # Stop was pressed: fewer steps than planned
    notices: list[Message] = field(default_factory=list)


def check_fine_tune(
    examples: Sequence[Example], settings: FineTuneSettings, limits: TrainingLimits
) -> FineTuneSettings:
    """The settings if the examples and settings can be trained on, else InputError saying what to change."""
    if not examples:
        raise InputError(
            lazy("There are no examples to train on: give at least two sentences, each with a label.")
        )
    if len(examples) > limits.max_examples:
        raise InputError(
            lazy(
                "There are {count} examples; the limit here is {limit}. Please use fewer.",
                count=f"{len(examples):,}",
                limit=f"{limits.max_examples:,}",
            )
        )
    for example in examples:
        check_text(example.text, 1000, "example")
    training = [e for e in examples if not e.validation]
    labels = {e.label for e in training}
    if len(labels) < 2:
        raise InputError(
            lazy(
                "The training sentences have only one label ({label}): a classifier needs at least two "
                "labels to choose between.",
                label=next(iter(labels), "-"),
            )
        )
    if len({e.label for e in examples}) > MAX_LABELS:
        raise InputError(lazy("Use at most {limit} different labels.", limit=MAX_LABELS))
    unseen = sorted({e.label for e in examples if e.validation} - labels)
    if unseen:
        raise InputError(
            lazy(
                "The validation label {label} never appears among the training sentences: the model cannot "
                "learn it.",
                label=unseen[0],
            )
        )
    epochs = check_int(settings.epochs, "Epochs", 1, 100)
    batch_size = check_int(settings.batch_size, "Batch size", 1, MAX_BATCH)
    learning_rate = check_float(settings.learning_rate, "Learning rate", 1e-7, 1.0)
    seed = check_int(settings.seed, "The seed", 0, 2**31 - 1)
    if settings.train not in TRAIN_CHOICES:
        raise InputError(
            lazy(
                "What to train must be one of {choices}; got {value}.",
                choices=", ".join(TRAIN_CHOICES),
                value=repr(settings.train),
            )
        )
    steps = epochs * math.ceil(len(training) / batch_size)
    if steps > limits.max_steps:
        raise InputError(
            lazy(
                "These settings make {steps} training steps; the limit here is {limit}. Use fewer epochs or a "
                "larger batch size.",
                steps=f"{steps:,}",
                limit=f"{limits.max_steps:,}",
            )
        )
    return FineTuneSettings(epochs, learning_rate, batch_size, settings.train, seed)


def label_plan(config, labels: Sequence[str]) -> tuple[list[str], bool]:
    """The label names of the trained model, and whether they need a new head: the model's own labels when
    every given label is one of them, else the given labels in sorted order."""
    own = [config.id2label[i] for i in range(config.num_labels)]
    if set(labels) <= set(own):
        return own, False
    return sorted(set(labels)), True


def head_path(model: torch.nn.Module) -> str:
    """The name of the classifier's last linear layer (the one that gives one logit per label):
    "classifier" (DistilBERT, BERT), "classifier.out_proj" (RoBERTa)."""
    prefix = model.base_model_prefix
    linears = [
        name
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear)
        and not name.startswith(prefix + ".")
        and module.out_features == model.config.num_labels
    ]
    if not linears:
        raise InputError(lazy("This classifier has no head of a kind that can be replaced for new labels."))
    return linears[-1]


def new_head(model: torch.nn.Module, labels: list[str], generator: torch.Generator) -> None:
    """Replace the classifier's last layer by a fresh one with one output per label, initialised as
    transformers initialises it (normal, std = initializer_range; bias 0) from `generator`."""
    path = head_path(model)
    parent_name, _dot, name = path.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    old = getattr(parent, name)
    layer = torch.nn.Linear(old.in_features, len(labels), dtype=old.weight.dtype)
    std = getattr(model.config, "initializer_range", 0.02)
    with torch.no_grad():
        layer.weight.normal_(0.0, std, generator=generator)
        layer.bias.zero_()
    setattr(parent, name, layer)
    model.config.num_labels = len(labels)
    model.config.id2label = dict(enumerate(labels))
    model.config.label2id = {label: i for i, label in enumerate(labels)}
    model.config.problem_type = "single_label_classification"
    model.num_labels = len(labels)


def trainable_names(model: torch.nn.Module, train: str) -> list[str]:
    """The parameters `train` trains: "head" the classifier on top of the encoder, "last" also the last
    encoder layer (and BERT's pooler), "all" every one."""
    names = [name for name, _p in model.named_parameters()]
    if train == "all":
        return names
    prefix = model.base_model_prefix + "."
    head = [name for name in names if not name.startswith(prefix)]
    if train == "head":
        return head
    last = _last_layer_prefix(model)
    return [name for name in names if name.startswith(last) or ".pooler." in f".{name}"] + head


def _last_layer_prefix(model: torch.nn.Module) -> str:
    """The parameter-name prefix of the encoder's last transformer layer, e.g. "distilbert.transformer.layer.5."."""
    lists = [
        (name, module)
        for name, module in model.get_submodule(model.base_model_prefix).named_modules()
        if isinstance(module, torch.nn.ModuleList) and len(module) > 0
    ]
    name, layers = max(lists, key=lambda item: sum(p.numel() for p in item[1].parameters()))
    return f"{model.base_model_prefix}.{name}.{len(layers) - 1}."


def _encode(tokenizer, texts: Sequence[str], device: torch.device) -> dict:
    encoded = tokenizer(
        list(texts), padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
    )
    return {key: value.to(device) for key, value in encoded.items()}


def _evaluate(model, tokenizer, texts, targets, batch_size, device):
    """(mean loss, accuracy, predictions) of `model` on texts with target ids (no gradients), at most
    EVAL_BATCH sentences at a time."""
    batch_size = min(batch_size, EVAL_BATCH)
    losses, predictions = [], []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            chunk = texts[start : start + batch_size]
            logits = model(**_encode(tokenizer, chunk, device)).logits.float()
            target = torch.tensor(targets[start : start + batch_size], device=device)
            losses.append(F.cross_entropy(logits, target, reduction="sum").item())
            probs = logits.softmax(-1).cpu()
            for text, row in zip(chunk, probs, strict=True):
                best = int(row.argmax())
                predictions.append(Prediction(text, model.config.id2label[best], float(row[best])))
    correct = sum(p.label == model.config.id2label[t] for p, t in zip(predictions, targets, strict=True))
    return sum(losses) / len(texts), correct / len(texts), predictions


@dataclass
class Classification(Objective):
    """Fine-tuning: cross-entropy of each sentence's label; every epoch the sentences in a new order drawn
    from the generator, in batches; after each epoch, the loss and accuracy on the validation sentences."""

    tokenizer: object
    texts: list[str]
    targets: list[int]
    validation: tuple[list[str], list[int]]
    epochs: int
    batch_size: int
    generator: torch.Generator
    device: torch.device
    done: list[Epoch] = field(default_factory=list)

    def __post_init__(self):
        self.steps_per_epoch = math.ceil(len(self.texts) / self.batch_size)
        self.total = self.epochs * self.steps_per_epoch

    def batches(self) -> Iterator[tuple[int, list[int]]]:
        for epoch in range(1, self.epochs + 1):
            order = torch.randperm(
                len(self.texts), generator=self.generator
            ).tolist()  # a new order each epoch
            for start in range(0, len(order), self.batch_size):
                yield epoch, order[start : start + self.batch_size]

    def loss(self, model, batch: list[int]) -> tuple[torch.Tensor, None]:
        inputs = _encode(self.tokenizer, [self.texts[i] for i in batch], self.device)
        target = torch.tensor([self.targets[i] for i in batch], device=self.device)
        return F.cross_entropy(model(**inputs).logits, target), None  # logits: (batch, labels)

    def after_step(self, model, step: int) -> Iterator[Epoch]:
        if step % self.steps_per_epoch:
            return
        val_loss = accuracy = None
        texts, targets = self.validation
        if texts:
            val_loss, accuracy, _p = _evaluate(
                model, self.tokenizer, texts, targets, self.batch_size, self.device
            )
        self.done.append(Epoch(step // self.steps_per_epoch, step, val_loss, accuracy))
        yield self.done[-1]


def fine_tune(
    base: LoadedModel,
    examples: Sequence[Example],
    settings: FineTuneSettings,
    limits: TrainingLimits,
    should_stop: ShouldStop = lambda: False,
    evaluate_on_training: bool = False,
) -> Iterator[Step | Epoch | FineTuneResult]:
    """Fine-tune a copy of the classifier `base` on `examples` (AdamW, cross-entropy, batches in an order
    drawn from the seed), yielding a Step per optimisation step, an Epoch per pass and, last, the result.

    Accuracy and the before/after predictions are on the validation examples; with `evaluate_on_training`
    (the API, which has no validation split), on the training examples. `should_stop()` is asked before each
    step: when it answers True, the run ends there with what it has learnt.
    """
    settings = check_fine_tune(examples, settings, limits)
    train = [e for e in examples if not e.validation]
    shown = train if evaluate_on_training else [e for e in examples if e.validation]
    started = time.monotonic()
    generator = torch.Generator().manual_seed(settings.seed)
    with base.lock:  # an eager-attention switch may be under way; copy the model as it is at rest
        model = copy.deepcopy(base.model)
    model = model.float()  # train in float32 whatever the server's precision
    labels, fresh = label_plan(model.config, [e.label for e in train])
    notices = []
    if fresh:
        new_head(model, labels, generator)
        notices.append(
            lazy(
                "The labels {labels} are not the model's own ({own}): a new classification head was made for "
                "them, starting from random weights.",
                labels=", ".join(labels),
                own=", ".join(base.model.config.id2label[i] for i in range(base.model.config.num_labels)),
            )
        )
    model.eval()  # dropout off: the same seed gives the same losses (gradients flow all the same)
    chosen = set(trainable_names(model, settings.train))
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(name in chosen)
    parameters = [p for name, p in model.named_parameters() if name in chosen]
    label2id = model.config.label2id
    validation = [e for e in examples if e.validation]
    device, tokenizer = base.device, base.tokenizer
    model.to(device)
    objective = Classification(
        tokenizer=tokenizer,
        texts=[e.text for e in train],
        targets=[label2id[e.label] for e in train],
        validation=([e.text for e in validation], [label2id[e.label] for e in validation]),
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        generator=generator,
        device=device,
    )
    shown_texts, shown_targets = [e.text for e in shown], [label2id[e.label] for e in shown]
    accuracy_before, before = 0.0, []
    if shown:
        _loss, accuracy_before, before = _evaluate(
            model, tokenizer, shown_texts, shown_targets, settings.batch_size, device
        )
    run = yield from loop(model, parameters, settings.learning_rate, objective, should_stop, started)
    accuracy_after, after = 0.0, []
    if shown:
        _loss, accuracy_after, after = _evaluate(
            model, tokenizer, shown_texts, shown_targets, settings.batch_size, device
        )
    trained = LoadedModel(
        task="sentiment",
        model_id=f"{base.model_id} (fine-tuned)",
        model=model,
        tokenizer=tokenizer,
        device=device,
    )
    yield FineTuneResult(
        model=trained,
        labels=labels,
        new_head=fresh,
        losses=run.losses,
        epochs=objective.done,
        accuracy_before=accuracy_before,
        accuracy_after=accuracy_after,
        before=before,
        after=after,
        truth=[e.label for e in shown],
        trained_parameters=sum(p.numel() for p in parameters),
        total_parameters=sum(p.numel() for p in model.parameters()),
        seconds=time.monotonic() - started,
        stopped=run.stopped,
        notices=notices + run.notices(),
    )


# --- the tiny GPT ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TinySize:
    n_layer: int
    n_head: int
    n_embd: int
    block_size: int  # the context: tokens per training sequence
    batch_size: int


SIZES = {  # the smallest trains 300 steps in well under a minute on 2 CPU cores (benchmarks/RESULTS.md)
    "tiny": TinySize(n_layer=2, n_head=2, n_embd=64, block_size=64, batch_size=16),
    "small": TinySize(n_layer=4, n_head=4, n_embd=128, block_size=64, batch_size=16),
    "medium": TinySize(n_layer=6, n_head=6, n_embd=192, block_size=128, batch_size=16),
}
TOKENIZERS = ("characters", "generation")  # one token per character; the generation model's tokenizer
END = "<|endoftext|>"


@dataclass(frozen=True)
class TinySettings:
    steps: int = 300
    seed: int = 0
    size: str = "tiny"
    tokenizer: str = "characters"
    learning_rate: float = 3e-3
    sample_every: int = 50
    sample_length: int = 120


@dataclass
class TinyResult:
    model: LoadedModel  # the trained tiny GPT with its tokenizer
    losses: list[float]
    samples: list[Sample]
    perplexity_before: float  # on the text, before the first step (about the vocabulary size: a guess)
    perplexity_after: float
    vocab_size: int
    parameters: int
    seconds: float
    stopped: bool
    notices: list[Message] = field(default_factory=list)
    batch_size: int = 16  # windows per step (fewer than the size's with a large vocabulary)


def char_tokenizer(text: str) -> PreTrainedTokenizerFast:
    """A tokenizer with one token per character of `text` (sorted; the MAX_CHAR_VOCAB most frequent), and
    <|endoftext|> for any other, as GPT-2 reads what it does not know."""
    vocab = {END: 0, **{char: i + 1 for i, char in enumerate(char_vocabulary(text))}}
    backend = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token=END))  # no merges: characters
    backend.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(tokenizer_object=backend, eos_token=END, bos_token=END, unk_token=END)


def init_weights(model: GPT2LMHeadModel, generator: torch.Generator) -> None:
    """GPT-2's initialisation (normal std 0.02, residual projections 0.02/√(2·layers), LayerNorm 1 and 0,
    biases 0) drawn from `generator`, so the same seed gives the same model."""
    residual_std = 0.02 / math.sqrt(2 * model.config.n_layer)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if ".ln_" in name or name.startswith("transformer.ln_f"):
                parameter.fill_(1.0 if name.endswith("weight") else 0.0)
            elif name.endswith("bias"):
                parameter.zero_()
            else:
                std = residual_std if name.endswith("c_proj.weight") else 0.02
                parameter.normal_(0.0, std, generator=generator)


def check_size(size: object, limits: TrainingLimits) -> None:
    """InputError unless `size` is one of SIZES that the server allows."""
    if size not in SIZES:
        raise InputError(
            lazy("The model size must be one of {choices}.", choices=", ".join(SIZES)),
        )
    allowed = list(SIZES)[: list(SIZES).index(limits.max_size) + 1]
    if size not in allowed:
        raise InputError(
            lazy(
                "The {size} model is larger than this server allows; choose {choices}.",
                size=size,
                choices=", ".join(allowed),
            )
        )


def check_tiny(text: object, settings: TinySettings, limits: TrainingLimits) -> TinySettings:
    """The settings if they can be trained with, else InputError."""
    check_text(text, limits.max_chars)
    check_size(settings.size, limits)
    if settings.tokenizer not in TOKENIZERS:
        raise InputError(lazy("The tokenizer must be one of {choices}.", choices=", ".join(TOKENIZERS)))
    return TinySettings(
        steps=check_int(settings.steps, "Steps", 1, limits.max_steps),
        seed=check_int(settings.seed, "The seed", 0, 2**31 - 1),
        size=settings.size,
        tokenizer=settings.tokenizer,
        learning_rate=check_float(settings.learning_rate, "Learning rate", 1e-6, 1.0),
        sample_every=check_int(settings.sample_every, "Sample every", 1, 100_000),
        sample_length=check_int(settings.sample_length, "Sample length", 1, 1000),
    )


def windows(ids: torch.Tensor, block_size: int, limit: int = 64) -> torch.Tensor:
    """Non-overlapping (input + next) windows of the text, at most `limit`: (n, block_size + 1)."""
    count = min(limit, (len(ids) - 1) // block_size)
    return torch.stack([ids[i * block_size : i * block_size + block_size + 1] for i in range(count)])


def perplexity(model, ids: torch.Tensor, block_size: int) -> float:
    """e^(mean next-token loss) over non-overlapping windows of the text, as many windows at a time as keep
    the logits within EVAL_LOGITS (whatever the vocabulary)."""
    chunks = windows(ids, block_size)
    per_pass = max(1, EVAL_LOGITS // (block_size * model.config.vocab_size))
    total = 0.0
    with torch.no_grad():
        for start in range(0, len(chunks), per_pass):
            part = chunks[start : start + per_pass]
            logits = model(input_ids=part[:, :-1]).logits  # (n, T, vocab)
            total += F.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), part[:, 1:].reshape(-1), reduction="sum"
            ).item()
            del logits
    return math.exp(total / (len(chunks) * block_size))


def sample(model, tokenizer, prompt_ids: list[int], length: int, block_size: int, seed: int) -> str:
    """`length` tokens drawn from the model (temperature 1) after `prompt_ids`; the same seed each time, so
    samples differ only by what the model has learnt."""
    generator = torch.Generator().manual_seed(seed)
    ids = torch.tensor([prompt_ids])
    with torch.no_grad():
        for _step in range(length):
            logits = model(input_ids=ids[:, -block_size:]).logits[:, -1, :]  # (1, vocab)
            token = torch.multinomial(logits.softmax(-1), 1, generator=generator)
            ids = torch.cat([ids, token], dim=1)
    return tokenizer.decode(ids[0].tolist(), skip_special_tokens=True)


@dataclass
class NextToken(Objective):
    """The tiny GPT: predict each next token; every step, `batch_size` windows of the text at random starts
    drawn from the generator; a sample every `sample_every` steps (and at the last)."""

    ids: torch.Tensor  # the whole text's token ids
    block_size: int
    batch_size: int
    total: int
    generator: torch.Generator
    sample_every: int
    write: Callable[[torch.nn.Module], str]  # a sample of the model as it is now
    samples: list[Sample] = field(default_factory=list)

    def batches(self) -> Iterator[tuple[int, torch.Tensor]]:
        for _step in range(self.total):
            starts = torch.randint(
                len(self.ids) - self.block_size - 1, (self.batch_size,), generator=self.generator
            )
            yield (
                1,
                torch.stack([self.ids[s : s + self.block_size + 1] for s in starts.tolist()]),
            )  # (B, T + 1)

    def loss(self, model, chunks: torch.Tensor) -> tuple[torch.Tensor, None]:
        logits = model(input_ids=chunks[:, :-1]).logits  # (B, T, vocab)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), chunks[:, 1:].reshape(-1)), None

    def after_step(self, model, step: int) -> Iterator[Sample]:
        if step % self.sample_every == 0 or step == self.total:
            self.samples.append(Sample(step, self.write(model)))
            yield self.samples[-1]


def tiny_tokenizer(text: str, settings: TinySettings, generation_tokenizer=None):
    """The tokenizer a tiny GPT learns with: one token per character, or a copy of the generation model's."""
    if settings.tokenizer == "characters":
        return char_tokenizer(text)
    return whole_text_copy(generation_tokenizer)


def whole_text_copy(tokenizer):
    """A copy of a served model's tokenizer for a training of its own (the shared one is never changed) that
    encodes a whole text at once, to be cut into windows afterwards."""
    tokenizer = copy.deepcopy(tokenizer)
    tokenizer.model_max_length = int(1e30)
    return tokenizer


def train_tiny(
    text: str,
    settings: TinySettings,
    limits: TrainingLimits,
    generation_tokenizer=None,
    should_stop: ShouldStop = lambda: False,
) -> Iterator[Step | Sample | TinyResult]:
    """Pretrain a fresh tiny GPT-2 on `text` (next-token prediction, AdamW, random windows of the text drawn
    from the seed), yielding a Step per optimisation step, a Sample every `sample_every` steps (and at
    steps 0 and the last) and, last, the result. `generation_tokenizer` is used for tokenizer="generation"."""
    settings = check_tiny(text, settings, limits)
    size = SIZES[settings.size]
    started = time.monotonic()
    tokenizer = tiny_tokenizer(text, settings, generation_tokenizer)
    ids = torch.tensor(tokenizer(text, add_special_tokens=False).input_ids, dtype=torch.long)
    if len(ids) < size.block_size + 2:
        raise InputError(
            lazy(
                "The text is too short to train on: it has {count} tokens, and this model needs at least "
                "{needed}. Paste a longer text.",
                count=len(ids),
                needed=size.block_size + 2,
            )
        )
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=size.block_size,
        n_embd=size.n_embd,
        n_layer=size.n_layer,
        n_head=size.n_head,
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    generator = torch.Generator().manual_seed(settings.seed)
    model = GPT2LMHeadModel(config)
    init_weights(model, generator)
    model.eval()  # no dropout anyway; eval keeps it that way
    prompt = ids[:1].tolist()

    def write(model) -> str:
        return sample(model, tokenizer, prompt, settings.sample_length, size.block_size, settings.seed)

    batch_size = batch_for(size.batch_size, size.block_size, len(tokenizer))
    notices = []
    if settings.tokenizer == "characters":
        notices += vocabulary_notice(text, END)
    notices += batch_notice(batch_size, size.batch_size)
    objective = NextToken(
        ids, size.block_size, batch_size, settings.steps, generator, settings.sample_every, write
    )
    before = perplexity(model, ids, size.block_size)
    objective.samples.append(Sample(0, write(model)))
    yield objective.samples[-1]
    run = yield from loop(model, model.parameters(), settings.learning_rate, objective, should_stop, started)
    samples = objective.samples
    if run.stopped and samples[-1].step != len(run.losses):
        samples.append(Sample(len(run.losses), write(model)))  # what it writes where it stopped
    after = perplexity(model, ids, size.block_size)
    tokenizer.model_max_length = size.block_size
    loaded = LoadedModel(
        task="generation",
        model_id=f"tiny-gpt2-{settings.size}",
        model=model,
        tokenizer=tokenizer,
        device=torch.device("cpu"),
    )
    yield TinyResult(
        model=loaded,
        losses=run.losses,
        samples=samples,
        perplexity_before=before,
        perplexity_after=after,
        vocab_size=len(tokenizer),
        parameters=sum(p.numel() for p in model.parameters()),
        seconds=time.monotonic() - started,
        stopped=run.stopped,
        notices=notices + run.notices(),
        batch_size=batch_size,
    )


def last(events: Iterator) -> object:
    """Run a training to its end; its result (the last event)."""
    result = None
    for event in events:
        result = event
    return result
