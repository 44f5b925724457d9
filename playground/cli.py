"""The `playground` console command, the same as `python app.py`."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from playground.settings import Settings


def create_demo(settings: Settings):
    """The gradio app for these settings, with its request queue set up."""
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


def main(argv: Sequence[str] | None = None) -> None:
    settings = Settings.from_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    print_student_urls(settings)
    from playground.ui.layout import launch_options

    create_demo(settings).launch(
        server_name=settings.host, server_port=settings.port, share=settings.share, **launch_options()
    )


if __name__ == "__main__":
    main()
