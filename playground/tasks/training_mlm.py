"""Pretrain a tiny BERT from scratch: masked language modelling, as BERT was pretrained.

The objective (`MaskedTokens`) runs in the one loop every training shares (tasks/training.py): every step,
`batch_size` windows of the text at random starts drawn from the seed, each wrapped in [CLS] … [SEP]; then
transformers' `DataCollatorForLanguageModeling` (seeded) chooses `mask_probability` of the tokens and, of
those, puts [MASK] in 80%, a random token in 10% and keeps 10%; the loss is the model's own cross-entropy on
the chosen tokens. Progress: a Step (with the accuracy on the chosen tokens) per step, a `MaskedBatch` (one
batch as the model sees it) at the first step and with every probe, and a `Probe` (the top predictions for
a sentence with [MASK], as the Fill-Mask tab makes them) at step 0, every `probe_every` steps and at the last.
`training_code.mlm_code` writes the plain loop that gives the same losses.

By default the model reads words (`bert_word_tokenizer`: the text's own words, counted, as bert-base-uncased
splits them; each Chinese character a token), in 256 windows of 30 tokens a step at the smallest size (`MLM_SIZES`): with one token
per character it could only learn which letters are frequent in 300 steps, and the probe never left noise.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import BertConfig, BertForMaskedLM, DataCollatorForLanguageModeling, PreTrainedTokenizerFast

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.tasks import fill_mask
from playground.tasks.training import (
    MAX_CHAR_VOCAB,
    SIZES,
    Objective,
    ShouldStop,
    Step,
    TrainingLimits,
    batch_for,
    batch_notice,
    builtin_text,
    char_vocabulary,
    check_size,
    loop,
    vocabulary_notice,
    whole_text_copy,
)
from playground.tasks.validation import InputError, check_float, check_int, check_text

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]  # ids 0..4 of the text's own tokenizers, as BERT's
# words: the text's own words (WordPiece, spelled in pieces past the cap; Chinese: one token per character);
# one token per character; the fill-mask model's tokenizer
MLM_TOKENIZERS = ("words", "characters", "fill-mask")
MAX_WORD_VOCAB = MAX_CHAR_VOCAB + len(SPECIALS)  # the words' vocabulary is capped as the characters' is
MAX_PIECES = MAX_CHAR_VOCAB // 2  # of it, at most this many first characters, and as many ##inside ones
SHOWN_ROWS = 4  # the rows of a batch the page shows
TOP_K = 5  # predictions per probe
MAX_PROBE_CHARS = 300
KINDS = ("masked", "replaced", "kept")  # what the collator did with a chosen token
# The tiny BERT's sizes: the tiny GPT's layers and widths, with shorter windows and many more of them a step,
# since BERT learns only at the 15% of the tokens chosen (256 windows of 30 tokens: about 1,150 a step; 16 of
# 62, the GPT's shape, gave 150 and a model still guessing "the" everywhere after 300 steps).
# The larger sizes take fewer windows: their activations, not their logits, bound a step's memory (issue 30's
# 500 MB a request; `medium` with 256 windows took 592 MB above the idle process).
MLM_WINDOWS = {"tiny": 256, "small": 128, "medium": 64}
MLM_SIZES = {
    name: dataclasses.replace(size, block_size=32, batch_size=MLM_WINDOWS[name])
    for name, size in SIZES.items()
}
# The weights start wider than BERT's 0.02: a 64-wide model's attention then leaves its uniform start (where
# every guess is the text's most frequent word) within the first hundred steps.
INITIALIZER_RANGE = 0.1
# The probe for each built-in text: one of its sentences, a word (a character, in Chinese) masked.
BUILTIN_PROBES = {"en": "The cat sat on the [MASK] by the window.", "zh": "小猫坐在窗边的[MASK]子上。"}


@dataclass(frozen=True)
class MlmSettings:
    steps: int = 300
    seed: int = 0
    size: str = "tiny"
    tokenizer: str = "words"
    learning_rate: float = 2e-3
    mask_probability: float = 0.15
    probe_every: int = 50
    probe: str | None = None  # a sentence with [MASK]; None: one made from the text (`default_probe`)


@dataclass
class Prediction:
    token_str: str
    score: float


@dataclass
class Probe:
    step: int
    text: str  # the probe sentence, with the model's [MASK]
    predictions: list[Prediction]  # the top TOP_K at its first mask, best first


@dataclass
class Cell:
    token: str  # what the model reads here
    original: str  # the text's own token
    kind: str = ""  # "" (not chosen), or one of KINDS


@dataclass
class MaskedBatch:
    step: int
    rows: list[list[Cell]]  # the first SHOWN_ROWS sequences of the step's batch
    counts: dict[str, int]  # in the whole batch: chosen tokens by kind, and "tokens" (all but specials)


@dataclass
class MlmResult:
    model: LoadedModel  # the trained tiny BERT with its tokenizer (task "fill-mask")
    losses: list[float]
    accuracies: list[float]  # on the chosen tokens, one per step
    probes: list[Probe]
    batch: MaskedBatch | None  # the last batch shown
    probe: str  # the probe sentence
    vocab_size: int
    parameters: int
    batch_size: int
    seconds: float
    stopped: bool
    notices: list[Message] = field(default_factory=list)


def bert_char_tokenizer(text: str) -> PreTrainedTokenizerFast:
    """BERT's special tokens ([PAD] [UNK] [CLS] [SEP] [MASK]), then one token per character of `text` (the
    MAX_CHAR_VOCAB most frequent, sorted); [UNK] for any other. Encoding adds [CLS] … [SEP], as BERT's."""
    chars = char_vocabulary(text)
    vocab = {**{t: i for i, t in enumerate(SPECIALS)}, **{c: i + len(SPECIALS) for i, c in enumerate(chars)}}
    backend = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="[UNK]"))  # no merges: characters
    backend.decoder = decoders.Fuse()
    return as_bert_tokenizer(backend)


def word_splitter() -> Tokenizer:
    """bert-base-uncased's way into words: lowercased, split at spaces and punctuation, each Chinese character
    a word of its own (handle_chinese_chars)."""
    backend = Tokenizer(models.WordPiece({"[UNK]": 0}, unk_token="[UNK]"))
    backend.normalizer = normalizers.BertNormalizer(
        lowercase=True, handle_chinese_chars=True, strip_accents=False
    )
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    return backend


def text_words(text: str) -> Counter:
    """How often each word of the text occurs, in the order first seen."""
    splitter = word_splitter()
    normalized = splitter.normalizer.normalize_str(text)
    return Counter(word for word, _span in splitter.pre_tokenizer.pre_tokenize_str(normalized))


def word_vocabulary(text: str) -> list[str]:
    """The word tokenizer's tokens, in id order: BERT's special tokens; the MAX_PIECES most frequent first
    characters of a word and the MAX_PIECES most frequent characters inside one (##c), so that any word of
    those is spelled out; then the text's words, the most frequent first (ties: the first seen), as many as
    fit in MAX_WORD_VOCAB. Counted, never sampled: the same text gives the same vocabulary."""
    words = text_words(text)
    starts, insides = Counter(), Counter()
    for word, count in words.items():
        starts[word[0]] += count
        for char in word[1:]:
            insides[char] += count
    pieces = [c for c, _n in starts.most_common(MAX_PIECES)]
    pieces += ["##" + c for c, _n in insides.most_common(MAX_PIECES)]
    room = MAX_WORD_VOCAB - len(SPECIALS) - len(pieces)
    known = set(pieces)
    whole = [word for word, _n in words.most_common() if word not in known][:room]
    return SPECIALS + pieces + whole


def unknown_notice(text: str, vocabulary: list[str]) -> list[Message]:
    """One sentence when some of the text's characters cannot be spelled with the vocabulary."""
    chars = set("".join(text_words(text)))
    unknown = {c for c in chars if c not in vocabulary and "##" + c not in vocabulary}
    if not unknown:
        return []
    return [
        lazy(
            "The text has {count} different characters; the model learns the {limit} most frequent, and reads "
            "each of the other {rest} as the one unknown token {unknown}.",
            count=f"{len(chars):,}",
            limit=f"{len(chars) - len(unknown):,}",
            rest=f"{len(unknown):,}",
            unknown="[UNK]",
        )
    ]


def bert_word_tokenizer(text: str) -> PreTrainedTokenizerFast:
    """BERT's special tokens, then the text's own words (`word_vocabulary`) read as bert-base-uncased reads
    (`word_splitter`, WordPiece: a word in the vocabulary is one token, another is spelled in pieces, [UNK]
    when it cannot be). Encoding adds [CLS] … [SEP], as BERT's."""
    vocabulary = word_vocabulary(text)
    backend = word_splitter()
    backend.model = models.WordPiece({token: i for i, token in enumerate(vocabulary)}, unk_token="[UNK]")
    backend.decoder = decoders.WordPiece()
    return as_bert_tokenizer(backend)


def as_bert_tokenizer(backend: Tokenizer) -> PreTrainedTokenizerFast:
    """`backend` with BERT's special tokens ("[MASK]" typed in a text is the mask token, not six characters)
    and [CLS] … [SEP] around every text."""
    backend.add_special_tokens(SPECIALS)
    backend.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        pad_token="[PAD]",
        unk_token="[UNK]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )


def init_bert(model: BertForMaskedLM, generator: torch.Generator) -> None:
    """BERT's initialisation (normal std 0.02, LayerNorm 1 and 0, biases 0) drawn from `generator`."""
    std = model.config.initializer_range
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "LayerNorm" in name:
                parameter.fill_(1.0 if name.endswith("weight") else 0.0)
            elif name.endswith("bias"):
                parameter.zero_()
            else:
                parameter.normal_(0.0, std, generator=generator)


def default_probe(text: str, tokenizer, kind: str, max_tokens: int = 30) -> str:
    """A probe made from the text: its first sentence (at most `max_tokens` tokens of it, so that it fits the
    model), one token near its middle replaced by [MASK] (a character inside a word with one token per
    character; a whole word with the fill-mask tokenizer)."""
    sentence = re.split(r"(?<=[.!?。！？\n])", text.strip(), maxsplit=1)[0].strip()[:80] or text.strip()[:80]
    encoded = tokenizer(sentence, add_special_tokens=False, return_offsets_mapping=True)
    if len(encoded["input_ids"]) > max_tokens:
        sentence = sentence[: encoded["offset_mapping"][max_tokens - 1][1]]
        encoded = tokenizer(sentence, add_special_tokens=False, return_offsets_mapping=True)
    pieces = tokenizer.convert_ids_to_tokens(encoded["input_ids"])
    spans = encoded["offset_mapping"]
    middle = len(sentence) / 2

    def whole(i: int) -> bool:  # a word of its own, in the tokenizer's eyes: not a piece of a longer word
        return not pieces[i].startswith("##") and (i + 1 == len(pieces) or not pieces[i + 1].startswith("##"))

    def inside(i: int) -> bool:  # a character between two letters of the same word
        start, end = spans[i]
        return 0 < start and end < len(sentence) and sentence[start - 1].isalpha() and sentence[end].isalpha()

    words = [
        i
        for i, (start, end) in enumerate(spans)
        if end > start and sentence[start:end].isalpha() and pieces[i] not in SPECIALS
    ]
    preferred = [i for i in words if (inside(i) if kind == "characters" else whole(i))] or words
    if not preferred:
        return sentence + " [MASK]"
    best = min(preferred, key=lambda i: abs((spans[i][0] + spans[i][1]) / 2 - middle))
    start, end = spans[best]
    return sentence[:start] + "[MASK]" + sentence[end:]


def builtin_probe(text: str) -> str | None:
    """The probe of a built-in text (BUILTIN_PROBES), None for any other text."""
    for language, probe in BUILTIN_PROBES.items():
        if text.strip() == builtin_text(language).strip():
            return probe
    return None


def check_mlm(text: object, settings: MlmSettings, limits: TrainingLimits) -> MlmSettings:
    """The settings if they can be trained with, else InputError."""
    check_text(text, limits.max_chars)
    check_size(settings.size, limits)
    if settings.tokenizer not in MLM_TOKENIZERS:
        raise InputError(lazy("The tokenizer must be one of {choices}.", choices=", ".join(MLM_TOKENIZERS)))
    probability = check_float(settings.mask_probability, "The mask probability", 0.0, 1.0)
    if not 0.0 < probability < 1.0:
        raise InputError(
            lazy(
                "The mask probability must lie between 0 and 1 (BERT used 0.15); got {value}.",
                value=probability,
            )
        )
    probe = settings.probe
    if probe is not None and str(probe).strip():
        probe = check_text(probe, MAX_PROBE_CHARS, "probe")
        if not fill_mask.MASK_SPELLINGS.search(probe):
            raise InputError(
                lazy("The probe sentence needs a [MASK] (or ___) where the model should guess a token.")
            )
    else:
        probe = None
    return MlmSettings(
        steps=check_int(settings.steps, "Steps", 1, limits.max_steps),
        seed=check_int(settings.seed, "The seed", 0, 2**31 - 1),
        size=settings.size,
        tokenizer=settings.tokenizer,
        learning_rate=check_float(settings.learning_rate, "Learning rate", 1e-6, 1.0),
        mask_probability=probability,
        probe_every=check_int(settings.probe_every, "A probe every", 1, 100_000),
        probe=probe,
    )


@dataclass
class MaskedTokens(Objective):
    """The tiny BERT: every step `batch_size` windows of the text at random starts ([CLS] window [SEP]),
    masked by the collator; the loss the model gives on the chosen tokens; a probe every `probe_every` steps."""

    ids: torch.Tensor  # the whole text's token ids
    length: int  # text tokens per window (between [CLS] and [SEP])
    batch_size: int
    total: int
    generator: torch.Generator
    collator: DataCollatorForLanguageModeling
    tokenizer: object
    probe_every: int
    ask: Callable[[int], Probe]  # the probe's predictions of the model as it is now
    probes: list[Probe] = field(default_factory=list)
    shown: MaskedBatch | None = None
    _last: tuple | None = None  # the last step's (rows, batch)

    def batches(self) -> Iterator[tuple[int, tuple[torch.Tensor, dict]]]:
        cls, sep = self.tokenizer.cls_token_id, self.tokenizer.sep_token_id
        for _step in range(self.total):
            starts = torch.randint(
                len(self.ids) - self.length + 1, (self.batch_size,), generator=self.generator
            )
            rows = [[cls, *self.ids[s : s + self.length].tolist(), sep] for s in starts.tolist()]
            batch = self.collator(rows)  # input_ids masked; labels -100 except at the chosen tokens
            yield 1, (torch.tensor(rows), batch)

    def loss(self, model, batch) -> tuple[torch.Tensor, float]:
        rows, inputs = batch
        self._last = batch
        output = model(**inputs)  # logits: (B, T, vocab)
        chosen = inputs["labels"] != -100
        if not chosen.any():  # the collator chose no token of this batch: nothing to learn from it
            return output.logits.sum() * 0.0, 0.0
        right = output.logits.argmax(-1)[chosen] == inputs["labels"][chosen]
        return output.loss, right.float().mean().item()

    def after_step(self, model, step: int) -> Iterator[MaskedBatch | Probe]:
        if step == 1 or step % self.probe_every == 0 or step == self.total:
            self.shown = shown_batch(step, *self._last, self.tokenizer)
            yield self.shown
        if step % self.probe_every == 0 or step == self.total:
            self.probes.append(self.ask(step))
            yield self.probes[-1]


def shown_batch(step: int, rows: torch.Tensor, batch: dict, tokenizer) -> MaskedBatch:
    """The batch as the model sees it: each chosen token marked masked ([MASK]), replaced (a random token) or
    kept (the collator chose it but left it as it was: the model must still predict it)."""
    inputs, labels = batch["input_ids"], batch["labels"]
    chosen = labels != -100
    masked = chosen & (inputs == tokenizer.mask_token_id)
    replaced = chosen & ~masked & (inputs != rows)
    kept = chosen & ~masked & ~replaced
    kinds = torch.full(rows.shape, 0)
    kinds[masked], kinds[replaced], kinds[kept] = 1, 2, 3
    names = ("",) + KINDS
    special = torch.tensor([[i in tokenizer.all_special_ids for i in row] for row in rows.tolist()])
    counts = {"tokens": int((~special).sum()), "chosen": int(chosen.sum())}
    counts |= {"masked": int(masked.sum()), "replaced": int(replaced.sum()), "kept": int(kept.sum())}
    shown = []
    for row, seen, kind in zip(rows[:SHOWN_ROWS], inputs[:SHOWN_ROWS], kinds[:SHOWN_ROWS], strict=True):
        originals = tokenizer.convert_ids_to_tokens(row.tolist())
        tokens = tokenizer.convert_ids_to_tokens(seen.tolist())
        shown.append([Cell(t, o, names[k]) for t, o, k in zip(tokens, originals, kind.tolist(), strict=True)])
    return MaskedBatch(step, shown, counts)


def probe_predictions(loaded: LoadedModel, probe: str, step: int) -> Probe:
    """The top TOP_K predictions at the probe's first mask, as the Fill-Mask tab computes them."""
    prepared = fill_mask.preprocess(loaded, fill_mask.FillMaskRequest(probe, TOP_K), MAX_PROBE_CHARS)
    (probs,) = fill_mask.forward(loaded, [prepared])
    result = fill_mask.postprocess(loaded, prepared, probs)
    return Probe(step, prepared.text, [Prediction(c.token_str, c.score) for c in result.masks[0]])


def mlm_tokenizer(text: str, settings: MlmSettings, fill_mask_tokenizer=None):
    """The tokenizer a tiny BERT learns with: a WordPiece vocabulary of the text's words, one token per
    character, or a copy of the fill-mask model's."""
    if settings.tokenizer == "words":
        return bert_word_tokenizer(text)
    if settings.tokenizer == "characters":
        return bert_char_tokenizer(text)
    return whole_text_copy(fill_mask_tokenizer)


def pretrain_mlm(
    text: str,
    settings: MlmSettings,
    limits: TrainingLimits,
    fill_mask_tokenizer=None,
    should_stop: ShouldStop = lambda: False,
) -> Iterator[Step | MaskedBatch | Probe | MlmResult]:
    """Pretrain a fresh tiny BERT on `text` with BERT's masked-language-model objective, yielding a Step per
    optimisation step, MaskedBatch and Probe events, and, last, the result. `fill_mask_tokenizer` is used for
    tokenizer="fill-mask"."""
    settings = check_mlm(text, settings, limits)
    size = MLM_SIZES[settings.size]
    started = time.monotonic()
    tokenizer = mlm_tokenizer(text, settings, fill_mask_tokenizer)
    if tokenizer.mask_token_id is None or tokenizer.cls_token_id is None or tokenizer.sep_token_id is None:
        raise InputError(
            lazy(
                "The fill-mask model's tokenizer has no [MASK], [CLS] or [SEP]: use one token per character."
            )
        )
    ids = torch.tensor(tokenizer(text, add_special_tokens=False).input_ids, dtype=torch.long)
    length = size.block_size - 2
    if len(ids) < size.block_size:
        raise InputError(
            lazy(
                "The text is too short to train on: it has {count} tokens, and this model needs at least "
                "{needed}. Paste a longer text.",
                count=len(ids),
                needed=size.block_size,
            )
        )
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=size.n_embd,
        num_hidden_layers=size.n_layer,
        num_attention_heads=size.n_head,
        intermediate_size=4 * size.n_embd,
        max_position_embeddings=size.block_size,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        pad_token_id=tokenizer.pad_token_id,
        initializer_range=INITIALIZER_RANGE,
    )
    generator = torch.Generator().manual_seed(settings.seed)
    model = BertForMaskedLM(config)
    init_bert(model, generator)
    model.eval()  # no dropout anyway; eval keeps it that way
    tokenizer.model_max_length = size.block_size
    loaded = LoadedModel(
        task="fill-mask",
        model_id=f"tiny-bert-{settings.size}",
        model=model,
        tokenizer=tokenizer,
        device=torch.device("cpu"),
    )
    probe = settings.probe or builtin_probe(text)
    probe = probe or default_probe(text, tokenizer, settings.tokenizer, size.block_size - 2)  # [CLS], [SEP]
    first = probe_predictions(loaded, probe, 0)  # a probe that cannot be read is refused before any training
    collator = DataCollatorForLanguageModeling(
        tokenizer, mlm_probability=settings.mask_probability, seed=settings.seed
    )
    batch_size = batch_for(size.batch_size, size.block_size, len(tokenizer))
    notices = []
    if settings.tokenizer == "characters":
        notices = vocabulary_notice(text, "[UNK]")
    elif settings.tokenizer == "words":
        notices = unknown_notice(text, tokenizer.convert_ids_to_tokens(list(range(len(tokenizer)))))
    notices += batch_notice(batch_size, size.batch_size)
    objective = MaskedTokens(
        ids=ids,
        length=length,
        batch_size=batch_size,
        total=settings.steps,
        generator=generator,
        collator=collator,
        tokenizer=tokenizer,
        probe_every=settings.probe_every,
        ask=lambda step: probe_predictions(loaded, probe, step),
    )
    objective.probes.append(first)
    yield objective.probes[-1]
    run = yield from loop(model, model.parameters(), settings.learning_rate, objective, should_stop, started)
    if run.stopped and run.losses and objective.probes[-1].step != len(run.losses):
        objective.probes.append(probe_predictions(loaded, probe, len(run.losses)))  # where it stopped
    yield MlmResult(
        model=loaded,
        losses=run.losses,
        accuracies=[a or 0.0 for a in run.accuracies],
        probes=objective.probes,
        batch=objective.shown,
        probe=objective.probes[-1].text,
        vocab_size=len(tokenizer),
        parameters=sum(p.numel() for p in model.parameters()),
        batch_size=batch_size,
        seconds=time.monotonic() - started,
        stopped=run.stopped,
        notices=notices + run.notices(),
    )
