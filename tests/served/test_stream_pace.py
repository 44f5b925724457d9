"""A streamed /generate, paced (at most about ten updates a second): every update is the answer's shape,
`[{"generated_text"}]` per sample, each text a prefix of the last one's, and the last update is the whole answer,
the same as `predict` gives and as the generation alone (tests/tasks/test_stream_updates.py has the pacing)."""

from __future__ import annotations

from playground.tasks.generation import GenerationParams, generate


def test_every_streamed_update_has_the_answers_shape_and_grows_to_the_same_answer(client, settings, manager):
    request = ("Once upon a time", 30, 1.0, 50, 1.0, 1.0, 4, 2)
    job = client.submit(*request, api_name="/generate")
    answer = job.result()
    updates = job.outputs()
    assert updates[-1] == answer == client.predict(*request, api_name="/generate")
    for update in updates:
        assert [list(sample) for sample in update] == [["generated_text"]] * 2
        assert all(
            final["generated_text"].startswith(sample["generated_text"])
            for sample, final in zip(update, answer, strict=True)
        )
    alone = generate(
        manager.get("generation"),
        request[0],
        GenerationParams(*request[1:]),
        settings.max_input_chars,
        settings.max_new_tokens_cap,
    )
    assert [sample["generated_text"] for sample in answer] == alone.generated_texts
