"""Translation with an encoder-decoder (Marian, as Helsinki-NLP/opus-mt-*): the Transformer the course draws.

The encoder reads the whole source sentence at once (self-attention both ways); the decoder writes the
translation one token at a time, each of its layers attending to the tokens written so far (masked
self-attention) and to the encoder's output X⁽ᴸ⁾ (encoder-decoder or cross-attention:
Z₂ = LayerNorm(Z₁ + MultiHead(Z₁, X⁽ᴸ⁾, X⁽ᴸ⁾))). Everything is read from the model and from `model.generate`
itself, never re-implemented:

- `translate`: `model.generate(..., num_beams=…, do_sample=False)` (greedy or beam search), with the logits of
  every step kept (`output_logits`, `output_scores`) so each token's distribution can be shown; the text is
  decoded with skip_special_tokens=True, as the old translation pipeline did.
- `next_step`: step mode, one greedy token at a time, each the token `generate` would write after the tokens so
  far (a one-token `generate` from them), with its distribution; `undo` takes the last one back.
- `cross_attention`: one forward pass with `decoder_input_ids` = the decoder's start token then the translation
  but its last token, `output_attentions=True` on the eager implementation: the encoder's, the decoder's and the
  cross-attention weights exactly as the model computes them.

preprocess (the source text cut to the model's limit, with a notice) -> forward (generate, one forward pass)
-> postprocess (decoded text, each step's distribution, the attention tensors as numpy).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import torch

from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.tasks.batching import encode_row
from playground.tasks.generation import ALTERNATIVES, GenerationParams, NextToken, Step, TokenChoice, describe
from playground.tasks.text import token_strings
from playground.tasks.validation import InputError, StepOutOfRange, check_int, check_text

TOP_N = 20  # candidates kept for each step's distribution (the chart)
_GREEDY = GenerationParams(temperature=0)  # what `describe` needs to know: all of a greedy draw's mass on one


# --- preprocess: the source sentence ------------------------------------------------------------------------


def pieces(tokenizer, ids: list[int]) -> list[str]:
    """Each token as a reader sees it. SentencePiece marks a word's start with ▁ ('▁Where'), which decoding
    one token alone drops: it is shown as the space it stands for (' Where'), as GPT-2's 'Ġcat' reads ' cat'."""
    raw = tokenizer.convert_ids_to_tokens(ids)
    if any("\u2581" in piece for piece in raw):
        return [piece.replace("\u2581", " ") for piece in raw]
    return token_strings(tokenizer, ids)


@dataclass
class Source:
    """The source text as the encoder reads it: ids (ending with </s>), their tokens, and a notice if cut."""

    text: str
    ids: list[int]
    tokens: list[str]
    notices: list[Message] = field(default_factory=list)


def encode_source(loaded: LoadedModel, text: object, max_chars: int, max_tokens: int | None = None) -> Source:
    """The source text's tokens, cut to the model's limit (and to `max_tokens`), saying so when it is cut."""
    text = check_text(text, max_chars)
    limit = loaded.context_length if max_tokens is None else min(max_tokens, loaded.context_length)
    row, notices = encode_row(loaded.tokenizer, text, limit)
    ids = row["input_ids"]
    special = set(loaded.tokenizer.all_special_ids)
    if not [i for i in ids if i not in special]:
        raise InputError(lazy("The text has no tokens the model knows. Please type some words."))
    return Source(text, ids, pieces(loaded.tokenizer, ids), notices)


@dataclass(frozen=True)
class TranslationParams:
    max_new_tokens: int = 128
    num_beams: int = 1  # 1 is greedy search

    def validated(self, loaded: LoadedModel, max_new_tokens_cap: int, max_beams: int) -> TranslationParams:
        """These parameters checked for range (InputError otherwise): the new tokens within the server's cap,
        the beams within the server's --max-beams. More new tokens than the decoder has positions for are
        cut to what it has (`limit_notice` says so)."""
        max_new_tokens = check_int(self.max_new_tokens, lazy("Max new tokens"), 1, max_new_tokens_cap)
        return TranslationParams(
            max_new_tokens=min(max_new_tokens, most_new_tokens(loaded)),
            num_beams=check_int(self.num_beams, lazy("The number of beams"), 1, max_beams),
        )

    def limit_notice(self, loaded: LoadedModel) -> list[Message]:
        """A notice when more new tokens were asked for than the decoder has positions for."""
        most = most_new_tokens(loaded)
        if isinstance(self.max_new_tokens, (int, float)) and self.max_new_tokens > most:
            return [
                lazy(
                    "This model's decoder writes at most {most} tokens: Max new tokens was lowered from {asked} "
                    "to {most}.",
                    most=most,
                    asked=int(self.max_new_tokens),
                )
            ]
        return []


def most_new_tokens(loaded: LoadedModel) -> int:
    """The most tokens the decoder can write (its positions, less the start token)."""
    return max(1, decoder_positions(loaded) - 1)


def decoder_positions(loaded: LoadedModel) -> int:
    """The most positions the decoder has (its start token included)."""
    return loaded.context_length


def start_id(loaded: LoadedModel) -> int:
    """The token the decoder starts from (Marian: <pad>)."""
    config = loaded.model.generation_config
    start = config.decoder_start_token_id
    if start is None:
        start = loaded.model.config.decoder_start_token_id
    if start is None:
        raise InputError(
            lazy(
                "The model {model} names no decoder start token: it cannot translate.", model=loaded.model_id
            )
        )
    return int(start)


# --- forward: generate, greedy or beam search ---------------------------------------------------------------


@dataclass
class Translation:
    """A translation: the source read, the tokens written (each with its probability and alternatives), each
    step's distribution (top TOP_N by raw logit), and the text."""

    model_id: str
    source: Source
    params: TranslationParams
    steps: list[Step]
    distributions: list[NextToken]  # distributions[i]: the distribution token i was chosen from
    text: str
    ended: bool  # the model wrote </s> (rather than running out of new tokens)

    @property
    def target_ids(self) -> list[int]:
        return [step.token_id for step in self.steps]

    @property
    def notices(self) -> list[Message]:
        return self.source.notices


def _inputs(loaded: LoadedModel, source: Source) -> dict:
    input_ids = torch.tensor([source.ids], device=loaded.device)  # (1, S)
    return {"input_ids": input_ids, "attention_mask": torch.ones_like(input_ids)}


def translate(
    loaded: LoadedModel,
    text: object,
    params: TranslationParams,
    max_chars: int,
    max_new_tokens_cap: int,
    max_beams: int,
    max_source_tokens: int | None = None,
) -> Translation:
    """`text` translated by `model.generate` with `params` (greedy for one beam, else beam search)."""
    source = encode_source(loaded, text, max_chars, max_source_tokens)
    asked, params = params, params.validated(loaded, max_new_tokens_cap, max_beams)
    source.notices = source.notices + asked.limit_notice(loaded)
    with loaded.lock, torch.inference_mode():
        out = loaded.model.generate(
            **_inputs(loaded, source),
            max_new_tokens=params.max_new_tokens,
            num_beams=params.num_beams,
            do_sample=False,
            output_logits=True,
            output_scores=True,
            return_dict_in_generate=True,
        )
    new_ids = out.sequences[0, 1:].tolist()  # sequences[0, 0] is the decoder's start token
    beam_rows = getattr(out, "beam_indices", None)
    steps, distributions = [], []
    previous = start_id(loaded)
    for i, token_id in enumerate(new_ids):
        # the row of the batch (the beam) whose step wrote token i; 0 for greedy search
        row = int(beam_rows[0, i]) if beam_rows is not None else 0
        logits, scores = out.logits[i][row : row + 1], out.scores[i][row : row + 1]  # (1, vocab)
        distribution = _distribution(loaded, logits, scores, token_id, previous)
        steps.append(_step(loaded, logits, token_id, previous))
        distributions.append(distribution)
        previous = token_id
    eos = _eos_ids(loaded)
    ended = bool(new_ids) and new_ids[-1] in eos
    text = loaded.tokenizer.decode(new_ids, skip_special_tokens=True)
    return Translation(loaded.model_id, source, params, steps, distributions, text, ended)


def _eos_ids(loaded: LoadedModel) -> set[int]:
    eos = loaded.model.generation_config.eos_token_id
    if eos is None:
        eos = loaded.tokenizer.eos_token_id
    return set(eos) if isinstance(eos, list) else ({eos} if eos is not None else set())


def _step(loaded: LoadedModel, logits: torch.Tensor, token_id: int, previous: int) -> Step:
    """Token `token_id` as the page shows it: its probability under the model (softmax of the raw logits) and
    the most likely alternatives."""
    probs = logits[0].float().softmax(dim=-1)
    top_probs, top_ids = probs.topk(min(ALTERNATIVES, probs.shape[-1]))
    tokenizer = loaded.tokenizer
    alternatives = list(zip(pieces(tokenizer, top_ids.tolist()), top_probs.tolist(), strict=True))
    return Step(token_id, pieces(tokenizer, [token_id])[0], float(probs[token_id]), alternatives)


def _distribution(
    loaded: LoadedModel, logits: torch.Tensor, scores: torch.Tensor, drawn_id: int, previous: int
) -> NextToken:
    """The distribution a token was chosen from: its TOP_N tokens by raw logit, their softmax probabilities,
    and (prob_after) where the search put its choice: all of it on the token chosen (greedy search takes
    the best token after generate's processors, e.g. <pad> forbidden; beam search takes one of its best)."""
    shown = describe(_GREEDY, logits, scores.float(), TOP_N)
    after = [1.0 if token_id == drawn_id else 0.0 for token_id in shown.ids]
    tokenizer = loaded.tokenizer
    choices = [
        TokenChoice(token, i, logit, prob, prob_after, prob_after > 0)
        for token, i, logit, prob, prob_after in zip(
            pieces(tokenizer, shown.ids), shown.ids, shown.logits, shown.probs, after, strict=True
        )
    ]
    return NextToken([previous], choices, drawn_id, pieces(tokenizer, [drawn_id])[0])


# --- Step mode: the translation one greedy token at a time ---------------------------------------------------


@dataclass
class StepState:
    """Step mode: the source, the tokens written so far, and the distribution each was chosen from."""

    model_id: str
    source: Source
    max_new_tokens: int
    steps: list[Step] = field(default_factory=list)
    distributions: list[NextToken] = field(default_factory=list)

    @property
    def target_ids(self) -> list[int]:
        return [step.token_id for step in self.steps]


def state_of(translation: Translation) -> StepState:
    """Step mode going on from (or back through) a finished translation."""
    return StepState(
        translation.model_id,
        translation.source,
        translation.params.max_new_tokens,
        list(translation.steps),
        list(translation.distributions),
    )


def next_step(
    loaded: LoadedModel,
    state: StepState | None,
    text: object,
    max_new_tokens: int,
    max_chars: int,
    max_new_tokens_cap: int,
) -> StepState:
    """One more greedy token after the tokens written so far (a new text, or another model, starts again):
    the token `generate(num_beams=1, do_sample=False, max_new_tokens=max_new_tokens)` writes at that step."""
    asked = TranslationParams(max_new_tokens, 1)
    params = asked.validated(loaded, max_new_tokens_cap, 1)
    if state is None or state.source.text != text or state.model_id != loaded.model_id:
        source = encode_source(loaded, text, max_chars)
        source.notices = source.notices + asked.limit_notice(loaded)
        state = StepState(loaded.model_id, source, params.max_new_tokens)
    state = replace(state, max_new_tokens=params.max_new_tokens)
    written = state.target_ids
    if written and written[-1] in _eos_ids(loaded):
        raise StepOutOfRange(
            lazy("The translation has ended: the model wrote its end token </s>. Click Undo to go back.")
        )
    if len(written) >= params.max_new_tokens:
        raise StepOutOfRange(
            lazy(
                "The translation has reached the limit of {count} new tokens. Raise Max new tokens, or Undo.",
                count=params.max_new_tokens,
            )
        )
    start = start_id(loaded)
    decoder_input_ids = torch.tensor([[start, *written]], device=loaded.device)  # (1, 1 + written)
    # generate forces </s> at the last position it may write (forced_eos_token_id): only at the last step
    last = len(written) + 1 == params.max_new_tokens
    forced = {} if last else {"forced_eos_token_id": None}
    with loaded.lock, torch.inference_mode():
        out = loaded.model.generate(
            **_inputs(loaded, state.source),
            decoder_input_ids=decoder_input_ids,
            max_new_tokens=1,
            num_beams=1,
            do_sample=False,
            output_logits=True,
            output_scores=True,
            return_dict_in_generate=True,
            **forced,
        )
    token_id = int(out.sequences[0, -1])
    previous = written[-1] if written else start
    step = _step(loaded, out.logits[0], token_id, previous)
    distribution = _distribution(loaded, out.logits[0], out.scores[0], token_id, previous)
    return replace(state, steps=state.steps + [step], distributions=state.distributions + [distribution])


def undo(state: StepState | None) -> StepState:
    """The state before the last token; StepOutOfRange when there is none."""
    if state is None or not state.steps:
        raise StepOutOfRange(lazy("There is no translated token to undo. Click “Next token” first."))
    return replace(state, steps=state.steps[:-1], distributions=state.distributions[:-1])


def step_text(loaded: LoadedModel, state: StepState) -> str:
    """The translation written so far, decoded as `translate` decodes it."""
    return loaded.tokenizer.decode(state.target_ids, skip_special_tokens=True)


# --- The attention of a translation: encoder, decoder and cross-attention ------------------------------------


@dataclass
class CrossAttention:
    """The attention weights of one forward pass over a source and its translation.

    Row i of the decoder's and the cross-attention is the decoder position that wrote target token i (its
    input is the token before: the start token for i = 0)."""

    model_id: str
    source_tokens: list[str]
    target_tokens: list[str]  # the tokens of the translation (what each decoder position wrote)
    decoder_tokens: list[
        str
    ]  # the decoder's input tokens: the start token, then the translation but its last
    encoder: np.ndarray  # (layers, heads, source, source)
    decoder: np.ndarray  # (layers, heads, target, target), masked: nothing above the diagonal
    cross: np.ndarray  # (layers, heads, target, source)
    source_ids: list[int] = field(default_factory=list)
    target_ids: list[int] = field(default_factory=list)
    notices: list[Message] = field(default_factory=list)

    @property
    def num_layers(self) -> int:
        return self.cross.shape[0]

    @property
    def num_heads(self) -> int:
        return self.cross.shape[1]


def kept_for_redraw(result: CrossAttention) -> CrossAttention:
    """What a session keeps of `result` to redraw the cross-attention heatmap for another layer or head: the
    cross-attention alone, at half precision (issue 30: the encoder's and decoder's self-attention of a
    512-token source took ~60 MB more per visitor, kept for an hour). `cross_in_full` gives float32 back."""
    empty = np.zeros((0,), dtype=np.float16)
    return replace(result, encoder=empty, decoder=empty, cross=result.cross.astype(np.float16))


def cross_in_full(result: CrossAttention) -> CrossAttention:
    """The float32 cross-attention of a `kept_for_redraw` result, each row renormalised to add up to 1."""
    if result.cross.dtype == np.float32:
        return result
    weights = result.cross.astype(np.float32)
    totals = weights.sum(axis=-1, keepdims=True)
    np.divide(weights, totals, out=weights, where=totals > 0)
    return replace(result, cross=weights)


def attention_of(loaded: LoadedModel, source: Source, target_ids: list[int]) -> CrossAttention:
    """The weights of one forward pass with decoder_input_ids = the start token, then `target_ids` but the
    last, from the eager attention implementation (output_attentions=True), of the float32 model whatever
    --dtype says (`LoadedModel.exact`)."""
    if not target_ids:
        raise InputError(lazy("There is no translation yet: translate the text first."))
    loaded = loaded.exact()
    decoder_ids = [start_id(loaded), *target_ids[:-1]]
    decoder_input_ids = torch.tensor([decoder_ids], device=loaded.device)  # (1, T)
    with loaded.eager_attention() as model, torch.inference_mode():
        out = model(**_inputs(loaded, source), decoder_input_ids=decoder_input_ids, output_attentions=True)

    def stacked(layers) -> np.ndarray:  # layers x (1, heads, q, k) -> (layers, heads, q, k)
        return torch.stack([layer[0] for layer in layers]).float().cpu().numpy()

    tokenizer = loaded.tokenizer
    return CrossAttention(
        model_id=loaded.model_id,
        source_tokens=list(source.tokens),
        target_tokens=pieces(tokenizer, target_ids),
        decoder_tokens=pieces(tokenizer, decoder_ids),
        encoder=stacked(out.encoder_attentions),
        decoder=stacked(out.decoder_attentions),
        cross=stacked(out.cross_attentions),
        source_ids=list(source.ids),
        target_ids=list(target_ids),
        notices=list(source.notices),
    )


def cross_attention(
    loaded: LoadedModel,
    text: object,
    max_new_tokens: int,
    max_chars: int,
    max_new_tokens_cap: int,
    max_tokens: int,
) -> CrossAttention:
    """The greedy translation of `text` (its source cut to `max_tokens` tokens) and the attention of one
    forward pass over it."""
    translation = translate(
        loaded, text, TranslationParams(max_new_tokens, 1), max_chars, max_new_tokens_cap, 1, max_tokens
    )
    return attention_of(loaded, translation.source, translation.target_ids)


# --- The architecture, read from the model --------------------------------------------------------------------


@dataclass
class Architecture:
    """The sizes the course's formulas need, read from the model's config and weights."""

    model_id: str
    model_class: str
    encoder_layers: int
    decoder_layers: int
    encoder_heads: int
    decoder_heads: int
    d_model: int
    d_ff: int
    vocab_size: int
    max_positions: int
    parameters: int

    @property
    def d_k(self) -> int:
        return self.d_model // self.encoder_heads


def architecture(loaded: LoadedModel) -> Architecture:
    """The sizes of an encoder-decoder: Marian and BART name them as below, T5 otherwise (num_layers, d_ff)."""
    config = loaded.model.config

    def size(*names: str) -> int:
        return next(int(getattr(config, n)) for n in names if getattr(config, n, None) is not None)

    return Architecture(
        model_id=loaded.model_id,
        model_class=type(loaded.model).__name__,
        encoder_layers=size("encoder_layers", "num_layers"),
        decoder_layers=size("decoder_layers", "num_decoder_layers", "num_layers"),
        encoder_heads=size("encoder_attention_heads", "num_heads"),
        decoder_heads=size("decoder_attention_heads", "num_heads"),
        d_model=size("d_model"),
        d_ff=size("encoder_ffn_dim", "d_ff"),
        vocab_size=config.vocab_size,
        max_positions=loaded.context_length,
        parameters=sum(p.numel() for p in loaded.exact().model.parameters()),  # int8 layers have none
    )


def reproduction_code(model_id: str, text: str, params: TranslationParams) -> str:
    """Plain transformers code that translates `text` as the playground did."""
    return f"""from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained({model_id!r})
model = AutoModelForSeq2SeqLM.from_pretrained({model_id!r})
inputs = tokenizer({text!r}, return_tensors="pt")
outputs = model.generate(**inputs, max_new_tokens={params.max_new_tokens}, num_beams={params.num_beams}, do_sample=False)
print(tokenizer.decode(outputs[0], skip_special_tokens=True))
"""
