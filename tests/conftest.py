"""Fixtures: tiny models on disk, a ModelManager over them, and the app served on a free local port.

Hooks: each test gets the marker of its tier folder (tests/tasks -> `tasks`, ...), so `pytest -m tasks` and
`pytest tests/tasks` run the same tier alone; and a test fails when transformers' logger announces a
deprecation while it runs (its warnings.warn deprecations are made errors by pyproject.toml's filterwarnings).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"  # tests never touch the network
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import pytest  # noqa: E402

from playground.models import ModelManager  # noqa: E402
from playground.settings import Settings  # noqa: E402
from tests.helpers import ADMIN_PASSWORD  # noqa: E402
from tests.tiny_models import (  # noqa: E402
    build_all,
    build_bert_mlm,
    build_chinese_gpt2,
    install_in_hub_cache,
)

TESTS = Path(__file__).parent
# Tier folders, lowest first; each is also the name of its pytest marker (registered in pyproject.toml).
TIERS = ("tasks", "ui", "served", "browser", "subprocess", "engine")


def pytest_collection_modifyitems(config, items):
    """Mark each test with its tier folder's marker; a test module outside every tier folder is refused."""
    untiered = set()
    for item in items:
        if TESTS not in item.path.parents:
            continue
        tier = item.path.relative_to(TESTS).parts[0]
        if tier in TIERS:
            item.add_marker(tier)
        else:
            untiered.add(str(item.path.relative_to(TESTS.parent)))
    items.sort(key=lambda item: _tier_rank(item))  # fast tiers first; stable, so modules stay whole
    if untiered:
        raise pytest.UsageError(
            "Test modules outside a tier folder: "
            + ", ".join(sorted(untiered))
            + ". Move each into the folder of the highest tier it needs: tests/"
            + ", tests/".join(TIERS)
            + " (see README.md, Tests)."
        )


def _tier_rank(item) -> int:
    parts = item.path.relative_to(TESTS).parts if TESTS in item.path.parents else ()
    return TIERS.index(parts[0]) if parts and parts[0] in TIERS else len(TIERS)


# Transformers announces many deprecations through its logger (`logger.warning_once`), not `warnings`, so
# pytest's filterwarnings cannot see them: a test fails when one is logged during its setup, call or teardown.
# (warning_once logs each message once per process: the first test to trigger it is the one that fails.)
DEPRECATION = re.compile(r"deprecat|will be removed|removed in (v|version )?\d", re.IGNORECASE)
ALLOWED_DEPRECATIONS: dict[str, str] = {}  # pattern -> why it cannot be avoided (none today)


class _Deprecations(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        if DEPRECATION.search(message) and not any(re.search(a, message) for a in ALLOWED_DEPRECATIONS):
            self.messages.append(f"{record.name}: {message}")


@contextlib.contextmanager
def _fail_on_transformers_deprecations(when: str):
    logger = logging.getLogger("transformers")  # the library's root logger; it does not propagate to ours
    handler = _Deprecations()
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    if handler.messages:
        pytest.fail(
            f"transformers logged a deprecation during {when}:\n"
            + "\n".join(handler.messages)
            + "\nUse the replacement it names (or, if it cannot be avoided yet, add it to ALLOWED_DEPRECATIONS"
            " in tests/conftest.py with the reason).",
            pytrace=False,
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    with _fail_on_transformers_deprecations("setup"):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    with _fail_on_transformers_deprecations("the test"):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    with _fail_on_transformers_deprecations("teardown"):
        return (yield)


@pytest.fixture(scope="session")
def tiny_model_dirs(tmp_path_factory) -> dict[str, str]:
    return {task: str(path) for task, path in build_all(tmp_path_factory.mktemp("models")).items()}


@pytest.fixture(scope="session")
def chinese_gpt2_dir(tmp_path_factory) -> str:
    """A tiny GPT-2 that reads through a BERT tokenizer over Chinese characters, like uer/gpt2-chinese-cluecorpussmall."""
    return str(build_chinese_gpt2(tmp_path_factory.mktemp("zh") / "tiny-gpt2-chinese"))


@pytest.fixture(scope="session")
def hub_cache(tiny_model_dirs, chinese_gpt2_dir, tmp_path_factory):
    """A Hugging Face cache holding both presets' models, as `playground download --preset all` leaves it
    (each at its pinned commit, no refs/main), made of tiny models: Chinese-vocabulary GPT-2 and BERT for zh,
    the Chinese GPT-2 with PyTorch .bin weights (the download fetches those where there are no safetensors)."""
    from playground.presets import PRESETS

    folders = tmp_path_factory.mktemp("zh-models")
    local = {
        "en": tiny_model_dirs,
        "zh": {
            "generation": Path(chinese_gpt2_dir),
            "fill-mask": build_bert_mlm(folders / "bert", chinese=True),
            "sentiment": tiny_model_dirs["sentiment"],
            "chat": tiny_model_dirs["chat"],
            "question-answering": tiny_model_dirs["question-answering"],
            "translation": tiny_model_dirs["translation"],  # the English-to-Chinese one stands in
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
        admin_password=ADMIN_PASSWORD,
        max_upload_mb=2,  # tests/served/test_hardening_served.py uploads more
        max_sessions=20,  # tests/served/test_hardening_served.py opens more
    )


@pytest.fixture(scope="session")
def manager(settings) -> ModelManager:
    return ModelManager(settings.model_ids, "cpu")


@pytest.fixture(scope="session")
def app_url(served_demo):
    return served_demo.local_url


@pytest.fixture(scope="session")
def served_demo(settings, manager):
    """The full app, launched in this process on a free port, sharing the session's models."""
    from playground.ui.layout import build_demo, launch_options

    demo = build_demo(settings, manager).queue(max_size=settings.queue_size)
    # launch_options(): the theme and CSS `python app.py` uses, so browser tests and screenshots see the real page
    demo.launch(
        server_name="127.0.0.1",
        server_port=None,
        prevent_thread_lock=True,
        quiet=True,
        **launch_options(settings, demo),
    )
    yield demo
    demo.close()


@pytest.fixture(scope="session")
def client(app_url):
    from gradio_client import Client

    return Client(app_url, verbose=False)


@pytest.fixture(scope="session")
def demo_model_dirs(tmp_path_factory) -> dict[str, dict[str, str]]:
    """The `--demo` models of both presets (playground/demo_models.py), built once: preset -> task -> folder.
    Only the tests of the demo's quality use them; every other test keeps the tiny models above."""
    from playground import demo

    root = tmp_path_factory.mktemp("demo-models")
    previous = os.environ.get("PLAYGROUND_DEMO_DIR")
    os.environ["PLAYGROUND_DEMO_DIR"] = str(root)
    try:
        return {preset: demo.prepare(preset, report=lambda line: None) for preset in ("en", "zh")}
    finally:
        if previous is None:
            os.environ.pop("PLAYGROUND_DEMO_DIR")
        else:
            os.environ["PLAYGROUND_DEMO_DIR"] = previous
