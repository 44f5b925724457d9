"""Issue 16, point 11: tokenizer settings are per call, so threads sharing a tokenizer never race.

Truncation used to be switched on the tokenizer that every thread shares, outside the model's lock: a long
text classified while another thread encoded a short one failed now and then ("size of tensor a (1225) must
match b (64)"). Here 4 threads send long and short texts together through the app's own batch function."""

from __future__ import annotations

import threading

from playground.models import ModelManager
from playground.tasks import sentiment


def test_four_threads_classify_long_and_short_texts_together(tiny_model_dirs):
    loaded = ModelManager(tiny_model_dirs, "cpu").get("sentiment")
    long_text = " ".join(["the lesson was long and the food was cold"] * 120)  # far past the model's limit
    batches = [[long_text, "I loved it."], ["Fine."], [long_text], ["So so.", long_text, "Bad."]]
    expected = [
        [
            (r.scores[0].label, round(r.scores[0].score, 5))
            for r in sentiment.classify_batch(loaded, b, 10_000)
        ]
        for b in batches
    ]
    failures: list[str] = []

    def worker(offset: int) -> None:
        for i in range(30):
            batch_index = (offset + i) % len(batches)
            try:
                results = sentiment.classify_batch(loaded, batches[batch_index], 10_000)
                got = [(r.scores[0].label, round(r.scores[0].score, 5)) for r in results]
            except Exception as error:  # noqa: BLE001 - any failure is what this test looks for
                failures.append(repr(error))
                continue
            if got != expected[batch_index]:
                failures.append(f"batch {batch_index}: {got} != {expected[batch_index]}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert loaded.tokenizer.truncation_side == "right" and not loaded.tokenizer._tokenizer.truncation
