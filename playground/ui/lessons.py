"""Lessons tab (课程): the course as guided steps (playground/lessons/), each with "Try it", a question and what
to notice; and workshop mode, where a teacher leads the class and the students' pages follow.

`build(context)` draws the tab (first in the page); `wire(...)` gives it its events once every tab is built and
the links are wired (ui/links.py), since a step opens another tab with that tab's inputs. A student's progress
(the steps done) stays in their browser (gr.BrowserState, i.e. localStorage). Questions whose answer depends on
the model are answered by the model itself, through tasks/quiz.py, when the student checks.
"""

from __future__ import annotations

import html
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

import gradio as gr

from playground.classroom import Classroom, Stats
from playground.follow import PATH as FOLLOW_PATH
from playground.i18n import _, current_language, ui
from playground.lessons import MODEL_KINDS, Lesson, Step, course, question_text
from playground.markup import escape_html, escape_markdown
from playground.network import qr_svg, student_urls
from playground.tasks import quiz
from playground.ui.blocks import shown_value
from playground.ui.context import Context, current_session, session_state
from playground.ui.errors import as_gr_error
from playground.ui.events import api_endpoint, on
from playground.ui.links import RUN_JS, View, Wiring, view_of

TAB = "lessons"
STORAGE_KEY = "playground-lessons-done"
# How often a follower's page looks whether its request to the follow route (playground/follow.py) has answered:
# in the browser only, so it costs the server nothing (the goal: there within 2 s of the teacher).
HAND_OVER_SECONDS = 0.5
LATEX = [
    {"left": "$$", "right": "$$", "display": True},
    {"left": "$", "right": "$", "display": False},
]


def any_choice(radio: gr.Radio) -> gr.Radio:
    """`radio` (the step's answer) passes on whatever the page sends where this session holds no copy of its
    choices: `check` checks it against the step's own choices, derived again from the step (lesson id, index).
    (A session gradio forgot and began again has no copy: the choices the page shows were refused until the next
    step.) Where the session holds a copy, gradio checks against it as usual. An instance's methods, not a
    subclass: gradio writes a .pyi file beside the module of every component class defined."""
    radio.preprocess = lambda payload: payload
    radio.allow_custom_value = True  # ui/blocks.py checked_inputs leaves it to `check`
    return radio


@dataclass
class LessonsContext:
    """What the Lessons tab's handlers are given: the app's context, the lessons this page can show (steps
    whose tab is missing left out), the led class, and the link wiring ("Try it" opens a view)."""

    context: Context
    classroom: Classroom
    lessons: tuple[Lesson, ...] = ()
    wiring: Wiring | None = None
    model_answers: OrderedDict = field(default_factory=OrderedDict)  # choices shown, per step and model

    def lesson(self, lesson_id) -> Lesson:
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        return self.lessons[0]

    def step(self, lesson_id, index) -> tuple[Lesson, int, Step]:
        lesson = self.lesson(lesson_id)
        index = index if isinstance(index, int) and 0 <= index < len(lesson.steps) else 0
        return lesson, index, lesson.steps[index]

    @property
    def models_language(self) -> str:
        return "zh" if self.context.settings.preset == "zh" else "en"


def language() -> str:
    return current_language()


def step_key(lesson: Lesson, index: int) -> str:
    return f"{lesson.id}/{lesson.steps[index].id}"


# --- questions --------------------------------------------------------------------------------------------


def model_answer(lc: LessonsContext, step: Step) -> quiz.ModelAnswer:
    """The model's answer to a step's "predict, then check" question, read from the model now."""
    inputs = step.inputs_for(lc.models_language)
    kind, limits, text = step.question.kind, lc.context.settings, question_text(inputs)
    if kind == "next-token":
        return quiz.next_token(lc.context.model("generation"), text, limits.max_input_chars)
    if kind == "fill":
        return quiz.fill(lc.context.model("fill-mask"), text, limits.max_input_chars)
    if kind == "label":
        return quiz.label(lc.context.model("sentiment"), text, limits.max_input_chars)
    loaded = lc.context.model(inputs["model"], exact=True)
    if kind == "tokens":
        return quiz.token_count(loaded, text, limits.max_input_chars)
    return quiz.most_attended(
        loaded,
        text,
        limits.max_input_chars,
        limits.max_attention_tokens,
        int(inputs.get("layer", 1)),
        int(inputs.get("head", 1)),
    )


def shown_answer(lc: LessonsContext, lesson: Lesson, index: int) -> quiz.ModelAnswer:
    """The choices shown for a model question: read once per step and model, then remembered (a class of
    followers moving together asks the same)."""
    step = lesson.steps[index]
    task = MODEL_KINDS[step.question.kind][0] or step.inputs_for(lc.models_language)["model"]
    loaded = lc.context.model(task)
    key = (step_key(lesson, index), loaded.model_id, id(loaded.model))
    if key not in lc.model_answers:
        lc.model_answers[key] = model_answer(lc, step)
        while len(lc.model_answers) > 256:
            lc.model_answers.popitem(last=False)
    return lc.model_answers[key]


def question_choices(lc: LessonsContext, lesson: Lesson, index: int) -> list[tuple[str, str]]:
    """(label, value) choices of a step's question: a fixed question's in the page's language (valued by
    their index, the same in both languages), a model question's as the model gives them."""
    question = lesson.steps[index].question
    if question is None:
        return []
    if not question.from_model:
        return [(choice[language()], str(i)) for i, choice in enumerate(question.choices)]
    return [(choice, choice) for choice in shown_answer(lc, lesson, index).choices]


def quoted(token: str) -> str:
    return "“" + escape_markdown(token) + "”"


def check_answer(lc: LessonsContext, lesson: Lesson, index: int, choice) -> tuple[bool, str]:
    """Whether `choice` is right, and the sentence that says so (for a model question, what the model says,
    read from it now)."""
    question = lesson.steps[index].question
    if not question.from_model:
        right = str(question.answer)
        answer = question.choices[question.answer][language()]
        if choice == right:
            return True, "✓ " + _("Right!")
        return False, "✗ " + _("Not quite. The answer: {answer}", answer=escape_markdown(answer))
    found = model_answer(lc, lesson.steps[index])  # read again at check time: the model decides
    score = "" if found.score is None else f" ({found.score:.0%})"
    if choice == found.answer:
        return True, "✓ " + _("Right! The model's answer: {answer}", answer=quoted(found.answer) + score)
    return False, "✗ " + _(
        "The model's answer: {answer}. You predicted {choice}.",
        answer=quoted(found.answer) + score,
        choice=quoted(str(choice)),
    )


# --- showing a step -----------------------------------------------------------------------------------------


def lesson_choices(lc: LessonsContext, done: list) -> list[tuple[str, str]]:
    done = set(done or [])
    choices = []
    for number, lesson in enumerate(lc.lessons, 1):
        finished = all(step_key(lesson, i) in done for i in range(len(lesson.steps)))
        choices.append((f"{number}. {lesson.title[language()]}" + (" ✓" if finished else ""), lesson.id))
    return choices


def step_markdown(lesson: Lesson, index: int, done: list) -> str:
    step = lesson.steps[index]
    marks = " ".join(
        "●" if i == index else ("✓" if step_key(lesson, i) in set(done or []) else "○")
        for i in range(len(lesson.steps))
    )
    link = f"?lesson={html.escape(lesson.id)}&step={index + 1}"
    header = _("Step {step} of {steps}", step=index + 1, steps=len(lesson.steps))
    return (
        f"<span class='lesson-steps'>{header} · {marks} · [{_('link to this step')}]({link})</span>\n\n"
        f"## {step.title[language()]}\n\n{step.text[language()]}"
    )


def show(lc: LessonsContext, lesson_id, index, done) -> dict:
    """Everything the tab shows of one step, in the page's language; the answer and its result cleared. (As
    gr.update dicts, not components: a class of followers draws each step at once, and building a component
    costs far more than the dict.)"""
    lesson, index, step = lc.step(lesson_id, index)
    outputs = {
        "lesson": gr.update(choices=lesson_choices(lc, done), value=lesson.id),
        "index": index,
        "showing": f"{lesson.id}|{index}",  # which step the page shows (follow_move sends what differs from it)
        "content": step_markdown(lesson, index, done),
        "result": "",
        "previous": gr.update(interactive=index > 0 or lesson is not lc.lessons[0]),
        "next": gr.update(interactive=index < len(lesson.steps) - 1 or lesson is not lc.lessons[-1]),
        "try_it": gr.update(visible=bool(step.tab) and step.tab != TAB),
    }
    question = step.question
    if question is None:
        return outputs | {
            "question": "",
            "answer": gr.update(choices=[], value=None, visible=False),
            "check": gr.update(visible=False),
        }
    try:
        choices = question_choices(lc, lesson, index)
        problem = ""
    except Exception as error:  # the model cannot answer (e.g. a custom model without a mask token)
        choices, problem = [], "\n\n⚠️ " + escape_markdown(as_gr_error(error).message)
    kind = _("Predict, then check") if question.from_model else _("Question")
    return outputs | {
        "question": f"**{kind}:** {question.prompt[language()]}{problem}",
        "answer": gr.update(choices=choices, value=None, visible=bool(choices), label=_("Your answer")),
        "check": gr.update(visible=bool(choices)),
    }


def redraw(lc: LessonsContext, lesson_id, index, done) -> dict:
    """The page's language changed: the same step in the new language (nothing before a step is shown: the
    switch is set as the page loads, maybe before the page's first step arrives)."""
    if not any(lesson.id == lesson_id for lesson in lc.lessons):
        return {}
    return show(lc, lesson_id, index, done)


def moved(lc: LessonsContext, lesson_id, index, done, key) -> dict:
    """Shown a step; with the teacher's key, the class moves there too (with its choices, for the bars)."""
    outputs = show(lc, lesson_id, index, done)
    if key and lc.classroom.leading(key):
        lesson, index, _step = lc.step(lesson_id, index)
        try:
            values = [value for _label, value in question_choices(lc, lesson, index)]
        except Exception:
            values = []
        lc.classroom.move(key, lesson.id, index, values)
    return outputs


def choose_lesson(lc: LessonsContext, lesson_id, done, key) -> dict:
    return moved(lc, lesson_id, 0, done, key)


def step_by(lc: LessonsContext, offset: int, lesson_id, index, done, key) -> dict:
    """Previous / Next: the step before or after, across lessons; Next marks the step done."""
    lesson, index, _step = lc.step(lesson_id, index)
    done = list(done or [])
    if offset > 0 and step_key(lesson, index) not in done:
        done.append(step_key(lesson, index))
    position = lc.lessons.index(lesson)
    index += offset
    if index < 0 and position > 0:
        lesson = lc.lessons[position - 1]
        index = len(lesson.steps) - 1
    elif index >= len(lesson.steps) and position < len(lc.lessons) - 1:
        lesson, index = lc.lessons[position + 1], 0
    index = min(max(index, 0), len(lesson.steps) - 1)
    return moved(lc, lesson.id, index, done, key) | {"done": done}


def previous_lesson_step(lc: LessonsContext, lesson_id, index, done, key) -> dict:
    return step_by(lc, -1, lesson_id, index, done, key)


def next_lesson_step(lc: LessonsContext, lesson_id, index, done, key) -> dict:
    return step_by(lc, 1, lesson_id, index, done, key)


def check(lc: LessonsContext, lesson_id, index, choice, done, code) -> dict:
    """Check: right or not (a model question asks the model now), what to notice, the step marked done; a
    follower's choice is counted for the teacher (only the choice, nothing else)."""
    lesson, index, step = lc.step(lesson_id, index)
    if step.question is None:
        return {}
    if choice is None or choice == "":
        raise gr.Error(_("Choose an answer first."), print_exception=False)
    offered = [value for _label, value in question_choices(lc, lesson, index)]
    if str(choice) not in offered:  # the step's own choices, derived again from the step (see any_choice)
        raise gr.Error(
            _(
                "“{name}” does not offer {value}: send one of its choices.",
                name=_("Your answer"),
                value=shown_value(choice),
            ),
            print_exception=False,
        )
    choice = str(choice)
    right, sentence = check_answer(lc, lesson, index, choice)
    if code:
        lc.classroom.answer(code, current_session() or "", lesson.id, index, str(choice))
    notice = step.notice.get(language(), "")
    done = list(done or [])
    if step_key(lesson, index) not in done:
        done.append(step_key(lesson, index))
    text = sentence + (f"\n\n**{_('Notice')}:** {notice}" if notice else "")
    return {"result": text, "done": done, "lesson": gr.Dropdown(choices=lesson_choices(lc, done))}


def step_view(lc: LessonsContext, lesson: Lesson, index: int) -> View:
    wiring = lc.wiring
    step = lesson.steps[index]
    return view_of(wiring.links, step.tab, step.inputs_for(lc.models_language), wiring.ids)


def try_it(lc: LessonsContext, lesson_id, index) -> list:
    """Try it: the step's tab, opened with its inputs (the same as its link), and the elem_id of the button
    the page then clicks to run the step (its `run` action; "" for none)."""
    lesson, index, step = lc.step(lesson_id, index)
    view = step_view(lc, lesson, index)
    target = "" if step.run is False or view.tab is None else lc.wiring.links.action_id(step.tab, step.run)
    return [*lc.wiring.show(view), target]


def lesson_link_view(lc: LessonsContext, params: Mapping) -> View | None:
    """`?lesson=<id>&step=<n>`: the step's tab with its inputs (None for an unknown lesson or step: the page
    says so and opens as usual)."""
    lesson, index = linked_step(lc, params)
    if lesson is None:
        return View(notices=[_("This page has no lesson step “{step}”.", step=link_name(params))])
    return step_view(lc, lesson, index)


def link_name(params: Mapping) -> str:
    return f"{params.get('lesson', '')}/{params.get('step', '')}"[:60]


def linked_step(lc: LessonsContext, params: Mapping) -> tuple[Lesson | None, int]:
    lesson = next((lesson for lesson in lc.lessons if lesson.id == params.get("lesson")), None)
    try:
        index = int(str(params.get("step", "1"))) - 1
    except ValueError:
        return None, 0
    if lesson is None or not 0 <= index < len(lesson.steps):
        return None, 0
    return lesson, index


def open_page(lc: LessonsContext, done, request: gr.Request) -> dict:
    """When the page loads: the step of a `?lesson=` link, or of a `?follow=` class, else the first step;
    with `?follow=<code>`, the page follows the teacher."""
    params = dict(getattr(request, "query_params", {}) or {})
    lesson, index = linked_step(lc, params)
    outputs = {}
    code = params.get("follow")
    if isinstance(code, str) and code:
        position = lc.classroom.poll(code, current_session() or "", -1)
        if position is False:
            outputs["follow_status"] = _("This class has ended, or the link is not right.")
        else:
            lesson, index = lc.lesson(position.lesson), position.step
            outputs |= following(code, listen_value(code, position.version))
    if lesson is None:
        lesson, index = lc.lessons[0], 0
    return show(lc, lesson.id, index, done) | outputs


def following(code: str, listen: str) -> dict:
    return {
        "code": code,
        "listen": listen,
        "follow": gr.Checkbox(value=True, visible=True),
        "timer": gr.Timer(active=True),
        "follow_status": _("You follow the teacher: your page moves with the class."),
    }


def listen_value(code: str, version: int) -> str:
    """What the follower's page waits on (FOLLOW_JS): the class's join code, the version the page shows, and
    the page's key (its gradio session, which counts its answers too)."""
    return f"{code}|{version}|{current_session() or ''}"


def follow_move(lc: LessonsContext, moved, done, showing=None, selected=None) -> dict:
    """The class moved (or ended): the follower's page shows the class's step. `moved` is what the follow route
    answered, "lesson|step|version" or "ended", with the page's count of answers after it ("|n": a new value each
    time, so that following again moves the page even to the step it last showed).

    The lean draw of a class's usual move, a step on (into the next lesson too) on the Lessons tab: only the
    step's own outputs (LEAN). When more changes (the buttons, the tab, the class ended, or the page's step not
    known) it hands `moved` on to `redraw_step`, which draws everything. (A class draws each step
    on every page at once, and gradio's cost of an event grows with the outputs it declares: a skipped output
    costs about as much as an updated one.)"""
    parts = str(moved or "").split("|")
    if parts[0] == "ended" and len(parts) <= 2:
        return {"redraw": moved}
    if len(parts) not in (3, 4) or not all(part.isdigit() for part in parts[1:]):
        return {}
    outputs = changes(lc, parts[0], int(parts[1]), done, showing)
    if selected != TAB or outputs is None or set(outputs) - set(LEAN):
        return {"redraw": moved}
    return outputs


def redraw_step(lc: LessonsContext, moved, done) -> dict:
    """The class moved (`moved`, as follow_move takes it) where a lean draw is not enough: the whole step, on the
    Lessons tab; or the class ended: the page stops following."""
    parts = str(moved or "").split("|")
    if parts[0] == "ended" and len(parts) <= 2:
        return {
            "timer": gr.Timer(active=False),
            "listen": "",
            "follow": gr.Checkbox(value=False, visible=False),
            "code": "",
            "follow_status": _("The teacher ended the class. Explore on your own!"),
        }
    if len(parts) not in (3, 4) or not all(part.isdigit() for part in parts[1:]):
        return {}
    lesson, step = parts[0], int(parts[1])
    return show(lc, lesson, step, done) | {"tabs": gr.update(selected=TAB), "selected": TAB}


# What a lean draw sends (follow_move): the step's own outputs. A new step always clears the answer chosen and the
# result checked; the rest of show() is sent only where it differs from the step the page shows. The lesson is
# among them: a class moves on to the next lesson every few steps, and drawing the whole step then would cost
# more than declaring it always.
LEAN = ("index", "showing", "lesson", "content", "question", "answer", "result")
KEPT_WHEN_SAME = ("lesson", "previous", "next", "try_it", "check")


def changes(lc: LessonsContext, lesson_id, index, done, showing) -> dict | None:
    """show() of a step, less what the page's step (`showing`: show()'s "showing" of the step the page shows
    now) already shows the same: nothing at all when the page shows that step already; None when the page's
    step is not known."""
    if not isinstance(showing, str) or "|" not in showing:
        return None
    shown_lesson, shown_index = showing.rsplit("|", 1)
    if not shown_index.isdigit() or not any(lesson.id == shown_lesson for lesson in lc.lessons):
        return None
    target = show(lc, lesson_id, index, done)
    if target["showing"] == showing:
        return {}
    shown = show(lc, shown_lesson, int(shown_index), done)
    return {
        name: value for name, value in target.items() if name not in KEPT_WHEN_SAME or value != shown[name]
    }


def toggle_follow(lc: LessonsContext, follow, code) -> dict:
    """Stop following (explore alone) or follow again (the page moves to the class's step at once)."""
    if not code:
        return {"timer": gr.Timer(active=False), "listen": ""}
    if follow:
        return {
            "timer": gr.Timer(active=True),
            "listen": listen_value(code, -1),
            "follow_status": _("You follow the teacher: your page moves with the class."),
        }
    lc.classroom.leave(code, current_session() or "")
    return {
        "timer": gr.Timer(active=False),
        "listen": "",
        "follow_status": _("You explore on your own. Tick the box to follow the class again."),
    }


# --- leading a class ----------------------------------------------------------------------------------------


def join_url(lc: LessonsContext, code: str, request: gr.Request | None) -> str:
    """The address students open: this machine on the network where the app listens there, else the address
    the teacher's browser used."""
    settings = lc.context.settings
    root = settings.root_path.rstrip("/") if settings.root_path.startswith("/") else ""
    urls = student_urls(settings.host, settings.port)
    if settings.root_path.startswith("http"):
        base = settings.root_path.rstrip("/") + "/"
    elif urls:
        base = urls[0].rstrip("/") + root + "/"
    else:
        headers = dict(getattr(request, "headers", {}) or {})
        host = headers.get("host") or f"{settings.host}:{settings.port}"
        scheme = headers.get("x-forwarded-proto") or "http"
        base = f"{scheme}://{host}{root}/"
    return f"{base}?follow={code}"


def lead(lc: LessonsContext, password, lesson_id, index, request: gr.Request) -> dict:
    """Lead the class (the admin password): a join link and its QR code; the class starts at this step."""
    from playground.ui.system import check_admin

    check_admin(lc.context, password)
    lesson, index, _step = lc.step(lesson_id, index)
    code, key = lc.classroom.start(lesson.id, index)
    try:
        values = [value for _label, value in question_choices(lc, lesson, index)]
    except Exception:
        values = []
    lc.classroom.move(key, lesson.id, index, values)
    url = join_url(lc, code, request)
    join = (
        f"<div class='join'><p>{escape_html(_('Students: scan the code or open'))} "
        f"<a href='{escape_html(url)}' target='_blank' rel='noopener'><b>{escape_html(url)}</b></a></p>"
        f"<div class='qr'>{qr_svg(url)}</div></div>"
    )
    return {
        "key": key,
        "join": gr.HTML(join, visible=True),
        "stats": stats_html(lc.classroom.stats(key)),
        "shown_stats": None,
        "teacher_timer": gr.Timer(active=True),
        "end": gr.Button(visible=True),
        "password": "",
    }


def end_class(lc: LessonsContext, key) -> dict:
    """End the class: every count is forgotten; the followers' pages say so."""
    lc.classroom.end(key)
    return {
        "key": "",
        "join": gr.HTML("", visible=False),
        "stats": "",
        "teacher_timer": gr.Timer(active=False),
        "end": gr.Button(visible=False),
    }


def choice_label(lc: LessonsContext, lesson_id: str, index: int, value: str) -> str:
    lesson, index, step = lc.step(lesson_id, index)
    if step.question is not None and not step.question.from_model and value.isdigit():
        number = int(value)
        if number < len(step.question.choices):
            return step.question.choices[number][language()]
    return value


def stats_html(stats: Stats | None, labels=None) -> str:
    """Joined and answered counts and a bar per choice (only counts: no name, no text a student typed)."""
    if stats is None:
        return ""
    rows = []
    for value, count in stats.counts:
        label = labels(value) if labels else value
        width = 0 if not stats.answered else round(100 * count / stats.answered)
        rows.append(
            f"<div class='bar-row'><span class='bar-label'>{escape_html(label)}</span>"
            f"<span class='bar'><span style='width:{width}%'></span></span><b>{count}</b></div>"
        )
    counts = escape_html(
        _("Joined: {joined} · answered: {answered}", joined=stats.joined, answered=stats.answered)
    )
    return f"<div class='class-stats'><p class='counts'>{counts}</p>{''.join(rows)}</div>"


def teacher_tick(lc: LessonsContext, key, shown, lesson_id, index) -> dict:
    """The teacher's counts, redrawn only when they changed."""
    stats = lc.classroom.stats(key)
    if stats is None:
        return {"teacher_timer": gr.Timer(active=False)}
    signature = [stats.joined, stats.answered, stats.counts, stats.version, language()]
    if signature == shown:
        return {}
    position = lc.classroom.position()
    labels = (lambda value: choice_label(lc, position.lesson, position.step, value)) if position else None
    return {"stats": stats_html(stats, labels), "shown_stats": signature}


# --- the API -----------------------------------------------------------------------------------------------


def lessons_api(lc: LessonsContext, language: str = "en") -> list[dict]:
    """The course: every lesson with its steps, in the given language ("en" or "zh"), as [{"id", "title",
    "steps": [{"id", "title", "text", "tab", "inputs"}]}]; a step's tab is the id of the tab it opens and its
    inputs are that tab's inputs by name (open it as ?lesson=<id>&step=<n>, n from 1).

    Args:
        language: "en" or "zh" (default "en")
    """
    if language not in ("en", "zh"):
        raise gr.Error(_('language must be "en" or "zh".'), print_exception=False)
    return [
        {
            "id": lesson.id,
            "title": lesson.title[language],
            "steps": [
                {
                    "id": step.id,
                    "title": step.title[language],
                    "text": step.text[language],
                    "tab": step.tab,
                    "inputs": step.inputs_for(lc.models_language),
                }
                for step in lesson.steps
            ],
        }
        for lesson in lc.lessons
    ]


# --- the tab ------------------------------------------------------------------------------------------------


@dataclass
class LessonsTab:
    """The Lessons tab's components (made by build, given their events by wire)."""

    lc: LessonsContext
    parts: dict


def build(context: Context) -> LessonsTab:
    """The Lessons tab, first in the page; its events come with `wire`, once the other tabs exist."""
    lc = LessonsContext(context, Classroom())
    parts: dict = {}
    with gr.Tab(ui("Lessons"), id=TAB):
        gr.Markdown(
            ui(
                "The course, step by step: read, click **Try it** to open the step's tab with its example, "
                "answer the question, then go on. Your progress stays in this browser."
            )
        )
        with gr.Row(elem_classes=["lesson-follow"]):
            parts["follow"] = gr.Checkbox(
                value=False, visible=False, label=ui("Follow the teacher"), scale=0, min_width=200
            )
            parts["follow_status"] = gr.Markdown()
        parts["lesson"] = gr.Dropdown(choices=[], label=ui("Lesson"), elem_id="lesson-choice")
        parts["content"] = gr.Markdown(
            latex_delimiters=LATEX, elem_classes=["lesson-step"], elem_id="lesson-step"
        )
        with gr.Row(elem_classes=["action-buttons", "lesson-nav"]):
            parts["previous"] = gr.Button(ui("◀ Previous"), elem_id="lesson-previous")
            parts["try_it"] = gr.Button(ui("Try it"), variant="primary", elem_id="lesson-try")
            parts["next"] = gr.Button(ui("Next ▶"), elem_id="lesson-next")
        parts["question"] = gr.Markdown(
            latex_delimiters=LATEX, elem_classes=["lesson-question"], elem_id="lesson-question"
        )
        parts["answer"] = any_choice(
            gr.Radio(choices=[], label=ui("Your answer"), visible=False, elem_id="lesson-answer")
        )
        parts["check"] = gr.Button(ui("Check"), visible=False, elem_id="lesson-check")
        parts["result"] = gr.Markdown(
            latex_delimiters=LATEX, elem_classes=["lesson-result"], elem_id="lesson-result"
        )
        with gr.Accordion(ui("Lead the class"), open=False, visible=bool(context.settings.admin_password)):
            gr.Markdown(
                ui(
                    "Students open the join link on their phones and follow you: when you move to a step, "
                    "their pages move too. You see how many joined and answered, and how many chose each "
                    "answer; no names, nothing they type. Ending the class forgets every count."
                )
            )
            with gr.Row():
                parts["password"] = gr.Textbox(label=ui("Admin password"), type="password", scale=2)
                parts["lead"] = gr.Button(
                    ui("Start leading"), variant="primary", scale=1, elem_id="lesson-lead"
                )
                parts["end"] = gr.Button(
                    ui("End the class"), variant="stop", visible=False, scale=1, elem_id="lesson-end"
                )
            parts["join"] = gr.HTML(visible=False)
            parts["stats"] = gr.HTML()
        # What the page needs of the server to go on is held by the page itself, sent with each event, not in
        # gradio's session (which gradio forgets past --max-sessions others, least recently active first: a
        # following page sends no event for minutes): the step's index, "lesson|index" of the step the page shows
        # (set with it), the join code of the class it follows, and the teacher's key (`key`, below).
        parts["index"] = gr.Number(0, precision=0, visible=False, label=ui("Step"))
        parts["showing"] = gr.Textbox(visible=False)
        parts["code"] = gr.Textbox(visible=False)
        # what the page waits on ("code|version|key", "" when it does not follow; FOLLOW_JS reads it) and where
        # the class went ("lesson|step|version|n", or "ended|n"; set in the browser by HAND_OVER_JS): boxes the
        # page keeps out of sight, since the browser reads and writes only what it shows
        parts["listen"] = gr.Textbox(elem_classes=["follow-signal"], container=False, show_label=False)
        parts["moved"] = gr.Textbox(elem_classes=["follow-signal"], container=False, show_label=False)
        # `moved` handed on by the lean draw (follow_move) when the whole step must be drawn (redraw_step)
        parts["redraw"] = gr.Textbox(elem_classes=["follow-signal"], container=False, show_label=False)
        # the teacher's key to the led class, on the teacher's page only: checked against the class held in the
        # server's memory at each move (Classroom), so a forgotten session does not take the class from its teacher
        parts["key"] = gr.Textbox(visible=False)
        parts["run"] = gr.Textbox(visible=False)  # the button "Try it" clicks once the step's tab is open
        parts["shown_stats"] = session_state(None)
        parts["timer"] = gr.Timer(HAND_OVER_SECONDS, active=False)
        parts["teacher_timer"] = gr.Timer(1.0, active=False)
        parts["done"] = gr.BrowserState([], storage_key=STORAGE_KEY)
        api_endpoint(lessons_api, lc, "lessons", "lessons")
    return LessonsTab(lc, parts)


def wire(tab: LessonsTab, demo: gr.Blocks, wiring: Wiring, language_switch=None) -> None:
    """The Lessons tab's events, once every tab is built and links are wired."""
    lc, p = tab.lc, tab.parts
    lc.lessons = course(wiring.ids)
    lc.wiring = wiring
    if not lc.lessons:
        return
    # every lesson offered from the page's first config, by number (the page's load labels them with their
    # titles in its language): a session gradio forgot and began again (a phone that slept) still takes the
    # lesson its page shows
    p["lesson"].choices = [(str(number), lesson.id) for number, lesson in enumerate(lc.lessons, 1)]
    tabs, selected = wiring.outputs[0], wiring.outputs[1]
    shown = {
        name: p[name] for name in ("lesson", "index", "showing", "content", "result", "previous", "next")
    }
    shown["try_it"] = p["try_it"]
    shown |= {name: p[name] for name in ("question", "answer", "check")}
    follow = {name: p[name] for name in ("code", "listen", "follow", "timer", "follow_status")}
    # no progress shown while a step loads: gradio would dim its text to 20% meanwhile (too faint to read)
    on([demo.load], open_page, lc, [p["done"]], shown | follow, show_progress="hidden")
    navigation = [p["lesson"], p["index"], p["done"], p["key"]]
    on([p["lesson"].input], choose_lesson, lc, [p["lesson"], p["done"], p["key"]], shown)
    on([p["previous"].click], previous_lesson_step, lc, navigation, shown | {"done": p["done"]})
    on([p["next"].click], next_lesson_step, lc, navigation, shown | {"done": p["done"]})
    if language_switch is not None:
        on(
            [language_switch.change],
            redraw,
            lc,
            [p["lesson"], p["index"], p["done"]],
            shown,
            show_progress="hidden",
        )
    result = {"result": p["result"], "done": p["done"], "lesson": p["lesson"]}
    inputs = [p["lesson"], p["index"], p["answer"], p["done"], p["code"]]
    on([p["check"].click], check, lc, inputs, result, clear_on_error=False)
    fn = in_page_language_of(lambda lesson_id, index: try_it(lc, lesson_id, index))
    p["try_it"].click(
        fn, [p["lesson"], p["index"]], [*wiring.outputs, p["run"]], api_visibility="private"
    ).then(None, p["run"], None, js=RUN_JS, api_visibility="private")  # then run it, as a click would

    # following the teacher: the page holds one request to the follow route (playground/follow.py), answered
    # when the class moves; the timer hands its answer to `moved` in the browser. An idle follower sends no event.
    p["listen"].change(None, p["listen"], None, js=FOLLOW_JS, queue=False, api_visibility="private")
    p["timer"].tick(
        None,
        p["moved"],
        p["moved"],
        js=HAND_OVER_JS,
        queue=False,
        show_progress="hidden",
        api_visibility="private",
    )
    lean = {name: p[name] for name in LEAN}
    on(
        [p["moved"].change],
        follow_move,
        lc,
        [p["moved"], p["done"], p["showing"], selected],
        lean | {"redraw": p["redraw"]},
        queue=False,
        show_progress="hidden",
    )
    ticked = shown | follow | {"tabs": tabs, "selected": selected}
    on(
        [p["redraw"].change],
        redraw_step,
        lc,
        [p["redraw"], p["done"]],
        ticked,
        queue=False,
        show_progress="hidden",
    )
    on([p["follow"].input], toggle_follow, lc, [p["follow"], p["code"]], follow, queue=False)
    lead_outputs = {name: p[name] for name in ("key", "join", "stats", "shown_stats", "teacher_timer", "end")}
    on(
        [p["lead"].click],
        lead,
        lc,
        [p["password"], p["lesson"], p["index"]],
        lead_outputs | {"password": p["password"]},
        clear_on_error=False,
    )
    on([p["end"].click], end_class, lc, [p["key"]], lead_outputs, queue=False)
    on(
        [p["teacher_timer"].tick],
        teacher_tick,
        lc,
        [p["key"], p["shown_stats"], p["lesson"], p["index"]],
        {"stats": p["stats"], "shown_stats": p["shown_stats"], "teacher_timer": p["teacher_timer"]},
        queue=False,
        show_progress="hidden",
    )


# The follower's side of the follow route (playground/follow.py), run when `listen` changes: one request open at a
# time, asked again when it answers without a move; its answer is kept for HAND_OVER_JS. A new `listen` of the same
# class and page keeps the request that is open (it already waits on the newest version the page knows); "" (the
# student stopped following, or the class ended) ends it.
FOLLOW_JS = (
    r"""
(listen) => {
  const follow = window.playgroundFollow || (window.playgroundFollow = (() => {
    let controller = null, running = "", answer = null, count = 0;
    const address = () => {
      const root = String((window.gradio_config && window.gradio_config.root) || "")
        || location.href.split(/[?#]/)[0].replace(/[^/]*$/, "");
      return root.replace(/\/+$/, "") + "PATH";
    };
    const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    async function wait(code, version, follower, signal) {
      while (!signal.aborted) {
        let moved = null;
        const asked = Date.now();
        try {
          const query = new URLSearchParams({ code, version: String(version), follower });
          const response = await fetch(address() + "?" + query, { signal, cache: "no-store" });
          if (!response.ok) { await pause(5000); continue; }  // a full class: try again in a while
          moved = (await response.json()).moved;
        } catch (error) {
          if (!signal.aborted) await pause(2000);  // the network went away: try again
          continue;
        }
        if (signal.aborted) return;
        if (!moved) {  // no move within the route's wait: ask again (not at once if it answered at once)
          if (Date.now() - asked < 1000) await pause(1000);
          continue;
        }
        answer = moved + "|" + (++count);
        if (moved === "ended") return;
        version = Number(moved.split("|")[2]);
      }
    }
    return {
      address,
      listen(value) {
        const [code, version, follower] = value.split("|");
        const key = code && follower ? code + "|" + follower : "";
        if (key && key === running && controller && !controller.signal.aborted) return;
        if (controller) controller.abort();
        controller = null;
        running = key;
        answer = null;
        if (!key) return;
        controller = new AbortController();
        wait(code, Number(version), follower, controller.signal);
      },
      take(moved) {
        const found = answer;
        answer = null;
        return found || moved;
      },
    };
  })());
  follow.listen(String(listen || ""));
  return [];
}
"""
).replace("PATH", FOLLOW_PATH)
# Every HAND_OVER_SECONDS while following, in the browser: the follow route's answer, if one came, becomes `moved`
# (whose change draws the step: follow_move); else `moved` stays as it is, and nothing reaches the server.
HAND_OVER_JS = "(moved) => (window.playgroundFollow ? window.playgroundFollow.take(moved) : moved)"


def in_page_language_of(fn):
    from playground.ui.language import in_page_language

    return in_page_language(fn)
