"""Text generation, one token at a time, exactly as `model.generate` decodes.

The loop below is `generate`'s own sampling loop made visible: the same logits processors in the same order
(repetition penalty, then temperature, top-k, top-p), a KV cache so the prompt is never recomputed, and
`torch.multinomial` for the draw, but with a per-request `torch.Generator` instead of the global RNG so that
a seed gives the same text whatever other users do at the same time. Being a Python generator, it stops as
soon as the caller stops asking for tokens (a Stop button, a closed browser tab).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch
from transformers import (
    LogitsProcessorList,
    RepetitionPenaltyLogitsProcessor,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

from playground.models import LoadedModel
from playground.tasks import InputError, check_float, check_int, check_text

MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class GenerationParams:
    max_new_tokens: int = 50
    temperature: float = 1.0  # 0 means greedy decoding
    top_k: int = 50  # 0 means no top-k filter
    top_p: float = 1.0
    repetition_penalty: float = 1.0
    seed: int = 0  # -1 picks a random seed, reported in the result

    @property
    def greedy(self) -> bool:
        return self.temperature == 0

    def validated(self, max_new_tokens_cap: int) -> GenerationParams:
        """These parameters checked for range (InputError otherwise), with a random seed drawn for -1."""
        seed = check_int(self.seed, "The seed", -1, MAX_SEED)
        return GenerationParams(
            max_new_tokens=check_int(self.max_new_tokens, "Max new tokens", 1, max_new_tokens_cap),
            temperature=check_float(self.temperature, "Temperature", 0.0, 100.0),
            top_k=check_int(self.top_k, "Top-k", 0, 10**6),
            top_p=_check_top_p(self.top_p),
            repetition_penalty=check_float(self.repetition_penalty, "Repetition penalty", 0.01, 100.0),
            seed=random.randint(0, MAX_SEED) if seed == -1 else seed,
        )


def _check_top_p(value: float) -> float:
    top_p = check_float(value, "Top-p", 0.0, 1.0)
    if top_p == 0:
        raise InputError("Top-p must be above 0 (1 keeps every token); got 0.")
    return top_p


@dataclass
class GenerationResult:
    """The state of a generation so far; `generated_text` is the prompt plus the continuation."""

    prompt: str
    continuation: str
    token_ids: list[int]
    seed: int
    finished: bool = False
    notices: list[str] = field(default_factory=list)

    @property
    def generated_text(self) -> str:
        return self.prompt + self.continuation


def logits_processors(params: GenerationParams) -> LogitsProcessorList:
    """The processors `generate` builds for these settings, in its order."""
    processors = LogitsProcessorList()
    if params.repetition_penalty != 1.0:
        processors.append(RepetitionPenaltyLogitsProcessor(params.repetition_penalty))
    if params.greedy:
        return processors
    if params.temperature != 1.0:
        processors.append(TemperatureLogitsWarper(params.temperature))
    if params.top_k != 0:
        processors.append(TopKLogitsWarper(top_k=params.top_k, min_tokens_to_keep=1))
    if params.top_p < 1.0:
        processors.append(TopPLogitsWarper(top_p=params.top_p, min_tokens_to_keep=1))
    return processors


def encode_prompt(loaded: LoadedModel, prompt: str, max_new_tokens: int) -> tuple[list[int], list[str]]:
    """Prompt token ids cut from the left so that prompt + max_new_tokens fits the context; notices."""
    context = loaded.context_length
    if max_new_tokens >= context:
        raise InputError(
            f"Max new tokens must be below this model's context length of {context} tokens; "
            f"got {max_new_tokens}."
        )
    ids = loaded.tokenizer(prompt, add_special_tokens=False)["input_ids"]
    if not ids:
        raise InputError("The prompt has no tokens the model knows. Please type some words.")
    room = context - max_new_tokens
    if len(ids) <= room:
        return ids, []
    notice = (
        f"The prompt had {len(ids)} tokens, but with {max_new_tokens} new tokens only {room} fit in the "
        f"model's context of {context}: only its last {room} tokens were used."
    )
    return ids[-room:], [notice]


def stream(
    loaded: LoadedModel, prompt: str, params: GenerationParams, max_chars: int, max_new_tokens_cap: int
) -> Iterator[GenerationResult]:
    """Yield the growing result after every new token; the last one has `finished=True`."""
    prompt = check_text(prompt, max_chars, "prompt")
    params = params.validated(max_new_tokens_cap)
    tokenizer, model, device = loaded.tokenizer, loaded.model, loaded.device
    prompt_ids, notices = encode_prompt(loaded, prompt, params.max_new_tokens)
    if notices:
        prompt = tokenizer.decode(prompt_ids)
    processors = logits_processors(params)
    generator = torch.Generator(device=device).manual_seed(params.seed)
    eos_ids = _eos_token_ids(loaded)
    prompt_text = tokenizer.decode(prompt_ids, skip_special_tokens=True)

    input_ids = torch.tensor([prompt_ids], device=device)  # (1, T)
    next_input, past = input_ids, None
    result = GenerationResult(prompt=prompt, continuation="", token_ids=[], seed=params.seed, notices=notices)
    for _ in range(params.max_new_tokens):
        with loaded.lock, torch.inference_mode():
            outputs = model(input_ids=next_input, past_key_values=past, use_cache=True)
            past = outputs.past_key_values
            scores = processors(input_ids, outputs.logits[:, -1].float())  # (1, vocab)
            if params.greedy:
                next_token = scores.argmax(dim=-1)
            else:
                probs = scores.softmax(dim=-1)
                next_token = torch.multinomial(probs, num_samples=1, generator=generator).squeeze(1)
        token_id = int(next_token)
        input_ids = torch.cat([input_ids, next_token[:, None]], dim=-1)
        next_input = next_token[:, None]
        result.token_ids.append(token_id)
        result.continuation = _continuation(tokenizer, prompt_ids, prompt_text, result.token_ids)
        if token_id in eos_ids:
            break
        if len(result.token_ids) < params.max_new_tokens:
            yield result
    result.finished = True
    yield result


def generate(
    loaded: LoadedModel, prompt: str, params: GenerationParams, max_chars: int, max_new_tokens_cap: int
) -> GenerationResult:
    """The whole generation at once (the last result of `stream`)."""
    *_, last = stream(loaded, prompt, params, max_chars, max_new_tokens_cap)
    return last


def _eos_token_ids(loaded: LoadedModel) -> set[int]:
    eos = loaded.model.generation_config.eos_token_id
    if eos is None:
        eos = loaded.tokenizer.eos_token_id
    return set(eos) if isinstance(eos, list) else ({eos} if eos is not None else set())


def _continuation(tokenizer, prompt_ids: list[int], prompt_text: str, new_ids: list[int]) -> str:
    """The new text as the pipeline returns it: decode(prompt + new) minus decode(prompt)."""
    full_text = tokenizer.decode(prompt_ids + new_ids, skip_special_tokens=True)
    return full_text[len(prompt_text) :]
