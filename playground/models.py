"""ModelManager: loads each task's model on first use, keeps it, and hands it out with its own lock.

Safe-loading rules: never `trust_remote_code`, safetensors preferred, models in eval mode. The Hub ids of
the presets load at their pinned revisions; offline, models come from the local cache only. Models keep
PyTorch's fast SDPA attention for generation; `LoadedModel.eager_attention()` switches to the eager
implementation for the moment attention weights are needed (SDPA returns none in transformers 5).
"""

from __future__ import annotations

import contextlib
import copy
import gc
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import torch
import transformers
from transformers import AutoConfig, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase
from transformers.pytorch_utils import Conv1D

from playground import hub
from playground.i18n import Message, lazy
from playground.presets import PRESETS, pinned_revision, preset_of, presets_with
from playground.registry import REGISTRY, TASKS


class ModelLoadError(RuntimeError):
    """A model could not be loaded; the message names the model and what to do about it."""


def pick_device(requested: str = "auto") -> torch.device:
    """cuda > mps > cpu for "auto"; otherwise the device asked for, if this machine has it."""
    has_mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu")
    if requested == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError(
            lazy("--device cuda was asked for, but PyTorch sees no CUDA GPU on this machine.")
        )
    if requested == "mps" and not has_mps:
        raise ModelLoadError(lazy("--device mps was asked for, but this machine has no Apple GPU (MPS)."))
    return torch.device(requested)


# The precisions a CPU serves from a copy of the float32 model made at load (`reduced_copy`); the float32 model
# stays beside it for the views that read internals (`LoadedModel.exact`).
CPU_REDUCED = ("float16", "bfloat16", "int8")


def pick_dtype(device: torch.device, requested: str = "auto") -> torch.dtype:
    """The dtype asked for; for "auto", float32 on CPU (exact: the numbers of the reference code), bfloat16 on
    GPUs that have it, else float16. "int8" (weights in int8, activations in float32) is float32 here: the
    weights are quantized after the float32 model loads, on a CPU only."""
    if requested == "int8":
        if device.type != "cpu":
            raise ModelLoadError(
                lazy(
                    "--dtype int8 runs on a CPU only (PyTorch's int8 kernels); on {device} use --dtype bfloat16 "
                    "or float16.",
                    device=device.type,
                )
            )
        return torch.float32
    if requested != "auto":
        return getattr(torch, requested)
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.type == "mps":
        return torch.float16
    return torch.float32


@dataclass
class LoadedModel:
    """A model ready for inference, its tokenizer, where it runs, and the lock that serialises its use."""

    task: str
    model_id: str
    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    device: torch.device
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # What `model` runs at: "float32", "bfloat16", "int8" (weights), ...; "" = model.dtype (`runs_at`).
    precision: str = ""
    exact_model: PreTrainedModel | None = field(default=None, repr=False)  # float32, when `model` is reduced
    _exact: LoadedModel | None = field(default=None, init=False, repr=False)
    _unlocked: PreTrainedModel | None = field(default=None, init=False, repr=False)

    @property
    def runs_at(self) -> str:
        """The precision `model` computes in, e.g. "float32", "bfloat16" or "int8"."""
        return self.precision or str(self.model.dtype).removeprefix("torch.")

    def exact(self) -> LoadedModel:
        """This model at float32 for the views that read internals (attention, Inside, experiments, integrated
        gradients, training from it): itself when it runs at float32 already, else the float32 model kept beside
        the reduced copy (it has a lock of its own, so these views do not wait for generation)."""
        if self.exact_model is None:
            return self
        if self._exact is None:
            self._exact = LoadedModel(
                task=self.task,
                model_id=self.model_id,
                model=self.exact_model,
                tokenizer=self.tokenizer,
                device=self.device,
            )
        return self._exact

    @property
    def context_length(self) -> int:
        """The most tokens the model takes at once (its position embeddings / tokenizer limit)."""
        limits = [
            getattr(self.model.config, "max_position_embeddings", None),
            self.tokenizer.model_max_length,
        ]
        return min(limit for limit in limits if isinstance(limit, int) and limit > 0)

    @property
    def memory_bytes(self) -> int:
        """Bytes of the model's parameters, buffers and int8 weights, and of its float32 copy if it has one
        (tensors the two share counted once)."""
        seen: set[int] = set()
        models = [self.model] if self.exact_model is None else [self.model, self.exact_model]
        return sum(_tensor_bytes(t, seen) for m in models for t in _tensors(m))

    def unlocked_model(self) -> PreTrainedModel:
        """`model` for forward passes that take no lock (the generation engine's steps): the same modules'
        weights and hooks, but a configuration of its own, so `eager_attention` never switches its attention
        implementation while it runs. The views' hooks are thread-guarded (`inside.hooks.this_thread_only`)
        and no view changes a weight, so its passes may run beside theirs. Made once, at rest (under the lock)."""
        if self._unlocked is None:
            with self.lock:
                if self._unlocked is None:
                    self._unlocked = own_configuration(self.model)
        return self._unlocked

    @contextlib.contextmanager
    def eager_attention(self) -> Iterator[PreTrainedModel]:
        """Hold the lock with the eager attention implementation on, so outputs carry attention weights."""
        with self.lock:
            previous = self.model.config._attn_implementation
            if previous != "eager":
                self.model.set_attn_implementation("eager")
            try:
                yield self.model
            finally:
                if previous != "eager":
                    self.model.set_attn_implementation(previous)


def own_configuration(model: torch.nn.Module) -> torch.nn.Module:
    """A copy of `model`'s module tree whose modules share everything with the originals (parameters,
    buffers, hooks: the same dicts) except their children, which are such copies too, and their
    configurations, which are copies (sub-configurations shared as in the original): switching the original's
    attention implementation (`set_attn_implementation` changes configurations only) leaves the copy's as
    it was, and a hook added to an original module later acts in the copy as well. No tensor is copied."""
    configs: dict = {}  # deepcopy's memo: one copy per configuration object, shared as the originals are
    copies: dict[int, torch.nn.Module] = {}

    def copy_of(module: torch.nn.Module) -> torch.nn.Module:
        if id(module) not in copies:
            twin = module.__class__.__new__(module.__class__)
            state = dict(module.__dict__)
            for name, value in state.items():
                if isinstance(value, transformers.PreTrainedConfig):
                    state[name] = copy.deepcopy(value, configs)
            copies[id(module)] = twin
            state["_modules"] = type(module._modules)(
                (name, None if child is None else copy_of(child)) for name, child in module._modules.items()
            )
            twin.__dict__.update(state)
        return copies[id(module)]

    return copy_of(model)


class SessionModels:
    """The models visitors trained (Train tab), by gradio session: nobody else sees them, and they never
    replace the server's. A session's models are freed when the session ends (`free`) or after
    `idle_seconds` without use (`sweep`, run on every access)."""

    def __init__(self, idle_seconds: float = 1800):
        self.idle_seconds = idle_seconds
        self._models: dict[str, dict[str, LoadedModel]] = {}  # session -> task -> model
        self._use: set[str] = set()  # the sessions that asked for their own models in the other tabs
        self._last_used: dict[str, float] = {}
        self._lock = threading.Lock()

    def put(self, session: str, loaded: LoadedModel) -> None:
        """Keep `loaded` as the session's model of its task (replacing the one it trained before)."""
        with self._lock:
            self._models.setdefault(session, {})[loaded.task] = loaded
            self._last_used[session] = time.monotonic()
        self.sweep()

    def get(self, session: str | None, task: str) -> LoadedModel | None:
        """The session's own model of `task`, whether or not it is in use."""
        self.sweep()
        with self._lock:
            loaded = self._models.get(session, {}).get(task)
            if loaded is not None:
                self._last_used[session] = time.monotonic()
            return loaded

    def in_use(self, session: str | None, task: str) -> LoadedModel | None:
        """The session's own model of `task` if the session chose to use its models, else None."""
        return self.get(session, task) if session in self._use else None

    def set_use(self, session: str, use: bool) -> None:
        with self._lock:
            (self._use.add if use else self._use.discard)(session)

    def using(self, session: str | None) -> bool:
        return session in self._use and session in self._models

    def tasks(self, session: str | None) -> list[str]:
        """The tasks the session has trained a model for."""
        with self._lock:
            return list(self._models.get(session, {}))

    def free(self, session: str | None) -> bool:
        """Forget the session's models (its page was closed); True if it had any."""
        with self._lock:
            models = self._models.pop(session, None)
            self._use.discard(session)
            self._last_used.pop(session, None)
        if models is None:
            return False
        del models
        free_memory()
        return True

    def sweep(self) -> list[str]:
        """Free the sessions idle for longer than `idle_seconds`; the sessions freed."""
        cutoff = time.monotonic() - self.idle_seconds
        idle = [session for session, used in list(self._last_used.items()) if used < cutoff]
        return [session for session in idle if self.free(session)]

    def sessions(self) -> list[str]:
        with self._lock:
            return list(self._models)

    def least_recent(self, other_than: str) -> str | None:
        """The session other than `other_than` used longest ago (None if there is none)."""
        with self._lock:
            others = [s for s in self._models if s != other_than]
            return min(others, key=lambda s: self._last_used.get(s, 0.0)) if others else None

    @property
    def memory_bytes(self) -> int:
        with self._lock:
            return sum(m.memory_bytes for models in self._models.values() for m in models.values())


class ModelManager:
    """Lazy, cached, thread-safe access to the model of each task, within an optional memory budget.

    When loading a model would take the loaded weights over the budget, the least recently used other
    models are unloaded first (they load again when next used), and a notice says so. The models visitors
    trained (`sessions`) count against the budget too.
    """

    def __init__(
        self,
        model_ids: dict[str, str],
        device: str = "auto",
        memory_budget_mb: int = 0,
        offline: bool = False,
        dtype: str = "auto",
        session_idle_seconds: float = 1800,
    ):
        self.model_ids = dict(model_ids)
        self.started_model_ids = dict(model_ids)  # what the server was started with, to go back to
        self.requested_device = device
        self.requested_dtype = dtype
        self.memory_budget_bytes = memory_budget_mb * 2**20  # 0: no budget
        self.offline = offline  # load from the local cache only
        self.notices: list[Message] = []  # what the manager did on its own, oldest first
        self._loaded: dict[str, LoadedModel] = {}
        self._last_used: dict[str, float] = {}
        self._load_locks = {task: threading.Lock() for task in TASKS}
        self.sessions = SessionModels(session_idle_seconds)

    def get(self, task: str) -> LoadedModel:
        """The loaded model of `task`, loading it on first use (one load at a time per task)."""
        if task not in TASKS:
            raise ModelLoadError(
                lazy(
                    "Unknown task {task}: choose one of {choices}.", task=repr(task), choices=", ".join(TASKS)
                )
            )
        with self._load_locks[task]:
            loaded = self._loaded.get(task)
            if loaded is None:
                self._make_room(task, _weights_file_bytes(self.model_ids[task]))
                loaded = self._loaded[task] = self._load(task)
                self._make_room(task, 0)
            self._last_used[task] = time.monotonic()
        return loaded

    def switch(self, task: str, model_id: str) -> LoadedModel:
        """Serve `task` with another model; if it cannot be loaded, the previous one stays configured."""
        previous = self.model_ids[task]
        with self._load_locks[task]:
            self.unload(task)
            self.model_ids[task] = model_id
        try:
            return self.get(task)
        except ModelLoadError:
            self.model_ids[task] = previous
            raise

    def apply_preset(self, name: str) -> None:
        """Serve every task with a preset's model; each loads when first used."""
        if name not in PRESETS:
            raise ModelLoadError(
                lazy(
                    "Unknown preset {preset}: choose one of {choices}.",
                    preset=repr(name),
                    choices=", ".join(PRESETS),
                )
            )
        self.serve(PRESETS[name].model_ids)

    def restore_started(self) -> None:
        """Serve every task with the model the server was started with again."""
        self.serve(self.started_model_ids)

    def serve(self, model_ids: dict[str, str]) -> None:
        """Serve these models (by task); a task whose model changes is unloaded, and loads when next used."""
        for task, model_id in model_ids.items():
            with self._load_locks[task]:
                if self.model_ids[task] != model_id:
                    self.unload(task)
                    self.model_ids[task] = model_id

    @property
    def active_preset(self) -> str | None:
        """The preset whose models are served now; None for another mix of models."""
        return preset_of(self.model_ids)

    def is_loaded(self, task: str) -> bool:
        return task in self._loaded

    def loaded(self) -> list[LoadedModel]:
        """The models in memory now, in task order."""
        return [self._loaded[task] for task in TASKS if task in self._loaded]

    def unload(self, task: str) -> bool:
        """Drop a task's model from memory (requests using it finish first); True if it was loaded."""
        loaded = self._loaded.pop(task, None)
        if loaded is None:
            return False
        del loaded
        free_memory()
        return True

    def _make_room(self, task: str, incoming_bytes: int) -> None:
        """Unload least recently used models other than `task` while the budget would be exceeded."""
        if not self.memory_budget_bytes:
            return
        while self._used_bytes() + incoming_bytes > self.memory_budget_bytes:
            others = [t for t in self._loaded if t != task]
            if not others:
                return
            victim = min(others, key=lambda t: self._last_used.get(t, 0.0))
            size_mb = self._loaded[victim].memory_bytes / 2**20
            self.unload(victim)
            self.notices.append(
                lazy(
                    "Unloaded the {task} model {model} ({size} MB) to stay within the memory budget of {budget} MB; "
                    "it loads again when next used.",
                    task=task_label(victim),
                    model=self.model_ids[victim],
                    size=f"{size_mb:,.0f}",
                    budget=f"{self.memory_budget_bytes / 2**20:,.0f}",
                )
            )

    def _used_bytes(self) -> int:
        return sum(m.memory_bytes for m in self._loaded.values()) + self.sessions.memory_bytes

    def keep_session_model(self, session: str, loaded: LoadedModel) -> None:
        """Keep a model a visitor trained for their session, within the memory budget: the server's least
        recently used models are unloaded first (they load again when next used), then, if that is not
        enough, other sessions' models (least recently used first); if it still does not fit, ModelLoadError.
        """
        previous = self.sessions.get(session, loaded.task)
        incoming = loaded.memory_bytes - (previous.memory_bytes if previous is not None else 0)
        if self.memory_budget_bytes:
            too_big = lazy(
                "Your model ({size} MB) does not fit in this server's memory budget of {budget} MB "
                "(--memory-budget-mb): try a smaller model.",
                size=f"{loaded.memory_bytes / 2**20:,.1f}",
                budget=f"{self.memory_budget_bytes / 2**20:,.0f}",
            )
            if loaded.memory_bytes > self.memory_budget_bytes:
                raise ModelLoadError(too_big)
            self._make_room("", incoming)  # the server's models first: they load again when next used
            while self._used_bytes() + incoming > self.memory_budget_bytes:
                victim = self.sessions.least_recent(other_than=session)
                if victim is None:
                    raise ModelLoadError(too_big)
                self.sessions.free(victim)
                self.notices.append(
                    lazy(
                        "Freed a visitor's trained model to stay within the memory budget of {budget} MB.",
                        budget=f"{self.memory_budget_bytes / 2**20:,.0f}",
                    )
                )
        self.sessions.put(session, loaded)

    def _load(self, task: str) -> LoadedModel:
        model_id = self.model_ids[task]
        device = pick_device(self.requested_device)
        dtype = pick_dtype(device, self.requested_dtype)
        reduced = device.type == "cpu" and self.requested_dtype in CPU_REDUCED
        if reduced:
            dtype = torch.float32  # the exact model first; the reduced copy is made from it below
        folder = Path(model_id)
        if not folder.is_dir() and not _is_hub_id(model_id):  # a path, and nothing there
            raise ModelLoadError(_missing_folder_message(task, model_id))
        if folder.is_dir() and not _has_tokenizer_files(folder):
            raise ModelLoadError(_no_tokenizer_message(task, model_id))
        source = self._source_options(model_id)
        if self._needs_unreachable_hub(model_id, source):
            raise ModelLoadError(_unreachable_hub_message(task, model_id))
        try:
            tokenizer = AutoTokenizer.from_pretrained(model_id, trust_remote_code=False, **source)
            self._check_kind(task, model_id, source)
            auto_class = getattr(transformers, REGISTRY[task].auto_class)
            model = auto_class.from_pretrained(
                model_id, dtype=dtype, use_safetensors=None, trust_remote_code=False, **source
            )
        except ModelLoadError:
            raise
        except Exception as error:  # OSError (missing/offline), ValueError (unknown architecture), ...
            if self.offline and not _is_cached(model_id, source):
                raise ModelLoadError(_not_cached_message(task, model_id)) from error
            raise ModelLoadError(_load_failure_message(task, model_id, error)) from error
        if len(tokenizer) < 2:  # what transformers makes of a folder whose tokenizer files say nothing
            raise ModelLoadError(_no_tokenizer_message(task, model_id))
        check = REGISTRY[task].check_tokenizer
        problem = check(tokenizer, model_id) if check else None
        if problem is not None:
            raise ModelLoadError(problem)
        model.to(device).eval()
        if not reduced:
            return LoadedModel(task=task, model_id=model_id, model=model, tokenizer=tokenizer, device=device)
        return LoadedModel(
            task=task,
            model_id=model_id,
            model=reduced_copy(model, self.requested_dtype),
            tokenizer=tokenizer,
            device=device,
            precision=self.requested_dtype,
            exact_model=model,
        )

    def _source_options(self, model_id: str) -> dict:
        """from_pretrained's options for where the files come from: a preset's pinned revision for its Hub
        ids, and the local cache only when offline. A local folder needs neither."""
        if Path(model_id).is_dir():
            return {}
        options = {"local_files_only": True} if self.offline else {}
        revision = pinned_revision(model_id)
        return {**options, "revision": revision} if revision else options

    def _needs_unreachable_hub(self, model_id: str, source: dict) -> bool:
        """Whether `model_id` must be downloaded from a Hub this computer cannot reach (probed quickly, once a
        minute), so that the load is refused at once rather than after a minute of retries. A local folder,
        a model in the cache and offline mode make no request, so they are never probed."""
        if self.offline or hub.offline_mode() or not _is_hub_id(model_id) or _is_cached(model_id, source):
            return False
        return not hub.reachable()

    @staticmethod
    def _check_kind(task: str, model_id: str, source: dict) -> None:
        """Refuse a model of the wrong kind (e.g. a classifier given as the fill-mask model)."""
        config = AutoConfig.from_pretrained(model_id, trust_remote_code=False, **source)
        architectures = config.architectures or []
        if architectures and not any(a.endswith(REGISTRY[task].architectures) for a in architectures):
            raise ModelLoadError(
                lazy(
                    "{model} is a {architecture}, not {kind}. Give a model of that kind with {flag}.",
                    model=model_id,
                    architecture=architectures[0],
                    kind=REGISTRY[task].kind,
                    flag=REGISTRY[task].flag,
                )
            )


def conv1d_as_linear(model: torch.nn.Module) -> None:
    """Replace GPT-2's Conv1D layers (x @ W + b, W stored as in x out) by the nn.Linear they compute (W stored
    transposed). Same numbers; on CPU, PyTorch multiplies half-precision weights about 19x faster in
    Linear's layout (benchmarks/RESULTS.md), which makes float16 the fast path there."""
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, Conv1D):
                linear = torch.nn.Linear(
                    *child.weight.shape, dtype=child.weight.dtype, device=child.weight.device
                )
                linear.weight = torch.nn.Parameter(child.weight.detach().T.contiguous(), requires_grad=False)
                linear.bias = torch.nn.Parameter(child.bias.detach(), requires_grad=False)
                setattr(module, name, linear)


def reduced_copy(model: PreTrainedModel, precision: str) -> PreTrainedModel:
    """A copy of a float32 CPU model that runs at `precision`, made once at load; `model` is not changed.

    - "int8": every nn.Linear (GPT-2's Conv1D layers first turned into the nn.Linear they compute) becomes
      PyTorch's dynamically quantized Linear: weights in int8, one scale per output channel; each input is
      quantized on the fly, multiplied in int8 (VNNI where the CPU has it) and the result comes back in float32.
      Embeddings, layer norms and biases stay float32 and are shared with `model` (no second copy).
    - "float16", "bfloat16": every weight in that precision (a full copy, half the size), Conv1D as nn.Linear.
    """
    if precision == "int8":
        shared = {id(t): t for t in _tensors(model)}  # copy the modules, not the weights
        fast = copy.deepcopy(model, shared)
        conv1d_as_linear(fast)  # new transposed weights, only until they are quantized
        with warnings.catch_warnings():  # torch.ao.quantization announces its move to torchao
            warnings.simplefilter("ignore")
            torch.ao.quantization.quantize_dynamic(
                fast,
                {torch.nn.Linear: torch.ao.quantization.per_channel_dynamic_qconfig},
                dtype=torch.qint8,
                inplace=True,
            )
        return fast.eval()
    fast = copy.deepcopy(model).to(getattr(torch, precision))
    conv1d_as_linear(fast)
    return fast.eval()


def _tensors(model: torch.nn.Module) -> list[torch.Tensor]:
    """The parameters and buffers of `model`, and the int8 weights and biases of its quantized Linear layers."""
    tensors = list(model.parameters()) + list(model.buffers())
    for module in model.modules():
        if isinstance(module, torch.ao.nn.quantized.dynamic.Linear):
            weight, bias = module._weight_bias()
            tensors += [weight] + ([bias] if bias is not None else [])
    return tensors


def _tensor_bytes(tensor: torch.Tensor, seen: set[int]) -> int:
    """Bytes of `tensor`'s storage, 0 if a tensor of the same storage was counted already (`seen`)."""
    try:
        key = tensor.untyped_storage().data_ptr()
    except (NotImplementedError, RuntimeError):  # a quantized tensor's storage
        key = id(tensor)
    if key in seen:
        return 0
    seen.add(key)
    return tensor.numel() * tensor.element_size()


def is_out_of_memory(error: BaseException) -> bool:
    """True for a GPU (or CPU allocator) out-of-memory error."""
    return isinstance(error, torch.OutOfMemoryError) or (
        isinstance(error, RuntimeError) and "out of memory" in str(error).lower()
    )


def free_memory() -> None:
    """Return memory no longer referenced to the system (and cached GPU blocks to the driver)."""
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def _weights_file_bytes(model_id: str) -> int:
    """Size of the weight files of a local model folder (0 for a Hub id: unknown until downloaded)."""
    folder = Path(model_id)
    if not folder.is_dir():
        return 0
    return sum(f.stat().st_size for pattern in ("*.safetensors", "*.bin") for f in folder.glob(pattern))


def _is_cached(model_id: str, source: dict) -> bool:
    """Whether the Hugging Face cache holds this Hub model's config (at the revision it loads)."""
    from huggingface_hub import try_to_load_from_cache

    if Path(model_id).is_dir():
        return True
    try:
        found = try_to_load_from_cache(model_id, "config.json", revision=source.get("revision"))
    except ValueError:  # not a valid Hub id
        return False
    return isinstance(found, str)


def _is_hub_id(model_id: str) -> bool:
    """Whether `model_id` reads as a Hub repository id ("gpt2", "org/name"), not a folder or a path."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    if Path(model_id).is_dir():
        return False
    try:
        validate_repo_id(model_id)
    except HFValidationError:
        return False
    return True


# The files a tokenizer is made from: any one of these (vocab.json goes with merges.txt).
TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "vocab.json", "*.model", "tokenizer.model", "*.tiktoken")


def _has_tokenizer_files(folder: Path) -> bool:
    return any(any(folder.glob(pattern)) for pattern in TOKENIZER_FILES)


def task_label(task: str) -> Message | str:
    """A task's name in a sentence, translated with it ("Generation", "文本生成"); an unknown task as given."""
    return lazy(REGISTRY[task].label) if task in REGISTRY else task


def _missing_folder_message(task: str, model_id: str) -> Message:
    return lazy(
        "The {task} model folder {model} does not exist on this computer (any more): check the path, or give "
        "another folder or a Hub id with {flag}.",
        task=task_label(task),
        model=model_id,
        flag=REGISTRY[task].flag,
    )


def _no_tokenizer_message(task: str, model_id: str) -> Message:
    return lazy(
        "The {task} model folder {model} has no tokenizer files (tokenizer.json, vocab.txt, vocab.json with "
        "merges.txt, or a sentencepiece .model): save the tokenizer into it too "
        "(tokenizer.save_pretrained(folder)), then start again with {flag}.",
        task=task_label(task),
        model=model_id,
        flag=REGISTRY[task].flag,
    )


def _unreachable_hub_message(task: str, model_id: str) -> Message:
    presets = presets_with(model_id)
    command = f"playground download --preset {presets[0]}" if presets else f"hf download {model_id}"
    return lazy(
        "The {task} model {model} is not on this computer and the Hugging Face Hub ({endpoint}) cannot be "
        "reached from it: prepare the models while online with `{command}` and start with --offline, or use a "
        "mirror of the Hub (e.g. --hub-endpoint https://hf-mirror.com). To try the playground with no download at "
        "all, start it with --demo.",
        task=task_label(task),
        model=model_id,
        endpoint=hub.endpoint(),
        command=command,
    )


def _not_cached_message(task: str, model_id: str) -> Message:
    presets = presets_with(model_id)
    command = (
        f"playground download --preset {presets[0]}"
        if presets
        else lazy("hf download {model} (or run the app once without --offline)", model=model_id)
    )
    return lazy(
        "The {task} model {model} is not in this computer's model cache. Prepare it while online with: {command}",
        task=task_label(task),
        model=model_id,
        command=command,
    )


def _load_failure_message(task: str, model_id: str, error: Exception) -> Message:
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return lazy(
        "Could not load the {task} model {model}: {reason}. Check that it is a Hub id of {kind} or a folder "
        "written by save_pretrained, that this machine can reach huggingface.co (or has the model in its "
        "cache), and set it with {flag}.",
        task=task_label(task),
        model=repr(model_id),
        reason=reason,
        kind=REGISTRY[task].kind,
        flag=REGISTRY[task].flag,
    )
