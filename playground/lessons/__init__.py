"""The course as data: one YAML file per lesson in this folder, read in the order of their file names.

A lesson file (see 01-next-token.yaml; the README's "Adding a lesson" says the same):

    id: next-token                      # in links: ?lesson=next-token&step=2
    title: {en: …, zh: …}
    steps:
      - id: guess
        title: {en: …, zh: …}
        text: {en: …, zh: …}            # Markdown; $…$ and $$…$$ are formulas
        tab: generate                   # the tab "Try it" opens (its id: ?tab=generate)
        inputs: {prompt: "The cat"}     # that tab's inputs, by their link names (ui/links.py); for the
        inputs_zh: {prompt: "小猫"}      #   Chinese models (--preset zh) `inputs_zh` where they differ
        requires_tab: translation       # optional: the step is left out where the page has no such tab
        run: pretrain                   # optional: the tab's action "Try it" runs after opening it (ui/links.py
                                        #   `action`); by default the tab's first; `run: false` runs none
        question:                       # optional
          kind: choice                  # a fixed question: choices and the index of the right one
          prompt: {en: …, zh: …}
          choices: [{en: …, zh: …}, …]
          answer: 1
        # or a "predict, then check" question answered by the model itself, from the step's inputs:
        #   kind: next-token (generate: prompt) | fill (fill-mask: text) | label (sentiment: text)
        #       | attention (attention or inside: model, text, layer, head) | tokens (inside: model, text)
        notice: {en: …, zh: …}          # what to notice, shown after the answer

Lesson texts never say what a model will answer: the model's own output is read when a student checks.
This module only reads and checks the files; ui/lessons.py shows them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

FOLDER = Path(__file__).resolve().parent
LANGUAGES = ("en", "zh")
MODEL_KINDS = {  # question kind -> (the model task it reads, the inputs it needs)
    "next-token": ("generation", ("text",)),  # a Generate step's `prompt` counts as its text
    "fill": ("fill-mask", ("text",)),
    "label": ("sentiment", ("text",)),
    "attention": (None, ("model", "text")),  # the step's `model` input names the task
    "tokens": (None, ("model", "text")),
}
KINDS = {"choice", *MODEL_KINDS}


class LessonError(ValueError):
    """A lesson file that does not follow the format (the message names the file and the place)."""


@dataclass(frozen=True)
class Question:
    kind: str
    prompt: dict[str, str]
    choices: tuple[dict[str, str], ...] = ()
    answer: int | None = None

    @property
    def from_model(self) -> bool:
        return self.kind in MODEL_KINDS


@dataclass(frozen=True)
class Step:
    id: str
    title: dict[str, str]
    text: dict[str, str]
    tab: str
    inputs: dict
    inputs_zh: dict
    question: Question | None = None
    notice: dict[str, str] = field(default_factory=dict)
    requires_tab: str | None = None
    run: str | bool | None = None  # the action "Try it" runs: None the tab's first, False none, else its name

    def inputs_for(self, models_language: str) -> dict:
        """The inputs for the served models' language ("zh": the Chinese preset's models)."""
        return dict(self.inputs_zh) if models_language == "zh" else dict(self.inputs)


@dataclass(frozen=True)
class Lesson:
    id: str
    title: dict[str, str]
    steps: tuple[Step, ...]

    def without(self, missing_tab) -> Lesson:
        """The lesson without the steps whose tab the page lacks (`missing_tab(step)` says)."""
        return Lesson(self.id, self.title, tuple(step for step in self.steps if not missing_tab(step)))


def _texts(value, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or any(not isinstance(value.get(lang), str) for lang in LANGUAGES):
        raise LessonError(f"{where}: needs a text in each language ({', '.join(LANGUAGES)})")
    return {lang: value[lang].strip() for lang in LANGUAGES}


def _question(value, where: str) -> Question | None:
    if value is None:
        return None
    kind = value.get("kind", "choice") if isinstance(value, dict) else None
    if kind not in KINDS:
        raise LessonError(f"{where}: question kind must be one of {sorted(KINDS)}")
    prompt = _texts(value.get("prompt"), f"{where}.prompt")
    if kind != "choice":
        return Question(kind, prompt)
    choices = value.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        raise LessonError(f"{where}: a choice question needs at least two choices")
    answer = value.get("answer")
    if not isinstance(answer, int) or not 0 <= answer < len(choices):
        raise LessonError(f"{where}: answer must be the index (from 0) of the right choice")
    texts = tuple(_texts(choice, f"{where}.choices[{i}]") for i, choice in enumerate(choices))
    return Question(kind, prompt, texts, answer)


def _step(value, where: str) -> Step:
    if not isinstance(value, dict):
        raise LessonError(f"{where}: a step is a mapping")
    for key in ("id", "tab"):
        if not isinstance(value.get(key), str) or not value[key]:
            raise LessonError(f"{where}: needs {key}")
    inputs = value.get("inputs") or {}
    inputs_zh = value.get("inputs_zh", inputs) or {}
    if not isinstance(inputs, dict) or not isinstance(inputs_zh, dict):
        raise LessonError(f"{where}: inputs are {{name: value}}")
    question = _question(value.get("question"), f"{where}.question")
    if question is not None and question.from_model:
        task, needed = MODEL_KINDS[question.kind]
        for chosen in (inputs, inputs_zh):
            missing = [name for name in needed if name != "text" and name not in chosen]
            if question_text(chosen) is None:
                missing.append("text")
            if missing:
                raise LessonError(f"{where}: a {question.kind} question needs the inputs {missing}")
    notice = _texts(value["notice"], f"{where}.notice") if "notice" in value else {}
    return Step(
        id=value["id"],
        title=_texts(value.get("title"), f"{where}.title"),
        text=_texts(value.get("text"), f"{where}.text"),
        tab=value["tab"],
        inputs=dict(inputs),
        inputs_zh=dict(inputs_zh),
        question=question,
        notice=notice,
        requires_tab=value.get("requires_tab"),
        run=_run(value.get("run", None), where),
    )


def _run(value, where: str) -> str | bool | None:
    if value is None or value is False or (isinstance(value, str) and value):
        return value
    raise LessonError(f"{where}: run is the name of an action of the step's tab, or false")


def question_text(inputs: dict) -> str | None:
    """The text a model question reads: the step's `text` input, or Generate's `prompt`."""
    text = inputs.get("text", inputs.get("prompt"))
    return text if isinstance(text, str) else None


def read_lesson(path: Path) -> Lesson:
    """One lesson file, checked (LessonError names what is wrong)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = path.name
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise LessonError(f"{where}: needs an id")
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise LessonError(f"{where}: needs steps")
    lesson = Lesson(
        data["id"],
        _texts(data.get("title"), f"{where}: title"),
        tuple(_step(step, f"{where}: step {i + 1}") for i, step in enumerate(steps)),
    )
    ids = [step.id for step in lesson.steps]
    if len(set(ids)) != len(ids):
        raise LessonError(f"{where}: two steps have the same id")
    return lesson


@functools.cache
def all_lessons(folder: Path = FOLDER) -> tuple[Lesson, ...]:
    """Every lesson of `folder`, in the order of the file names."""
    lessons = tuple(read_lesson(path) for path in sorted(folder.glob("*.yaml")))
    ids = [lesson.id for lesson in lessons]
    if len(set(ids)) != len(ids):
        raise LessonError(f"{folder}: two lessons have the same id")
    return lessons


def course(tab_ids: list[str] | set[str], folder: Path = FOLDER) -> tuple[Lesson, ...]:
    """The lessons this page can show: steps whose tab (or required tab) is missing left out, and lessons
    left without steps too."""
    present = set(tab_ids)

    def missing(step: Step) -> bool:
        return step.tab not in present or (step.requires_tab is not None and step.requires_tab not in present)

    lessons = (lesson.without(missing) for lesson in all_lessons(folder))
    return tuple(lesson for lesson in lessons if lesson.steps)
