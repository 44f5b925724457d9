"""Generation on an OpenAI-compatible server (vLLM first), behind the interface of the shared engine.

`--generation-server URL` / `--chat-server URL` (the server's OpenAI base URL, e.g. http://127.0.0.1:8000/v1):
every forward pass of that model that samples or asks for the next-token distribution goes to the server; the
local copy of the same model stays for what no engine serves (attention, Inside, experiments, gradients).

`RemoteEngine.submit` answers as `Engine.submit` does: an iterator of `StepRecord`s (plain lists), closed when
the reader is gone (closing it closes the HTTP stream, and vLLM aborts the request). How each field is filled:

- the drawn tokens, and the probability of each in the distribution it was drawn from (after repetition
  penalty, temperature, top-k, top-p): the completion's stream, `logprobs` with token ids, from a server
  started with `--logprobs-mode processed_logprobs`;
- the model's own (raw) probability of each drawn token and its top alternatives: one scoring call when the
  request ends (`prompt_logprobs` over prompt + sample), attached to the last record (`StepRecord.rescored`);
  while the text streams, the page shows the sampler's probabilities;
- a distribution in detail (`top_n`: the chart, /next_token, step mode): two one-token calls, the request's
  settings (the sampler's distribution) and neutral settings (temperature 1, no filter: the raw one).

Seeds are always sent (vLLM ignores the seeds of a CPU batch when one request has none). A server that does
not answer, or too slowly, is reported in one sentence naming the flag (`ServerError`, an InputError).
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Collection, Iterator
from dataclasses import dataclass

import httpx

from playground.i18n import lazy
from playground.tasks.generation import (
    ALTERNATIVES,
    MAX_SEED,
    Distribution,
    GenerationParams,
    StepRecord,
)
from playground.tasks.validation import InputError

log = logging.getLogger("playground")

CONNECT_SECONDS = 5.0  # a server that does not accept the connection by then is down
READ_SECONDS = (
    60.0  # the longest wait for the next token of a stream (a busy CPU server's first one included)
)
NO_LOGPROB = -9999.0  # what vLLM's JSON gives for a probability of 0 (-inf)
NEUTRAL = GenerationParams(1, 1.0, 0, 1.0, 1.0)  # the raw distribution: no temperature, filter nor penalty
FLAGS = {"generation": "--generation-server", "chat": "--chat-server"}


class ServerError(InputError):
    """The generation server failed, was down or too slow: one sentence naming its flag."""


@dataclass(frozen=True)
class ServedModel:
    """What the server says it serves: the model's name (sent with every request) and its context length."""

    name: str
    max_model_len: int | None
    owned_by: str


class RemoteEngine:
    """The decoding of one model on an OpenAI-compatible server, with `Engine`'s interface (`submit`), and the
    next-token distribution (`distribution`)."""

    remote = True

    def __init__(self, url: str, flag: str, client: httpx.Client | None = None):
        self.url = url.rstrip("/")
        self.flag = flag
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(READ_SECONDS, connect=CONNECT_SECONDS),
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
        )
        self._served: ServedModel | None = None
        self._lock = threading.Lock()
        self.unchecked: tuple | None = None  # (tokenizer, model id) to check on first contact (down at start)

    # --- what the server serves -----------------------------------------------------------------------------

    @property
    def served(self) -> ServedModel:
        """The served model (asked once)."""
        with self._lock:
            if self._served is None:
                data = self._request("GET", "/models")["data"][0]
                self._served = ServedModel(
                    data["id"], data.get("max_model_len"), str(data.get("owned_by", "")).strip()
                )
            return self._served

    @property
    def label(self) -> str:
        """Who draws the tokens, for the page: "vLLM at http://…/v1"."""
        owner = self.served.owned_by
        name = "vLLM" if owner.lower() == "vllm" else (owner or "an OpenAI-compatible server")
        return f"{name} at {self.url}"

    def tokenize(self, text: str) -> list[int]:
        """The server's token ids of `text` (no special tokens), through vLLM's /tokenize."""
        body = {"model": self.served.name, "prompt": text, "add_special_tokens": False}
        return list(self._request("POST", "/tokenize", body, root=True)["tokens"])

    # --- the engine's interface -----------------------------------------------------------------------------

    def submit(
        self,
        prompt_ids: list[int],
        params: GenerationParams,
        eos_ids: Collection[int],
        rng_state: bytes | None = None,
        top_n: int = 0,
    ) -> RemoteSubscription:
        """Decode after `prompt_ids` on the server (the seed from `params`, or from `rng_state` in step mode):
        the steps, as they come."""
        self._check()
        seed = params.seed if rng_state is None else int.from_bytes(rng_state, "big")
        return RemoteSubscription(self, list(prompt_ids), params, sorted(eos_ids), seed, top_n)

    def distribution(self, context_ids: list[int], params: GenerationParams, top_n: int) -> Distribution:
        """The next-token distribution after `context_ids`, in detail (`describe`'s fields): its `top_n` tokens
        by raw log-probability (reported as the logit: the logits up to a constant), their probabilities, and
        their probabilities under `params`."""
        self._check()
        return self._distribution(context_ids, params, top_n, params.seed)[0]

    def _check(self) -> None:
        """The start check of a server that was down when the app started, on first contact."""
        if self.unchecked is not None:
            tokenizer, model_id = self.unchecked
            check_same_model(self, tokenizer, model_id)
            self.unchecked = None

    def _distribution(
        self, context_ids: list[int], params: GenerationParams, top_n: int, seed: int
    ) -> tuple[Distribution, int]:
        """The distribution in detail and the token drawn from it under `params` with `seed`."""
        raw = self._one_token(context_ids, NEUTRAL, top_n, seed)
        after = self._one_token(context_ids, params, top_n, seed)
        ranked = sorted(raw["top"].items(), key=lambda item: item[1], reverse=True)[:top_n]
        if params.greedy:  # a greedy sampler draws the most likely token: all of its probability is there
            probs_after = [float(token == after["token"]) for token, _ in ranked]
        else:
            probs_after = [_prob(after["top"].get(token, NO_LOGPROB)) for token, _ in ranked]
        return (
            Distribution(
                ids=[token for token, _ in ranked],
                logits=[logprob for _, logprob in ranked],
                probs=[_prob(logprob) for _, logprob in ranked],
                probs_after=probs_after,
            ),
            after["token"],
        )

    def _one_token(self, context_ids: list[int], params: GenerationParams, top_n: int, seed: int) -> dict:
        body = self._body(context_ids, params, seed) | {"max_tokens": 1, "logprobs": top_n}
        choice = self._request("POST", "/completions", body)["choices"][0]
        logprobs = choice["logprobs"]
        return {"token": _token_id(logprobs["tokens"][0]), "top": _top(logprobs["top_logprobs"][0])}

    def scores(self, prompt_ids: list[int], samples: list[list[int]]) -> list[list[tuple]]:
        """The model's own distribution at each new token of each sample: per sample, per token, (the token's
        probability, the top ids, their probabilities), from one scoring call (`prompt_logprobs`)."""
        if not any(samples):
            return [[] for _ in samples]
        body = {
            "model": self.served.name,
            "prompt": [list(prompt_ids) + list(ids) for ids in samples],
            "max_tokens": 1,
            "temperature": 0,
            "seed": 0,
            "prompt_logprobs": ALTERNATIVES,
        }
        choices = sorted(self._request("POST", "/completions", body)["choices"], key=lambda c: c["index"])
        scored = []
        for ids, choice in zip(samples, choices, strict=True):
            positions = choice["prompt_logprobs"][len(prompt_ids) :]
            steps = []
            for token, position in zip(ids, positions, strict=True):
                top = {int(t): entry["logprob"] for t, entry in position.items()}
                ranked = sorted(top.items(), key=lambda item: item[1], reverse=True)[:ALTERNATIVES]
                steps.append(
                    (_prob(top[token]), [t for t, _ in ranked], [_prob(logprob) for _, logprob in ranked])
                )
            scored.append(steps)
        return scored

    # --- HTTP ---------------------------------------------------------------------------------------------------

    def _body(self, prompt_ids: list[int], params: GenerationParams, seed: int) -> dict:
        """A completion request for these settings (vLLM's sampling parameters; the seed always)."""
        return {
            "model": self.served.name,
            "prompt": list(prompt_ids),
            "temperature": params.temperature,
            "top_k": params.top_k if params.top_k else -1,
            "top_p": params.top_p,
            "repetition_penalty": params.repetition_penalty,
            "seed": seed,
            "return_tokens_as_token_ids": True,
            "skip_special_tokens": False,
        }

    def _request(self, method: str, path: str, body: dict | None = None, root: bool = False) -> dict:
        url = (self.url.removesuffix("/v1") if root else self.url) + path
        try:
            response = self._client.request(method, url, json=body)
        except httpx.HTTPError as error:
            raise self.error(error) from error
        if response.status_code != 200:
            raise self.refused(response)
        return response.json()

    def open_stream(self, body: dict) -> tuple[httpx.Response, Iterator[dict]]:
        """A streamed completion: the response (closing it aborts the request) and its events."""
        try:
            request = self._client.build_request("POST", self.url + "/completions", json=body)
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as error:
            raise self.error(error) from error
        if response.status_code != 200:
            response.read()
            response.close()
            raise self.refused(response)

        def events() -> Iterator[dict]:
            try:
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    yield json.loads(data)
            except httpx.HTTPError as error:
                raise self.error(error) from error

        return response, events()

    def error(self, error: Exception) -> ServerError:
        """The sentence for a server that is down or too slow."""
        if isinstance(error, httpx.TimeoutException):
            return ServerError(
                lazy(
                    "The generation server at {url} ({flag}) did not answer in time; please try again, or ask "
                    "the teacher to check it.",
                    url=self.url,
                    flag=self.flag,
                )
            )
        return ServerError(
            lazy(
                "The generation server at {url} ({flag}) cannot be reached; please ask the teacher to start "
                "it, or to start the app without {flag}.",
                url=self.url,
                flag=self.flag,
            )
        )

    def refused(self, response: httpx.Response) -> ServerError:
        """The sentence for a request the server refused (its own message, e.g. a prompt over its context)."""
        try:
            message = response.json().get("error", {}).get("message") or response.json().get("message")
        except (ValueError, AttributeError):
            message = None
        return ServerError(
            lazy(
                "The generation server at {url} ({flag}) refused the request: {message}",
                url=self.url,
                flag=self.flag,
                message=str(message or f"HTTP {response.status_code}").strip(),
            )
        )


class RemoteSubscription:
    """The steps of one request on the server, as `engine.Subscription` gives them: an iterator of
    `StepRecord`s; `close()` (Stop, a closed tab) closes the stream, which aborts the server's request."""

    def __init__(
        self,
        engine: RemoteEngine,
        prompt_ids: list[int],
        params: GenerationParams,
        eos_ids: list[int],
        seed: int,
        top_n: int,
    ):
        self._engine, self._prompt_ids, self._params = engine, prompt_ids, params
        self._eos_ids, self._seed, self._top_n = eos_ids, seed, top_n
        self._response: httpx.Response | None = None
        self._records = self._run()

    def __iter__(self) -> RemoteSubscription:
        return self

    def __next__(self) -> StepRecord:
        return next(self._records)

    def close(self) -> None:
        if self._response is not None:
            self._response.close()  # the server aborts the request (a reader in another thread stops too)
        try:
            self._records.close()
        except ValueError:  # running in another thread: it ends with its closed stream
            pass

    def __del__(self):
        self.close()

    def _run(self) -> Iterator[StepRecord]:
        params, engine = self._params, self._engine
        if self._top_n:  # one token, with its distribution in detail (step mode)
            yield self._one_step()
            return
        n = params.num_samples
        body = engine._body(self._prompt_ids, params, self._seed) | {
            "max_tokens": params.max_new_tokens,
            "n": n,
            "stream": True,
            "logprobs": ALTERNATIVES,
            "stop_token_ids": self._eos_ids,
        }
        self._response, events = engine.open_stream(body)
        pending: list[list[tuple[int, float, dict]]] = [[] for _ in range(n)]  # tokens not yet recorded
        ended = [False] * n
        samples: list[list[int]] = [[] for _ in range(n)]
        previous = [self._prompt_ids[-1]] * n
        records: list[StepRecord] = []
        try:
            for event in events:
                for choice in event.get("choices", []):
                    i = choice["index"]
                    logprobs = choice.get("logprobs") or {}
                    for token, logprob, top in zip(
                        logprobs.get("tokens") or [],
                        logprobs.get("token_logprobs") or [],
                        logprobs.get("top_logprobs") or [],
                        strict=True,
                    ):
                        pending[i].append((_token_id(token), logprob, _top(top or {})))
                    if choice.get("finish_reason") is not None:
                        ended[i] = True
                while all(pending[i] or ended[i] for i in range(n)) and any(pending):
                    record = self._step(pending, previous, samples)
                    if all(ended[i] and not pending[i] for i in range(n)) or len(records) + 1 == (
                        params.max_new_tokens
                    ):
                        record.last = True
                    records.append(record)
                    if record.last:
                        record.rescored = engine.scores(self._prompt_ids, samples)
                    yield record
                    if record.last:
                        return
        finally:
            self._response.close()
        if records:  # the stream's end came after its last token: a step of no token ends it
            yield StepRecord(
                tokens=[self._eos_ids[0] if self._eos_ids else 0] * n,
                previous=previous,
                active=[False] * n,
                probs=[0.0] * n,
                top_ids=[[] for _ in range(n)],
                top_probs=[[] for _ in range(n)],
                sampler_probs=[0.0] * n,
                last=True,
                rescored=engine.scores(self._prompt_ids, samples),
            )

    def _step(self, pending, previous, samples) -> StepRecord:
        """The next step of every sample that has one (finished samples get padding, as the engine's)."""
        n = len(pending)
        pad = self._eos_ids[0] if self._eos_ids else 0
        record = StepRecord([], [], [], [], [], [], [])
        for i in range(n):
            active = bool(pending[i])
            token, logprob, top = pending[i].pop(0) if active else (pad, NO_LOGPROB, {})
            ranked = sorted(top.items(), key=lambda item: item[1], reverse=True)[:ALTERNATIVES]
            prob = _prob(logprob) if active else 0.0
            record.tokens.append(token)
            record.previous.append(previous[i])
            record.active.append(active)
            record.probs.append(prob)  # the sampler's, until the scoring call gives the model's
            record.top_ids.append([t for t, _ in ranked])
            record.top_probs.append([_prob(lp) for _, lp in ranked])
            record.sampler_probs.append(prob if not self._params.greedy else 1.0)
            if active:
                previous[i] = token
                samples[i].append(token)
        return record

    def _one_step(self) -> StepRecord:
        """One token drawn with its distribution in detail; the seed of the next draw as the state."""
        engine = self._engine
        distribution, token = engine._distribution(self._prompt_ids, self._params, self._top_n, self._seed)
        after = dict(zip(distribution.ids, distribution.probs_after, strict=True))
        raw = dict(zip(distribution.ids, distribution.probs, strict=True))
        if token not in raw:  # drawn from outside the top_n: its own probabilities
            ((prob, _, _),) = engine.scores(self._prompt_ids, [[token]])[0]
            raw[token], after[token] = prob, after.get(token, 0.0)
        record = StepRecord(
            tokens=[token],
            previous=[self._prompt_ids[-1]],
            active=[True],
            probs=[raw[token]],
            top_ids=[distribution.ids[:ALTERNATIVES]],
            top_probs=[distribution.probs[:ALTERNATIVES]],
            sampler_probs=[1.0 if self._params.greedy else after[token]],
            last=True,
            distribution=distribution,
            rng_state=next_seed(self._seed).to_bytes(4, "big"),
        )
        return record


def next_seed(seed: int) -> int:
    """The seed of step mode's next draw after one drawn with `seed` (a fixed sequence: the same seed gives
    the same tokens, one at a time)."""
    return (seed * 1103515245 + 12345) % (MAX_SEED + 1)


def _token_id(token: str) -> int:
    """A token as vLLM gives it with `return_tokens_as_token_ids`: "token_id:123"."""
    return int(str(token).rsplit(":", 1)[-1])


def _top(top: dict) -> dict[int, float]:
    return {_token_id(token): logprob for token, logprob in top.items()}


def _prob(logprob: float | None) -> float:
    if logprob is None or logprob <= NO_LOGPROB or math.isinf(logprob) or math.isnan(logprob):
        return 0.0
    return math.exp(logprob)


# --- one engine per server, and the check at start ----------------------------------------------------------

_ENGINES: dict[tuple[str, str], RemoteEngine] = {}
_ENGINES_LOCK = threading.Lock()


def engine_for_server(url: str, task: str) -> RemoteEngine:
    """The engine of the server at `url` for a task's model (one per URL and task, kept: its sentences name
    the task's flag)."""
    with _ENGINES_LOCK:
        engine = _ENGINES.get((url, task))
        if engine is None:
            engine = _ENGINES[url, task] = RemoteEngine(url, FLAGS.get(task, "--generation-server"))
        return engine


PROBES = (
    "The quick brown fox jumps over the lazy dog. 1234567890 !?",
    "Once upon a time, in a small village, there lived a teacher.",
    "学习一门语言最好的方法是每天练习。",
    "def forward(self, x):\n    return x @ W_Q  # émigré naïve café",
)


def check_same_model(engine: RemoteEngine, tokenizer, model_id: str) -> None:
    """InputError-free when the server serves the model the app loaded (`model_id`, its `tokenizer`): the
    same token ids for the probe texts; else ServerError in one sentence (the app refuses to start)."""
    served = engine.served  # a ServerError if the server is down
    for text in PROBES:
        local = tokenizer(text, add_special_tokens=False)["input_ids"]
        if engine.tokenize(text) != list(local):
            raise ServerError(
                lazy(
                    "The server at {url} ({flag}) serves {served}, whose tokens differ from those of {model}: "
                    "start it with the same model folder or Hub id as the app.",
                    url=engine.url,
                    flag=engine.flag,
                    served=served.name,
                    model=model_id,
                )
            )


def check_servers(settings) -> None:
    """At start: each server given (--generation-server, --chat-server) serves its task's model, else
    ServerError in one sentence (the app does not start). A server that is down is checked when it first
    answers (the app starts, and says so)."""
    from pathlib import Path

    from transformers import AutoTokenizer

    from playground.presets import pinned_revision

    for task in FLAGS:
        url = settings.server(task)
        if not url:
            continue
        model_id = settings.model_id(task)
        source = {}
        if not Path(model_id).is_dir():
            source = {"local_files_only": True} if settings.offline else {}
            if pinned_revision(model_id):
                source["revision"] = pinned_revision(model_id)
        tokenizer = AutoTokenizer.from_pretrained(model_id, trust_remote_code=False, **source)
        engine = engine_for_server(url, task)
        try:
            served = engine.served  # noqa: F841 (asked once, kept)
        except ServerError as error:  # down (vLLM may start after the app): checked on first contact
            log.warning("%s The other tabs work; it is checked when it first answers.", error)
            engine.unchecked = tokenizer, model_id
            continue
        check_same_model(engine, tokenizer, model_id)
