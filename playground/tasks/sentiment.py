"""Sentiment (text classification): the probability of every label, as TextClassificationPipeline gives it.

Single-label classifiers get a softmax over their labels; multi-label ones (and single-logit models) a
sigmoid per label, the same rule as the pipeline's default `function_to_apply`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from playground.models import LoadedModel
from playground.tasks import check_text, encode_truncated


@dataclass
class LabelScore:
    label: str
    score: float


@dataclass
class ClassificationResult:
    scores: list[LabelScore]  # every label, highest score first
    notices: list[str] = field(default_factory=list)


def classify(loaded: LoadedModel, text: str, max_chars: int) -> ClassificationResult:
    text = check_text(text, max_chars)
    tokenizer, config = loaded.tokenizer, loaded.model.config
    encoded, notices = encode_truncated(tokenizer, text, loaded.context_length)
    with loaded.lock, torch.inference_mode():
        logits = loaded.model(**encoded.to(loaded.device)).logits[0].float().cpu()  # (labels,)
    if config.problem_type == "multi_label_classification" or config.num_labels == 1:
        probs = logits.sigmoid()
    else:
        probs = logits.softmax(dim=-1)
    scores = [LabelScore(label=config.id2label[i], score=p) for i, p in enumerate(probs.tolist())]
    scores.sort(key=lambda s: s.score, reverse=True)
    return ClassificationResult(scores=scores, notices=notices)
