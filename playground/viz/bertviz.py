"""bertviz's head view and model view as standalone HTML documents that draw with no internet.

bertviz (Jesse Vig, Apache-2.0) writes a `<div>` and a script that asks require.js for d3 and jQuery from a CDN.
Here its own JavaScript (head_view.js, model_view.js, read from the installed package) runs unchanged except
that its CDN `require.config` is dropped: d3 5.7.0, jQuery 2.x and require.js 2.3.6 from assets/vendor are
inlined. d3 and jQuery are loaded *before* require.js, so they become plain globals rather than anonymous AMD
modules (which require.js would reject), and are then defined as the named modules bertviz asks for.

The parameters bertviz's script reads (tokens and weights) are written as JSON with `<`, `>` and `&` escaped,
so no token can close the script; bertviz draws tokens with d3's `.text()`, which never parses HTML. In the
page the document goes into a sandboxed iframe (`srcdoc`, scripts allowed, no same-origin access).

The only URLs in the vendored libraries are XML namespace names (`http://www.w3.org/2000/svg`), identifiers
that a browser never fetches, and licence comments. They are written with escaped slashes (`http:\\/\\/`, the
same string in JavaScript), so the document's text holds no `http://` or `https://` at all.
"""

from __future__ import annotations

import html
import json
import re
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from playground.demo import shown_model_id
from playground.i18n import _, current_language
from playground.viz.charts import visible_text
from playground.viz.marks import token_labels

VENDOR = Path(__file__).resolve().parent.parent.parent / "assets" / "vendor"
LIBRARIES = [  # load order matters: d3 and jQuery before require.js
    ("d3 5.7.0 (BSD-3-Clause, Mike Bostock)", "d3.min.js"),
    ("jQuery 2.2.4 (MIT, jQuery Foundation)", "jquery.min.js"),
    ("require.js 2.3.6 (MIT, jQuery Foundation)", "require.js"),
]
NAMED_MODULES = (
    'define("d3", [], function () { return window.d3; });\n'
    'define("jquery", [], function () { return window.jQuery; });'
)
VIEW_NAMES = {
    "head": "head view",
    "model": "model view",
}  # translated where they are shown: _(VIEW_NAMES[view])
DECIMALS = 3
_CDN_CONFIG = re.compile(r"require\.config\(\{.*?\}\);\s*", re.DOTALL)
_HEADER_COMMENT = re.compile(r"\A\s*/\*\*.*?\*\*/\s*", re.DOTALL)


def _script_safe(source: str) -> str:
    """JavaScript source ready to sit inside <script>: no URL scheme, nothing that ends the element."""
    source = source.replace("://", ":\\/\\/")
    lowered = source.lower()
    if "</script" in lowered or "<!--" in lowered:
        raise ValueError("a script to inline contains '</script' or '<!--'")
    return source


@cache
def _libraries() -> str:
    parts = []
    for name, filename in LIBRARIES:
        parts.append(
            f"<script>/* {name}: assets/vendor/{filename} */\n{_script_safe(_read(filename))}\n</script>"
        )
    parts.append(f"<script>{NAMED_MODULES}</script>")
    return "\n".join(parts)


def _read(filename: str) -> str:
    return (VENDOR / filename).read_text(encoding="utf-8")


@cache
def _bertviz_script(view: str) -> str:
    """bertviz's own head_view.js / model_view.js, without its header comment and its CDN require.config."""
    source = (resources.files("bertviz") / f"{view}_view.js").read_text(encoding="utf-8")
    source, found = _CDN_CONFIG.subn("", source, count=1)
    if not found:
        raise RuntimeError(
            f"bertviz's {view}_view.js has no require.config to replace; check the bertviz version"
        )
    source = _HEADER_COMMENT.sub(f"/* bertviz {view}_view.js (Jesse Vig, Apache-2.0) */\n", source, count=1)
    return source


def json_for_script(value: object) -> str:
    """JSON that is safe inside a <script> element: `<`, `>`, `&` and line separators escaped."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return text


def bertviz_document(
    view: str,
    tokens: list[str],
    attentions: np.ndarray,
    layers: list[int],
    heads: list[int],
    total_heads: int,
    title: str,
    notices: list[str] | None = None,
    open_layer: int | None = None,
) -> str:
    """A whole HTML document with bertviz's `view` ("head" or "model").

    `attentions` (len(layers), heads, T, T) holds the chosen layers; for the model view only the chosen
    `heads`, for the head view all heads, of which `heads` start switched on. `layers`, `heads` and `open_layer` (the head view's first layer) are 0-based.
    """
    if view not in VIEW_NAMES:
        raise ValueError(f"view must be 'head' or 'model', not {view!r}")
    shown = [visible_text(t) for t in token_labels(tokens)]
    weights = np.round(np.asarray(attentions, dtype=np.float64), DECIMALS).tolist()
    data = [{"name": None, "attn": weights, "left_text": shown, "right_text": shown}]
    root = f"bertviz-{view}"
    layer_labels = [
        layer + 1 for layer in layers
    ]  # the numbers bertviz shows; 1-based like the rest of the app
    if view == "head":
        params = {
            "attention": data,
            "default_filter": "0",
            "root_div_id": root,
            "layer": (open_layer if open_layer in layers else layers[0]) + 1,
            "heads": None if len(heads) == attentions.shape[1] else heads,
            "include_layers": layer_labels,
        }
        controls = f'<span style="user-select:none">{_("Layer:")} <select id="layer"></select></span>'
    else:
        params = {
            "attention": data,
            "default_filter": "0",
            "display_mode": "light",
            "root_div_id": root,
            "include_layers": layer_labels,
            "include_heads": [h + 1 for h in heads],
            "total_heads": total_heads,
        }
        controls = ""
    script = _bertviz_script(view).replace("PYTHON_PARAMS", json_for_script(params), 1)
    help_text = (
        _("Hover a token to see what it attends to; click a coloured square to switch a head on or off.")
        if view == "head"
        else _("Each small picture is one head (rows: layers, columns: heads); click one to enlarge it.")
    )
    return _document(title, help_text, notices, root, controls, script, phone_zoom=True)


def iframe(document: str, view: str, n_tokens: int, n_layers: int, total_heads: int, notices: int = 0) -> str:
    """The document in a sandboxed iframe (scripts may run, but cannot reach the page or its cookies)."""
    top = 90 + 28 * notices
    if view == "head":
        height = top + 60 + 22.5 * n_tokens
    else:  # bertviz's model view: thumbnails of 7 * 12 / heads px per token, or the enlarged detail
        thumbnail = n_tokens * 7 * 12 / max(1, total_heads) + 10
        height = top + max(n_layers * thumbnail + 38, n_tokens * 18 + 55)
    height = int(min(max(height, 260), 1400))  # taller views scroll inside the frame
    return (
        f'<iframe class="bertviz-frame" sandbox="allow-scripts" title="bertviz {_(VIEW_NAMES[view])}" '
        f'style="width:100%;height:{height}px;border:1px solid #e5e7eb;border-radius:8px;background:#fff" '
        f'srcdoc="{html.escape(document, quote=True)}"></iframe>'
    )


def view_document(
    view: str,
    model_id: str,
    tokens: list[str],
    attentions: np.ndarray,
    layers: list[int],
    heads: list[int],
    notices: list[str] | None = None,
    open_layer: int | None = None,
) -> str:
    """bertviz's `view` of a model's attention (layers, heads, T, T), limited to the chosen layers (and, for
    the model view, heads); `layers`, `heads` and `open_layer` are 0-based."""
    chosen = attentions[layers]
    if view == "model":
        chosen = chosen[:, heads]
    name = _(VIEW_NAMES[view]) if view in VIEW_NAMES else view
    title = _(
        "bertviz {view} · {model} · {count} tokens",
        view=name,
        model=shown_model_id(model_id),
        count=len(tokens),
    )
    return bertviz_document(
        view, tokens, chosen, layers, heads, attentions.shape[1], title, notices, open_layer
    )


def encoder_decoder_document(
    source_tokens: list[str],
    decoder_tokens: list[str],
    encoder: np.ndarray,
    decoder: np.ndarray,
    cross: np.ndarray,
    title: str,
    notices: list[str] | None = None,
) -> str:
    """bertviz's model view of an encoder-decoder, as its `model_view(encoder_attention=…, decoder_attention=…,
    cross_attention=…)` draws it: a menu picks the encoder's self-attention (layers, heads, S, S), the decoder's
    (layers, heads, T, T) or the cross-attention (layers, heads, T, S). Every layer and head is shown."""
    source = [visible_text(t) for t in token_labels(source_tokens)]
    target = [visible_text(t) for t in token_labels(decoder_tokens)]

    def weights(a: np.ndarray) -> list:
        return np.round(np.asarray(a, dtype=np.float64), DECIMALS).tolist()

    parts = [
        (_("Encoder"), encoder, source, source),
        (_("Decoder"), decoder, target, target),
        (_("Cross"), cross, target, source),
    ]
    data = [
        {"name": n, "attn": weights(a), "left_text": left, "right_text": right} for n, a, left, right in parts
    ]
    root = "bertviz-model"
    params = {
        "attention": data,
        "default_filter": "2",  # the cross-attention first: what the tab is about
        "display_mode": "light",
        "root_div_id": root,
        "include_layers": list(range(1, cross.shape[0] + 1)),
        "include_heads": list(range(1, cross.shape[1] + 1)),
        "total_heads": cross.shape[1],
    }
    options = "".join(
        f'<option value="{i}"{" selected" if i == 2 else ""}>{html.escape(str(name))}</option>'
        for i, (name, *_rest) in enumerate(parts)
    )
    menu = f'<span style="user-select:none">{html.escape(_("Attention:"))} <select id="filter">{options}</select></span>'
    script = _bertviz_script("model").replace("PYTHON_PARAMS", json_for_script(params), 1)
    help_text = _(
        "Each small picture is one head (rows: layers, columns: heads); click one to enlarge it. The menu "
        "switches between the encoder's self-attention, the decoder's and the cross-attention."
    )
    return _document(title, help_text, notices, root, menu, script)


def _document(
    title: str, help_text: str, notices, root: str, controls: str, script: str, phone_zoom: bool = False
) -> str:
    """A self-contained page for one bertviz view: its caption, help and notices, the controls above the view,
    bertviz's libraries (vendored, offline) and its script; in the page's language. `phone_zoom`: the head
    view's 335 px fit a phone's width."""
    notes = "".join(f'<p class="notice">⚠️ {html.escape(str(n))}</p>' for n in notices or [])
    lang = "zh-CN" if current_language() == "zh" else "en"
    zoom = "@media (max-width: 360px) { body { zoom: 0.7; } }  /* a phone: the head view's 335 px fit */\n"
    zoom = zoom if phone_zoom else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ margin: 8px; font-family: "Helvetica Neue", Helvetica, Arial, sans-serif; color: #111827;
  background: #ffffff; }}
.caption {{ margin: 0 0 4px; font-weight: 600; }}
.help, .notice {{ margin: 0 0 6px; font-size: 0.9rem; }}
.notice {{ color: #92400e; }}
select {{ font-size: 1rem; }}
{zoom}</style>
</head>
<body>
<p class="caption">{html.escape(title)}</p>
<p class="help">{html.escape(help_text)}</p>
{notes}
<div id="{root}" style="font-family:'Helvetica Neue', Helvetica, Arial, sans-serif;">
{controls}
<div id="vis"></div>
</div>
{_libraries()}
<script>
{_script_safe(script)}
</script>
</body>
</html>
"""
