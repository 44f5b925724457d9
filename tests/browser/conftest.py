"""Browser fixtures: one headless Chromium per module, and a fresh English-speaking tab on the served app.

Tests here are skipped where Debian's Chromium is missing (CI installs it) and, through tests/browser/helpers.py,
where the playwright package is missing. The app itself is tests/conftest.py's `app_url`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")  # the same path as helpers.CHROMIUM; importing helpers needs playwright
HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing: install Debian's chromium package (CI does) to run the browser tests"
    )
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def browser():
    from tests.browser.helpers import CHROMIUM_ARGS, sync_api

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, app_url):
    """A fresh tab on the app in an English-speaking browser (fails the test on any console error)."""
    from tests.browser.helpers import app_page

    with app_page(browser, app_url) as page:
        yield page
