"""Every view linkable: `?tab=<tab id>&<input>=<value>...` reopens a tab with its inputs filled, and
`?lesson=<lesson id>&step=<n>` (1-based) opens a lesson step's tab with the step's inputs.

How a tab takes part (one line per input, in its `build`, after the component is made):

    context.links.add("fill-mask", "text", text)        # tab id, the input's name in links, the component

The tab id is the `id` of its `gr.Tab`. Any Textbox, Slider, Number, Radio, Dropdown, Checkbox or
CheckboxGroup may be registered; a value from a link is checked and coerced against the component itself (its
choices, minimum, maximum, step, precision, max_length), on the server. A value that does not fit is ignored
and the page says so in one sentence; text from a link only ever becomes a component's value, never markup.
After every tab is built, `wire(demo, context, ...)` (ui/layout.py) reads the link when a page loads and
puts a "Copy link" button in the page header, which writes the link of the selected tab's current inputs.
The Lessons tab's "Try it" uses the same `open_view`.

A tab's buttons that compute its view are registered as its actions, so "Try it" can also run the step:

    context.links.action("fill-mask", "predict", button)   # the first of a tab is what "Try it" clicks

and a button in one tab may open another tab with inputs taken from its own (then click that tab's action):

    context.links.jump(button, "inside", {"text": text, "layer": layer}, run="look", anchor="inside-formula")
"""

from __future__ import annotations

import json
import math
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import gradio as gr

from playground.i18n import _, ui
from playground.markup import escape_html

# Components whose value a link may set, and how many characters a text value may have at most without its
# own max_length (the server's --max-input-chars limits the rest).
LINKABLE = (gr.Textbox, gr.Slider, gr.Number, gr.Radio, gr.Dropdown, gr.Checkbox, gr.CheckboxGroup)
RESERVED = {"tab", "lesson", "step", "follow", "__theme"}  # query keys that are not inputs
MAX_LINK_CHARS = 4000  # longest text value a link carries (a browser's URL stays under ~8,000 characters)


@dataclass
class Links:
    """The linkable inputs of the page being built: tab id -> {input name -> component}, in build order."""

    inputs: dict[str, dict[str, gr.components.Component]] = field(default_factory=dict)
    actions: dict[str, dict[str, gr.Button]] = field(default_factory=dict)  # tab id -> {name -> button}
    jumps: list[Jump] = field(default_factory=list)

    def add(self, tab: str, name: str, component: gr.components.Component) -> None:
        """Register one input of a tab (see the module docstring)."""
        if not isinstance(component, LINKABLE):
            raise TypeError(f"{type(component).__name__} cannot be set from a link")
        if name in RESERVED:
            raise ValueError(f"{name!r} is a reserved query key")
        self.inputs.setdefault(tab, {})[name] = component

    def action(self, tab: str, name: str, button: gr.Button) -> None:
        """Register a button that computes `tab`'s view; the page finds it by its elem_id (given here when it
        has none). A tab's first action is the one "Try it" runs unless the step names another."""
        if not button.elem_id:
            button.elem_id = f"run-{tab}-{name}"
        self.actions.setdefault(tab, {})[name] = button

    def action_id(self, tab: str, name: str | None = None) -> str:
        """The elem_id of `tab`'s action `name` (None: its first); "" where it has none."""
        actions = self.actions.get(tab, {})
        if name is None:
            name = next(iter(actions), None)
        button = actions.get(name)
        return button.elem_id if button is not None else ""

    def jump(
        self,
        button: gr.Button,
        tab: str,
        sources: Mapping[str, gr.components.Component],
        run: str | None = None,
        anchor: str | None = None,
    ) -> None:
        """When `button` is clicked, open `tab` with its inputs {input name: the value of a component here},
        then click its action `run` (None: its first) and scroll to the element `anchor` (an elem_id)."""
        self.jumps.append(Jump(button, tab, dict(sources), run, anchor))

    def components(self) -> list[gr.components.Component]:
        """Every registered component, once, in registration order (the outputs of the link handlers)."""
        seen, flat = set(), []
        for inputs in self.inputs.values():
            for component in inputs.values():
                if id(component) not in seen:
                    seen.add(id(component))
                    flat.append(component)
        return flat


@dataclass
class Jump:
    """A button that opens another tab with inputs taken from its own tab (`Links.jump`)."""

    button: gr.Button
    tab: str
    sources: dict[str, gr.components.Component]
    run: str | None = None
    anchor: str | None = None


class BadValue(ValueError):
    """A link's value that does not fit its input: the one sentence the page shows."""


def _choice_values(component) -> list:
    return [choice[1] if isinstance(choice, (tuple, list)) else choice for choice in component.choices or []]


def _number(raw, name: str) -> float:
    if isinstance(raw, bool):
        raise BadValue(_("“{name}” must be a number.", name=name))
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise BadValue(_("“{name}” must be a number.", name=name)) from None
    if not math.isfinite(value):
        raise BadValue(_("“{name}” must be a number.", name=name))
    return value


def _in_range(value: float, low, high, name: str) -> None:
    if (low is not None and value < low) or (high is not None and value > high):
        low_text = "−∞" if low is None else f"{low:g}"
        high_text = "∞" if high is None else f"{high:g}"
        raise BadValue(
            _("“{name}” must be between {low} and {high}.", name=name, low=low_text, high=high_text)
        )


def _matching_choice(raw, values: list, name: str):
    """The choice `raw` names (a link's values are text: "3" names the choice 3)."""
    for value in values:
        if raw == value or str(raw) == str(value):
            return value
    raise BadValue(_("“{name}” has no choice “{value}”.", name=name, value=str(raw)[:40]))


def coerce(component, raw, name: str, max_chars: int = MAX_LINK_CHARS):
    """`raw` (text from a URL, or a lesson's value) as a value of `component`, or BadValue."""
    if isinstance(component, gr.Checkbox):
        text = str(raw).strip().lower()
        if raw is True or text in {"1", "true", "yes", "on"}:
            return True
        if raw is False or text in {"0", "false", "no", "off"}:
            return False
        raise BadValue(_("“{name}” must be true or false.", name=name))
    if isinstance(component, gr.CheckboxGroup):
        items = (
            raw if isinstance(raw, list) else [part.strip() for part in str(raw).split(",") if part.strip()]
        )
        values = _choice_values(component)
        return [_matching_choice(item, values, name) for item in items]
    if isinstance(component, (gr.Radio, gr.Dropdown)):
        values = _choice_values(component)
        if not values and getattr(component, "allow_custom_value", False):
            return str(raw)[:max_chars]
        return _matching_choice(raw, values, name)
    if isinstance(component, gr.Slider):
        value = _number(raw, name)
        _in_range(value, component.minimum, component.maximum, name)
        step = component.step or 0
        if step and float(step).is_integer() and float(component.minimum or 0).is_integer():
            if not value.is_integer():
                raise BadValue(_("“{name}” must be a whole number.", name=name))
            return int(value)
        return value
    if isinstance(component, gr.Number):
        value = _number(raw, name)
        _in_range(value, component.minimum, component.maximum, name)
        if component.precision == 0:
            if not value.is_integer():
                raise BadValue(_("“{name}” must be a whole number.", name=name))
            return int(value)
        return value
    if isinstance(component, gr.Textbox):
        if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
            raise BadValue(_("“{name}” must be text.", name=name))
        text = str(raw)
        limit = min(component.max_length or max_chars, max_chars)
        if len(text) > limit:
            raise BadValue(_("“{name}” is longer than {limit} characters.", name=name, limit=limit))
        return text
    raise BadValue(_("“{name}” cannot be set from a link.", name=name))


@dataclass
class View:
    """What a link opens: a tab (None: none named) and {component: value} for its inputs, and a sentence for
    each value that was ignored."""

    tab: str | None = None
    values: dict[int, tuple[gr.components.Component, object]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)


def view_of(links: Links, tab: str, inputs: Mapping, tab_ids: list[str]) -> View:
    """The view of `tab` with `inputs` ({input name: value}) checked against its registered components."""
    view = View()
    if tab not in tab_ids:
        view.notices.append(_("This page has no tab “{tab}”: the link was ignored.", tab=str(tab)[:40]))
        return view
    view.tab = tab
    registered = links.inputs.get(tab, {})
    for name, raw in inputs.items():
        if name in RESERVED:
            continue
        component = registered.get(name)
        if component is None:
            view.notices.append(
                _("The {tab} tab has no input “{name}”: it was ignored.", tab=tab, name=str(name)[:40])
            )
            continue
        try:
            view.values[id(component)] = (component, coerce(component, raw, name))
        except BadValue as error:
            view.notices.append(str(error) + " " + _("It was ignored."))
    return view


def link_query(links: Links, tab: str, values: Mapping) -> str:
    """The query string (without "?") that reopens `tab` with `values` ({input name: value})."""
    pairs = [("tab", tab)]
    for name in links.inputs.get(tab, {}):
        if name not in values or values[name] is None:
            continue
        value = values[name]
        if isinstance(value, list):
            value = ",".join(str(item) for item in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        pairs.append((name, str(value)))
    return urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote)


def tab_ids(demo: gr.Blocks) -> list[str]:
    """The ids of the page's tabs, in order."""
    return [str(block.id) for block in demo.blocks.values() if isinstance(block, gr.Tab) and block.id]


# --- the page --------------------------------------------------------------------------------------------

COPY_JS = """
(query) => {
  if (!query) return [query];
  const url = location.origin + location.pathname + "?" + query;
  try { navigator.clipboard.writeText(url); } catch (error) {}
  return [url];
}
"""


# Click a tab's action once it is on the page (a tab just selected may render a moment later), then scroll to
# the anchor if one is named. `target` is "<button elem_id> <anchor elem_id>" (either may be missing).
RUN_JS = """
(target) => {
  const [button, anchor] = String(target || "").split(" ");
  if (!button) return;
  let tries = 0;
  const run = () => {
    const found = document.getElementById(button);
    const shown = found && found.offsetParent !== null;
    if (found && (shown || tries > 10)) {
      found.click();
      const place = anchor ? document.getElementById(anchor) : null;
      if (place) place.scrollIntoView({ block: "start" });
    } else if (tries++ < 50) {
      setTimeout(run, 100);
    }
  };
  setTimeout(run, 100);
}
"""


def run_target(button_id: str, anchor: str | None = None) -> str:
    """What RUN_JS reads: the button to click and where to scroll."""
    return f"{button_id} {anchor}" if button_id and anchor else button_id


@dataclass
class Wiring:
    """What `wire` made: the outputs that open a view (the Tabs, the box holding the selected tab's id, every
    registered input), for handlers such as the Lessons tab's "Try it"."""

    outputs: list
    links: Links
    ids: list[str]

    def open_view(self, view: View) -> list:
        """The values of `outputs` that show `view`: its tab selected, its inputs set, the rest as they are."""
        updates = [gr.Tabs(selected=view.tab) if view.tab else gr.skip()]
        updates.append(view.tab if view.tab else gr.skip())
        for component in self.outputs[2:]:
            updates.append(view.values[id(component)][1] if id(component) in view.values else gr.skip())
        return updates

    def show(self, view: View) -> list:
        """`open_view`, with a pop-up for each value of the link that was ignored."""
        for notice in view.notices:
            gr.Warning(escape_html(_("From the link:") + " " + notice))
        return self.open_view(view)


@dataclass
class CopyLink:
    """The "Copy link" button, the box that shows the link it copied, and the box holding the selected tab."""

    button: gr.Button
    box: gr.Textbox
    selected: gr.Textbox


def copy_link_controls() -> CopyLink:
    """ "Copy link" for the page header (wired by `wire` once the tabs exist). Clipboards need https or
    localhost: elsewhere the link shows in the box, to select and copy by hand."""
    button = gr.Button(ui("Copy link"), size="sm", scale=0, min_width=110, elem_id="copy-link")
    box = gr.Textbox(
        show_label=False,
        container=False,
        interactive=False,
        visible=False,
        elem_id="copy-link-box",
        buttons=["copy"],
        min_width=240,
    )
    selected = gr.Textbox(visible=False, elem_id="selected-tab")
    return CopyLink(button, box, selected)


def wire(
    demo: gr.Blocks,
    tabs: gr.Tabs,
    links: Links,
    copy: CopyLink,
    lesson_view: Callable[[Mapping], View | None] | None = None,
) -> Wiring:
    """After every tab is built: read the link when a page loads, follow which tab is selected, and make
    "Copy link" write the link of the selected tab's current inputs."""
    # ui.language imports ui.context, which imports Links: imported here
    from playground.ui.language import in_page_language

    ids = tab_ids(demo)
    wiring = Wiring([tabs, copy.selected, *links.components()], links, ids)
    for block in list(demo.blocks.values()):
        if isinstance(block, gr.Tab) and block.id:
            js = f"() => {json.dumps(str(block.id))}"
            block.select(None, None, copy.selected, js=js, api_visibility="private", queue=False)

    def load(request: gr.Request) -> list:
        params = dict(getattr(request, "query_params", {}) or {})
        view = None
        if "lesson" in params and lesson_view is not None:
            view = lesson_view(params)
        elif "tab" in params:
            view = view_of(links, params["tab"], params, ids)
        if view is None:
            return [gr.skip()] * len(wiring.outputs)
        return wiring.show(view)

    demo.load(in_page_language(load), None, wiring.outputs, api_visibility="private")

    all_inputs = links.components()

    def query_of(tab, *values):
        by_id = {id(component): value for component, value in zip(all_inputs, values, strict=True)}
        tab = tab if tab in ids else (ids[0] if ids else "")
        current = {name: by_id.get(id(component)) for name, component in links.inputs.get(tab, {}).items()}
        return gr.Textbox(value=link_query(links, tab, current), visible=True)

    copy.button.click(
        query_of, [copy.selected, *all_inputs], copy.box, api_visibility="private", queue=False
    ).then(None, copy.box, copy.box, js=COPY_JS, api_visibility="private", queue=False)
    for jump in links.jumps:
        wire_jump(wiring, jump)
    return wiring


def wire_jump(wiring: Wiring, jump: Jump) -> None:
    """`jump.button` opens its tab with the values of its sources, then runs the tab's action."""
    names, sources = list(jump.sources), list(jump.sources.values())
    target = run_target(wiring.links.action_id(jump.tab, jump.run), jump.anchor)

    def open_tab(*values):
        view = view_of(wiring.links, jump.tab, dict(zip(names, values, strict=True)), wiring.ids)
        return wiring.show(view)

    from playground.ui.language import in_page_language

    jump.button.click(
        in_page_language(open_tab), sources, wiring.outputs, api_visibility="private", queue=False
    ).then(
        None, None, None, js=RUN_JS.replace("(target) =>", f"(target = {json.dumps(target)}) =>"), queue=False
    )
