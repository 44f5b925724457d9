"""Every public API endpoint of the app, as the red-team tests in tests/served/ call it (issue 30, point 4).

`VALID` holds one small, valid request per endpoint: the served tests enumerate the app's endpoints from
gradio's API info and FAIL for an endpoint missing here, so an endpoint added later (a new tab, a merged branch)
cannot go untested. To cover a new endpoint, add one line to `VALID` (keyword arguments that make a quick, valid
request on the tiny test models); its hostile inputs are then made from its parameters' types in the API info
(`hostile_values`). `EXTRA_CASES` adds cases the types do not suggest (a model name, a missing [MASK]...), and
`SLOW` marks endpoints too slow to call many times (training runs): they get fewer generated cases.
"""

from __future__ import annotations

TEXT = "The cat sat on the mat."
ONE_MB = "lorem ipsum " * 90_000
MESSAGES = [{"role": "user", "content": "Hello there"}]
TRAINING_TEXT = "the cat sat on the mat. the dog sat on the log. " * 8

# endpoint -> keyword arguments of a quick, valid request (tests/served/test_bad_input_matrix.py fails for an
# app endpoint missing here)
VALID: dict[str, dict] = {
    "/generate": {"prompt": "The cat", "max_new_tokens": 3, "temperature": 0.0},
    "/next_token": {"text": "The cat", "top_n": 5},
    "/fill_mask": {"text": "The cat sat on the [MASK].", "top_k": 3},
    "/classify": {"text": "I loved it."},
    "/explain": {"text": "I loved it."},
    "/attention": {"text": "The cat sat.", "model": "fill-mask"},
    "/attention_view": {"text": "The cat sat.", "model": "fill-mask", "view": "head"},
    "/tokenize": {"text": TEXT, "model": "fill-mask"},
    "/inside": {"text": TEXT, "model": "fill-mask", "layer": 1, "head": 1},
    "/logit_lens": {"text": "The cat sat on the", "model": "generation", "top_k": 3},
    "/chat": {"messages": MESSAGES, "max_new_tokens": 3, "temperature": 0.0},
    "/chat_template": {"messages": MESSAGES},
    "/fine_tune": {"texts": ["good", "bad"], "labels": ["POSITIVE", "NEGATIVE"], "epochs": 1},
    "/train_tiny": {"text": TRAINING_TEXT, "steps": 2},
    "/question_answering": {"question": "Where did the cat sit?", "context": TEXT},
    "/translate": {"text": "The cat sat.", "max_new_tokens": 4},
    "/cross_attention": {"text": "The cat sat.", "max_new_tokens": 4},
    "/translate_chat": {"text": "The cat sat.", "target": "zh", "max_new_tokens": 3},
    "/summarize": {"text": TEXT, "max_new_tokens": 3},
    "/perplexity": {"text": TEXT},
    "/score_text": {"candidate": "The cat sat.", "references": [TEXT], "language": "en"},
    "/heads": {"text": TEXT, "model": "generation"},
    "/ablate": {"text": TEXT, "model": "generation", "heads": "1.1", "mode": "zero", "top_n": 3},
    "/patch": {
        "clean": "The cat sat on the",
        "corrupted": "The dog sat on the",
        "model": "generation",
        "clean_answer": " mat",
        "corrupted_answer": " cat",
    },
    "/kv_cache": {"text": "The cat", "model": "generation", "new_tokens": 2},
    "/train_tokenizer": {"text": TRAINING_TEXT, "vocab_size": 300, "min_frequency": 2},
    "/pretrain_mlm": {"text": TRAINING_TEXT, "steps": 2},
    "/lessons": {"language": "en"},
    "/positions": {"model": "generation", "positions": 16},
    "/word_order": {"text": TEXT, "model": "fill-mask", "seed": 1},
    "/block_structure": {"text": TEXT, "model": "generation", "layer": 1},
    "/random_mask": {"text": TEXT, "probability": 0.5, "seed": 0},
}
# Endpoints whose every request trains a model: called with fewer generated cases (see `hostile_values`).
SLOW = {"/fine_tune", "/train_tiny", "/pretrain_mlm"}

NASTY_TEXTS = {
    "empty": "",
    "whitespace": " \n\t ",
    "1 MB": ONE_MB,
    "NUL and control bytes": "The cat\x00 sat\x01\x02 on the\x1b[31m mat",
    "emoji": "I 😍 this film 🎬🍿",
    "right-to-left": "مرحبا بالعالم، هذا اختبار",
    "zero-width": "The\u200b cat\u200c sat\u200d on\ufeff the mat",
    "HTML": "<img src=x onerror=alert(1)> <b>bold</b>",
    "script": "<script>alert('hi')</script>",
    "hundreds of masks": "[MASK] " * 300,
    "only a mask": "[MASK]",
}
# JSON has no NaN or infinity (gradio_client refuses to send them), so a client can only send them as text.
BAD_NUMBERS = {"NaN": "NaN", "infinity": "Infinity", "negative": -5, "huge": 10**12, "text": "five"}
# Values of the wrong type for each kind of parameter, and a few hostile ones of the right type.
HOSTILE = {
    "string": {
        "1 MB": ONE_MB,
        "HTML": "<img src=x onerror=alert(1)>",
        "NUL": "a\x00b",
        "number": 42,
        "list": ["a"],
        "null": None,
    },
    "number": {"text": "five", "NaN": "NaN", "huge": 10**12, "negative": -5, "null": None, "list": [1]},
    "array": {"text": "not a list", "nulls": [None, None], "dicts": [{"a": 1}], "huge": ["a"] * 100_000},
    "object": {"text": "not an object", "list": [1, 2]},
}
SLOW_HOSTILE = {"string": ["number", "null"], "number": ["text", "huge"], "array": ["text", "nulls"]}

# (endpoint, keyword arguments changed from VALID, id): cases the parameter types do not suggest
EXTRA_CASES = [
    *[
        ("/attention", {"model": name}, f"model={name!r}")
        for name in [
            "llama",
            "/etc/passwd",
            "../../models/secret",
            "https://example.com/model",
            "",
            "FILL-MASK",
        ]
    ],
    ("/fill_mask", {"text": "No blank here.", "top_k": 5}, "no mask"),
    ("/generate", {"temperature": 0, "num_samples": 3}, "greedy samples"),
    ("/chat", {"messages": [{"role": "user"}]}, "a message without content"),
    ("/chat", {"messages": [{"role": "<img src=x>", "content": 5}]}, "a strange role"),
    ("/inside", {"layer": 10**9}, "a layer far too high"),
    (
        "/question_answering",
        {"question": "Where did the cat sit? " * 40},
        "a question longer than the model allows",
    ),
]


def kind_of(parameter: dict) -> str:
    """The JSON kind of an API parameter ("string", "number", "array", "object"; else "other")."""
    schema = parameter.get("type") or {}
    kind = schema.get("type") if isinstance(schema, dict) else None
    if kind == "integer":
        return "number"
    return kind if kind in HOSTILE else "other"


def hostile_values(endpoint: str, parameter: dict) -> dict:
    """{label: value} to send as `parameter` of `endpoint` instead of its valid value."""
    kind = kind_of(parameter)
    values = HOSTILE.get(kind, {})
    if endpoint in SLOW:
        return {label: values[label] for label in SLOW_HOSTILE.get(kind, []) if label in values}
    return values
