"""Results -> JSON in the shapes of the Hugging Face Inference API and `transformers.pipeline`; and CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict

import numpy as np

from playground.tasks.attention import AttentionResult
from playground.tasks.chat import ChatPrompt, ChatResult
from playground.tasks.evaluation import NgramMatch, TextPerplexity, TextScores
from playground.tasks.experiments.ablation import Ablation
from playground.tasks.experiments.heads import KINDS, HeadScores
from playground.tasks.experiments.kv_cache import KVCache
from playground.tasks.experiments.patching import Patching
from playground.tasks.experiments.tokenizer_lab import TrainedTokenizer
from playground.tasks.explain import Explanation
from playground.tasks.fill_mask import FillMaskResult
from playground.tasks.generation import GenerationResult, NextToken
from playground.tasks.inside import HeadStep, LogitLens, Tokenization
from playground.tasks.question_answering import QuestionAnsweringResult
from playground.tasks.sentiment import BatchResult, ClassificationResult

ATTENTION_DECIMALS = 6
FILL_MASK_KEYS = ("score", "token", "token_str", "sequence")  # the pipeline's keys, in its order


def generation_json(result: GenerationResult) -> list[dict]:
    """`[{"generated_text": prompt + continuation}]`, one entry per sample."""
    return [{"generated_text": text} for text in result.generated_texts]


def chat_json(result: ChatResult) -> list[dict]:
    """`[{"generated_text": [...messages, {"role": "assistant", "content": reply}]}]`, as the text-generation
    pipeline answers chat input."""
    return [{"generated_text": result.messages}]


def chat_template_json(prompt: ChatPrompt) -> dict:
    """`{"text", "tokens": [{"id", "piece", "text", "special"}]}`: the conversation as the model reads it."""
    return {
        "text": prompt.text,
        "tokens": [
            {"id": t.id, "piece": t.piece, "text": t.text, "special": t.special} for t in prompt.tokens
        ],
    }


def next_token_json(result: NextToken) -> list[dict]:
    """The top candidates by raw logit: `{"token", "token_id", "logit", "prob", "prob_after", "kept"}`."""
    return [asdict(choice) for choice in result.choices]


def fill_mask_json(result: FillMaskResult) -> list[dict] | list[list[dict]]:
    """One mask: a list of `{"score", "token", "token_str", "sequence"}`; several: one such list per mask."""
    masks = [
        [{key: getattr(c, key) for key in FILL_MASK_KEYS} for c in candidates] for candidates in result.masks
    ]
    return masks[0] if len(masks) == 1 else masks


def classify_json(result: ClassificationResult) -> list[dict]:
    """`[{"label", "score"}, ...]`, every label, highest score first."""
    return [asdict(score) for score in result.scores]


def question_answering_json(result: QuestionAnsweringResult) -> list[dict]:
    """`[{"score", "start", "end", "answer"}, ...]`, best first: `start`/`end` are character offsets in the
    context, `context[start:end] == answer` (as the question-answering pipeline answered with top_k)."""
    return [{"score": s.score, "start": s.start, "end": s.end, "answer": s.answer} for s in result.spans]


def attention_json(result: AttentionResult) -> dict:
    """`{"model", "tokens", "attentions": [layer][head][query][key]}`, floats rounded for transport."""
    shape = {
        "model": result.model_id,
        "tokens": result.tokens,
        # rounded in float64: float32 values would print as 0.007812000072002411 instead of 0.007812
        "attentions": [
            None if layer in result.no_matrix else weights  # a linear-attention layer has no matrix: null
            for layer, weights in enumerate(
                result.attentions.astype("float64").round(ATTENTION_DECIMALS).tolist(), 1
            )
        ],
    }
    if getattr(result, "key_tokens", None) is not None:  # cross-attention: its columns are the source's
        shape["key_tokens"] = result.key_tokens
    return shape


def _rounded(array) -> list:
    # rounded in float64: float32 values would print as 0.007812000072002411 instead of 0.007812; NaN (a
    # linear-attention layer's score: no matrix) as null, which JSON has
    rounded = array.astype("float64").round(ATTENTION_DECIMALS)
    if not np.isnan(rounded).any():
        return rounded.tolist()
    return np.where(np.isnan(rounded), None, rounded.astype(object)).tolist()


def tokenize_json(result: Tokenization) -> dict:
    """`{"model", "tokens": [{"id", "piece", "text", "start", "end", "special"}]}`: the tokens the model is fed,
    with their character offsets in the text (None for special tokens)."""
    return {"model": result.model_id, "tokens": [asdict(token) for token in result.tokens]}


def inside_json(result: HeadStep) -> dict:
    """`{"model", "tokens", "ids", "layer", "head", "d_k", "q", "k", "v", "scores", "masked", "weights",
    "head_output"}`: one head step by step (q, k after RoPE where the model has it; scores before the mask)."""
    shape = {
        "model": result.model_id,
        "tokens": result.tokens,
        "ids": result.ids,
        "layer": result.layer,
        "head": result.head,
        "d_k": result.d_k,
        **{name: _rounded(getattr(result, name)) for name in ("q", "k", "v", "scores")},
        "masked": result.masked.tolist(),
        "weights": _rounded(result.weights),
        "head_output": _rounded(result.head_output),
    }
    if result.key_tokens is not None:  # cross-attention: the keys and values are the source's tokens
        shape["key_tokens"] = result.key_tokens
    return shape


def logit_lens_json(result: LogitLens) -> dict:
    """`{"model", "tokens", "ids", "positions", "layers": [l][i] -> [{"token", "token_str", "score"}]}`,
    l = 0 (embeddings) .. number of layers (the model's own output), i over `positions`."""
    return {
        "model": result.model_id,
        "tokens": result.tokens,
        "ids": result.ids,
        "positions": result.positions,
        "layers": [
            [[{"token": p.token, "token_str": p.token_str, "score": p.score} for p in top] for top in layer]
            for layer in result.layers
        ],
    }


def explain_json(result: Explanation) -> dict:
    """`{"label", "score", "baseline_score", "attributions": [{"token", "score"}, ...]}`: the target label,
    its probability at the text and at the baseline, and each token's share of the difference."""
    return {
        "label": result.label,
        "score": result.score,
        "baseline_score": result.baseline_score,
        "attributions": [
            {"token": token, "score": score}
            for token, score in zip(result.tokens, result.attributions, strict=True)
        ],
    }


def perplexity_json(result: TextPerplexity) -> dict:
    """`{"perplexity", "tokens": [{"token", "logprob"}]}`: one entry per token after the first, its natural-log
    probability given the tokens before it; perplexity = e^(−their mean)."""
    return {
        "perplexity": result.perplexity,
        "tokens": [
            {"token": token, "logprob": logprob}
            for token, logprob in zip(result.tokens[1:], result.logprobs, strict=True)
        ],
    }


def _ngrams_json(matches: list[NgramMatch]) -> list[dict]:
    return [{"ngram": list(match.ngram), "count": match.count} for match in matches]


def score_text_json(result: TextScores) -> dict:
    """`{"bleu", "rouge1", "rouge2", "rougeL", "details"}`: sacrebleu's BLEU (0-100) and rouge-score's
    F-measures (0-1, the best over the references); `details` holds what explains them."""
    bleu = result.bleu
    details = {
        "bleu": {
            "tokenize": bleu.tokenize,
            "signature": bleu.signature,
            "precisions": bleu.precisions,
            "counts": bleu.counts,
            "totals": bleu.totals,
            "brevity_penalty": bleu.brevity_penalty,
            "sys_len": bleu.sys_len,
            "ref_len": bleu.ref_len,
            "candidate_tokens": bleu.candidate_tokens,
            "reference_tokens": bleu.reference_tokens,
            "matched_ngrams": _ngrams_json(bleu.matches),
        },
        "rouge_tokens": {
            "candidate": result.rouge_candidate_tokens,
            "references": result.rouge_reference_tokens,
        },
    }
    for kind, rouge in result.rouge.items():
        details[kind] = {
            "precision": rouge.precision,
            "recall": rouge.recall,
            "fmeasure": rouge.fmeasure,
            "reference": rouge.reference,
        }
        if kind == "rougeL":
            details[kind]["lcs"] = rouge.lcs
        else:
            details[kind]["matched_ngrams"] = _ngrams_json(rouge.matches)
    scores = {kind: rouge.fmeasure for kind, rouge in result.rouge.items()}
    return {"bleu": bleu.score, **scores, "details": details}


def batch_csv(result: BatchResult) -> str:
    """The batch table as CSV text: a header `text,label,score`, then one row per text, in input order."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["text", "label", "score"])
    writer.writerows(
        [spreadsheet_text(row.text), spreadsheet_text(row.label), f"{row.score:.6f}"] for row in result.rows
    )
    return out.getvalue()


# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (=HYPERLINK(…),
# +cmd|…, @SUM(…)); tab and carriage return hide such a start. OWASP's advice: begin such a cell with a
# single quote, which spreadsheets read as "this is text" and do not show.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(cell: str) -> str:
    """`cell` as a spreadsheet shows it as text, never runs it as a formula (CSV injection)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def translation_json(result) -> list[dict]:
    """`[{"translation_text": ...}]`: the shape of the translation pipeline (transformers 4)."""
    return [{"translation_text": result.text}]


def cross_attention_json(result) -> dict:
    """`{"model", "source_tokens", "target_tokens", "cross_attentions": [layer][head][target][source]}`: each
    token of the translation's attention over the source tokens, every row adding up to 1."""
    return {
        "model": result.model_id,
        "source_tokens": result.source_tokens,
        "target_tokens": result.target_tokens,
        "cross_attentions": _rounded(result.cross),
    }


def application_json(result) -> dict:
    """`{"messages", "prompt", "output"}`: the chat messages sent, the text the model read (its chat template
    applied, with the opening of its turn) and its reply (a translation or a summary)."""
    return {"messages": result.messages, "prompt": result.prompt, "output": result.output}


def heads_json(result: HeadScores) -> dict:
    """`{"model", "tokens", "scores": {"previous_token", "first_token", "duplicate_token", "induction"}}`, each
    score `[layer][head]` (1-based on the page: index 0 is layer 1, head 1)."""
    return {
        "model": result.model_id,
        "tokens": result.tokens,
        "scores": {kind: _rounded(result.scores[kind]) for kind in KINDS},
    }


def ablation_json(result: Ablation) -> dict:
    """`{"before": [{"token", "token_id", "prob"}], "after": [...]}`, each the top_n of its own distribution
    (a classifier: every label, token_id its index)."""
    return {side: [asdict(outcome) for outcome in getattr(result, side)] for side in ("before", "after")}


def patch_json(result: Patching) -> dict:
    """`{"tokens", "corrupted_tokens", "answers": [clean, corrupted], "effect": [layer 0..L][position]}`."""
    return {
        "tokens": result.tokens,
        "corrupted_tokens": result.corrupted_tokens,
        "answers": result.answers,
        "effect": _rounded(result.effect),
    }


def kv_cache_json(result: KVCache) -> dict:
    """`{"tokens": [{"token", "token_id"}], "steps": [{"step", "kind", "positions", "shape", "bytes",
    "ms_cached", "ms_uncached"}]}`: one step per new token (prefill, then decode)."""
    return {
        "tokens": [asdict(token) for token in result.tokens],
        "steps": [
            {
                "step": s.step,
                "kind": s.kind,
                "positions": s.positions,
                "shape": s.shape,
                "bytes": s.bytes,
                "ms_cached": round(s.ms_cached, 3),
                "ms_uncached": round(s.ms_uncached, 3),
            }
            for s in result.steps
        ],
    }


def train_tokenizer_json(result: TrainedTokenizer) -> dict:
    """`{"merges": [[left, right], ...], "vocab_size"}`, as the `tokenizers` library writes them."""
    return {"merges": [list(merge) for merge in result.merges], "vocab_size": result.vocab_size}


# --- positions, word order, the block, BERT's masking rule (issue 27, point 4) ------------------------------


def positions_json(result) -> dict:
    """`{"model", "d_model", "positions", "sinusoidal", "sinusoidal_dot", "dimensions", "learned",
    "learned_similarity", "table_size", "rotary"}`: the sinusoidal encoding (positions × d_model) and its dot
    products beside the model's learned position embeddings and their cosine similarity (null for rotary)."""
    learned = result.learned
    return {
        "model": result.model_id,
        "d_model": result.d_model,
        "positions": result.positions,
        "sinusoidal": _rounded(result.sinusoidal),
        "sinusoidal_dot": _rounded(result.sinusoidal_dot),
        "dimensions": result.dimensions,
        "learned": None if learned is None else _rounded(learned),
        "learned_similarity": None if learned is None else _rounded(result.learned_similarity),
        "table_size": result.table_size,
        "rotary": result.rotary,
    }


def word_order_json(result) -> dict:
    """`{"model", "tokens", "shuffled_tokens", "order", "measure", "layer", "head", "with_positions",
    "without_positions"}`, each condition `{"original", "shuffled_back", "difference", "size"}`."""

    def check(c) -> dict:
        return {
            "original": _rounded(c.original),
            "shuffled_back": _rounded(c.shuffled_back),
            "difference": c.difference,
            "size": c.size,
        }

    return {
        "model": result.model_id,
        "tokens": result.tokens,
        "shuffled_tokens": result.shuffled_tokens,
        "order": result.order,
        "measure": result.measure,
        "layer": result.layer,
        "head": result.head,
        "with_positions": check(result.with_positions),
        "without_positions": check(result.without_positions),
    }


def block_structure_json(result) -> dict:
    """`{"model", "family", "pre_norm", "layer", "num_layers", "d_model", "d_ff", "num_heads", "num_kv_heads",
    "head_dim", "first_norm", "attention", "second_norm", "mlp", "embedding_norm", "final_norm", "residuals"}`:
    parts as `{"module", "kind", "shape"}` (no "path": gradio_client would read it as a file), residuals as `{"name", "difference", "size"}`."""
    data = asdict(result)
    data["model"] = data.pop("model_id")
    data.pop("notices", None)
    data.pop("tokens", None)
    return data


def random_mask_json(result) -> dict:
    """`{"model", "probability", "seed", "tokens": [{"token", "original", "kind"}], "masked": [{"position",
    "original", "input", "kind", "predictions": [{"token_str", "score"}], "right"}]}`."""
    return {
        "model": result.model_id,
        "probability": result.probability,
        "seed": result.seed,
        "tokens": [{"token": c.token, "original": c.original, "kind": c.kind} for c in result.cells],
        "masked": [
            {
                "position": p.position,
                "original": p.original,
                "input": p.shown,
                "kind": p.kind,
                "predictions": [{"token_str": g.token, "score": g.score} for g in p.guesses],
                "right": p.right,
            }
            for p in result.places
        ],
    }
