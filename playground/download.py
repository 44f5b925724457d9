"""Fetch a preset's models into the Hugging Face cache, at their pinned revisions, for offline use later;
or, with `--source modelscope`, their ModelScope copies into plain folders the app loads with --offline.

Only what the playground loads is fetched: config, tokenizer files and the safetensors weights (the
PyTorch `.bin` weights only where a model has no safetensors; never TensorFlow, Flax, ONNX or Rust ones).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from playground.hub import MIRROR_EXAMPLE
from playground.presets import PRESETS, PinnedModel
from playground.registry import REGISTRY

# Top-level files a model needs besides its weights.
CONFIG_AND_TOKENIZER = (
    "config.json",
    "generation_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "vocab.txt",
    "vocab.json",
    "merges.txt",
    "chat_template.jinja",  # where transformers 5 keeps a chat model's template
    "chat_template.json",
    "*.model",  # sentencepiece
    "*.spm",  # Marian's sentencepiece models (source.spm, target.spm)
)
SAFETENSORS = ("*.safetensors", "model.safetensors.index.json")
PYTORCH = ("pytorch_model*.bin", "pytorch_model.bin.index.json")


class DownloadError(RuntimeError):
    """A model could not be fetched; the message is one sentence that says what to do."""


def files_to_fetch(repo_files: list[str]) -> list[str]:
    """The files of a model repository the playground needs, out of all of them."""
    top_level = [f for f in repo_files if "/" not in f]

    def matching(patterns: tuple[str, ...]) -> list[str]:
        return [f for f in top_level if any(fnmatch(f, pattern) for pattern in patterns)]

    return sorted(matching(CONFIG_AND_TOKENIZER) + (matching(SAFETENSORS) or matching(PYTORCH)))


def preset_names(preset: str) -> list[str]:
    """The presets `preset` stands for: itself, or every preset for "all"."""
    return list(PRESETS) if preset == "all" else [preset]


def models_of(preset: str) -> list[PinnedModel]:
    """The models of a preset, or of every preset for "all"."""
    return [model for name in preset_names(preset) for model in PRESETS[name].models.values()]


def download(preset: str, report: Callable[[str], None] = print) -> dict[str, str]:
    """Fetch the models of `preset` ("en", "zh" or "all"); their snapshot folders, by Hub id."""
    import huggingface_hub  # here, so that `playground download --help` answers at once

    folders = {}
    for model in models_of(preset):
        report(f"{model.model_id} (revision {model.revision[:7]})")
        try:
            files = files_to_fetch(huggingface_hub.list_repo_files(model.model_id, revision=model.revision))
            folders[model.model_id] = huggingface_hub.snapshot_download(
                model.model_id, revision=model.revision, allow_patterns=files
            )
        except Exception as error:
            raise DownloadError(_failure_message(model, error)) from error
    return folders


def _failure_message(model: PinnedModel, error: Exception) -> str:
    name = type(error).__name__
    if name == "OfflineModeIsEnabled":
        return (
            f"Could not download {model.model_id}: downloads are switched off in this shell "
            "(HF_HUB_OFFLINE=1); unset it and run the command again."
        )
    if _is_connection_error(error):
        from playground.hub import endpoint

        return (
            f"Could not download {model.model_id}: the Hugging Face Hub ({endpoint()}) cannot be reached from "
            "this computer; check the internet connection (or proxy), or use a mirror of the Hub with "
            f"--hub-endpoint {MIRROR_EXAMPLE} (or --source modelscope), and run the command again."
        )
    reason = str(error).strip().splitlines()[0] if str(error).strip() else name
    return f"Could not download {model.model_id} at revision {model.revision}: {reason}"


def _is_connection_error(error: BaseException | None) -> bool:
    """True when the error, or one it came from, is a failed connection (DNS, refused, timeout).

    Classes are matched by name: huggingface_hub raises httpx (or its fork httpx2) transport errors."""
    while error is not None:
        names = {cls.__name__ for cls in type(error).__mro__}
        if names & {"TransportError", "ConnectionError", "TimeoutException", "LocalEntryNotFoundError"}:
            return True
        error = error.__cause__ or error.__context__
    return False


# --source modelscope

MODELSCOPE_MISSING_PACKAGE = (
    "--source modelscope needs the modelscope package: install it with "
    'pip install -e ".[modelscope]" in the playground\'s folder (or pip install "modelscope>=1.22,<2"), '
    "then run the command again."
)


@dataclass(frozen=True)
class ModelScopeDownload:
    folders: dict[str, dict[str, str]]  # preset -> task -> the folder its ModelScope copy is in
    missing: list[PinnedModel]  # preset models ModelScope has no known copy of (not downloaded)


def default_modelscope_dir() -> Path:
    """Where --source modelscope puts the models unless told: the user's cache folder."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "transformer-playground" / "modelscope"


def download_from_modelscope(
    preset: str, target: Path, report: Callable[[str], None] = print
) -> ModelScopeDownload:
    """Fetch the ModelScope copies of `preset`'s models ("en", "zh" or "all"), each at its recorded revision,
    into `target`/<ModelScope id>; the models without a known copy are listed, not fetched."""
    try:
        from modelscope import snapshot_download  # optional: only this command needs it
    except ImportError as error:
        raise DownloadError(MODELSCOPE_MISSING_PACKAGE) from error

    folders: dict[str, dict[str, str]] = {}
    missing: list[PinnedModel] = []
    fetched: dict[str, str] = {}  # ModelScope id -> folder, so a model in two presets is fetched once
    for name in preset_names(preset):
        for task, model in PRESETS[name].models.items():
            if model.modelscope_id is None:
                missing += [] if model in missing else [model]
                continue
            if model.modelscope_id not in fetched:
                report(f"{model.modelscope_id} (revision {model.modelscope_revision}), for {model.model_id}")
                fetched[model.modelscope_id] = _fetch_from_modelscope(snapshot_download, model, target)
            folders.setdefault(name, {})[task] = fetched[model.modelscope_id]
    return ModelScopeDownload(folders=folders, missing=missing)


def _fetch_from_modelscope(snapshot_download: Callable[..., str], model: PinnedModel, target: Path) -> str:
    """One model's files, as files_to_fetch picks them: config and tokenizer files with the safetensors
    weights, or with the PyTorch .bin weights where the copy has no safetensors."""
    folder = (target / model.modelscope_id).resolve()
    options = {"revision": model.modelscope_revision, "local_dir": str(folder)}
    try:
        snapshot_download(
            model.modelscope_id, allow_patterns=[*CONFIG_AND_TOKENIZER, *SAFETENSORS], **options
        )
        if not any(folder.glob("*.safetensors")):
            snapshot_download(model.modelscope_id, allow_patterns=list(PYTORCH), **options)
    except Exception as error:
        raise DownloadError(_modelscope_failure_message(model, error)) from error
    weights = [*folder.glob("*.safetensors"), *folder.glob("*.bin")]
    if not (folder / "config.json").is_file() or not weights:
        raise DownloadError(
            f"ModelScope's {model.modelscope_id} (revision {model.modelscope_revision}) has no config.json or "
            f"no weights the playground can load; fetch {model.model_id} through a mirror of the Hub instead "
            f"(--hub-endpoint {MIRROR_EXAMPLE})."
        )
    return str(folder)


def _modelscope_failure_message(model: PinnedModel, error: Exception) -> str:
    where = (
        f"Could not download {model.modelscope_id} from ModelScope at revision {model.modelscope_revision}"
    )
    if _is_connection_error(error):
        return (
            f"{where}: ModelScope cannot be reached from this computer; check the internet connection (or "
            "proxy) and run the command again."
        )
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"{where}: {reason}"


def missing_from_modelscope_message(preset: str, missing: list[PinnedModel]) -> str:
    """One sentence naming the models ModelScope has no copy of, and the command that fetches them instead."""
    ids = [model.model_id for model in missing]
    names = ", ".join(ids[:-1]) + " and " + ids[-1] if len(ids) > 1 else ids[0]
    them = "them" if len(ids) > 1 else "it"
    return (
        f"ModelScope has no known copy of {names}: fetch {them} through a mirror of the Hub with "
        f"`playground download --preset {preset} --hub-endpoint {MIRROR_EXAMPLE}` (the whole preset, into the "
        f"Hugging Face cache, where the serve command below finds {them})."
    )


def serve_command(preset: str, folders: dict[str, str]) -> str:
    """The command that serves `preset` offline with these tasks' models taken from their folders."""
    words = ["playground", "--offline", "--preset", preset]
    for task, folder in folders.items():
        words += [REGISTRY[task].flag, folder]
    return shlex.join(words)
