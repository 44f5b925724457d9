"""Why did the classifier say that? Integrated Gradients (captum) over the input embeddings.

The attributed quantity is the target label's probability. Integrated Gradients walks a straight line from a
baseline (the same text with every word replaced by the padding token; [CLS]/[SEP] kept) to the text's own
word embeddings and adds up the gradient along it, per token. Completeness: the attributions sum to
score - baseline_score, up to the error of the numerical integral; captum reports that error (the convergence
delta), and when it is above TOLERANCE of the difference the integral is taken again with twice the steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.tasks.batching import encode_cut, encode_truncated
from playground.tasks.sentiment import probabilities
from playground.tasks.text import character_runs, is_byte_level, token_strings, word_groups
from playground.tasks.validation import InputError, check_text

DEFAULT_STEPS = 50
MAX_STEPS = 400
TOLERANCE = 0.05  # completeness: |sum - (score - baseline_score)| within 5% of the difference
TOKENS_PER_PASS = 4096  # interpolation steps x tokens run through the model at once (memory bound)


@dataclass
class Word:
    """A word as the reader sees it, its attribution (the sum of its pieces'), and the pieces themselves."""

    text: str
    score: float
    pieces: list[tuple[str, float]]
    space_before: str = " "  # what separates it from the word before in the text (spaces, line breaks)


@dataclass
class Explanation:
    label: str  # the explained (target) label
    score: float  # its probability for the text
    baseline_score: float  # its probability for the baseline
    tokens: list[str]  # every token, special ones included (their attribution is 0: they equal the baseline)
    attributions: list[float]  # one per token; they sum to score - baseline_score
    words: list[Word]  # the attributions per word, special tokens left out
    predicted: str  # the label the model predicts for the text
    labels: list[str]  # every label of the model
    n_steps: int  # interpolation steps used
    delta: float  # sum(attributions) - (score - baseline_score)
    notices: list[Message] = field(default_factory=list)


def target_index(loaded: LoadedModel, target: str | int | None, predicted: int) -> int:
    """The label to explain: by name (any case) or index; None means the predicted label."""
    if target is None or (isinstance(target, str) and not target.strip()):
        return predicted
    id2label = loaded.model.config.id2label
    names = [id2label[i] for i in range(len(id2label))]
    if isinstance(target, str):
        by_name = {name.lower(): i for i, name in enumerate(names)}
        if target.strip().lower() in by_name:
            return by_name[target.strip().lower()]
        if target.strip().isdigit():
            target = int(target)
    if isinstance(target, int) and not isinstance(target, bool) and 0 <= target < len(names):
        return target
    raise InputError(
        lazy(
            "Unknown label {label}: choose one of {labels} (or none for the predicted one).",
            label=repr(target),
            labels=", ".join(names),
        )
    )


def explain(
    loaded: LoadedModel,
    text: str,
    max_chars: int,
    target: str | int | None = None,
    n_steps: int = DEFAULT_STEPS,
) -> Explanation:
    """Integrated Gradients attributions of the target label's probability to every token of `text`."""
    from captum.attr import LayerIntegratedGradients  # imported on first use: it is only needed here

    text = check_text(text, max_chars)
    model, tokenizer, config = loaded.model, loaded.tokenizer, loaded.model.config
    encoded, notices = encode_truncated(tokenizer, text, loaded.context_length)
    encoded = encoded.to(loaded.device)
    input_ids, attention_mask = encoded["input_ids"], encoded["attention_mask"]  # (1, T)
    ids = input_ids[0].tolist()
    special = torch.tensor(
        tokenizer.get_special_tokens_mask(ids, already_has_special_tokens=True), dtype=torch.bool
    )
    baseline_ids = input_ids.clone()
    baseline_ids[0, ~special] = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    extra = {key: value for key, value in encoded.items() if key not in ("input_ids", "attention_mask")}

    def target_probabilities(batch_ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # (B, labels)
        repeat = {key: value.expand(batch_ids.shape[0], -1) for key, value in extra.items()}
        logits = model(input_ids=batch_ids, attention_mask=mask, **repeat).logits.float()
        return probabilities(logits, config)

    with loaded.lock:
        with torch.inference_mode():
            probs = target_probabilities(torch.cat([input_ids, baseline_ids]), attention_mask.expand(2, -1))
        predicted = int(probs[0].argmax())
        index = target_index(loaded, target, predicted)
        score, baseline_score = float(probs[0, index]), float(probs[1, index])
        difference = score - baseline_score
        ig = LayerIntegratedGradients(target_probabilities, model.get_input_embeddings())
        steps = n_steps
        while True:
            with torch.enable_grad():
                attributions, delta = ig.attribute(
                    input_ids,
                    baselines=baseline_ids,
                    target=index,
                    additional_forward_args=(attention_mask,),
                    n_steps=steps,
                    internal_batch_size=max(1, TOKENS_PER_PASS // len(ids)),
                    return_convergence_delta=True,
                )
            if abs(float(delta)) <= TOLERANCE * abs(difference) + 1e-6 or steps >= MAX_STEPS:
                break
            steps *= 2
    per_token = attributions[0].sum(dim=-1).detach().float().cpu().tolist()  # (T,)
    if abs(float(delta)) > TOLERANCE * abs(difference) + 1e-6:
        notices.append(
            lazy(
                "Even with {steps} steps the attributions add up to {total}, not quite {difference} "
                "(score − baseline): read them as approximate.",
                steps=steps,
                total=f"{sum(per_token):.4f}",
                difference=f"{difference:.4f}",
            )
        )
    tokens = tokenizer.convert_ids_to_tokens(ids)
    names = [config.id2label[i] for i in range(config.num_labels)]
    return Explanation(
        label=names[index],
        score=score,
        baseline_score=baseline_score,
        tokens=tokens,
        attributions=per_token,
        words=_words(
            text, tokens, per_token, special.tolist(), tokenizer, _piece_texts(tokenizer, ids, tokens)
        ),
        predicted=names[predicted],
        labels=names,
        n_steps=steps,
        delta=float(delta),
        notices=notices,
    )


def _piece_texts(tokenizer, ids: list[int], tokens: list[str]) -> list[str]:
    """Each token as a word's piece is shown: WordPiece's own pieces ('##ing' says it continues a word); a
    byte-level token as the text it reads as ('Ġcat' -> ' cat', a third of a Chinese character as its byte)."""
    return token_strings(tokenizer, ids) if is_byte_level(tokenizer) else tokens


def _whole_characters(groups: list[list[int]], piece_texts: list[str]) -> list[list[int]]:
    """Word groups joined where they cut a character: a byte-level tokenizer's three pieces of 中 make one word."""
    run_of = {}
    for run, (first, count, _text) in enumerate(character_runs(piece_texts)):
        run_of |= dict.fromkeys(range(first, first + count), run)
    joined: list[list[int]] = []
    for group in groups:
        if joined and run_of[group[0]] == run_of[joined[-1][-1]]:
            joined[-1] += group
        else:
            joined.append(list(group))
    return joined


def _words(
    text: str, tokens: list[str], scores: list[float], special: list[bool], tokenizer, piece_texts: list[str]
) -> list[Word]:
    """Pieces grouped into words, each with the summed attribution. Spelled as in the text (case, spaces)
    when the tokenizer says where each token came from (fast tokenizers), else joined from the pieces."""
    try:
        offsets = encode_cut(tokenizer, text, len(tokens), return_offsets_mapping=True)[0]
        offsets = offsets["offset_mapping"] if len(offsets["offset_mapping"]) == len(tokens) else None
    except (NotImplementedError, ValueError, KeyError):
        offsets = None
    specials = {token for token, is_special in zip(tokens, special, strict=True) if is_special}
    words, end = [], 0
    for group in _whole_characters(word_groups(tokens, specials), piece_texts):
        if special[group[0]]:
            continue
        pieces = [(piece_texts[i], scores[i]) for i in group]
        score = sum(scores[i] for i in group)
        if offsets is None:
            spelled = tokens[group[0]] + "".join(tokens[i][2:] for i in group[1:])
            words.append(Word(spelled, score, pieces, " " if words else ""))
            continue
        start = offsets[group[0]][0]
        words.append(Word(text[start : offsets[group[-1]][1]], score, pieces, text[end:start]))
        end = offsets[group[-1]][1]
    return words
