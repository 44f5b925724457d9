"""The README for a first-time user (issue 26, point 12): what it is and a picture on the first screen, the commands
from `git clone` to the page on Linux, macOS and Windows, the demo's limits, projector mode, a course map in both
languages, and the details linked from the top."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme() -> str:
    return (ROOT / "README.md").read_text()


def test_the_first_screen_says_what_it_is_and_shows_it():
    body = readme().split("---\n", 2)[2]  # after the Spaces front matter
    first_screen = "\n".join(body.strip().splitlines()[:14])
    assert "![" in first_screen and "language model" in first_screen
    for link in re.findall(r"\]\((docs/[^)#]+)", body):
        assert (ROOT / link).exists(), link


def test_the_commands_go_from_git_clone_to_the_page_on_every_system():
    text = readme()
    install = text[text.index("## Install and run") : text.index("## The demo and its limits")]
    for step in ("git clone", "cd transformer-playground", "python3 -m venv .venv", ". .venv/bin/activate"):
        assert step in install
    assert "py -m venv .venv" in install and r".venv\Scripts\Activate.ps1" in install  # Windows
    assert "GPU" in install and "http://127.0.0.1:7860" in install


def test_the_demo_limits_projector_mode_and_the_course_map_in_both_languages():
    text = readme()
    assert "nonsense" in text[text.index("## The demo and its limits") :][:2000]
    assert "## Projector mode" in text
    course = text[text.index("## Course map") :]
    course = course[: course.index("\n## ", 1)]
    for tab in ("Generate", "Fill-Mask", "Inside", "Attention", "Train", "Chat", "Sentiment"):
        assert f"| {tab} |" in course
    for tab in ("生成", "完形填空", "模型内部", "注意力", "训练", "对话", "情感分类"):
        assert f"| {tab} |" in course
