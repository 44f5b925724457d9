"""The `playground` console command, the same as `python app.py`: serve the app, or `download` models."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence

from playground import hub
from playground.presets import DEFAULT_PRESET, PRESETS
from playground.settings import ENV_PREFIX, HUB_ENDPOINT_HELP, Settings

# What --offline tells the libraries; they read it when imported, so it is set before they are.
OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
}


def use_offline_environment() -> None:
    """No downloads from the Hub, no analytics or version check from gradio."""
    os.environ.update(OFFLINE_ENVIRONMENT)


def prepare_environment(settings: Settings) -> None:
    """What the libraries read when they are imported (--offline, --hub-endpoint): set before they are."""
    if settings.offline:
        use_offline_environment()
    if settings.hub_endpoint:
        hub.use_endpoint(settings.hub_endpoint)


def create_demo(settings: Settings):
    """The gradio app for these settings, with its request queue set up."""
    prepare_environment(settings)
    if settings.demo:
        from playground.demo import prepare

        prepare(settings.preset, report=lambda line: print(line, flush=True))
    if settings.generation_server or settings.chat_server:
        from playground.engine.remote import ServerError, check_servers

        try:
            check_servers(settings)
        except ServerError as error:
            raise SystemExit(str(error)) from None
    from playground.ui.layout import build_demo  # gradio and torch load here, after --help is answered

    return build_demo(settings).queue(max_size=settings.queue_size)


def print_student_urls(settings: Settings) -> None:
    """With --host 0.0.0.0: the URLs students on the same network can type, and a QR code of the first."""
    from playground.network import qr_terminal, student_urls

    urls = student_urls(settings.host, settings.port)
    if not urls:
        return
    print("Students on this network can open:\n" + "\n".join(f"  {url}" for url in urls), flush=True)
    print(qr_terminal(urls[0]), flush=True)


def build_download_parser(environ: dict[str, str] | None = None) -> argparse.ArgumentParser:
    env = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(
        prog="playground download",
        description="Fetch a preset's models, at their pinned revisions, into the Hugging Face cache "
        "(HF_HUB_CACHE, by default ~/.cache/huggingface/hub), so that `playground --offline` runs "
        "without internet; or, with --source modelscope, the copies ModelScope has into plain folders. Only "
        "the files the app loads are fetched.",
    )
    parser.add_argument(
        "--preset",
        choices=(*PRESETS, "all"),
        default=env.get(ENV_PREFIX + "PRESET", DEFAULT_PRESET),
        help="which models: en, zh or all (env PLAYGROUND_PRESET; default: %(default)s)",
    )
    parser.add_argument(
        "--hub-endpoint",
        type=_endpoint_argument,
        default=env.get(ENV_PREFIX + "HUB_ENDPOINT", ""),
        help=f"{HUB_ENDPOINT_HELP} (env {ENV_PREFIX}HUB_ENDPOINT)",
    )
    parser.add_argument(
        "--source",
        choices=("hf", "modelscope"),
        default="hf",
        help="hf: the Hugging Face Hub (or --hub-endpoint's mirror), into its cache; modelscope: the copies on "
        "ModelScope (modelscope.cn) of the models it has, into --dir, printing the command that serves them "
        '(needs pip install -e ".[modelscope]"; default: %(default)s)',
    )
    parser.add_argument(
        "--dir",
        default=None,
        help="with --source modelscope: the folder the models go into "
        "(default: ~/.cache/transformer-playground/modelscope)",
    )
    return parser


def _endpoint_argument(value: str) -> str:
    if not value:  # not given
        return ""
    try:
        return hub.check_endpoint(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def download_main(argv: Sequence[str]) -> None:
    """`playground download --preset NAME`: fetch, then say where the models are and what to run."""
    parser = build_download_parser()
    options = parser.parse_args(argv)
    if options.dir and options.source != "modelscope":
        parser.error("--dir is for --source modelscope; the Hugging Face cache's folder is HF_HUB_CACHE.")
    if options.hub_endpoint:
        hub.use_endpoint(options.hub_endpoint)  # before playground.download imports huggingface_hub
    from playground.download import DownloadError

    where = "ModelScope" if options.source == "modelscope" else hub.endpoint()
    print(f"Downloading the models of the {options.preset} preset from {where}:", flush=True)
    try:
        if options.source == "modelscope":
            return _download_from_modelscope(options.preset, options.dir)
        from playground.download import download

        folders = download(options.preset, report=lambda line: print(f"- {line}", flush=True))
    except DownloadError as error:
        print(error, file=sys.stderr)
        raise SystemExit(1) from None
    print("\nReady. The models are in:")
    print("\n".join(f"  {model_id}: {folder}" for model_id, folder in folders.items()))
    print("Start the app without internet with:")
    print(
        "\n".join(
            f"  playground --offline --preset {name}" for name in PRESETS if options.preset in (name, "all")
        )
    )


def _download_from_modelscope(preset: str, folder: str | None) -> None:
    from pathlib import Path

    from playground.download import (
        default_modelscope_dir,
        download_from_modelscope,
        missing_from_modelscope_message,
        serve_command,
    )

    target = Path(folder).expanduser() if folder else default_modelscope_dir()
    result = download_from_modelscope(preset, target, report=lambda line: print(f"- {line}", flush=True))
    print("\nReady. The models are in:")
    print(
        "\n".join(f"  {path}" for tasks in result.folders.values() for path in dict.fromkeys(tasks.values()))
    )
    if result.missing:
        print("\n" + missing_from_modelscope_message(preset, result.missing))
    print("Start the app without internet with:")
    for name in PRESETS if preset == "all" else [preset]:
        print(f"  {serve_command(name, result.folders.get(name, {}))}")


def exit_on_sigterm() -> None:
    """SIGTERM (systemd, docker, Spaces stopping the app) exits like the end of the program, so that what
    the process cleans up at exit (its downloads folder) is cleaned up then too; by default it would die
    at once, skipping `atexit`."""

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def main(argv: Sequence[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["download"]:
        return download_main(argv[1:])
    settings = Settings.from_args(argv)
    prepare_environment(settings)  # first: the imports below (gradio, transformers) read it
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    print_student_urls(settings)
    exit_on_sigterm()
    from playground.ui.layout import launch_options

    demo = create_demo(settings)
    demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        share=settings.share,
        **launch_options(settings, demo),
    )


if __name__ == "__main__":
    main()
