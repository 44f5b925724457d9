"""Issue 14, point 5: with --max-trainings 1 (the default, the tests' app), a second visitor's training waits
in gradio's queue while the first runs, is told its place there, and runs once the first has finished."""

from __future__ import annotations

import time

from gradio_client import Client
from gradio_client.utils import Status

from playground.tasks import training


def test_a_second_training_waits_its_turn_and_sees_its_place(app_url, settings):
    assert settings.max_trainings == 1
    text = training.builtin_text("en")
    first = Client(app_url).submit(text, steps=40, seed=0, api_name="/train_tiny")
    while not first.outputs():  # its first step has been streamed: it is training
        assert not first.done(), first.exception()
        time.sleep(0.02)
    second = Client(app_url).submit(text, steps=3, seed=1, api_name="/train_tiny")
    place = None
    while place is None:  # what a visitor's page shows: its place in the queue
        assert not second.done()
        status = second.status()
        if status.code == Status.IN_QUEUE and status.rank is not None:
            place = (status.rank, status.queue_size)
        time.sleep(0.02)
    assert place[0] == 0 and place[1] >= 1  # first in line, behind the training that runs
    while not first.done():  # all the while the first trains, the second has not begun
        assert second.outputs() == []
        time.sleep(0.05)
    assert len(first.result()["losses"]) == 40
    result = second.result()  # then it runs, to the end
    assert len(result["losses"]) == 3 and [m["step"] for m in second.outputs() if "loss" in m] == [1, 2, 3]
