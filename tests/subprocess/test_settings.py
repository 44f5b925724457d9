"""Settings come from flags, then PLAYGROUND_* variables, then defaults; --help documents them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from playground.settings import DEFAULT_MODELS, Settings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_are_the_hub_models():
    settings = Settings.from_args([], environ={})
    assert settings.model_id("generation") == DEFAULT_MODELS["generation"] == "openai-community/gpt2"
    assert settings.model_id("fill-mask") == "google-bert/bert-base-uncased"
    assert settings.host == "127.0.0.1" and settings.port == 7860 and settings.device == "auto"


def test_environment_variables_and_flags():
    env = {"PLAYGROUND_GENERATION_MODEL": "./gpt", "PLAYGROUND_PORT": "9000", "PLAYGROUND_SHARE": "true"}
    settings = Settings.from_args([], environ=env)
    assert settings.model_id("generation") == "./gpt" and settings.port == 9000 and settings.share
    settings = Settings.from_args(["--generation-model", "./other", "--device", "cpu"], environ=env)
    assert settings.model_id("generation") == "./other" and settings.device == "cpu"


def test_help_lists_every_flag_and_its_variable_quickly():
    out = subprocess.run(
        [sys.executable, "app.py", "--help"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    ).stdout
    for flag in ["--host", "--port", "--share", "--device", "--generation-model", "--fill-mask-model"]:
        assert flag in out
    assert "PLAYGROUND_SENTIMENT_MODEL" in out


def test_help_does_not_import_torch_or_gradio():
    script = (
        "import runpy, sys\n"
        "sys.argv = ['app.py', '--help']\n"
        "try:\n    runpy.run_path('app.py', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('HEAVY', sorted(m for m in ('torch', 'gradio', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in out.stdout


def test_bad_device_is_refused_by_the_parser():
    result = subprocess.run(
        [sys.executable, "app.py", "--device", "tpu"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_batch_limits_come_from_flags_and_variables():
    assert Settings.from_args([], environ={}).max_batch_size == 16
    env = {"PLAYGROUND_MAX_BATCH_ROWS": "50", "PLAYGROUND_MAX_BATCH_SIZE": "1"}
    settings = Settings.from_args(["--max-batch-rows", "20"], environ=env)
    assert settings.max_batch_rows == 20 and settings.max_batch_size == 1
