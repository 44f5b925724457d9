"""Fill-mask: the top-k candidates for every mask, as transformers' FillMaskPipeline computes them.

preprocess (spellings of the mask -> the model's mask token, tokenize, cut to the context, target words ->
token ids) -> forward (one padded pass for a whole batch of requests) -> postprocess (softmax at each mask
position, restricted to the targets if there are any, top-k). With several masks each one is predicted on
its own, from the same single forward pass, as the pipeline does: the other masks stay masked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.tasks.batching import encode_row, pad_batch, run_batch, single
from playground.tasks.text import is_continuation, readable_text
from playground.tasks.validation import InputError, check_int, check_text

# What a student may type for a blank: [MASK] (BERT), <mask> (RoBERTa), in any case, or three or more
# underscores. The model's own mask token is accepted as it is.
MASK_SPELLINGS = re.compile(r"\[mask\]|<mask>|_{3,}", re.IGNORECASE)
MAX_TOP_K = 50
MAX_TARGETS = 50
# Most logits one forward pass may hold (floats): a batch of long texts runs in several passes instead.
LOGITS_BUDGET = 2**26


@dataclass
class Candidate:
    score: float
    token: int
    token_str: str  # the token decoded alone, as the pipeline gives it
    sequence: str
    piece: str = ""  # the raw vocabulary entry, e.g. "##ing"
    word: str = ""  # as a reader sees it at the mask: "##ing" after "walk" reads "walking"
    joined: bool = False  # `word` is the piece glued to the word before the mask


@dataclass
class FillMaskResult:
    masks: list[list[Candidate]]  # one list of candidates per mask, in order
    tokens: list[str] = field(default_factory=list)
    notices: list[Message] = field(default_factory=list)
    text: str = ""  # the text with every mask written as the model's mask token
    mask_spans: list[tuple[int, int]] = field(default_factory=list)  # where each mask is in `text`
    best_sequence: str = ""  # every mask filled with its most likely candidate
    targets: list[str] | None = None  # the target words scored, if any

    def best_fill_parts(self) -> list[tuple[str, int | None]]:
        """The text cut at the masks: (text, None) for the words typed, (word, i) for mask i's best fill.

        A continuation piece such as "##ing" is glued to the word before it ("walk ___" -> "walking").
        """
        if len(self.mask_spans) != len(self.masks):  # a tokenizer that reads the text's masks otherwise
            return [(self.best_sequence, None)]
        parts: list[tuple[str, int | None]] = []
        start = 0
        for i, ((begin, end), candidates) in enumerate(zip(self.mask_spans, self.masks, strict=True)):
            before, best = self.text[start:begin], candidates[0]
            if best.joined:
                parts += [(before.rstrip(), None), (best.piece[2:], i)]
            else:
                parts += [(before, None), (best.token_str.strip(), i)]
            start = end
        parts.append((self.text[start:], None))
        return [(text, i) for text, i in parts if text or i is not None]


@dataclass
class FillMaskRequest:
    text: str
    top_k: int = 5
    targets: str | Sequence[str] | None = None


@dataclass
class Prepared:
    """One request after preprocess: what the forward pass and postprocess need."""

    text: str
    row: dict[str, list[int]]  # input_ids (and the tokenizer's other inputs) for the model
    mask_positions: list[int]
    mask_spans: list[tuple[int, int]]
    top_k: int
    target_ids: list[int] | None
    targets: list[str] | None
    notices: list[Message]


def normalise_masks(text: str, mask_token: str) -> str:
    """`[MASK]`, `<mask>` and `___` typed by a user become the model's own mask token."""
    return MASK_SPELLINGS.sub(lambda _: mask_token, text)


def parse_targets(targets: str | Sequence[str] | None, max_chars: int | None = None) -> list[str] | None:
    """Target words: a list as the pipeline takes it, or one string of words separated by commas.

    A string is split at commas and each word stripped ("mat, floor" -> ["mat", "floor"]); list items
    are kept exactly as given (" mat" with its space means a word-initial piece to BPE tokenizers).
    With `max_chars`, targets longer than that together (as the page's box counts: commas included) are
    refused before any work is done.
    """
    if targets is None:
        return None
    if max_chars is not None:
        _check_targets_length(targets, max_chars)
    if isinstance(targets, str):
        words = [word.strip() for word in targets.split(",")]
        words = [word for word in words if word]
        return words or None
    if not isinstance(targets, (list, tuple)) or not all(isinstance(word, str) for word in targets):
        raise InputError(
            lazy("Target words must be text: a list of words, or one string like 'mat, floor, roof'.")
        )
    return list(targets) or None


def _check_targets_length(targets, max_chars: int) -> None:
    if isinstance(targets, str):
        length = len(targets)
    elif isinstance(targets, (list, tuple)):  # as the words would be written in the box, with commas
        length = sum(len(word) + 1 if isinstance(word, str) else 1 for word in targets[: max_chars + 1]) - 1
    else:
        return
    if length > max_chars:
        raise InputError(
            lazy(
                "The target words are {length} characters long together; the limit here is {limit}. Give "
                "fewer or shorter words.",
                length=f"{length:,}",
                limit=f"{max_chars:,}",
            )
        )


def target_token_ids(loaded: LoadedModel, targets: list[str]) -> tuple[list[int], list[Message]]:
    """Each target's token id, the pipeline's way: the vocabulary entry if there is one, else the first
    piece the tokenizer makes of it (with a notice). Targets that give no token at all are left out."""
    if len(targets) > MAX_TARGETS:
        raise InputError(
            lazy("Give at most {limit} target words; got {count}.", limit=MAX_TARGETS, count=len(targets))
        )
    tokenizer = loaded.tokenizer
    vocab = tokenizer.get_vocab()
    ids, notices = [], []
    for target in targets:
        if target in vocab:
            ids.append(vocab[target])
            continue
        pieces = tokenizer(target, add_special_tokens=False)["input_ids"]
        if not pieces:
            notices.append(
                lazy(
                    "The target “{target}” gives no token in this model's vocabulary; it was left out.",
                    target=target,
                )
            )
            continue
        ids.append(pieces[0])
        first = tokenizer.convert_ids_to_tokens(pieces[0])
        notices.append(
            lazy(
                "The target “{target}” is not one token of this model's vocabulary: it was scored as its "
                "first piece “{piece}”.",
                target=target,
                piece=first,
            )
        )
    if not ids:
        raise InputError(
            lazy(
                "None of the target words gives a token of this model's vocabulary. Try other words, or "
                "leave the targets empty to see the model's own top candidates."
            )
        )
    return list(dict.fromkeys(ids)), notices


def preprocess(loaded: LoadedModel, request: FillMaskRequest, max_chars: int) -> Prepared:
    """Check one request and turn it into token ids; InputError says what is wrong with it."""
    text = check_text(request.text, max_chars)
    top_k = check_int(request.top_k, lazy("Top-k"), 1, MAX_TOP_K)
    tokenizer = loaded.tokenizer
    mask_token, mask_id = tokenizer.mask_token, tokenizer.mask_token_id
    if mask_token is None or mask_id is None:
        raise InputError(
            lazy(
                "The model {model} has no mask token, so it cannot fill in blanks. Start the app with "
                "--fill-mask-model set to a masked language model such as google-bert/bert-base-uncased.",
                model=loaded.model_id,
            )
        )
    text = normalise_masks(text, mask_token)
    mask_spans = [match.span() for match in re.finditer(re.escape(mask_token), text)]
    if not mask_spans:
        if mask_token.lower() in ("[mask]", "<mask>"):
            raise InputError(
                lazy(
                    "There is no mask in the text. Put [MASK] or ___ where a word is missing, "
                    "e.g. 'The cat sat on the [MASK].'"
                )
            )
        raise InputError(
            lazy(
                "There is no mask in the text. Put [MASK] or ___ where a word is missing, or this model's "
                "own {mask}, e.g. 'The cat sat on the [MASK].'",
                mask=mask_token,
            )
        )
    targets = parse_targets(request.targets, max_chars)
    target_ids, target_notices = target_token_ids(loaded, targets) if targets else (None, [])

    limit = loaded.context_length
    row, notices = encode_row(tokenizer, text, limit)
    mask_positions = [i for i, token_id in enumerate(row["input_ids"]) if token_id == mask_id]
    if len(mask_positions) < len(mask_spans):
        lost = len(mask_spans) - len(mask_positions)
        raise InputError(
            lazy(
                "The text has {masks} masks, but this model reads only its first {limit} tokens and {lost} "
                "of the masks lie in the part that was cut off. Shorten the text or move the masks nearer "
                "the start.",
                masks=len(mask_spans),
                limit=limit,
                lost=lost,
            )
        )
    return Prepared(
        text=text,
        row=row,
        mask_positions=mask_positions,
        mask_spans=mask_spans if len(mask_positions) == len(mask_spans) else [],
        top_k=top_k,
        target_ids=target_ids,
        targets=targets,
        notices=notices + target_notices,
    )


def forward(loaded: LoadedModel, batch: Sequence[Prepared]) -> list[torch.Tensor]:
    """Padded forward passes over the whole batch; each request's probabilities at its masks (masks, vocab).

    As many requests as fit in LOGITS_BUDGET share one pass (all of them, for sentences of usual length).
    """
    vocab_size = loaded.model.config.vocab_size
    width = max(len(p.row["input_ids"]) for p in batch)
    per_pass = max(1, LOGITS_BUDGET // (width * vocab_size))
    probs: list[torch.Tensor] = []
    for start in range(0, len(batch), per_pass):
        chunk = batch[start : start + per_pass]
        encoded = pad_batch([p.row for p in chunk], loaded.tokenizer.pad_token_id).to(loaded.device)
        with loaded.lock, torch.inference_mode():
            logits = loaded.model(**encoded).logits  # (B, T, vocab)
        probs += [logits[i, p.mask_positions].float().softmax(dim=-1).cpu() for i, p in enumerate(chunk)]
    return probs


def postprocess(loaded: LoadedModel, prepared: Prepared, probs: torch.Tensor) -> FillMaskResult:
    """The top-k candidates of every mask, each with the sentence it makes (the pipeline's `sequence`)."""
    tokenizer = loaded.tokenizer
    input_ids = torch.tensor(prepared.row["input_ids"])
    pieces = tokenizer.convert_ids_to_tokens(prepared.row["input_ids"])
    if prepared.target_ids is not None:
        target_ids = torch.tensor(prepared.target_ids)
        values, order = probs[:, target_ids].topk(min(prepared.top_k, len(target_ids)))
        predictions = target_ids[order]
    else:
        values, predictions = probs.topk(min(prepared.top_k, probs.shape[-1]))  # (masks, k)
    single_mask = len(prepared.mask_positions) == 1
    special = set(tokenizer.all_special_tokens)
    masks = []
    for position, scores, token_ids in zip(
        prepared.mask_positions, values.tolist(), predictions.tolist(), strict=True
    ):
        before = word_before(pieces, position, special)
        candidates = []
        for score, token_id in zip(scores, token_ids, strict=True):
            filled = input_ids.clone()
            filled[position] = token_id
            if tokenizer.pad_token_id is not None:
                filled = filled[filled != tokenizer.pad_token_id]
            token_str = tokenizer.decode([token_id])
            piece = tokenizer.convert_ids_to_tokens(token_id)
            joined = bool(before) and is_continuation(piece)
            candidates.append(
                Candidate(
                    score=score,
                    token=token_id,
                    token_str=token_str,
                    sequence=tokenizer.decode(filled, skip_special_tokens=single_mask),
                    piece=piece,
                    word=before + piece[2:] if joined else token_str.strip(),
                    joined=joined,
                )
            )
        masks.append(candidates)
    best = input_ids.clone()
    best[prepared.mask_positions] = torch.tensor([candidates[0].token for candidates in masks])
    return FillMaskResult(
        masks=masks,
        tokens=pieces,
        notices=prepared.notices,
        text=prepared.text,
        mask_spans=prepared.mask_spans,
        best_sequence=readable_text(tokenizer, best.tolist()),  # Chinese without spaces between characters
        targets=prepared.targets,
    )


def word_before(pieces: list[str], position: int, special: set[str]) -> str:
    """The word that ends just before `position`, its pieces joined ("walk", "##ed" -> "walked"); empty
    when what comes before is no word: nothing, a special token ([CLS], another mask) or punctuation."""
    start = position
    while start > 0 and is_continuation(pieces[start - 1]):
        start -= 1
    if start == 0 or pieces[start - 1] in special or not pieces[start - 1][-1:].isalnum():
        return ""
    return pieces[start - 1] + "".join(piece[2:] for piece in pieces[start:position])


def fill_mask_batch(
    loaded: LoadedModel, requests: Sequence[FillMaskRequest], max_chars: int
) -> list[FillMaskResult | InputError]:
    """Answer several requests with one forward pass; an InputError in place of each request refused."""
    return run_batch(loaded, requests, max_chars, preprocess, forward, postprocess)


def fill_mask(
    loaded: LoadedModel,
    text: str,
    top_k: int,
    max_chars: int,
    targets: str | Sequence[str] | None = None,
) -> FillMaskResult:
    """One request; InputError if it cannot be answered."""
    return single(fill_mask_batch(loaded, [FillMaskRequest(text, top_k, targets)], max_chars))
