"""Transformer Playground: `python app.py --help` lists the flags. Hugging Face Spaces runs this file."""

from playground.cli import create_demo, main
from playground.settings import Settings

if __name__ == "__main__":
    main()
else:  # imported, e.g. by `gradio app.py` (reload mode): expose the app as `demo`
    demo = create_demo(Settings.from_args([]))
