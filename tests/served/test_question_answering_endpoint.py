"""/question_answering through the served app: the JSON the task gives, batched requests each answered as alone."""

from __future__ import annotations

import pytest

from playground.api import question_answering_json
from playground.tasks import question_answering as qa

CONTEXT = "Paris is the capital of France. The cat sat on the mat."
LONG = " ".join(["Tom plays the piano every evening. Marie lives in London with her two dogs."] * 6)


def expected(manager, question: str, context: str, top_k: int = 1, max_answer_len: int = 30) -> list[dict]:
    loaded = manager.get("question-answering")
    return question_answering_json(qa.answer(loaded, question, context, 2000, top_k, max_answer_len))


def same(ours: list[dict], theirs: list[dict]) -> None:
    assert [(a["start"], a["end"], a["answer"]) for a in ours] == [
        (a["start"], a["end"], a["answer"]) for a in theirs
    ]
    assert [a["score"] for a in ours] == pytest.approx([a["score"] for a in theirs], abs=1e-6)


def test_the_endpoint_answers_with_the_tasks_json(client, manager):
    answer = client.predict(
        question="Where did the cat sit?", context=CONTEXT, api_name="/question_answering"
    )
    same(answer, expected(manager, "Where did the cat sit?", CONTEXT))  # defaults: top_k=1, max_answer_len=30
    assert len(answer) == 1 and CONTEXT[answer[0]["start"] : answer[0]["end"]] == answer[0]["answer"]
    three = client.predict("What does Tom play?", LONG, 3, 5, api_name="/question_answering")
    same(three, expected(manager, "What does Tom play?", LONG, 3, 5))


def test_requests_sent_together_are_each_answered_as_alone(client, manager):
    questions = ["Where did the cat sit?", "What is the capital of France?", "What does Tom play?", "Who?"]
    contexts = [CONTEXT, CONTEXT, LONG, CONTEXT]
    jobs = [
        client.submit(question=q, context=c, top_k=2, api_name="/question_answering")
        for q, c in zip(questions, contexts, strict=True)
    ]
    for job, question, context in zip(jobs, questions, contexts, strict=True):
        same(job.result(timeout=120), expected(manager, question, context, 2))
