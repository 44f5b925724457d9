"""The page and its config made once (playground/page_cache.py): gradio builds `/` and `/config` for the first
visitor of a URL only; the next get the same bytes, each with a replica cookie of its own; another host is built
anew with its own URLs; and nothing else is kept."""

from __future__ import annotations

import uuid

import httpx

from playground.page_cache import PageCache


def page_cache(demo) -> PageCache:
    """The app's PageCache, found down its middleware stack."""
    app = demo.server_app.middleware_stack
    while not isinstance(app, PageCache):
        app = app.app
    return app


def test_the_page_and_its_config_are_built_once_per_url(served_demo, app_url):
    cache = page_cache(served_demo)
    with httpx.Client(base_url=app_url) as first, httpx.Client(base_url=app_url) as second:
        for path in ("/", "/config"):
            url = f"{path}?visit={uuid.uuid4().hex}"  # a URL no test asked for yet
            built, served = cache.built, cache.served
            a, b = first.get(url), second.get(url)
            assert a.status_code == b.status_code == 200
            assert a.content == b.content and len(a.content) > 10_000
            assert (cache.built, cache.served) == (built + 1, served + 1)
        # each browser got a replica cookie of its own with its first answer
        assert first.cookies["playground_replica"] != second.cookies["playground_replica"]

        url = f"/config?visit={uuid.uuid4().hex}"
        built = cache.built
        school = first.get(url, headers={"x-forwarded-host": "school.example:8443"})
        here = first.get(url)
        assert cache.built == built + 2
        assert b"school.example:8443" in school.content and b"school.example:8443" not in here.content

        built = cache.built
        first.get("/gradio_api/info"), first.get("/gradio_api/info")
        first.post(url)  # not a GET: never kept
        assert cache.built == built
