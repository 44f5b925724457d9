"""Every view linkable (ui/links.py): values from a link are checked and coerced against the component itself,
bad ones ignored with one sentence; each tab registers its inputs; a link reopens the view it was copied from."""

from __future__ import annotations

import urllib.parse

import gradio as gr
import pytest

from playground.i18n import using
from playground.ui.layout import build_demo
from playground.ui.links import BadValue, Links, coerce, link_query, tab_ids, view_of


def components():
    with gr.Blocks():
        return {
            "text": gr.Textbox(max_length=20),
            "k": gr.Slider(1, 50, value=5, step=1),
            "t": gr.Slider(0, 2, value=1, step=0.05),
            "seed": gr.Number(value=0, precision=0, minimum=-1),
            "model": gr.Radio([("Fill", "fill-mask"), ("Gen", "generation")], value="fill-mask"),
            "flag": gr.Checkbox(),
            "layers": gr.CheckboxGroup([1, 2, 3], value=[1]),
        }


def test_values_are_coerced_to_the_component():
    c = components()
    assert (
        coerce(c["text"], "<b>hi</b>", "text") == "<b>hi</b>"
    )  # text stays text: the Textbox shows it as such
    assert coerce(c["k"], "7", "k") == 7 and isinstance(coerce(c["k"], "7", "k"), int)
    assert coerce(c["t"], "0.7", "t") == pytest.approx(0.7)
    assert coerce(c["seed"], "-1", "seed") == -1
    assert coerce(c["model"], "generation", "model") == "generation"
    assert coerce(c["flag"], "true", "flag") is True and coerce(c["flag"], "0", "flag") is False
    assert coerce(c["layers"], "1,3", "layers") == [1, 3]


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("text", "x" * 21),
        ("k", "99"),
        ("k", "2.5"),
        ("k", "nan"),
        ("t", "abc"),
        ("seed", "-5"),
        ("model", "sentiment"),
        ("flag", "maybe"),
        ("layers", "1,9"),
    ],
)
def test_a_bad_value_is_one_sentence(name, raw):
    with pytest.raises(BadValue) as error:
        coerce(components()[name], raw, name)
    message = str(error.value)
    assert message.endswith(".") and name in message and "\n" not in message


def test_view_ignores_unknown_tabs_inputs_and_bad_values_and_keeps_the_rest():
    c = components()
    links = Links()
    links.add("fill-mask", "text", c["text"])
    links.add("fill-mask", "top_k", c["k"])
    view = view_of(
        links, "fill-mask", {"tab": "fill-mask", "text": "a [MASK]", "top_k": "500", "x": "1"}, ["fill-mask"]
    )
    assert view.tab == "fill-mask"
    assert [value for _component, value in view.values.values()] == ["a [MASK]"]
    assert len(view.notices) == 2
    with using("zh"):
        assert "没有" in view_of(links, "nowhere", {}, ["fill-mask"]).notices[0]
    assert view_of(links, "nowhere", {}, ["fill-mask"]).tab is None


def test_a_link_reopens_the_same_inputs():
    c = components()
    links = Links()
    for name in ("text", "k", "model", "layers", "flag"):
        links.add("attention", name, c[name])
    values = {"text": "Hello & <world>?", "k": 3.0, "model": "generation", "layers": [1, 2], "flag": True}
    query = link_query(links, "attention", values)
    params = dict(urllib.parse.parse_qsl(query))
    assert params["tab"] == "attention"
    view = view_of(links, params["tab"], params, ["attention"])
    assert not view.notices
    assert {id(component): value for component, value in view.values.values()} == {
        id(c["text"]): "Hello & <world>?",
        id(c["k"]): 3,
        id(c["model"]): "generation",
        id(c["layers"]): [1, 2],
        id(c["flag"]): True,
    }


def test_registration_refuses_what_a_link_cannot_set():
    with gr.Blocks():
        plot = gr.Plot()
        text = gr.Textbox()
    links = Links()
    with pytest.raises(TypeError):
        links.add("x", "plot", plot)
    with pytest.raises(ValueError):
        links.add("x", "tab", text)


def test_every_tab_of_the_page_registers_its_inputs_and_lessons_come_first(settings, manager):
    from playground.ui import context as context_module

    made = []
    original = context_module.Context.create

    def create(cls, *args, **kwargs):
        made.append(original(*args, **kwargs))
        return made[-1]

    context_module.Context.create = classmethod(create)
    try:
        demo = build_demo(settings, manager)
    finally:
        context_module.Context.create = original
    links = made[0].links
    ids = tab_ids(demo)
    assert ids[0] == "lessons"
    for tab in ("generate", "fill-mask", "sentiment", "chat", "attention", "inside", "train"):
        assert tab in ids and links.inputs[tab], tab
    assert set(links.inputs["generate"]) >= {"prompt", "temperature", "top_k", "top_p", "seed"}
    assert set(links.inputs["attention"]) >= {"model", "text", "layer", "head"}
