"""Evaluation, as the course judges models: perplexity (how surprised a language model is by a text), and BLEU
and ROUGE (how close a candidate text is to reference texts).

Perplexity reuses the Generate tab's per-token log-probabilities (`generation.perplexity`); a text longer than
the model reads at once is read in overlapping windows, as Hugging Face's perplexity guide does. BLEU is
sacrebleu's and ROUGE is rouge-score's, the numbers people cite: this module calls them and keeps what explains
their numbers (the tokens each library sees, the matched n-grams, BLEU's precisions and brevity penalty,
ROUGE-L's longest common subsequence); it never recomputes a score.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from rouge_score import rouge_scorer, tokenizers
from sacrebleu.metrics import BLEU
from sacrebleu.metrics.helpers import extract_all_word_ngrams

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.tasks.generation import perplexity as token_logprobs
from playground.tasks.text import token_strings
from playground.tasks.validation import InputError, check_text, type_name

# --- Perplexity ---------------------------------------------------------------------------------------------


@dataclass
class TextPerplexity:
    """How surprised the model was by each token of a text, given the tokens before it."""

    tokens: list[str]  # every token of the text, as a reader sees it
    logprobs: list[
        float
    ]  # log p(tokens[i + 1] | the tokens before it), natural log: one per token after the first
    window: int  # the most tokens the model reads at once (its context)
    stride: int  # how far each window moves on, when the text needs several
    windows: int  # how many windows the text was read in (1: all of it at once)
    notices: list[Message] = field(default_factory=list)

    @property
    def mean_surprise(self) -> float:
        """The average of −log p over the tokens after the first, in nats: the model's cross-entropy loss."""
        return -sum(self.logprobs) / len(self.logprobs)

    @property
    def perplexity(self) -> float:
        """e^(average surprise), the same as exp(model(ids, labels=ids).loss) for a text that fits."""
        return math.exp(self.mean_surprise)


def text_perplexity(
    loaded: LoadedModel,
    text: str,
    max_chars: int,
    on_window: Callable[[int, int], None] | None = None,
) -> TextPerplexity:
    """The log-probability of every token of `text` after the first under a causal language model.

    The text is tokenized as the Generate tab does (no special tokens added). A text longer than the model's
    context is read in windows of the context's length, each starting half a context after the one before (as
    Hugging Face's perplexity guide does, with stride = context / 2); each token is scored once, in the first
    window where it is among the new tokens, so every token after the first context is predicted from at least
    half a context of tokens before it. `on_window(done, total)` is called after each window (a progress bar).
    """
    text = check_text(text, max_chars)
    # verbose=False: no warning that the text is longer than the model reads; it is read in windows
    ids = loaded.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]
    if len(ids) < 2:
        raise InputError(
            lazy(
                "Perplexity needs at least two tokens: the first token has nothing before it to be predicted "
                "from. This text has {count}; please type a longer text.",
                count=len(ids),
            )
        )
    window = loaded.context_length
    stride = max(1, window // 2)
    starts = window_starts(len(ids), window, stride)
    logprobs: list[float] = []
    scored = 0  # tokens scored so far (ids[:scored] are done)
    for done, begin in enumerate(starts, start=1):
        end = min(begin + window, len(ids))
        values = token_logprobs(loaded, ids[begin:end], []).logprobs  # [None, log p(ids[begin+1]) ...]
        new = end - scored  # the tokens this window scores for the first time
        logprobs += [v for v in values[len(values) - new :] if v is not None]
        scored = end
        if on_window is not None:
            on_window(done, len(starts))
    notices = []
    if len(starts) > 1:
        notices.append(
            lazy(
                "The text has {tokens} tokens, more than the {window} this model reads at once: it was read in "
                "{windows} overlapping windows of {window} tokens, each {stride} tokens after the one before (as "
                "Hugging Face's perplexity guide does), so every token is predicted from at least {context} "
                "tokens before it, or from all of them near the start.",
                tokens=len(ids),
                window=window,
                windows=len(starts),
                stride=stride,
                context=window - stride,
            )
        )
    return TextPerplexity(
        tokens=token_strings(loaded.tokenizer, ids),
        logprobs=logprobs,
        window=window,
        stride=stride,
        windows=len(starts),
        notices=notices,
    )


def window_starts(length: int, window: int, stride: int) -> list[int]:
    """Where each window begins: every `stride` tokens, until a window reaches the end of the text."""
    starts = [0]
    while starts[-1] + window < length:
        starts.append(starts[-1] + stride)
    return starts


def shuffle_words(text: object, seed: object = 0) -> str:
    """The words of `text` in a random order (the same seed, the same order); a text written without spaces
    between its words (Chinese) has its characters shuffled instead."""
    if not isinstance(text, str) or not text.strip():
        raise InputError(lazy("Please type some {what} first: it is empty.", what=lazy("text")))
    if isinstance(seed, bool) or not isinstance(seed, (int, float)) or seed != seed:
        seed = 0
    rng = random.Random(int(seed))
    words = text.split()
    if len(words) > 1:
        rng.shuffle(words)
        return " ".join(words)
    characters = list(words[0])
    rng.shuffle(characters)
    return "".join(characters)


# --- BLEU and ROUGE -----------------------------------------------------------------------------------------

LANGUAGES = ("en", "zh")
BLEU_TOKENIZERS = {"en": "13a", "zh": "zh"}  # sacrebleu's standard tokenizers: 13a (WMT), zh (characters)
ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")
MAX_REFERENCES = 8
# ROUGE-L compares every token of the candidate with every token of each reference (a table of both lengths):
# the most comparisons one request may ask for (about a second of work).
MAX_LCS_CELLS = 4_000_000


class CharacterTokenizer(tokenizers.Tokenizer):
    """rouge-score's tokenizer for Chinese: every character a token, whitespace dropped. (rouge-score's default
    tokenizer keeps only the letters a-z and digits, so Chinese text would have no tokens at all.)"""

    def tokenize(self, text):
        return [character for character in text if not character.isspace()]


def rouge_tokenizer(language: str) -> tokenizers.Tokenizer:
    """The tokenizer ROUGE uses for `language`: rouge-score's default (lower-cased words) or characters."""
    return CharacterTokenizer() if language == "zh" else tokenizers.DefaultTokenizer(use_stemmer=False)


@dataclass
class NgramMatch:
    ngram: tuple[str, ...]
    count: int  # how many times it counts as matched (clipped: never more than a reference has it)


@dataclass
class BleuDetails:
    """sacrebleu's corpus_bleu of one candidate, and the n-grams behind its counts."""

    score: float  # 0-100
    precisions: list[float]  # per order 1..4, in %
    counts: list[int]  # matched n-grams per order (clipped)
    totals: list[int]  # the candidate's n-grams per order
    brevity_penalty: float
    sys_len: int  # the candidate's tokens
    ref_len: int  # the tokens of the reference closest in length
    tokenize: str  # sacrebleu's tokenizer
    signature: str  # sacrebleu's reproducibility signature
    candidate_tokens: list[str]
    reference_tokens: list[list[str]]
    matches: list[NgramMatch]  # every matched n-gram of the candidate, shortest first


@dataclass
class RougeDetails:
    """One kind of ROUGE against the reference that gave it its best F-measure (rouge-score's score_multi)."""

    kind: str  # rouge1, rouge2, rougeL
    precision: float
    recall: float
    fmeasure: float
    reference: int  # which reference (0-based) scored best
    matches: list[NgramMatch]  # rouge1 / rouge2: the n-grams in common with that reference
    lcs: list[str]  # rougeL: a longest common subsequence of the candidate and that reference


@dataclass
class TextScores:
    candidate: str
    references: list[str]
    language: str
    bleu: BleuDetails
    rouge: dict[str, RougeDetails]
    rouge_candidate_tokens: list[str]  # the tokens rouge-score compares
    rouge_reference_tokens: list[list[str]]


def check_references(references: object, max_chars: int) -> list[str]:
    """The references if they are a list of 1 to MAX_REFERENCES usable texts, else InputError."""
    if not isinstance(references, (list, tuple)):
        raise InputError(
            lazy(
                'The references must be a list of texts, such as ["a reference", "another"]; got {type}.',
                type=type_name(references),
            )
        )
    if not references:
        raise InputError(lazy("Please give at least one reference: the text the candidate is compared with."))
    if len(references) > MAX_REFERENCES:
        raise InputError(
            lazy(
                "There are {count} references; at most {limit} are allowed here.",
                count=len(references),
                limit=MAX_REFERENCES,
            )
        )
    for number, reference in enumerate(references, start=1):
        if not isinstance(reference, str):
            raise InputError(
                lazy(
                    "Reference {number} must be text, not {type}.",
                    number=number,
                    type=type_name(reference),
                )
            )
        if not reference.strip():
            raise InputError(
                lazy("Reference {number} is empty: please type it, or leave it out.", number=number)
            )
        check_text(reference, max_chars, lazy("reference"))
    return list(references)


def check_language(language: object) -> str:
    if language not in LANGUAGES:
        raise InputError(
            lazy(
                'Unknown language {language}: choose "en" (English) or "zh" (Chinese).',
                language=repr(language)[:40],
            )
        )
    return language


def score_text(candidate: object, references: object, language: object, max_chars: int) -> TextScores:
    """BLEU (sacrebleu) and ROUGE-1, ROUGE-2, ROUGE-L (rouge-score) of `candidate` against `references`."""
    candidate = check_text(candidate, max_chars, lazy("candidate"))
    references = check_references(references, max_chars)
    language = check_language(language)
    tokenizer = rouge_tokenizer(language)
    candidate_tokens = tokenizer.tokenize(candidate)
    reference_tokens = [tokenizer.tokenize(reference) for reference in references]
    cells = len(candidate_tokens) * sum(len(tokens) for tokens in reference_tokens)
    if cells > MAX_LCS_CELLS:
        raise InputError(
            lazy(
                "ROUGE-L compares every token of the candidate with every token of each reference: "
                "{cells} comparisons here, more than the {limit} allowed. Please shorten the texts.",
                cells=f"{cells:,}",
                limit=f"{MAX_LCS_CELLS:,}",
            )
        )
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), tokenizer=tokenizer)
    per_reference = [scorer.score(reference, candidate) for reference in references]
    best = scorer.score_multi(references, candidate)
    rouge = {}
    for kind in ROUGE_TYPES:
        # score_multi keeps the first reference with the highest F-measure (numpy's argmax)
        index = next(
            i for i, scores in enumerate(per_reference) if scores[kind].fmeasure == best[kind].fmeasure
        )
        rouge[kind] = rouge_details(kind, best[kind], index, candidate_tokens, reference_tokens[index])
    return TextScores(
        candidate=candidate,
        references=references,
        language=language,
        bleu=bleu_details(candidate, references, BLEU_TOKENIZERS[language]),
        rouge=rouge,
        rouge_candidate_tokens=candidate_tokens,
        rouge_reference_tokens=reference_tokens,
    )


def bleu_details(candidate: str, references: list[str], tokenize: str) -> BleuDetails:
    """sacrebleu's corpus BLEU of one candidate (`sacrebleu.corpus_bleu([candidate], [[r] for r in
    references], tokenize=...)`), with the tokens its tokenizer made and the n-grams it counted as matched:
    each candidate n-gram counts at most as often as the reference that has it most often (clipping)."""
    metric = BLEU(tokenize=tokenize)
    result = metric.corpus_score([candidate], [[reference] for reference in references])
    # The same preprocessing as corpus_score: the tokenizer on the text without trailing whitespace.
    hypothesis = metric.tokenizer(candidate.rstrip())
    tokenized = [metric.tokenizer(reference.rstrip()) for reference in references]
    hypothesis_ngrams, _length = extract_all_word_ngrams(hypothesis, 1, metric.max_ngram_order)
    most_in_a_reference: Counter = Counter()
    for reference in tokenized:
        ngrams, _length = extract_all_word_ngrams(reference, 1, metric.max_ngram_order)
        for ngram, count in ngrams.items():
            most_in_a_reference[ngram] = max(most_in_a_reference[ngram], count)
    matches = [
        NgramMatch(ngram, min(count, most_in_a_reference[ngram]))
        for ngram, count in hypothesis_ngrams.items()
        if most_in_a_reference[ngram]
    ]
    return BleuDetails(
        score=result.score,
        precisions=list(result.precisions),
        counts=list(result.counts),
        totals=list(result.totals),
        brevity_penalty=result.bp,
        sys_len=result.sys_len,
        ref_len=result.ref_len,
        tokenize=tokenize,
        signature=str(metric.get_signature()),
        candidate_tokens=hypothesis.split(),
        reference_tokens=[reference.split() for reference in tokenized],
        matches=sorted(matches, key=lambda match: len(match.ngram)),
    )


def rouge_details(kind: str, score, reference: int, candidate: list[str], target: list[str]) -> RougeDetails:
    """rouge-score's Score of one kind, with the n-grams (ROUGE-1, ROUGE-2) or the longest common subsequence
    (ROUGE-L, rouge-score's own `lcs_ind`) that it counted."""
    matches, lcs = [], []
    if kind == "rougeL":
        lcs = [target[i] for i in rouge_scorer.lcs_ind(target, candidate)]
    else:
        n = int(kind[len("rouge") :])
        ours, theirs = ngram_counts(candidate, n), ngram_counts(target, n)
        matches = [
            NgramMatch(ngram, min(count, theirs[ngram])) for ngram, count in ours.items() if theirs[ngram]
        ]
    return RougeDetails(
        kind=kind,
        precision=score.precision,
        recall=score.recall,
        fmeasure=score.fmeasure,
        reference=reference,
        matches=matches,
        lcs=lcs,
    )


def ngram_counts(tokens: list[str], n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
