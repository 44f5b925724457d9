"""Text generation, one token at a time, exactly as `model.generate` decodes.

The loop below is `generate`'s own sampling loop made visible: the same logits processors in the same order
(repetition penalty, then temperature, top-k, top-p), a KV cache so the prompt is never recomputed, and
`torch.multinomial` for the draw, but with a per-request `torch.Generator` instead of the global RNG so that
a seed gives the same text whatever other users do at the same time. Being a Python generator, it stops as
soon as the caller stops asking for tokens (a Stop button, a closed browser tab).
"""

from __future__ import annotations

import inspect
import math
import random
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field, replace

import torch
from transformers import (
    DynamicCache,
    LogitsProcessorList,
    RepetitionPenaltyLogitsProcessor,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

from playground import timing
from playground.i18n import Message, lazy
from playground.models import LoadedModel
from playground.tasks.text import readable_text, readable_token, token_strings, token_text
from playground.tasks.validation import (
    InputError,
    StepOutOfRange,
    check_float,
    check_int,
    check_text,
    translatable,
)

MAX_SEED = 2**32 - 1
MAX_SAMPLES = 4
ALTERNATIVES = 5  # alternatives remembered per generated token (shown on hover)


@dataclass(frozen=True)
class GenerationParams:
    max_new_tokens: int = 50
    temperature: float = 1.0  # 0 means greedy decoding
    top_k: int = 50  # 0 means no top-k filter
    top_p: float = 1.0
    repetition_penalty: float = 1.0
    seed: int = 0  # -1 picks a random seed, reported in the result
    num_samples: int = 1  # samples drawn side by side, as generate's num_return_sequences

    @property
    def greedy(self) -> bool:
        return self.temperature == 0

    def validated(self, max_new_tokens_cap: int) -> GenerationParams:
        """These parameters checked for range (InputError otherwise), with a random seed drawn for -1."""
        seed = check_int(self.seed, lazy("The seed"), -1, MAX_SEED)
        if self.temperature == 0 and self.num_samples != 1:
            raise InputError(
                lazy(
                    "With temperature 0 (greedy) every sample would be the same text. "
                    "Raise the temperature to compare several samples."
                )
            )
        return GenerationParams(
            max_new_tokens=check_int(self.max_new_tokens, lazy("Max new tokens"), 1, max_new_tokens_cap),
            temperature=check_float(self.temperature, lazy("Temperature"), 0.0, 100.0),
            top_k=check_int(self.top_k, lazy("Top-k"), 0, 10**6),
            top_p=_check_top_p(self.top_p),
            repetition_penalty=check_float(self.repetition_penalty, lazy("Repetition penalty"), 0.01, 100.0),
            seed=random_seed() if seed == -1 else seed,
            num_samples=check_int(self.num_samples, lazy("The number of samples"), 1, MAX_SAMPLES),
        )


def random_seed() -> int:
    return random.randint(0, MAX_SEED)


def _check_top_p(value: float) -> float:
    top_p = check_float(value, lazy("Top-p"), 0.0, 1.0)
    if top_p == 0:
        raise InputError(lazy("Top-p must be above 0 (1 keeps every token); got 0."))
    return top_p


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


def room_for_prompt(loaded: LoadedModel, max_new_tokens: int) -> int:
    """How many prompt tokens fit in the context beside `max_new_tokens` new ones (InputError if none do)."""
    context = loaded.context_length
    if max_new_tokens >= context:
        raise InputError(
            lazy(
                "Max new tokens must be below this model's context length of {context} tokens; got {got}.",
                context=context,
                got=max_new_tokens,
            )
        )
    return context - max_new_tokens


def check_prompt_ids(
    loaded: LoadedModel, prompt_ids: list[int], max_new_tokens: int, what: str | Message = lazy("prompt")
) -> list[int]:
    """The prompt ids if they and `max_new_tokens` new tokens fit in the context, else InputError.

    For prompts that must not be cut (a chat template: cutting from the left loses the system prompt and
    the turn markers); `encode_prompt` cuts a plain-text prompt instead."""
    room = room_for_prompt(loaded, max_new_tokens)
    if not prompt_ids:
        raise InputError(lazy("The prompt has no tokens the model knows. Please type some words."))
    if len(prompt_ids) > room:
        raise InputError(
            lazy(
                "The {what} is {tokens} tokens long, but with {new} new tokens only {room} fit in this model's "
                "context of {context}. Please shorten it, or ask for fewer new tokens.",
                what=translatable(what),
                tokens=len(prompt_ids),
                new=max_new_tokens,
                room=room,
                context=loaded.context_length,
            )
        )
    return list(prompt_ids)


def processed_scores(
    params: GenerationParams, processors: LogitsProcessorList, input_ids: torch.Tensor, logits: torch.Tensor
) -> torch.Tensor:
    """The processors applied to the float32 logits (B, vocab), as `generate` does. A tiny temperature (1e-40 is
    in range) divides the logits past float32's range into +inf, whose softmax is NaN: those are processed again
    in float64, and past float64's range too the scores become what sampling tends to as the temperature goes
    to 0, all of the probability on the most likely token."""
    scores = processors(input_ids, logits.float())
    if not torch.isposinf(scores).any():
        return scores
    scores = processors(input_ids, logits.double())
    if not torch.isposinf(scores).any():
        return scores
    greedy = logits_processors(replace(params, temperature=0))(input_ids, logits.double())
    return torch.full_like(greedy, -math.inf).scatter_(1, greedy.argmax(dim=-1, keepdim=True), 0.0)


def encode_prompt(loaded: LoadedModel, prompt: str, max_new_tokens: int) -> tuple[list[int], list[str]]:
    """Prompt token ids cut from the left so that prompt + max_new_tokens fits the context; notices."""
    room = room_for_prompt(loaded, max_new_tokens)
    context = loaded.context_length
    ids = loaded.tokenizer(prompt, add_special_tokens=False)["input_ids"]
    if not ids:
        raise InputError(lazy("The prompt has no tokens the model knows. Please type some words."))
    if len(ids) <= room:
        return ids, []
    notice = lazy(
        "The prompt had {tokens} tokens, but with {new} new tokens only {room} fit in the model's context of "
        "{context}: only its last {room} tokens were used.",
        tokens=len(ids),
        new=max_new_tokens,
        room=room,
        context=context,
    )
    return ids[-room:], [notice, *cut_word_notice(loaded, prompt, len(ids) - room)]


def cut_word_notice(loaded: LoadedModel, prompt: str, dropped: int) -> list[Message]:
    """A notice when the prompt's first `dropped` tokens end inside a word: the model reads that word's end only."""
    if not getattr(loaded.tokenizer, "is_fast", False):  # only a fast tokenizer knows where its tokens are
        return []
    offsets = loaded.tokenizer(prompt, add_special_tokens=False, return_offsets_mapping=True)[
        "offset_mapping"
    ]
    if dropped <= 0 or dropped >= len(offsets):
        return []
    start = offsets[dropped][0]
    if not (0 < start < len(prompt)) or not (_in_word(prompt[start - 1]) and _in_word(prompt[start])):
        return []
    end = start
    while end < len(prompt) and _in_word(prompt[end]):
        end += 1
    return [
        lazy(
            "The start of your prompt was cut in the middle of a word: the model reads “{piece}” without "
            "its beginning.",
            piece=prompt[start:end],
        )
    ]


def _in_word(character: str) -> bool:
    """A letter or digit of a word written with spaces between words (not a Chinese character)."""
    return character.isalnum() and character.isascii() or character.isalpha() and ord(character) < 0x2E80


@dataclass
class Step:
    """One generated token and the distribution it was drawn from."""

    token_id: int
    token: str  # as a reader sees it, e.g. " cat"
    prob: float  # the model's probability of it: the softmax of the raw logits
    alternatives: list[
        tuple[str, float]
    ]  # the tokens the model found most likely there, with that probability
    # its probability in the distribution the sampler drew from (after temperature, top-k, top-p; greedy: 1)
    sampler_prob: float | None = None


@dataclass
class Sample:
    steps: list[Step] = field(default_factory=list)
    continuation: str = ""

    @property
    def token_ids(self) -> list[int]:
        return [step.token_id for step in self.steps]


@dataclass
class GenerationResult:
    """A generation so far: the prompt actually used and one or more samples continuing it."""

    prompt: str
    prompt_ids: list[int]
    samples: list[Sample]
    seed: int
    params: GenerationParams
    finished: bool = False
    notices: list[str] = field(default_factory=list)
    drawn_by: str = ""  # who drew the tokens when not this app: "vLLM at http://…/v1" (--generation-server)

    @property
    def generated_texts(self) -> list[str]:
        """Prompt + continuation of every sample, as the pipeline's `generated_text`."""
        return [self.prompt + sample.continuation for sample in self.samples]

    @property
    def generated_text(self) -> str:
        return self.generated_texts[0]

    @property
    def token_ids(self) -> list[int]:
        return self.samples[0].token_ids


def draw(scores: torch.Tensor, params: GenerationParams, generator: torch.Generator) -> torch.Tensor:
    """The next token of each row of processed `scores` (B, vocab): argmax if greedy, else a sample."""
    if params.greedy:
        return scores.argmax(dim=-1)
    return torch.multinomial(scores.softmax(dim=-1), num_samples=1, generator=generator).squeeze(1)


def stream(
    loaded: LoadedModel,
    prompt: str,
    params: GenerationParams,
    max_chars: int,
    max_new_tokens_cap: int,
    engine=None,
    update_interval: float | None = None,
) -> Iterator[GenerationResult]:
    """Yield the growing result after every new token (or at most one per `update_interval` seconds); the last
    one has `finished=True`. With an `engine`, the decoding is a row of its shared batch (see `stream_ids`)."""
    prompt = check_text(prompt, max_chars, lazy("prompt"))
    params = params.validated(max_new_tokens_cap)
    prompt_ids, notices = encode_prompt(loaded, prompt, params.max_new_tokens)
    if notices:
        prompt = readable_text(loaded.tokenizer, prompt_ids, skip_special_tokens=False)
    yield from stream_ids(
        loaded,
        prompt_ids,
        params,
        prompt=prompt,
        notices=notices,
        engine=engine,
        update_interval=update_interval,
    )


def stream_ids(
    loaded: LoadedModel,
    prompt_ids: list[int],
    params: GenerationParams,
    stop_ids: Collection[int] = (),
    prompt: str | None = None,
    notices: list[str] | None = None,
    new_text: Callable[[list[int]], str] | None = None,
    engine=None,
    update_interval: float | None = None,
) -> Iterator[GenerationResult]:
    """Decode after given prompt ids, yielding the growing result after every new token (the last one has
    `finished=True`). The loop of `stream` and of Chat.

    `params` are already validated (`GenerationParams.validated`) and the ids fit the context with
    `params.max_new_tokens` more (`encode_prompt`, `check_prompt_ids`). A sample stops at the model's eos
    ids or at any of `stop_ids` (the stop token is its last step). `prompt` is the text reported as the
    prompt (the decoded ids if None); `new_text(new_ids)` the text of a sample's new tokens (by default
    decode(prompt + new) minus decode(prompt), as the text-generation pipeline joins a text prompt).
    With an `engine` (playground.engine.Engine), the tokens are decoded as one row of the engine's shared
    batch; without, by `decode_steps` in the caller's thread. Both give the same tokens.

    `update_interval` None: a result after every token. A number of seconds: fewer updates, each showing all
    the tokens so far (the work per update, the text decoded, sent and read, is then paid less often): steps
    the engine has already drawn are read before the next update (a reader that fell behind skips only what it
    would have shown stale), and after the first token at once, at most one update per `update_interval`
    (an update waits for the next token). The last result, and every result's fields, are the same either way.
    """
    tokenizer = loaded.tokenizer
    eos_ids = sorted(_eos_token_ids(loaded) | set(stop_ids))
    if new_text is None:
        prompt_text = readable_text(tokenizer, prompt_ids)

        def new_text(new_ids: list[int]) -> str:
            return _continuation(tokenizer, prompt_ids, prompt_text, new_ids)

    if prompt is None:
        prompt = readable_text(tokenizer, prompt_ids, skip_special_tokens=False)

    samples = [Sample() for _ in range(params.num_samples)]
    result = GenerationResult(prompt, list(prompt_ids), samples, params.seed, params, notices=notices or [])
    if getattr(engine, "remote", False):
        result.drawn_by = engine.label
    if engine is None:
        records = decode_steps(loaded, prompt_ids, params, eos_ids)
    else:
        records = engine.submit(prompt_ids, params, eos_ids)
    waiting = getattr(records, "waiting", lambda: 0)  # steps already drawn and not read (the engine's)
    shown_at = None  # when the last update was yielded (time.monotonic)
    try:
        for record in records:
            _append_steps(tokenizer, samples, record)
            if record.rescored is not None:
                _rescore(tokenizer, samples, record.rescored)
            if record.last:
                break
            if update_interval is not None:
                if waiting():  # more tokens are there already: read them before showing any
                    continue
                now = time.monotonic()
                if shown_at is not None and now - shown_at < update_interval:
                    continue
                shown_at = now
            for sample in samples:
                sample.continuation = new_text(sample.token_ids)
            yield result
    finally:
        records.close()  # a stopped stream (Stop, a closed tab) ends its decoding at the next step
    for sample in samples:
        sample.continuation = new_text(sample.token_ids)
    result.finished = True
    yield result


@dataclass
class StepRecord:
    """One decoding step of a request's samples: the drawn tokens and what the page shows of their distribution.

    Plain lists, so that a decoding loop on another thread hands it over without tensors."""

    tokens: list[int]  # (n,) the token drawn for each sample (padding for a finished one)
    previous: list[int]  # (n,) the token before it
    active: list[bool]  # (n,) whether the sample was still unfinished (finished ones get no step)
    probs: list[float]  # (n,) the drawn token's probability in the model's distribution (raw logits' softmax)
    top_ids: list[list[int]]  # (n, ALTERNATIVES) the most likely tokens of that distribution
    top_probs: list[list[float]]
    sampler_probs: list[float]  # (n,) the drawn token's probability in the distribution it was drawn from
    last: bool = False  # the request has ended with this step (every sample finished, or max_new_tokens)
    distribution: Distribution | None = None  # the first sample's, in detail (a request with `top_n`)
    rng_state: bytes | None = None  # the sampler's state after the draw (a request with `top_n`)
    # a server's engine (engine/remote.py), on the last record: per sample, per new token, the model's own
    # (probability of the token, top ids, their probabilities), which its stream did not give
    rescored: list[list[tuple[float, list[int], list[float]]]] | None = None


@dataclass
class Distribution:
    """A next-token distribution in detail: its `top_n` tokens by raw logit, their softmax probabilities, and
    their probabilities in the distribution the sampler draws from (after temperature, top-k, top-p)."""

    ids: list[int]
    logits: list[float]
    probs: list[float]
    probs_after: list[float]


def describe(
    params: GenerationParams, logits: torch.Tensor, scores: torch.Tensor, top_n: int
) -> Distribution:
    """The first row's distribution in detail, from its raw `logits` and processed `scores` (rows, vocab). A
    greedy sampler draws the most likely token: all of its probability is on that one."""
    logits, scores = logits[0].float(), scores[0]
    after = sampler_distribution(params, scores[None])[0]
    top_logits, top_ids = logits.topk(min(top_n, logits.shape[-1]))
    return Distribution(
        ids=top_ids.tolist(),
        logits=top_logits.tolist(),
        probs=logits.softmax(dim=-1)[top_ids].tolist(),
        probs_after=after[top_ids].tolist(),
    )


class DecodingState:
    """One request's decoding, step by step, as `generate` does it: its processors and torch.Generator, the ids
    so far (n, T) and which samples are unfinished. `decode_steps` drives it alone; the engine drives many in
    one batch. Each step takes the logits of the last position (n, vocab) and draws the next tokens.

    The generator starts from `params.seed`, or from a saved `rng_state` (step mode goes on where its last draw
    left off). With `top_n`, each record also holds the distribution in detail and the generator's state."""

    def __init__(
        self,
        prompt_ids: list[int],
        params: GenerationParams,
        eos_ids: Collection[int],
        device,
        rng_state: bytes | None = None,
        top_n: int = 0,
    ):
        self.params = params
        self.processors = logits_processors(params)
        self.generator = torch.Generator(device=device)
        if rng_state is None:
            self.generator.manual_seed(params.seed)
        else:
            self.generator.set_state(torch.frombuffer(bytearray(rng_state), dtype=torch.uint8))
        self.top_n = top_n
        self.eos_ids = torch.tensor(sorted(eos_ids), device=device, dtype=torch.long)
        self.pad_id = int(self.eos_ids[0]) if len(self.eos_ids) else 0
        n = params.num_samples
        self.input_ids = torch.tensor([list(prompt_ids)] * n, device=device)  # (n, T)
        self.unfinished = torch.ones(n, dtype=torch.bool, device=device)
        self.steps = 0

    def draw_next(self, logits: torch.Tensor) -> StepRecord:
        """Process `logits` (n, vocab), draw each sample's next token, and record the step."""
        params = self.params
        if params.greedy and not self.processors:
            # Nothing to process: the scores are the logits (`processed_scores`' rescue of an infinite score
            # changes nothing greedy draws). Each full-vocabulary pass saved is time outside the forward pass.
            scores = logits.float()  # (n, vocab)
        else:
            scores = processed_scores(params, self.processors, self.input_ids, logits)  # (n, vocab)
        if params.greedy:
            drawn = scores.argmax(dim=-1)  # (n,)
            sampler = None
        else:
            sampler = scores.softmax(dim=-1)  # (n, vocab) the distribution drawn from (as `draw`)
            drawn = torch.multinomial(sampler, num_samples=1, generator=self.generator).squeeze(1)
        # Finished samples get padding, as in generate.
        next_tokens = torch.where(self.unfinished, drawn, self.pad_id)  # (n,)
        if sampler is None:  # greedy: all of the sampler's probability on the most likely token (`drawn`)
            sampler_probs = (next_tokens == drawn).float()
        else:
            sampler_probs = sampler.gather(1, next_tokens[:, None]).squeeze(1)
        record = _record(
            logits.float().softmax(dim=-1), sampler_probs, self.input_ids[:, -1], next_tokens, self.unfinished
        )
        if self.top_n:
            record.distribution = describe(params, logits, scores, self.top_n)
            record.rng_state = bytes(self.generator.get_state().numpy())
        self.input_ids = torch.cat([self.input_ids, next_tokens[:, None]], dim=-1)
        self.unfinished &= ~torch.isin(next_tokens, self.eos_ids)
        self.steps += 1
        record.last = not self.unfinished.any() or self.steps == params.max_new_tokens
        return record

    @property
    def last_tokens(self) -> torch.Tensor:
        return self.input_ids[:, -1:]  # (n, 1)


def decode_steps(
    loaded: LoadedModel, prompt_ids: list[int], params: GenerationParams, eos_ids: Collection[int]
) -> Iterator[StepRecord]:
    """The decoding loop of one request alone, in the caller's thread: a StepRecord per new token."""
    model = loaded.model
    state = DecodingState(prompt_ids, params, eos_ids, loaded.device)
    next_input, cache_kwargs = state.input_ids, _new_cache(model) | last_logits_only(model)
    while True:
        with torch.inference_mode():  # not held across the yield: the mode is thread-local
            with loaded.lock:
                outputs = model(input_ids=next_input, use_cache=True, **cache_kwargs)
            record = state.draw_next(outputs.logits[:, -1])
            next_input = state.last_tokens
        yield record
        if record.last:
            return


def _new_cache(model) -> dict:
    """An empty KV cache for the loop, passed as transformers 5 wants: a `DynamicCache` built from the model's
    config (its layer types: full or sliding-window attention), under the argument name the model's forward
    takes (`cache` since transformers 5.24, which deprecates `past_key_values`). The model fills it in place."""
    cache = DynamicCache(config=model.config.get_text_config(decoder=True))
    name = "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"
    return {name: cache}


def last_logits_only(model) -> dict:
    """The forward's argument that computes the logits of the last position only (as `generate` passes it):
    a prompt's other positions need no logits."""
    return {"logits_to_keep": 1} if "logits_to_keep" in inspect.signature(model.forward).parameters else {}


def generate(
    loaded: LoadedModel,
    prompt: str,
    params: GenerationParams,
    max_chars: int,
    max_new_tokens_cap: int,
    engine=None,
) -> GenerationResult:
    """The whole generation at once (the last result of `stream`)."""
    *_, last = stream(loaded, prompt, params, max_chars, max_new_tokens_cap, engine)
    return last


def sampler_distribution(params: GenerationParams, scores: torch.Tensor) -> torch.Tensor:
    """The distribution the sampler draws from (rows, vocab), from the processed `scores`: their softmax, or
    for a greedy sampler all of the probability on the most likely token."""
    if params.greedy:
        return torch.zeros_like(scores).scatter_(-1, scores.argmax(dim=-1, keepdim=True), 1.0)
    return scores.softmax(dim=-1)


def _record(probs, sampler_probs, previous_tokens, next_tokens, unfinished) -> StepRecord:
    """The step as plain lists: the drawn tokens, their probabilities (the model's distribution `probs` (n, vocab),
    and the sampler's probability of each drawn token, `sampler_probs` (n,)) and the model's top alternatives
    (n rows)."""
    top_probs, top_ids = probs.topk(min(ALTERNATIVES, probs.shape[-1]), dim=-1)  # (n, ALTERNATIVES)
    return StepRecord(
        tokens=next_tokens.tolist(),
        previous=previous_tokens.tolist(),
        active=unfinished.tolist(),
        probs=probs.gather(1, next_tokens[:, None]).squeeze(1).tolist(),
        top_ids=top_ids.tolist(),
        top_probs=top_probs.tolist(),
        sampler_probs=sampler_probs.tolist(),
    )


def _append_steps(tokenizer, samples: list[Sample], record: StepRecord) -> None:
    """Append each unfinished sample's new token (as it reads after the one before), its probability and the
    top alternatives."""
    for i, sample in enumerate(samples):
        if not record.active[i]:
            continue
        token_id = record.tokens[i]
        alternatives = [
            (readable_token(tokenizer, t), p)
            for t, p in zip(record.top_ids[i], record.top_probs[i], strict=True)
        ]
        text = token_text(tokenizer, token_id, record.previous[i])
        sample.steps.append(Step(token_id, text, record.probs[i], alternatives, record.sampler_probs[i]))


def _rescore(tokenizer, samples: list[Sample], rescored: list) -> None:
    """The model's own probabilities and alternatives of each sample's tokens, from a server's scoring call."""
    for sample, scored in zip(samples, rescored, strict=True):
        for step, (prob, top_ids, top_probs) in zip(sample.steps, scored, strict=True):
            step.prob = prob
            step.alternatives = [
                (readable_token(tokenizer, t), p) for t, p in zip(top_ids, top_probs, strict=True)
            ]


def _eos_token_ids(loaded: LoadedModel) -> set[int]:
    """Where a generation ends: the model's end-of-text token; for a GPT that reads through a BERT tokenizer
    (uer/gpt2-chinese-*, which has none), the [SEP] that closed each text it was trained on (else it writes
    runs of [SEP])."""
    eos = loaded.model.generation_config.eos_token_id
    if eos is None:
        eos = loaded.tokenizer.eos_token_id
    if eos is None and getattr(loaded.tokenizer, "sep_token_id", None) is not None:
        eos = loaded.tokenizer.sep_token_id
    return set(eos) if isinstance(eos, list) else ({eos} if eos is not None else set())


def _continuation(tokenizer, prompt_ids: list[int], prompt_text: str, new_ids: list[int]) -> str:
    """The new text as the pipeline returns it: decode(prompt + new) minus decode(prompt) (for WordPiece
    tokenizers without spaces between Chinese characters)."""
    full_text = readable_text(tokenizer, prompt_ids + new_ids)
    return full_text[len(prompt_text) :]


# --- The next-token distribution, and drawing from it one token at a time (step mode) ---------------------


@dataclass
class TokenChoice:
    """One candidate for the next token: its raw score and probability, and what the sampler makes of it."""

    token: str
    token_id: int
    logit: float
    prob: float  # softmax of the raw logits
    prob_after: float  # probability in the distribution the sampler draws from (0 where filtered away)
    kept: bool  # survived temperature, top-k and top-p


@dataclass
class NextToken:
    """The distribution over the token after `context_ids`, and the token drawn from it, if one was."""

    context_ids: list[int]
    choices: list[TokenChoice]  # the top_n by raw logit
    drawn_id: int | None = None
    drawn_text: str = ""  # the drawn token as it reads after the context
    rng_state: bytes | None = None  # the sampler's state after the draw, to go on from in the next step
    drawn_by: str = ""  # who drew the token when not this app: "vLLM at http://…/v1" (--generation-server)


def next_token(
    loaded: LoadedModel,
    context_ids: list[int],
    params: GenerationParams,
    top_n: int,
    draw_one: bool = False,
    rng_state: bytes | None = None,
    engine=None,
) -> NextToken:
    """The next-token distribution for a context; with `draw_one`, also draw a token from it.

    A draw uses a generator seeded with `params.seed`, or restored from `rng_state`, so that drawing
    token by token gives the same text as `stream` with the same seed. With an `engine`, the draw is a
    request of its shared batch (prefilled together with the requests that join with it); else, and for the
    distribution alone, one forward pass in the caller's thread.
    """
    one = replace(params, max_new_tokens=1)
    record = None
    if not draw_one and getattr(engine, "remote", False):  # a server's: two one-token calls
        shown = engine.distribution(list(context_ids), params, top_n)
    elif draw_one and engine is not None:
        records = engine.submit(context_ids, one, (), rng_state=rng_state, top_n=top_n)
        try:
            record = next(records)
        finally:
            records.close()
    else:
        state = DecodingState(context_ids, one, (), loaded.device, rng_state, top_n)
        with torch.inference_mode():  # no lock: the engine's copy of the model (`LoadedModel.unlocked_model`)
            timing.mark("forward")
            outputs = loaded.unlocked_model()(input_ids=state.input_ids, **last_logits_only(loaded.model))
            logits = outputs.logits[:, -1]  # (1, vocab)
            if draw_one:
                record = state.draw_next(logits)
            else:
                scores = processed_scores(params, state.processors, state.input_ids, logits)
                shown = describe(params, logits, scores, top_n)
    if record is not None:
        shown = record.distribution
    tokenizer = loaded.tokenizer
    choices = [
        TokenChoice(
            token=readable_token(tokenizer, token_id),
            token_id=token_id,
            logit=logit,
            prob=prob,
            prob_after=after,
            kept=after > 0,
        )
        for token_id, logit, prob, after in zip(
            shown.ids, shown.logits, shown.probs, shown.probs_after, strict=True
        )
    ]
    if record is None:
        return NextToken(list(context_ids), choices)
    drawn_id = record.tokens[0]
    drawn_text = token_text(tokenizer, drawn_id, context_ids[-1])
    drawn_by = engine.label if getattr(engine, "remote", False) else ""
    return NextToken(list(context_ids), choices, drawn_id, drawn_text, record.rng_state, drawn_by)


def encode_context(loaded: LoadedModel, text: str, max_chars: int) -> tuple[list[int], list[str]]:
    """Token ids of a context whose next token is asked for, cut from the left to leave room for it."""
    return encode_prompt(loaded, check_text(text, max_chars), max_new_tokens=1)


# --- Step mode: draw the text one token at a time, take draws back -------------------------------------------


@dataclass
class StepState:
    """Step mode: the prompt, the tokens drawn one by one, and the sampler state after each draw."""

    model_id: str  # the model whose tokens these are (a preset switch changes it)
    prompt: str
    prompt_ids: list[int]
    steps: list[Step] = field(default_factory=list)
    rng_states: list[bytes] = field(default_factory=list)
    drawn_by: str = ""  # who drew the tokens when not this app: "vLLM at http://…/v1" (--generation-server)

    @property
    def context_ids(self) -> list[int]:
        return self.prompt_ids + [step.token_id for step in self.steps]


def step_from(choice_source: NextToken) -> Step:
    """The drawn token of a NextToken as a Step, with its probabilities (the model's and the sampler's) and the
    model's top alternatives, as Generate records them."""
    by_prob = sorted(choice_source.choices, key=lambda c: c.prob, reverse=True)
    drawn = next((c for c in choice_source.choices if c.token_id == choice_source.drawn_id), None)
    return Step(
        token_id=choice_source.drawn_id,
        token=choice_source.drawn_text,
        prob=drawn.prob if drawn else 0.0,
        alternatives=[(c.token, c.prob) for c in by_prob[:ALTERNATIVES]],
        sampler_prob=drawn.prob_after if drawn else 0.0,
    )


def draw_step(
    loaded: LoadedModel,
    state: StepState | None,
    prompt: str,
    params: GenerationParams,
    max_chars: int,
    top_n: int,
    engine=None,
) -> tuple[StepState, NextToken]:
    """Draw one more token after the prompt and the tokens drawn so far (a new prompt, or another model,
    starts again); the new state and the distribution it was drawn from. With an `engine`, the draw is a
    request of its shared batch."""
    params = params.validated(max_new_tokens_cap=1)
    if state is None or state.prompt != prompt or state.model_id != loaded.model_id:
        ids, _notices = encode_context(loaded, prompt, max_chars)
        state = StepState(loaded.model_id, prompt, ids)
    check_room(loaded, state.context_ids)
    rng = state.rng_states[-1] if state.rng_states else None
    result = next_token(loaded, state.context_ids, params, top_n, draw_one=True, rng_state=rng, engine=engine)
    state = replace(
        state,
        steps=state.steps + [step_from(result)],
        rng_states=state.rng_states + [result.rng_state],
        drawn_by=result.drawn_by,
    )
    return state, result


def undo_step(state: StepState | None) -> StepState:
    """The state before the last draw; StepOutOfRange when nothing was drawn."""
    if state is None or not state.steps:
        raise StepOutOfRange(lazy("There is no drawn token to undo. Click “Next token” first."))
    return replace(state, steps=state.steps[:-1], rng_states=state.rng_states[:-1])


def check_room(loaded: LoadedModel, context_ids: list[int]) -> None:
    """InputError when the text already fills the model's context, so no token can follow it."""
    if len(context_ids) >= loaded.context_length:
        raise InputError(
            lazy(
                "The text has reached this model's context length of {tokens} tokens.",
                tokens=loaded.context_length,
            )
        )


# --- How surprised the model is by a text ------------------------------------------------------------------


@dataclass
class Perplexity:
    """Per-token log-probabilities (natural log) of a text, and the perplexity of its two parts."""

    tokens: list[str]
    logprobs: list[float | None]  # logprobs[i] = log p(token i | tokens before it); None for the first
    prompt_length: int  # the first prompt_length tokens are the prompt, the rest were generated

    def _perplexity(self, values: list[float | None]) -> float | None:
        known = [v for v in values if v is not None]
        return math.exp(-sum(known) / len(known)) if known else None

    @property
    def prompt_perplexity(self) -> float | None:
        return self._perplexity(self.logprobs[: self.prompt_length])

    @property
    def generated_perplexity(self) -> float | None:
        return self._perplexity(self.logprobs[self.prompt_length :])


def perplexity(loaded: LoadedModel, prompt_ids: list[int], generated_ids: list[int]) -> Perplexity:
    """Log-probability of every token given the ones before it, under the raw model (temperature 1)."""
    ids = list(prompt_ids) + list(generated_ids)
    input_ids = torch.tensor([ids], device=loaded.device)  # (1, T)
    with torch.inference_mode():
        with loaded.lock:
            logits = loaded.model(input_ids=input_ids).logits[0].float()  # (T, vocab)
        logprobs = logits[:-1].log_softmax(dim=-1).gather(1, input_ids[0, 1:, None]).squeeze(1)  # (T-1,)
    return Perplexity(
        tokens=token_strings(loaded.tokenizer, ids),
        logprobs=[None] + logprobs.tolist(),
        prompt_length=len(prompt_ids),
    )


# --- The transformers code that reproduces a result --------------------------------------------------------


def reproduction_code(model_id: str, prompt: str, params: GenerationParams) -> str:
    """Plain transformers code that generates the same text as the playground did with these settings."""
    arguments = [f"max_new_tokens={params.max_new_tokens}"]
    if params.greedy:
        arguments.append("do_sample=False")
    else:
        arguments += [
            "do_sample=True",
            f"temperature={params.temperature!r}",
            f"top_k={params.top_k}",
            f"top_p={params.top_p!r}",
        ]
    if params.repetition_penalty != 1.0:
        arguments.append(f"repetition_penalty={params.repetition_penalty!r}")
    if params.num_samples > 1:
        arguments.append(f"num_return_sequences={params.num_samples}")
    arguments.append("pad_token_id=tokenizer.eos_token_id")
    call = ",\n    ".join(["**inputs"] + arguments)
    return f"""import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained({model_id!r})
model = AutoModelForCausalLM.from_pretrained({model_id!r})
inputs = tokenizer({prompt!r}, add_special_tokens=False, return_tensors="pt")  # as the playground does
torch.manual_seed({params.seed})  # the playground's seed
outputs = model.generate(
    {call},
)
for output in outputs:
    print(tokenizer.decode(output, skip_special_tokens=True))
"""
