"""/lessons through gradio_client: the course in the asked language, in the documented shape."""

from __future__ import annotations

import pytest


def test_lessons_endpoint(client):
    answer = client.predict(language="zh", api_name="/lessons")
    assert answer[0]["id"] == "next-token" and answer[0]["title"] == "语言模型在做什么"
    assert all(
        set(step) == {"id", "title", "text", "tab", "inputs"} for lesson in answer for step in lesson["steps"]
    )
    english = client.predict(api_name="/lessons")
    assert english[0]["title"] == "What a language model does"
    assert [lesson["id"] for lesson in english] == [lesson["id"] for lesson in answer]
    with pytest.raises(Exception, match="language"):
        client.predict(language="fr", api_name="/lessons")
