"""What the browser tests share that is not a fixture: Playwright's `expect` with a patient timeout, the
Chromium to drive, a page on the app that may only reach the app, and small steps (open a tab, wait for a chart,
take a screenshot). Importing it skips the importing module when the playwright package is missing.
The fixtures (`browser`, `page`) are in tests/browser/conftest.py.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
expect = sync_api.expect
TIMEOUT_MS = 30_000  # the first request to each tab loads its model; generous for a slow, busy 2-core machine
expect.set_options(timeout=TIMEOUT_MS)

CHROMIUM = Path("/usr/bin/chromium")  # Debian's build: Playwright cannot download its own here
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}


@contextlib.contextmanager
def app_page(browser, app_url: str, locale: str = "en-US", first_tab: str = "Generate", **options):
    """A fresh tab on the app, its browser set to `locale` (and `options`: a phone's viewport, has_touch...).
    At the end, fails the test if the page logged any console error."""
    app_host = urlsplit(app_url).netloc
    context = browser.new_context(**({"viewport": VIEWPORT, "locale": locale} | options))
    context.set_default_timeout(TIMEOUT_MS)
    blocked: list[str] = []

    def block(route):
        blocked.append(route.request.url)
        route.abort()

    context.route(lambda url: urlsplit(url).netloc != app_host, block)
    page = context.new_page()
    errors: list[str] = []

    def on_console(message):
        if message.type == "error":
            errors.append(f"{message.text} (at {message.location.get('url')})")

    in_flight: set = set()  # the page's requests not yet answered (see settle)
    # gradio's heartbeat stream stays open as long as the page, and so does a follower's request to the follow route
    page.on(
        "request",
        lambda request: (
            "/heartbeat/" in request.url or "/lessons/follow" in request.url or in_flight.add(request)
        ),
    )
    page.on("requestfinished", lambda request: in_flight.discard(request))
    page.on("requestfailed", lambda request: in_flight.discard(request))
    page.in_flight = in_flight
    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.goto(app_url)
    expect(page.get_by_role("tab", name=first_tab)).to_be_visible()
    yield page
    # Closing the page while an event still runs makes gradio log its stream's abort: errors of our closing,
    # not of the app, so only what the page logged before is counted.
    errors = list(errors)
    context.close()
    # A request we aborted logs "Failed to load resource: net::ERR_FAILED" against its own URL; those are
    # the only errors we forgive, as they come from our network block, not from the app. (Today the page
    # makes no outside request at all: gradio serves the theme's fonts itself.)
    errors = [e for e in errors if not any(url in e for url in blocked)]
    assert not errors, "the browser console logged errors:\n" + "\n".join(errors)


def settle(page, quiet_ms: int = 300) -> None:
    """Waits until the page has had no request in flight for `quiet_ms`: every event it started has ended (a
    queued event holds its stream open until then), though timers may poll again afterwards."""
    quiet = 0
    for _ in range(TIMEOUT_MS // 50):
        quiet = quiet + 50 if not page.in_flight else 0
        if quiet >= quiet_ms:
            return
        page.wait_for_timeout(50)
    pytest.fail(f"the page still had requests in flight: {[r.url for r in page.in_flight]}")


def open_tab(page, name: str):
    """Click a tab of the page; its one visible tab panel (gradio renders only the selected tab's)."""
    page.get_by_role("tab", name=name, exact=True).click()
    # the page's own (visible) tab panel, not one inside it: Experiments has tabs of its own
    panel = page.get_by_role("tabpanel").and_(page.locator(":not([role=tabpanel] *)"))
    expect(panel).to_have_count(1)
    return panel


def wait_for_chart(panel):
    """The plotly chart in this tab, once drawn."""
    chart = panel.locator(".js-plotly-plot")
    expect(chart).to_be_visible()
    expect(chart.locator(".main-svg").first).to_be_visible()
    return chart


def screenshot(page, name: str) -> None:
    """A full-page PNG into $PLAYGROUND_SCREENSHOTS, when that is set."""
    folder = os.environ.get("PLAYGROUND_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)  # no hover tooltips or highlighted buttons in the picture
    page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True, animations="disabled")
