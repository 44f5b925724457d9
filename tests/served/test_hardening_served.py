"""Issue 16 through the served app: every value answered with a valid result or one clear sentence."""

from __future__ import annotations

import math

import pytest
from gradio_client.exceptions import AppError

TEXT = "The cat sat on the mat."


@pytest.mark.parametrize("view", [["head"], {"view": "head"}, 3])
def test_attention_view_with_a_view_that_is_not_text(client, view):
    with pytest.raises(AppError, match="Unknown view"):
        client.predict(text=TEXT, view=view, api_name="/attention_view")


@pytest.mark.parametrize("layers", ["1-20000000", "1-" + "9" * 30, "1-" + "9" * 5000])
def test_attention_view_with_a_huge_range(client, layers):
    with pytest.raises(AppError, match=r"There is no layer .*: this model has 2 layers"):
        client.predict(text=TEXT, layers=layers, api_name="/attention_view")


def test_fill_mask_targets_as_long_as_a_million_characters(client):
    with pytest.raises(AppError, match="characters long together; the limit here is 2,000"):
        client.predict(text="The cat sat on the [MASK].", targets="mat," * 250_012, api_name="/fill_mask")


@pytest.mark.parametrize("temperature", [1e-40, 1e-300, 5e-324])
def test_tiny_temperatures_are_greedy_through_the_server(client, temperature):
    """Point 10: a temperature too small to represent behaves as greedy, in /generate and /next_token."""
    prompt = "The cat"
    [greedy] = client.predict(prompt=prompt, max_new_tokens=5, temperature=0, api_name="/generate")
    [tiny] = client.predict(
        prompt=prompt, max_new_tokens=5, temperature=temperature, seed=3, api_name="/generate"
    )
    assert tiny["generated_text"] == greedy["generated_text"]
    candidates = client.predict(text=prompt, temperature=temperature, top_n=5, api_name="/next_token")
    after = [c["prob_after"] for c in candidates]
    assert all(p is not None and math.isfinite(p) for p in after)
    assert after[0] == pytest.approx(1.0) and sum(after) == pytest.approx(1.0)
    assert [c["kept"] for c in candidates] == [True] + [False] * 4


def upload(app_url: str, size: int) -> int:
    import urllib.error
    import urllib.request
    import uuid

    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + b"text\n"
        + b"a" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        app_url.rstrip("/") + "/gradio_api/upload",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_uploads_over_the_limit_are_refused(app_url, settings):
    """Point 4: --max-upload-mb (2 MB in the tests) is gradio's max_file_size."""
    assert upload(app_url, 100_000) == 200
    assert upload(app_url, settings.max_upload_mb * 2**20 + 1000) == 413


def test_finished_sessions_are_forgotten_past_max_sessions(served_demo, settings):
    """Point 3: one-off API clients each leave a session (its last answers); gradio keeps 10,000 of them by
    default (~2.5 MB each for /attention on the tiny models, ~118 MB with BERT-base): --max-sessions (20 in
    the tests) bounds how many are kept, the least recently active forgotten first."""
    from tests.helpers import event_index, queue_call

    index = event_index(served_demo, "attention_api")
    for _ in range(settings.max_sessions + 15):
        answer = queue_call(served_demo.local_url, index, ["The cat sat on the mat.", "fill-mask", "encoder"])
        assert answer["success"] is True
    assert len(served_demo.state_holder.session_data) <= settings.max_sessions


# --- Issue 30: every endpoint and every page event, including those added later ---------------------------


def api_request(demo, app_endpoints, endpoint: str) -> tuple[int, list]:
    """The event index of an API endpoint and its valid request (tests/endpoints.py) as positional data."""
    from tests.endpoints import VALID

    [index] = [i for i, fn in demo.fns.items() if fn.api_name == endpoint.lstrip("/")]
    data = [
        VALID[endpoint].get(p["parameter_name"], p.get("parameter_default"))
        for p in app_endpoints[endpoint]["parameters"]
    ]
    return index, data


def test_one_off_clients_of_every_endpoint_leave_nothing_behind(served_demo, app_endpoints):
    """Point 2: a session that called one endpoint and left keeps no copy of its request or answer (gradio
    would keep both in SessionState.config_values until --max-sessions newer sessions push it out)."""
    from tests.endpoints import VALID
    from tests.helpers import queue_call

    holder = served_demo.state_holder
    for endpoint in sorted(set(app_endpoints) & set(VALID)):
        index, data = api_request(served_demo, app_endpoints, endpoint)
        before = set(holder.session_data)
        answer = queue_call(served_demo.local_url, index, data, timeout=120)
        assert answer["success"] is True, (endpoint, answer)
        [session] = set(holder.session_data) - before
        kept = holder.session_data[session]
        assert kept.config_values == {}, endpoint
        assert kept.state_data == {}, endpoint


def test_concurrent_requests_get_the_answers_serial_ones_get(client, app_url, app_endpoints):
    """Every endpoint: four clients at once get exactly what one client alone gets (deterministic requests:
    greedy decoding, fixed seeds)."""
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client

    from tests.endpoints import VALID

    clients = [Client(app_url, verbose=False) for _ in range(4)]
    for endpoint in sorted(set(app_endpoints) & set(VALID)):
        request = VALID[endpoint]
        serial = client.predict(**request, api_name=endpoint)
        with ThreadPoolExecutor(len(clients)) as pool:
            answers = list(pool.map(lambda c, r=request, e=endpoint: c.predict(**r, api_name=e), clients))
        for answer in answers:  # batched endpoints pad a batch: the last digits of a float may differ
            assert same(steady(answer), steady(serial)), (endpoint, answer, serial)


# Fields that are measurements of this run, not answers: the KV cache's live timings.
MEASURED = {"ms_cached", "ms_uncached"}


def steady(answer):
    """The answer without its measured fields (MEASURED), which no two runs share."""
    if isinstance(answer, dict):
        return {key: steady(value) for key, value in answer.items() if key not in MEASURED}
    if isinstance(answer, list):
        return [steady(item) for item in answer]
    return answer


def same(a, b) -> bool:
    """Equal, floats to 1e-5 (relative) or 1e-7 (absolute)."""
    import math

    if isinstance(a, float) or isinstance(b, float):
        return (
            isinstance(a, (int, float))
            and isinstance(b, (int, float))
            and math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-7)
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def page_events(demo, kinds: tuple) -> list[tuple[int, int, object]]:
    """(event index, input position, component) of every page event input of one of `kinds`."""
    found = []
    for index, fn in demo.fns.items():
        if fn.fn is None or fn.api_visibility == "public":
            continue
        for position, block in enumerate(fn.inputs):
            if isinstance(block, kinds):
                found.append((index, position, block))
    return found


def default_data(demo, index: int) -> list:
    """The values a fresh page sends for an event's inputs."""
    return [block.get_config().get("value") for block in demo.fns[index].inputs]


HOSTILE_NUMBERS = ["five", "<img src=http://evil.invalid/x.png>"]  # and JSON's null, a list: see the matrix
HOSTILE_CHOICES = ["<img src=http://evil.invalid/x.png>", "<svg onload=alert(1)>", "javascript:alert(1)"]


def test_page_events_refuse_a_value_that_is_not_a_number_with_a_sentence(served_demo):
    """Point 4: every slider or number box of every page event: a value that is not a number is refused with
    one escaped sentence naming the field, not gradio's bare "Error"."""

    import gradio as gr

    from playground.markup import escape_html
    from tests.helpers import queue_call, refusal

    numeric = [(i, p, b) for i, p, b in page_events(served_demo, (gr.Slider, gr.Number))]
    assert len(numeric) >= 10
    for index, position, block in numeric:
        for value in HOSTILE_NUMBERS:
            if value is None and isinstance(block, gr.Number):
                continue  # an empty number box is the handler's to refuse
            data = default_data(served_demo, index)
            data[position] = value
            said = refusal(queue_call(served_demo.local_url, index, data))
            where = f"{served_demo.fns[index].name} input {position} = {value!r}"
            assert said is not None and "needs a number" in said, (where, said)
            assert "<" not in said and escape_html(
                str(block.label.key if hasattr(block.label, "key") else "")
            )
            assert said.endswith("."), (where, said)


def test_page_events_refuse_a_choice_not_offered_with_an_escaped_sentence(served_demo):
    """Point 3: every dropdown, radio and checkbox group of every page event: a value it does not offer is
    refused with one sentence whose markup is escaped (gradio's own refusal quotes the choices, which may be a
    CSV's headers or a text's tokens, and the page renders pop-ups as HTML)."""
    import uuid

    import gradio as gr

    from tests.helpers import queue_call, refusal

    choices = page_events(served_demo, (gr.Dropdown, gr.Radio, gr.CheckboxGroup))
    assert len(choices) >= 10
    session = uuid.uuid4().hex
    for index, position, block in choices:
        for value in HOSTILE_CHOICES:
            data = default_data(served_demo, index)
            data[position] = [value] if isinstance(block, gr.CheckboxGroup) else value
            said = refusal(queue_call(served_demo.local_url, index, data, session=session))
            where = f"{served_demo.fns[index].name} input {position} = {value!r}"
            assert said is not None and "does not offer" in said, (where, said)
            assert "<" not in said and "&lt;" in said or "javascript" in value, (where, said)


def test_a_closed_page_forgets_its_session(served_demo):
    """Point 2: when the page closes (its heartbeat ends: gradio's unload event), its session is forgotten at
    once, the attention it showed with it, not an hour later."""
    import json
    import threading
    import time
    import urllib.request
    import uuid

    url, session = served_demo.local_url.rstrip("/"), uuid.uuid4().hex
    heartbeat = urllib.request.urlopen(f"{url}/gradio_api/heartbeat/{session}", timeout=60)
    threading.Thread(target=lambda: heartbeat.read(1), daemon=True).start()
    [index] = [
        i
        for i, fn in served_demo.fns.items()
        if fn.name == "run" and fn.fn.__module__ == "playground.ui.attention"
    ]
    data = ["fill-mask", "The cat sat on the mat.", "head", 1, 1, False, [1, 2], [1, 2], False, "encoder"]
    body = {"data": data, "fn_index": index, "session_hash": session, "event_data": None}
    join = urllib.request.Request(
        f"{url}/gradio_api/queue/join", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    urllib.request.urlopen(join, timeout=60).close()
    with urllib.request.urlopen(f"{url}/gradio_api/queue/data?session_hash={session}", timeout=60) as stream:
        for line in stream:
            if b"process_completed" in line:
                assert b'"success":true' in line.replace(b" ", b""), line
                break
    holder = served_demo.state_holder
    assert session in holder and holder.session_data[session].state_data  # the attention shown is kept
    heartbeat.close()  # the page closes
    deadline = time.monotonic() + 30
    while session in holder and time.monotonic() < deadline:
        time.sleep(0.2)
    assert session not in holder
