"""`playground --demo`: the app on small models made on this computer (playground/demo_models.py, from the
texts in playground/demo_texts/), with no download and nothing written into the checkout.

The models are built once, in about a minute, into `demo_dir()` ($PLAYGROUND_DEMO_DIR, else the user's cache
folder, ~/.cache/transformer-playground/demo-N) and reused on every later start. This module is light (no
torch) so that Settings can name the folders before anything heavy is imported.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

DEMO_VERSION = 6  # raise when the demo models change: a new folder is built, old ones are left alone
# preset -> task -> (folder, the builder in playground.tiny_models, its keyword arguments)
FOLDERS: dict[str, dict[str, tuple[str, str, dict]]] = {
    "en": {
        "generation": ("tiny-gpt2", "build_gpt2", {}),
        "fill-mask": ("tiny-bert", "build_bert_mlm", {}),
        "sentiment": ("tiny-distilbert-sst2", "build_distilbert_classifier", {}),
        "chat": ("tiny-llama-chat", "build_llama_chat", {}),
        "question-answering": ("tiny-distilbert-qa", "build_distilbert_qa", {}),
    },
}
FOLDERS["zh"] = FOLDERS["en"] | {  # there is no tiny Chinese classifier: the English one stands in
    "generation": ("tiny-gpt2-chinese", "build_chinese_gpt2", {}),
    "fill-mask": ("tiny-bert-chinese", "build_bert_mlm", {"chinese": True}),
    "question-answering": ("tiny-bert-qa-chinese", "build_bert_qa_chinese", {}),
}
FOLDERS["en"]["translation"] = ("tiny-marian-en-zh", "build_marian", {})
FOLDERS["zh"]["translation"] = ("tiny-marian-zh-en", "build_marian", {"source": "zh"})
# preset -> task -> (the builder in playground.demo_models, its keyword arguments): what `prepare` makes, in
# FOLDERS' folders (the test suite's tiny models keep the builders above); one classifier reads both languages
BUILDERS: dict[str, dict[str, tuple[str, dict]]] = {
    "en": {
        "generation": ("build_gpt2", {}),
        "fill-mask": ("build_bert_mlm", {}),
        "sentiment": ("build_classifier", {}),
        "chat": ("build_llama_chat", {}),
        "question-answering": ("build_distilbert_qa", {}),
        "translation": ("build_marian", {}),
    },
}
BUILDERS["zh"] = BUILDERS["en"] | {
    "generation": ("build_chinese_gpt2", {}),
    "fill-mask": ("build_bert_mlm", {"chinese": True}),
    "question-answering": ("build_bert_qa_chinese", {}),
    "translation": ("build_marian", {"source": "zh"}),
}


def demo_dir() -> Path:
    """Where the demo models are kept: $PLAYGROUND_DEMO_DIR, else the user's cache folder."""
    if os.environ.get("PLAYGROUND_DEMO_DIR"):
        return Path(os.environ["PLAYGROUND_DEMO_DIR"]).expanduser()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "transformer-playground" / f"demo-{DEMO_VERSION}"


def shown_model_id(model_id: str) -> str:
    """How a page names a model: a demo model by its folder's name (`tiny-gpt2`), not by its path in the user's
    cache (a projector shows it to the class); any other id as given."""
    path = Path(model_id)
    return path.name if path.parent == demo_dir() else model_id


def demo_models(preset: str) -> dict[str, str]:
    """The folder of each task's demo model for `preset`, built or not."""
    return {task: str(demo_dir() / folder) for task, (folder, _, _) in FOLDERS[preset].items()}


def prepare(preset: str, report: Callable[[str], None] = print) -> dict[str, str]:
    """Build the demo models of `preset` that are not there yet, each in a scratch folder renamed into place
    when complete (an interrupted build leaves nothing half made); return every task's folder."""
    from playground import demo_models as builders  # torch and transformers load here

    root = demo_dir()
    root.mkdir(parents=True, exist_ok=True)
    with build_threads():
        for task, (folder, _tiny, _options) in FOLDERS[preset].items():
            if (root / folder / "config.json").exists():
                continue
            builder, options = BUILDERS[preset][task]
            report(f"Making the demo {task} model ({root / folder}); this happens once.")
            with tempfile.TemporaryDirectory(dir=root) as scratch:
                getattr(builders, builder)(Path(scratch) / folder, **options)
                shutil.rmtree(root / folder, ignore_errors=True)
                os.replace(Path(scratch) / folder, root / folder)
    return demo_models(preset)


BUILD_THREADS = 2  # PyTorch threads while the demo models train: the tests check the models trained with 2


@contextlib.contextmanager
def build_threads() -> Iterator[None]:
    """Train with BUILD_THREADS PyTorch threads, whatever the machine's cores: how a sum is split over threads
    changes its last bits, and over hundreds of steps another model comes out (the demo's reader answered
    differently trained on 1 thread than on 2). The same count gives the models the tests checked, on any
    machine of the same kind of CPU."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(BUILD_THREADS)
    try:
        yield
    finally:
        torch.set_num_threads(before)
