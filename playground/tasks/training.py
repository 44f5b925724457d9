"""Training, live: fine-tune the sentiment classifier on labelled sentences, and pretrain a tiny GPT from scratch.

Both are generators. They yield progress events as they go (`Step` after every optimisation step, `Epoch`
after every pass over the data, `Sample` for the tiny GPT) and, last, their result (`FineTuneResult`,
`TinyResult`). Nothing they do touches the server's models: the classifier is trained on a deep copy, the tiny
GPT is a fresh model. Every random choice (the order of the batches, the new weights, the samples) comes from
a `torch.Generator` seeded with the seed given, and dropout is off, so the same data, settings and seed give
the same losses and the same model on a CPU; `fine_tune_code` and `tiny_code` write the plain
PyTorch/transformers loop that reproduces a run, step for step.
"""

from __future__ import annotations

import copy
import csv
import io
import math
import time
from collections.abc import Callable, Iterator, Sequence
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
ShouldStop = Callable[[], bool]


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
    batch_size = check_int(settings.batch_size, "Batch size", 1, 256)
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
    """(mean loss, accuracy, predictions) of `model` on texts with target ids (no gradients)."""
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
    optimizer = torch.optim.AdamW(parameters, lr=settings.learning_rate)
    label2id = model.config.label2id
    texts, targets = [e.text for e in train], [label2id[e.label] for e in train]
    shown_texts, shown_targets = [e.text for e in shown], [label2id[e.label] for e in shown]
    device, tokenizer = base.device, base.tokenizer
    model.to(device)
    accuracy_before, before = 0.0, []
    if shown:
        _loss, accuracy_before, before = _evaluate(
            model, tokenizer, shown_texts, shown_targets, settings.batch_size, device
        )
    steps_per_epoch = math.ceil(len(train) / settings.batch_size)
    total = settings.epochs * steps_per_epoch
    losses, epochs, stopped = [], [], False
    for epoch in range(1, settings.epochs + 1):
        order = torch.randperm(len(train), generator=generator).tolist()
        for start in range(0, len(order), settings.batch_size):
            if should_stop():
                stopped = True
                break
            batch = order[start : start + settings.batch_size]
            inputs = _encode(tokenizer, [texts[i] for i in batch], device)
            target = torch.tensor([targets[i] for i in batch], device=device)
            loss = F.cross_entropy(model(**inputs).logits, target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            yield Step(len(losses), total, losses[-1], epoch, time.monotonic() - started)
        if stopped:
            break
        val_loss = accuracy = None
        validation = [e for e in examples if e.validation]
        if validation:
            val_loss, accuracy, _p = _evaluate(
                model,
                tokenizer,
                [e.text for e in validation],
                [label2id[e.label] for e in validation],
                settings.batch_size,
                device,
            )
        epochs.append(Epoch(epoch, len(losses), val_loss, accuracy))
        yield epochs[-1]
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    accuracy_after, after = 0.0, []
    if shown:
        _loss, accuracy_after, after = _evaluate(
            model, tokenizer, shown_texts, shown_targets, settings.batch_size, device
        )
    if stopped:
        notices.append(lazy("Stopped after {steps} of {total} steps.", steps=len(losses), total=total))
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
        losses=losses,
        epochs=epochs,
        accuracy_before=accuracy_before,
        accuracy_after=accuracy_after,
        before=before,
        after=after,
        truth=[e.label for e in shown],
        trained_parameters=sum(p.numel() for p in parameters),
        total_parameters=sum(p.numel() for p in model.parameters()),
        seconds=time.monotonic() - started,
        stopped=stopped,
        notices=notices,
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


def char_tokenizer(text: str) -> PreTrainedTokenizerFast:
    """A tokenizer with one token per character of `text` (sorted), and <|endoftext|> for any other."""
    vocab = {END: 0, **{char: i + 1 for i, char in enumerate(sorted(set(text)))}}
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


def check_tiny(text: object, settings: TinySettings, limits: TrainingLimits) -> TinySettings:
    """The settings if they can be trained with, else InputError."""
    check_text(text, limits.max_chars)
    if settings.size not in SIZES:
        raise InputError(
            lazy("The model size must be one of {choices}.", choices=", ".join(SIZES)),
        )
    allowed = list(SIZES)[: list(SIZES).index(limits.max_size) + 1]
    if settings.size not in allowed:
        raise InputError(
            lazy(
                "The {size} model is larger than this server allows; choose {choices}.",
                size=settings.size,
                choices=", ".join(allowed),
            )
        )
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
    """e^(mean next-token loss) over non-overlapping windows of the text."""
    chunks = windows(ids, block_size)
    with torch.no_grad():
        logits = model(input_ids=chunks[:, :-1]).logits
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), chunks[:, 1:].reshape(-1))
    return math.exp(loss.item())


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
    if settings.tokenizer == "characters":
        tokenizer = char_tokenizer(text)
    else:
        tokenizer = copy.deepcopy(generation_tokenizer)
        tokenizer.model_max_length = int(1e30)  # the whole text is encoded at once, then cut into windows
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
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate)
    prompt = ids[:1].tolist()
    before = perplexity(model, ids, size.block_size)
    samples = [
        Sample(0, sample(model, tokenizer, prompt, settings.sample_length, size.block_size, settings.seed))
    ]
    yield samples[-1]
    losses, stopped = [], False
    for step in range(1, settings.steps + 1):
        if should_stop():
            stopped = True
            break
        starts = torch.randint(len(ids) - size.block_size - 1, (size.batch_size,), generator=generator)
        chunks = torch.stack([ids[s : s + size.block_size + 1] for s in starts.tolist()])  # (B, T + 1)
        logits = model(input_ids=chunks[:, :-1]).logits  # (B, T, vocab)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), chunks[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        yield Step(step, settings.steps, losses[-1], 1, time.monotonic() - started)
        if step % settings.sample_every == 0 or step == settings.steps:
            text_now = sample(
                model, tokenizer, prompt, settings.sample_length, size.block_size, settings.seed
            )
            samples.append(Sample(step, text_now))
            yield samples[-1]
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    after = perplexity(model, ids, size.block_size)
    notices = []
    if stopped:
        notices.append(
            lazy("Stopped after {steps} of {total} steps.", steps=len(losses), total=settings.steps)
        )
        if not samples or samples[-1].step != len(losses):
            samples.append(
                Sample(
                    len(losses),
                    sample(model, tokenizer, prompt, settings.sample_length, size.block_size, settings.seed),
                )
            )
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
        losses=losses,
        samples=samples,
        perplexity_before=before,
        perplexity_after=after,
        vocab_size=len(tokenizer),
        parameters=sum(p.numel() for p in model.parameters()),
        seconds=time.monotonic() - started,
        stopped=stopped,
        notices=notices,
    )


def last(events: Iterator) -> object:
    """Run a training to its end; its result (the last event)."""
    result = None
    for event in events:
        result = event
    return result
