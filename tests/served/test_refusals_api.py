"""Issue 30: through the API, a value of the wrong type (a layer that is not a number) is refused with one
sentence naming the parameter (the API's errors are in English), not gradio's words nor a server error."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("layer", ["five", "<img src=x>", [1], None])
def test_an_api_client_sending_a_wrong_type_gets_one_sentence(client, layer):
    with pytest.raises(Exception) as refused:
        client.predict(text="The cat sat.", model="fill-mask", layer=layer, head=1, api_name="/inside")
    said = str(refused.value)
    assert said.startswith("Layer ") and said.endswith(".") and said.count(". ") == 0, said
    assert "went wrong" not in said and "Traceback" not in said and "Value:" not in said
