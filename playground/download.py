"""Fetch a preset's models into the Hugging Face cache, at their pinned revisions, for offline use later.

Only what the playground loads is fetched: config, tokenizer files and the safetensors weights (the
PyTorch `.bin` weights only where a model has no safetensors; never TensorFlow, Flax, ONNX or Rust ones).
"""

from __future__ import annotations

from collections.abc import Callable
from fnmatch import fnmatch

from playground.presets import PRESETS, PinnedModel

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


def models_of(preset: str) -> list[PinnedModel]:
    """The models of a preset, or of every preset for "all"."""
    names = list(PRESETS) if preset == "all" else [preset]
    return [model for name in names for model in PRESETS[name].models.values()]


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
        return (
            f"Could not download {model.model_id}: huggingface.co cannot be reached from this computer; "
            "check the internet connection (or proxy) and run the command again."
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
