"""The shared decoding loop: every generation in flight is a row of one batch.

One `Engine` per generation model, with one decoding thread of its own (started when a request comes, ended
when none is left). The readers (gradio's threads, one per stream) only wait for records, so the engine draws a
request's next token while its reader is still sending the one before (`AHEAD` records ahead at most), and no
step waits for a reader's page update nor for its thread to wake. Each iteration:

1. requests that were stopped (Stop, a closed tab: their stream was closed) leave the batch;
2. waiting requests join, first come first served, while the batch has room (`max_rows`): their prompts are
   prefilled together in one forward pass (left padding, mask and position ids; `batched_prefill`, else each
   alone), each draws its first token at once, and their KV caches are merged into the batch's, padded on
   the left. When the batch is full, the requests that wait are prefilled all the same (prefill first, as
   vLLM schedules): each draws its first token at once and is parked, its KV cache kept beside the batch,
   until a row leaves and it joins (parked requests first). So a request's first token waits for one
   iteration, not for other requests' whole answers. At most `max_waiting` rows wait or are parked; a
   request beyond is refused with one sentence (`EngineBusy`);
3. when a row's reader has taken its last record (or a request waits for room), one forward pass over every
   row: its last token, the attention mask that hides the left padding, and its own position ids (so each row
   sees exactly its own tokens at their own positions); a row nobody reads is not run further ahead. Prefills
   and steps take no lock: a long forward pass of another view of the model (Inside, Attention) does not hold
   back every student's next token (`LoadedModel.unlocked_model`);
4. each request draws its next tokens from its own logits with its own processors and `torch.Generator`
   (`DecodingState.draw_next`, the same code as the loop of one request alone), and hands the step over. On a
   CPU the requests draw in parallel, in a small pool of threads (their draws are independent, and each is
   too small for PyTorch to spread over the cores).

A request of `num_samples` rows keeps them together (one generator draws for all of them, as `generate` does
with `num_return_sequences`). Identical requests (model, prompt ids, every setting, seed) are computed once:
a second one subscribes to the request in flight, or replays a finished one from a small cache.

Tensors never leave the engine: a subscriber receives `StepRecord`s (lists), so any thread can consume them.
"""

from __future__ import annotations

import collections
import concurrent.futures
import copy
import logging
import threading
import time
import weakref
from collections.abc import Collection
from dataclasses import dataclass

import torch
from transformers import DynamicCache
from transformers.cache_utils import DynamicLayer

from playground import timing
from playground.i18n import lazy
from playground.models import LoadedModel, free_memory, is_out_of_memory
from playground.priority import start_thread
from playground.tasks.generation import (
    DecodingState,
    GenerationParams,
    InputError,
    StepRecord,
    _new_cache,
    last_logits_only,
)

log = logging.getLogger("playground")

BATCHED_PREFILL = (
    True  # see Engine._admit; measured exact (benchmarks/serving.py counts the tokens it changes)
)
FINISHED_CACHE = 64  # finished requests kept for identical requests (each holds only lists of numbers)
# Records drawn that no reader has taken yet, at most, per request (so decoding overlaps sending). 2: the engine
# draws the next token at once, without waiting for the reader's thread to wake and take the last one (with 1,
# that hand-over, and the reader's hold on the GIL while it does, sat between every two tokens of a lone stream).
AHEAD = 2


class EngineBusy(InputError):
    """The engine has as many rows waiting as it may (`max_waiting`): the request is refused, not queued."""


@dataclass
class EngineStats:
    """What the engine has done so far (tests and benchmarks read it)."""

    steps: int = 0  # batched forward passes after the prefills
    rows_stepped: int = 0  # rows summed over those steps
    peak_rows: int = 0  # the most rows in one step
    prefills: int = 0  # requests prefilled
    prefill_passes: int = 0  # forward passes that prefilled them (fewer when they join together)
    shared: int = 0  # requests answered by another identical request's computation
    out_of_memory: int = 0  # times the batch was shrunk after an out-of-memory error
    parked: int = 0  # requests prefilled while the batch was full, their first token drawn before they joined
    refused: int = 0  # requests refused because `max_waiting` rows waited already


class _Request:
    """One request in the engine: its decoding state, its steps so far and who reads them."""

    def __init__(self, key, prompt_ids: list[int], params: GenerationParams, eos_ids, device, lock, **state):
        self.key = key
        self.prompt_ids = list(prompt_ids)
        self.state = DecodingState(prompt_ids, params, eos_ids, device, **state)
        self.rows = params.num_samples
        self.logits: torch.Tensor | None = None  # (rows, vocab) of the last position, to draw from next
        self.records: list[StepRecord] = []
        self.error: BaseException | None = None
        self.done = False  # finished, failed or cancelled: no more records will come
        self.readers = 0  # open subscriptions
        self.taken = 0  # the most records a reader has taken (the engine draws at most AHEAD more)
        self.ready = threading.Condition(lock)  # notified when a record comes or the request ends
        # when (time.monotonic()) its prefill began and ended, and its first token was drawn (playground/timing)
        self.admitted_at = self.prefilled_at = self.first_at = self.last_at = 0.0

    @property
    def cancelled(self) -> bool:
        return self.readers == 0 and not self.done


class Subscription:
    """The steps of one request, as an iterator (blocking until the next step is drawn). Closing it, or
    dropping it, tells the engine that this reader is gone; the request leaves the batch at the next step
    when it has no reader left."""

    def __init__(self, engine: Engine, request: _Request):
        self._engine, self._request, self._index = engine, request, 0
        self._open = True

    def __iter__(self) -> Subscription:
        return self

    def __next__(self) -> StepRecord:
        engine, request = self._engine, self._request
        with engine._condition:
            while self._index >= len(request.records) and not request.done:
                request.ready.wait()
            if self._index < len(request.records):
                record = request.records[self._index]
                self._index += 1
                if self._index == 1 and timing.enabled():
                    timing.mark("admitted", request.admitted_at or None)
                    timing.mark("prefilled", request.prefilled_at or None)
                    timing.mark("first_record", request.first_at or None)
                if record.last and timing.enabled():
                    timing.mark("last_record", request.last_at or None)
                if self._index > request.taken:
                    request.taken = self._index
                    engine._condition.notify()  # the engine may draw the next step now
                return record
        self.close()
        if request.error is not None:
            raise request.error
        raise StopIteration

    def waiting(self) -> int:
        """How many records are drawn that this reader has not taken yet (a reader that is behind reads them all
        before its next update: none of them is worth showing on its own)."""
        return len(self._request.records) - self._index  # a list's length: no lock needed to read it

    def close(self) -> None:
        if not self._open:
            return
        self._open = False
        with self._engine._condition:
            self._request.readers -= 1
            if self._request.cancelled:
                self._engine._condition.notify()  # the row leaves the batch at the next iteration

    def __del__(self):
        self.close()


class Engine:
    """The decoding loop shared by every generation of one model (see the module's docstring)."""

    def __init__(
        self,
        loaded: LoadedModel,
        max_rows: int = 16,
        batched_prefill: bool = BATCHED_PREFILL,
        max_waiting: int | None = None,
        prefill_first: bool = True,
    ):
        if max_rows < 1:
            raise ValueError("max_rows must be at least 1")
        self.max_rows = max_rows
        self.max_waiting = max_waiting  # rows waiting or parked, at most (None: no limit)
        self.prefill_first = prefill_first  # park the requests that wait for room, prefilled (see above)
        self.batched_prefill = batched_prefill  # the prompts that join together prefilled in one forward pass
        self.stats = EngineStats()
        self._loaded = weakref.ref(loaded)  # the engine does not keep an unloaded model alive
        self._device = loaded.device
        self._lock = threading.RLock()  # guards the requests' records and the queues below
        self._condition = threading.Condition(self._lock)  # wakes the engine's thread: work or a reader waits
        self._waiting: collections.deque[_Request] = collections.deque()
        # Requests prefilled while the batch was full, first token drawn: each with its KV cache and its mask
        # (rows, T), in order of arrival (touched by the engine's thread only, counted under the condition).
        self._parked: collections.deque[tuple[_Request, DynamicCache, torch.Tensor]] = collections.deque()
        self._parked_rows = 0
        self._in_flight: dict[tuple, _Request] = {}
        self._finished: collections.OrderedDict[tuple, _Request] = collections.OrderedDict()
        self._thread: threading.Thread | None = None  # the decoding thread, while there are requests
        self._parallel_draws = torch.device(loaded.device).type == "cpu" and torch.get_num_threads() > 1
        self._row_cap = max_rows  # lowered after an out-of-memory error
        # The batch (touched by the engine's thread only): its requests in row order, the KV cache, the
        # attention mask over the cached positions (0 = left padding) and each row's next position.
        self._batch: list[_Request] = []
        self._cache: DynamicCache | None = None
        self._mask: torch.Tensor | None = None  # (B, L)
        self._positions: torch.Tensor | None = None  # (B,)
        self._padded = False  # whether any row has left padding (else no mask nor positions are needed)
        self._cache_name = "cache"  # the forward's argument for it (set by the first prefill)

    # --- the callers' side ----------------------------------------------------------------------------------

    def submit(
        self,
        prompt_ids: list[int],
        params: GenerationParams,
        eos_ids: Collection[int],
        rng_state: bytes | None = None,
        top_n: int = 0,
    ) -> Subscription:
        """Decode after `prompt_ids` (validated `params`; a sample ends at any of `eos_ids`; the generator from
        `rng_state` if given, and `top_n` as `DecodingState` takes them): the steps, as they are drawn. An
        identical request in flight or recently finished is shared, not computed again."""
        key = (tuple(prompt_ids), params, tuple(sorted(eos_ids)), rng_state, top_n)
        with self._condition:
            request = self._in_flight.get(key)
            if request is None or request.cancelled:
                request = self._finished.get(key)
                if request is not None:
                    self._finished.move_to_end(key)
            if request is None:
                self._check_room(params.num_samples)
                request = _Request(
                    key,
                    prompt_ids,
                    params,
                    eos_ids,
                    self._device,
                    self._lock,
                    rng_state=rng_state,
                    top_n=top_n,
                )
                self._in_flight[key] = request
                self._waiting.append(request)
                self._condition.notify()
                if self._thread is None:
                    self._thread = start_thread(self._run, "playground-engine")
            else:
                self.stats.shared += 1
            request.readers += 1
            if timing.enabled():
                timing.mark("submitted", rows=sum(r.rows for r in self._batch), waiting=len(self._waiting))
            return Subscription(self, request)

    def _check_room(self, rows: int) -> None:
        """Refuse a request of `rows` rows when it would make more than `max_waiting` rows wait for room (waiting
        or parked, beyond the room the batch has) (called holding the condition)."""
        if self.max_waiting is None:
            return
        room = max(0, self._row_cap - sum(r.rows for r in self._batch))
        waiting = sum(r.rows for r in self._waiting) + self._parked_rows
        if waiting + rows - room > self.max_waiting:
            self.stats.refused += 1
            raise EngineBusy(
                lazy(
                    "The model is busy: {count} generations are waiting already. Try again in a moment.",
                    count=max(0, waiting - room),
                )
            )

    # --- the engine's thread --------------------------------------------------------------------------------

    def _run(self) -> None:
        """Iterations while there is work to do; the thread ends when no request is left (the next one starts
        another)."""
        while True:
            with self._condition:
                while not self._has_work():
                    if not self._batch and not self._waiting and not self._parked:
                        self._thread = None
                        return
                    self._condition.wait()
            loaded = self._loaded()
            if loaded is None:  # the model was unloaded
                self._fail_all(RuntimeError("The generation model was unloaded."))
                continue
            try:
                with torch.inference_mode():
                    self._iteration(loaded)
            except Exception as error:  # a bug or a failed forward pass: these rows fail, the engine goes on
                log.exception("The generation engine failed a batch")
                self._fail_all(error)
            del loaded

    def _has_work(self) -> bool:
        """Whether an iteration would do something: a stopped request to drop, a waiting one with room to
        join, or a step a reader wants (called holding the condition)."""
        if any(r.cancelled for r in self._batch) or any(r.cancelled for r in self._waiting):
            return True
        if any(r.cancelled for r, *_ in self._parked):
            return True
        rows = sum(r.rows for r in self._batch)
        if self._parked and self._fits(rows, self._parked[0][0]):
            return True
        if self._waiting and (self._fits(rows, self._waiting[0]) or self._parking()):
            return True
        return bool(self._batch) and self._step_wanted()

    def _parking(self) -> bool:
        """Whether requests that wait for room are prefilled and parked (not after an out-of-memory error)."""
        return self.prefill_first and self._row_cap == self.max_rows

    def _iteration(self, loaded: LoadedModel) -> None:
        self._drop_cancelled()
        self._admit(loaded)  # the joining requests draw their first tokens
        self._leave([r for r in self._batch if r.done])
        if not self._batch or not self._step_wanted():
            return
        self._step(loaded)
        self._draw_all([r for r in self._batch if r.logits is not None])
        self._leave([r for r in self._batch if r.done])

    def _step_wanted(self) -> bool:
        """Whether to step the batch: a reader has taken its request's last record (a row is run at most
        `AHEAD` records ahead of its readers, and one that stopped reading without closing holds its row
        back), or a request waits for room."""
        with self._condition:
            return bool(self._waiting or self._parked) or any(
                len(r.records) - r.taken < AHEAD for r in self._batch if not r.done
            )

    def _drop_cancelled(self) -> None:
        with self._condition:
            for request in [r for r in self._waiting if r.cancelled]:
                self._waiting.remove(request)
                self._end(request)
            for entry in [e for e in self._parked if e[0].cancelled]:
                self._parked.remove(entry)
                self._parked_rows -= entry[0].rows
                self._end(entry[0])
        self._leave([r for r in self._batch if r.cancelled])

    def _admit(self, loaded: LoadedModel) -> None:
        """Parked requests join while the batch has room; then waiting requests are prefilled, first come first
        served, while the batch has room: all of them together in one forward pass (`batched_prefill`), or each
        alone; each draws its first token at once, before the next step of the others. Those left waiting
        when the batch is full are prefilled and parked (`_park`)."""
        self._unpark()
        with self._condition:
            joining = self._joining()
        if joining:
            self._prefill_joining(loaded, joining)
        with self._condition:  # those that came meanwhile and fit join at the next iteration instead
            full = self._waiting and not self._fits(sum(r.rows for r in self._batch), self._waiting[0])
            parking = list(self._waiting) if full and self._parking() else []
            if parking:
                self._waiting.clear()
        if parking:
            self._park(loaded, parking)

    def _unpark(self) -> None:
        """Parked requests join the batch, in order, while their rows fit."""
        while self._parked and self._fits(sum(r.rows for r in self._batch), self._parked[0][0]):
            request, cache, mask = self._parked.popleft()
            with self._condition:
                self._parked_rows -= request.rows
            self._merge([request], cache, mask)

    def _park(self, loaded: LoadedModel, requests: list[_Request]) -> None:
        """Prefill `requests` (the batch is full), draw their first tokens and keep each one's KV cache beside
        the batch until there is room (`_unpark`). One that cannot be prefilled fails alone; after an
        out-of-memory error they wait unprefilled, as before."""
        now = time.monotonic()
        for request in requests:
            request.admitted_at = request.admitted_at or now
        try:
            if self.batched_prefill and len(requests) > 1:
                cache, mask, logits = self._prefill(loaded, requests)
            else:
                cache, mask, logits = self._prefill(loaded, requests[:1])
                if len(requests) > 1:  # the others at the next iteration
                    with self._condition:
                        self._waiting.extendleft(reversed(requests[1:]))
                    requests = requests[:1]
        except Exception as error:
            if len(requests) > 1 and not is_out_of_memory(error):  # each alone, so a bad one fails alone
                for request in requests:
                    self._park(loaded, [request])
                return
            if is_out_of_memory(error):
                self._row_cap = max(1, sum(r.rows for r in self._batch))  # no more parking
                with self._condition:
                    self._waiting.extendleft(reversed(requests))
                free_memory()
                return
            self._fail(requests[0], error)
            return
        start = 0
        for request in requests:
            request.logits = logits[start : start + request.rows]
            start += request.rows
        self._draw_all(requests)
        start = 0
        for request in requests:
            rows = slice(start, start + request.rows)
            start += request.rows
            if request.done:
                continue
            own_mask = mask[rows]
            first = int(own_mask.any(dim=0).nonzero()[0])  # its leading padding dropped
            own = copy.copy(cache)  # its rows of the cache, as a cache of their own
            own.layers = [copy.copy(layer) for layer in cache.layers]
            for layer in own.layers:
                layer.keys, layer.values = layer.keys[rows, :, first:], layer.values[rows, :, first:]
            with self._condition:
                self._parked.append((request, own, own_mask[:, first:]))
                self._parked_rows += request.rows
            self.stats.parked += 1

    def _prefill_joining(self, loaded: LoadedModel, joining: list[_Request]) -> None:
        now = time.monotonic()
        for request in joining:
            request.admitted_at = request.admitted_at or now
        if self.batched_prefill and len(joining) > 1:
            try:
                cache, mask, logits = self._prefill(loaded, joining)
            except Exception as error:  # out of memory, or a bad request: each alone, so it fails alone
                log.info("A batched prefill failed (%s): the requests join one by one", error)
            else:
                self._merge(joining, cache, mask)
                start = 0
                for request in joining:
                    request.logits = logits[start : start + request.rows]
                    start += request.rows
                self._draw_all(joining)
                return
        for i, request in enumerate(joining):
            try:
                cache, mask, logits = self._prefill(loaded, [request])
            except Exception as error:
                if is_out_of_memory(error) and self._batch:  # room again when the batch has shrunk
                    with self._condition:
                        self._waiting.extendleft(reversed(joining[i + 1 :]))
                    self._shrink(request)
                    return
                self._fail(request, error)
                continue
            request.logits = logits
            self._merge([request], cache, mask)
            self._draw(request)  # its first token now, not after the other joiners' prefills

    def _joining(self) -> list[_Request]:
        """The waiting requests that join now: first come first served, while their rows fit (called holding
        the condition). The first one joins an empty batch whatever its rows."""
        rows = sum(r.rows for r in self._batch)
        joining = []
        while self._waiting and self._fits(rows, self._waiting[0]):
            joining.append(self._waiting.popleft())
            rows += joining[-1].rows
        return joining

    def _fits(self, rows: int, request: _Request) -> bool:
        """Whether `request` may join a batch of `rows` rows: its rows fit under the cap, or the batch is empty."""
        return rows == 0 or rows + request.rows <= self._row_cap

    def _prefill(
        self, loaded: LoadedModel, requests: list[_Request]
    ) -> tuple[DynamicCache, torch.Tensor, torch.Tensor]:
        """The requests' ids so far through the model in one forward pass, left-padded to one length (one
        request alone: exactly as the loop of one request does): their cache, its attention mask (rows, T)
        (0 = padding) and the logits of each row's last position (rows, vocab)."""
        ids = [request.state.input_ids for request in requests]  # each (n, T_i)
        width = max(x.shape[1] for x in ids)
        input_ids = torch.cat([_pad_left(x, width, dim=1) for x in ids])  # (rows, T)
        mask = torch.cat([_pad_left(torch.ones_like(x), width, dim=1) for x in ids])  # (rows, T)
        padded = bool((mask == 0).any())
        padding = (
            {"attention_mask": mask, "position_ids": (mask.cumsum(1) - 1).clamp(min=0)} if padded else {}
        )
        cache_kwargs = _new_cache(loaded.model)
        outputs = loaded.unlocked_model()(  # no lock: see `_step`
            input_ids=input_ids,
            use_cache=True,
            **padding,
            **cache_kwargs,
            **last_logits_only(loaded.model),
        )
        self.stats.prefills += len(requests)
        self.stats.prefill_passes += 1
        now = time.monotonic()
        for request in requests:
            request.prefilled_at = request.prefilled_at or now
        ((self._cache_name, cache),) = cache_kwargs.items()
        if padded:  # the padding's keys and values as zeros, like the padding `_merge` adds
            hidden = (mask == 0)[:, None, :, None]  # (rows, 1, T, 1)
            for layer in cache.layers:
                layer.keys, layer.values = (
                    layer.keys.masked_fill(hidden, 0),
                    layer.values.masked_fill(hidden, 0),
                )
        return cache, mask, outputs.logits[:, -1]

    def _merge(self, requests: list[_Request], cache: DynamicCache, mask: torch.Tensor) -> None:
        """Add the requests' rows (their cache and its mask) to the batch: both caches left-padded to the same
        length, then stacked."""
        positions = mask.sum(dim=1)  # (rows,) each row's next position: its length
        if self._cache is None:
            self._cache, self._mask, self._positions = cache, mask, positions
        else:
            width = max(self._mask.shape[1], mask.shape[1])
            for old, new in zip(self._cache.layers, cache.layers, strict=True):
                old.keys = torch.cat([_pad_left(old.keys, width), _pad_left(new.keys, width)])
                old.values = torch.cat([_pad_left(old.values, width), _pad_left(new.values, width)])
            self._mask = torch.cat([_pad_left(self._mask, width, dim=1), _pad_left(mask, width, dim=1)])
            self._positions = torch.cat([self._positions, positions])
        self._padded = bool((self._mask == 0).any())
        self._batch += requests

    def _draw_all(self, requests: list[_Request]) -> None:
        """Each request draws from its logits: in parallel on a CPU with several threads, else in turn."""
        if self._parallel_draws and len(requests) > 1:
            list(_draw_pool().map(self._draw_apart, requests))
        else:
            for request in requests:
                self._draw(request)

    def _draw_apart(self, request: _Request) -> None:
        with torch.inference_mode():  # (the mode is thread-local)
            self._draw(request)

    def _draw(self, request: _Request) -> None:
        try:
            record = request.state.draw_next(request.logits)
        except Exception as error:  # this request's own problem: it fails alone
            self._fail(request, error)
            return
        request.logits = None
        with self._condition:
            if not request.records:
                request.first_at = time.monotonic()
            request.records.append(record)
            request.ready.notify_all()
            if record.last:
                request.last_at = time.monotonic()
                self._end(request, finished=True)

    def _step(self, loaded: LoadedModel) -> None:
        """One forward pass over every row: its last token, at its own position, seeing its own tokens only."""
        input_ids = torch.cat([r.state.last_tokens for r in self._batch])  # (B, 1)
        mask = torch.cat([self._mask, torch.ones_like(self._mask[:, :1])], dim=1)  # (B, L + 1)
        saved = [(layer.keys, layer.values) for layer in self._cache.layers]
        # Without padding, every row is at the same position: the forward pass of one request alone.
        padding = {"attention_mask": mask, "position_ids": self._positions[:, None]} if self._padded else {}
        try:
            # Without the model's lock: a step does not wait for another view's forward pass (Inside, Attention,
            # an experiment: their hooks act in their own thread only, and their attention switch does not
            # reach this copy of the model, `LoadedModel.unlocked_model`).
            outputs = loaded.unlocked_model()(
                input_ids=input_ids, use_cache=True, **padding, **{self._cache_name: self._cache}
            )
        except Exception as error:
            for layer, (keys, values) in zip(self._cache.layers, saved, strict=True):
                layer.keys, layer.values = keys, values  # as before the step
            if is_out_of_memory(error) and len(self._batch) > 1:
                self._shrink()
                return
            raise
        rows = input_ids.shape[0]
        self.stats.steps += 1
        self.stats.rows_stepped += rows
        self.stats.peak_rows = max(self.stats.peak_rows, rows)
        self._mask, self._positions = mask, self._positions + 1
        logits = outputs.logits[:, -1]  # (B, vocab)
        start = 0
        for request in self._batch:
            request.logits = logits[start : start + request.rows]
            start += request.rows

    def _leave(self, leaving: list[_Request], end: bool = True) -> None:
        """Take requests' rows out of the batch (ending them, unless `end` is False: they are only paused), and
        the padding no row needs any more."""
        if not leaving:
            return
        keep, start = [], 0
        for request in self._batch:
            if request not in leaving:
                keep += range(start, start + request.rows)
            start += request.rows
        self._batch = [r for r in self._batch if r not in leaving]
        if end:
            with self._condition:
                for request in leaving:
                    self._end(request)
        if not self._batch:
            self._cache = self._mask = self._positions = None
            self._padded = False
            return
        index = torch.tensor(keep, device=self._device)
        mask = self._mask[index]
        first = int(mask.any(dim=0).nonzero()[0])  # leading columns that are padding in every row remaining
        self._mask, self._positions = mask[:, first:], self._positions[index]
        self._padded = bool((self._mask == 0).any())
        for layer in self._cache.layers:
            layer.keys, layer.values = layer.keys[index, :, first:], layer.values[index, :, first:]

    def _shrink(self, waiting: _Request | None = None) -> None:
        """After an out-of-memory error: the newest half of the batch (or the request that was joining) back to
        the front of the queue, to join again when there is room (their ids prefilled anew), and the cap on
        rows per step lowered to what is left. No request fails for it."""
        self.stats.out_of_memory += 1
        paused = [waiting] if waiting is not None else self._batch[(len(self._batch) + 1) // 2 :]
        self._leave([r for r in paused if r in self._batch], end=False)
        for request in paused:
            request.logits = None
        self._row_cap = max(1, sum(r.rows for r in self._batch))
        log.warning("Out of memory in the generation engine: at most %d rows per step now", self._row_cap)
        with self._condition:
            self._waiting.extendleft(reversed(paused))
        free_memory()

    def _fail(self, request: _Request, error: BaseException) -> None:
        with self._condition:
            request.error = error
            self._end(request)

    def _fail_all(self, error: BaseException) -> None:
        with self._condition:
            requests = self._batch + list(self._waiting) + [entry[0] for entry in self._parked]
            self._waiting.clear()
            self._parked.clear()
            self._parked_rows = 0
        self._batch, self._cache, self._mask, self._positions = [], None, None, None
        self._padded = False
        for request in requests:
            self._fail(request, error)

    def _end(self, request: _Request, finished: bool = False) -> None:
        """No more records for this request (called holding the condition)."""
        request.done = True
        request.ready.notify_all()
        if self._in_flight.get(request.key) is request:
            del self._in_flight[request.key]
        if finished and request.error is None:
            self._finished[request.key] = request
            while len(self._finished) > FINISHED_CACHE:
                self._finished.popitem(last=False)


def _pad_left(tensor: torch.Tensor, width: int, dim: int = 2) -> torch.Tensor:
    """`tensor` with zeros before its entries along `dim`, to `width` entries."""
    missing = width - tensor.shape[dim]
    if missing == 0:
        return tensor
    shape = list(tensor.shape)
    shape[dim] = missing
    return torch.cat([tensor.new_zeros(shape), tensor], dim=dim)


_DRAW_POOL: concurrent.futures.ThreadPoolExecutor | None = None
_DRAW_POOL_LOCK = threading.Lock()


def _draw_pool() -> concurrent.futures.ThreadPoolExecutor:
    """The threads that draw the requests' tokens in parallel (one per PyTorch thread), shared by the engines."""
    global _DRAW_POOL
    with _DRAW_POOL_LOCK:
        if _DRAW_POOL is None:
            _DRAW_POOL = concurrent.futures.ThreadPoolExecutor(
                torch.get_num_threads(), thread_name_prefix="playground-draw"
            )
        return _DRAW_POOL


def supports(loaded: LoadedModel) -> bool:
    """Whether the engine can batch this model: its KV cache is made of plain full-attention layers (rows of
    those can be padded and stacked). Other models decode one request at a time."""
    cache = DynamicCache(config=loaded.model.config.get_text_config(decoder=True))
    return bool(cache.layers) and all(type(layer) is DynamicLayer for layer in cache.layers)


_ENGINES: dict[tuple, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def engine_for(loaded: LoadedModel, max_rows: int, max_waiting: int | None = None) -> Engine | None:
    """The engine of this loaded model (made on first use; at most `max_waiting` rows waiting for room), or
    None when `max_rows` is 0 or the model's cache cannot be batched: then each generation decodes on its own,
    in its request's thread."""
    if max_rows < 1:
        return None
    key = (id(loaded), max_rows, max_waiting)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is not None and engine._loaded() is loaded:
            return engine
        if not supports(loaded):
            return None
        engine = _ENGINES[key] = Engine(loaded, max_rows, max_waiting=max_waiting)
        weakref.finalize(loaded, _ENGINES.pop, key, None)
        return engine
