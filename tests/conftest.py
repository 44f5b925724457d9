"""Fixtures: tiny models on disk, a ModelManager over them, and the app served on a free local port."""

from __future__ import annotations

import os
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"  # tests never touch the network
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import pytest  # noqa: E402

from playground.models import ModelManager  # noqa: E402
from playground.settings import Settings  # noqa: E402
from tests.tiny_models import (  # noqa: E402
    build_all,
    build_bert_mlm,
    build_chinese_gpt2,
    install_in_hub_cache,
)


@pytest.fixture(scope="session")
def tiny_model_dirs(tmp_path_factory) -> dict[str, str]:
    return {task: str(path) for task, path in build_all(tmp_path_factory.mktemp("models")).items()}


@pytest.fixture(scope="session")
def hub_cache(tiny_model_dirs, tmp_path_factory):
    """A Hugging Face cache holding both presets' models, as `playground download --preset all` leaves it
    (each at its pinned commit, no refs/main), made of tiny models: Chinese-vocabulary GPT-2 and BERT for zh,
    the Chinese GPT-2 with PyTorch .bin weights (the download fetches those where there are no safetensors)."""
    from playground.presets import PRESETS

    folders = tmp_path_factory.mktemp("zh-models")
    local = {
        "en": tiny_model_dirs,
        "zh": {
            "generation": build_chinese_gpt2(folders / "gpt2"),
            "fill-mask": build_bert_mlm(folders / "bert", chinese=True),
            "sentiment": tiny_model_dirs["sentiment"],
            "chat": tiny_model_dirs["chat"],
        },
    }
    cache = tmp_path_factory.mktemp("hub-cache")
    for name, preset in PRESETS.items():
        for task, model in preset.models.items():
            bin_weights = (name, task) == ("zh", "generation")
            install_in_hub_cache(
                Path(local[name][task]), cache, model.model_id, model.revision, pytorch_bin=bin_weights
            )
    return cache


@pytest.fixture(scope="session")
def settings(tiny_model_dirs) -> Settings:
    return Settings(
        models=dict(tiny_model_dirs),
        max_input_chars=2000,
        max_new_tokens_cap=60,
    )


@pytest.fixture(scope="session")
def manager(settings) -> ModelManager:
    return ModelManager(settings.model_ids, "cpu")


@pytest.fixture(scope="session")
def app_url(settings, manager):
    """The full app, launched in this process on a free port, sharing the session's models."""
    from playground.ui.layout import build_demo, launch_options

    demo = build_demo(settings, manager).queue(max_size=settings.queue_size)
    # launch_options(): the theme and CSS `python app.py` uses, so browser tests and screenshots see the real page
    demo.launch(
        server_name="127.0.0.1",
        server_port=None,
        prevent_thread_lock=True,
        quiet=True,
        **launch_options(),
    )
    yield demo.local_url
    demo.close()


@pytest.fixture(scope="session")
def client(app_url):
    from gradio_client import Client

    return Client(app_url, verbose=False)
