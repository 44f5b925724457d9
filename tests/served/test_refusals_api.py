"""Issue 30: through the API, a value refused before the handler runs (a number that is not one, or out of
range) is one sentence naming the parameter, in the client's language (Accept-Language), that says what this
request sent (not "the page")."""

from __future__ import annotations

import pytest

SAID = {
    "en-US": "needs a number, and this request sent 'five'.",
    "zh-CN": "需要一个数字，这个请求发来的是 'five'。",
}


@pytest.mark.parametrize("language", list(SAID))
def test_an_api_client_gets_one_sentence_in_its_language(app_url, language):
    from gradio_client import Client

    client = Client(app_url, verbose=False, headers={"Accept-Language": language})
    with pytest.raises(Exception) as refused:
        client.predict(text="The cat sat.", model="fill-mask", layer="five", head=1, api_name="/inside")
    said = str(refused.value)
    assert SAID[language] in said and "layer" in said, said
    assert "page" not in said and "页面" not in said
