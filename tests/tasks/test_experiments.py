"""Experiments (head finder, ablation, patching, KV cache, tokenizer lab): each number checked against the model's
own outputs, hooks written here by hand on the modules named here (not through the adapters), and the library."""

from __future__ import annotations

import contextlib
import json
import threading

import numpy as np
import pytest
import torch
from tokenizers import Tokenizer, decoders, pre_tokenizers, trainers
from tokenizers.models import BPE

from playground import api
from playground.models import LoadedModel
from playground.tasks.experiments import ablation, heads, kv_cache, patching, tokenizer_lab
from playground.tasks.inside.hooks import Recorder
from playground.tasks.validation import InputError
from tests.tiny_models import tiny_roberta

TEXT = "The cat sat on the mat. The cat sat on the mat."
MASKED = "The cat sat on the [MASK]."
CAUSAL = ("gpt2", "llama")


@pytest.fixture(scope="module")
def roberta(tiny_model_dirs) -> LoadedModel:
    """A tiny untrained RoBERTa masked LM (BERT's WordPiece tokenizer: only the modules matter here)."""
    return tiny_roberta(tiny_model_dirs["fill-mask"])


@pytest.fixture(scope="module")
def models(manager, roberta) -> dict[str, LoadedModel]:
    return {
        "gpt2": manager.get("generation"),
        "bert": manager.get("fill-mask"),
        "distilbert": manager.get("sentiment"),
        "llama": manager.get("chat"),
        "roberta": roberta,
    }


def attentions(loaded: LoadedModel, ids: list[int]) -> np.ndarray:
    input_ids = torch.tensor([ids])
    with loaded.eager_attention() as model, torch.no_grad():
        out = model(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), output_attentions=True)
    return torch.stack([a[0] for a in out.attentions]).double().numpy()


def w_o(loaded: LoadedModel, layer: int) -> torch.nn.Module:
    """The attention output projection of `layer` (0-based), by each family's module names."""
    model = loaded.model
    family = model.config.model_type
    if family == "gpt2":
        return model.transformer.h[layer].attn.c_proj
    if family == "llama":
        return model.model.layers[layer].self_attn.o_proj
    if family in ("bert", "roberta"):
        return model.base_model.encoder.layer[layer].attention.output.dense
    return model.distilbert.transformer.layer[layer].attention.out_lin


def blocks(loaded: LoadedModel) -> list[torch.nn.Module]:
    model = loaded.model
    family = model.config.model_type
    if family == "gpt2":
        return list(model.transformer.h)
    if family == "llama":
        return list(model.model.layers)
    return list(model.base_model.encoder.layer)


# --- head finder ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["gpt2", "bert", "distilbert", "llama", "roberta"])
def test_head_scores_follow_the_definitions(models, name):
    loaded = models[name]
    result = heads.head_scores(loaded, TEXT, 1000, 64)
    ids = result.ids
    A = attentions(loaded, ids)
    L, H, T, _ = A.shape
    assert result.scores["previous_token"].shape == (L, H)
    for layer in range(L):
        for head in range(H):
            a = A[layer, head]
            assert np.isclose(
                result.scores["previous_token"][layer, head], np.mean([a[i, i - 1] for i in range(1, T)])
            )
            assert np.isclose(result.scores["first_token"][layer, head], np.mean([a[i, 0] for i in range(T)]))
            repeats = [i for i in range(T) if ids[i] in ids[:i]]
            dup = np.mean([sum(a[i, j] for j in range(i) if ids[j] == ids[i]) for i in repeats])
            assert np.isclose(result.scores["duplicate_token"][layer, head], dup)
    # induction: the text's tokens twice inside the same special tokens
    causal = name in CAUSAL
    r = ids if causal else ids[1:-1]
    doubled = r + r if causal else [ids[0], *r, *r, ids[-1]]
    o, n = (0 if causal else 1), len(r)
    B = attentions(loaded, doubled)
    expected = np.array(
        [
            [np.mean([B[layer, head, o + n + k, o + k + 1] for k in range(n - 1)]) for head in range(H)]
            for layer in range(L)
        ]
    )
    assert np.allclose(result.scores["induction"], expected)
    body = api.heads_json(result)
    assert set(body) == {"model", "tokens", "scores"} and set(body["scores"]) == set(heads.KINDS)
    assert np.asarray(body["scores"]["induction"]).shape == (L, H)


def test_duplicate_token_is_zero_without_repeats(models):
    result = heads.head_scores(models["gpt2"], "The", 100, 64)
    assert len(result.ids) == 1
    assert not result.scores["duplicate_token"].any() and not result.scores["induction"].any()


# --- ablation -------------------------------------------------------------------------------------


def hand_ablation(
    loaded: LoadedModel, ids: list[int], chosen: list[tuple[int, int]], mode: str, at
) -> torch.Tensor:
    """The probabilities with `chosen` heads (0-based) ablated by pre-hooks written here."""
    d_k = loaded.model.config.hidden_size // loaded.model.config.num_attention_heads
    if loaded.model.config.model_type == "llama":
        d_k = loaded.model.config.head_dim
    handles = []
    for layer, head in chosen:

        def hook(_module, args, head=head):
            x = args[0].clone()
            columns = x[:, :, head * d_k : (head + 1) * d_k]
            x[:, :, head * d_k : (head + 1) * d_k] = (
                0 if mode == "zero" else columns.mean(dim=1, keepdim=True)
            )
            return (x,)

        handles.append(w_o(loaded, layer).register_forward_pre_hook(hook))
    try:
        with torch.no_grad():
            logits = loaded.model(input_ids=torch.tensor([ids])).logits[0]
    finally:
        for handle in handles:
            handle.remove()
    return (logits[at] if at is not None else logits).softmax(-1)


@pytest.mark.parametrize("name", ["gpt2", "bert", "distilbert", "llama", "roberta"])
@pytest.mark.parametrize("mode", ["zero", "mean"])
def test_ablation_equals_hooks_written_by_hand(models, name, mode):
    loaded = models[name]
    text = MASKED if name in ("bert", "roberta") else TEXT
    result = ablation.ablate(loaded, text, 1000, 64, "1.2, 2.1", mode, top_n=5)
    ids = loaded.tokenizer(text, add_special_tokens=name not in CAUSAL)["input_ids"]
    at = {"gpt2": -1, "llama": -1, "distilbert": None}.get(
        name, ids.index(loaded.tokenizer.mask_token_id) if name in ("bert", "roberta") else None
    )
    expected = hand_ablation(loaded, ids, [(0, 1), (1, 0)], mode, at)
    assert torch.allclose(result.after_probs, expected, atol=1e-6)
    if (name, mode) != (
        "roberta",
        "mean",
    ):  # untrained: its heads' outputs hardly vary, so their mean is them
        assert not torch.allclose(result.before_probs, expected, rtol=1e-4, atol=0)  # the heads mattered
    with torch.no_grad():
        plain = loaded.model(input_ids=torch.tensor([ids])).logits[0]
    assert torch.allclose(
        result.before_probs, (plain[at] if at is not None else plain).softmax(-1), atol=1e-6
    )
    body = api.ablation_json(result)
    assert set(body) == {"before", "after"} and set(body["after"][0]) == {"token", "token_id", "prob"}
    if name == "distilbert":  # labels: all of them
        assert len(body["before"]) == loaded.model.config.num_labels
    else:
        assert len(body["after"]) == 5 and body["after"][0]["prob"] >= body["after"][1]["prob"]


@pytest.mark.parametrize("name", ["gpt2", "bert", "llama"])
def test_the_logit_lens_after_ablation_ends_in_the_ablated_prediction(models, name):
    loaded = models[name]
    text = MASKED if name == "bert" else TEXT
    lens = ablation.lens_after(loaded, text, 1000, 64, "1.2, 2.1", "zero")
    result = ablation.ablate(loaded, text, 1000, 64, "1.2, 2.1", "zero", top_n=5)
    last = lens.layers[-1][-1] if name != "bert" else lens.layers[-1][0]
    assert [p.token for p in last] == [o.token_id for o in result.after]
    assert np.allclose([p.score for p in last], [o.prob for o in result.after], atol=1e-6)
    with pytest.raises(InputError, match="labels"):
        ablation.lens_after(models["distilbert"], TEXT, 1000, 64, "1.1", "zero")


@pytest.mark.parametrize(
    "value, words",
    [
        ("", "at least one head"),
        ("3", "layer.head"),
        ("9.1", "Layer 9 does not exist"),
        ("1.9", "Head 9"),
        (7, "as text"),
    ],
)
def test_ablation_refuses_bad_heads(models, value, words):
    with pytest.raises(InputError, match=words):
        ablation.ablate(models["gpt2"], TEXT, 1000, 64, value)
    with pytest.raises(InputError, match="zero"):
        ablation.ablate(models["gpt2"], TEXT, 1000, 64, "1.1", mode="half")
    with pytest.raises(InputError, match="2,000"):
        ablation.ablate(models["gpt2"], "a" * 2001, 2000, 64, "1.1")


# --- activation patching --------------------------------------------------------------------------

CLEAN, CORRUPTED = "The cat sat on the mat.", "The dog sat on the mat."


def hand_patch(
    loaded: LoadedModel, clean: list[int], corrupted: list[int], layer: int, position: int, at: int, answers
):
    """LD of the corrupted run with the residual stream at (layer, position) taken from the clean run."""
    kept = {}
    modules = blocks(loaded)

    def keep(value):
        value = value[0] if isinstance(value, tuple) else value  # (batch, T, d)
        kept.setdefault("h", value[0].clone())

    if layer == 0:
        handle = modules[0].register_forward_pre_hook(lambda m, args: keep(args[0]))
    else:
        handle = modules[layer - 1].register_forward_hook(lambda m, a, out: keep(out))
    with torch.no_grad():
        loaded.model(input_ids=torch.tensor([clean]))
    handle.remove()

    def put(hidden):
        hidden = hidden.clone()
        hidden[0, position] = kept["h"][position]
        return hidden

    if layer == 0:
        handle = modules[0].register_forward_pre_hook(
            lambda m, args, kwargs: ((put(args[0]), *args[1:]), kwargs), with_kwargs=True
        )
    else:
        handle = modules[layer - 1].register_forward_hook(
            lambda m, a, out: (put(out[0]), *out[1:]) if isinstance(out, tuple) else put(out)
        )
    with torch.no_grad():
        logits = loaded.model(input_ids=torch.tensor([corrupted])).logits[0, at]
    handle.remove()
    return float(logits[answers[0]] - logits[answers[1]])


@pytest.mark.parametrize("name", ["gpt2", "llama", "bert"])
def test_patching_equals_hooks_written_by_hand(models, name):
    loaded = models[name]
    special = name not in CAUSAL
    clean = CLEAN if name in CAUSAL else "The cat sat on the [MASK]."
    length = len(loaded.tokenizer(clean, add_special_tokens=special)["input_ids"])
    candidates = [
        clean.replace(a, b) for a, b in (("cat", "dog"), ("cat", "fox"), ("sat", "ran"), ("The", "A"))
    ]
    corrupted = next(
        c for c in candidates if len(loaded.tokenizer(c, add_special_tokens=special)["input_ids"]) == length
    )
    special = name not in CAUSAL
    clean_ids = loaded.tokenizer(clean, add_special_tokens=special)["input_ids"]
    corrupted_ids = loaded.tokenizer(corrupted, add_special_tokens=special)["input_ids"]
    changed = next(i for i, (a, b) in enumerate(zip(clean_ids, corrupted_ids, strict=True)) if a != b)
    other = loaded.tokenizer.decode([corrupted_ids[changed]])  # "dog": the tiny models answer alike
    result = patching.patch(loaded, clean, corrupted, 1000, corrupted_answer=other)
    T, L = len(clean_ids), len(blocks(loaded))
    assert result.effect.shape == (L + 1, T) and len(result.tokens) == T == len(result.corrupted_tokens)
    at = T - 1 if name in CAUSAL else clean_ids.index(loaded.tokenizer.mask_token_id)
    ld_corrupted = hand_patch(
        loaded, clean_ids, corrupted_ids, 0, 0, at, result.answer_ids
    )  # position 0 is the same
    assert np.isclose(ld_corrupted, result.ld_corrupted, atol=1e-5)
    for layer in range(L + 1):
        for position in range(T):
            ld = hand_patch(loaded, clean_ids, corrupted_ids, layer, position, at, result.answer_ids)
            expected = (ld - result.ld_corrupted) / (result.ld_clean - result.ld_corrupted)
            assert np.isclose(result.effect[layer, position], expected, atol=1e-4), (layer, position)
    if name in CAUSAL:  # the last block's output at the last position is all the prediction reads
        assert np.isclose(result.effect[L, T - 1], 1, atol=1e-4)
    body = api.patch_json(result)
    assert set(body) == {"tokens", "corrupted_tokens", "answers", "effect"} and len(body["effect"]) == L + 1


def test_patching_bad_input(models):
    gpt2 = models["gpt2"]
    with pytest.raises(InputError, match="same number"):
        patching.patch(gpt2, CLEAN, "The big dog sat on the mat today.", 1000)
    with pytest.raises(InputError, match="next token to patch"):
        patching.patch(models["distilbert"], CLEAN, CORRUPTED, 1000)
    with pytest.raises(InputError, match="one token"):
        patching.patch(gpt2, CLEAN, CORRUPTED, 1000, clean_answer="hello there friend")
    with pytest.raises(InputError, match="Both answers"):
        patching.patch(gpt2, CLEAN, CORRUPTED, 1000, clean_answer=" the", corrupted_answer=" the")
    with pytest.raises(InputError, match="at most"):
        patching.patch(gpt2, "the cat " * 40, "the cat " * 40, 1000)


def test_patching_answers_chosen(models):
    gpt2 = models["gpt2"]
    result = patching.patch(gpt2, CLEAN, CORRUPTED, 1000, clean_answer=" the", corrupted_answer=" cat")
    assert result.answers == [" the", " cat"]


# --- KV cache -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CAUSAL)
def test_kv_cache_tokens_equal_greedy_generate(models, name):
    loaded = models[name]
    prompt = "The cat" if name == "gpt2" else "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n"
    result = kv_cache.kv_cache(loaded, prompt, 1000, 64, new_tokens=6)
    ids = loaded.tokenizer(prompt, add_special_tokens=False, return_tensors="pt").input_ids
    with torch.no_grad():
        out = loaded.model.generate(
            ids, attention_mask=torch.ones_like(ids), max_new_tokens=6, do_sample=False
        )
    assert [t.token_id for t in result.tokens] == out[0, ids.shape[1] :].tolist()
    config = loaded.model.config
    kv_heads = getattr(config, "num_key_value_heads", None) or config.num_attention_heads
    head_dim = config.hidden_size // config.num_attention_heads
    for step in result.steps:
        positions = ids.shape[1] + step.step - 1
        assert step.kind == ("prefill" if step.step == 1 else "decode")
        assert step.shape == [config.num_hidden_layers, 2, kv_heads, positions, head_dim]
        assert step.positions == positions
        assert step.bytes == int(np.prod(step.shape)) * 4  # float32
        assert step.ms_cached > 0 and step.ms_uncached > 0
    assert result.num_kv_heads == kv_heads and (name != "llama" or result.num_kv_heads < result.num_heads)
    body = api.kv_cache_json(result)
    assert set(body) == {"tokens", "steps"} and set(body["steps"][0]) == {
        "step",
        "kind",
        "positions",
        "shape",
        "bytes",
        "ms_cached",
        "ms_uncached",
    }


def test_kv_cache_bad_input(models):
    with pytest.raises(InputError, match="left to right"):
        kv_cache.kv_cache(models["bert"], TEXT, 1000, 64)
    with pytest.raises(InputError, match="New tokens"):
        kv_cache.kv_cache(models["gpt2"], TEXT, 1000, 64, new_tokens=0)


# --- tokenizer lab --------------------------------------------------------------------------------

CORPUS = "the cat sat on the mat\n\nthe cat ate the rat\n今天天气很好\n今天我们去公园\n"


def test_trained_merges_equal_the_library():
    result = tokenizer_lab.train(CORPUS, 1000, vocab_size=300, min_frequency=2)
    reference = Tokenizer(BPE())
    reference.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    reference.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300,
        min_frequency=2,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[],
    )
    reference.train_from_iterator([line for line in CORPUS.splitlines() if line.strip()], trainer)
    model = json.loads(reference.to_str())["model"]
    assert [list(m) for m in result.merges] == [list(m) for m in model["merges"]]
    assert result.vocab_size == reference.get_vocab_size()
    assert api.train_tokenizer_json(result) == {
        "merges": [list(m) for m in model["merges"]],
        "vocab_size": result.vocab_size,
    }
    # every merge: the full tokenizer and the one with all merges cut the text alike
    full = tokenizer_lab.tokenize_with(result, len(result.merges))
    assert full.count == len(reference.encode(CORPUS).tokens)
    assert [p for piece in full.pieces for p in piece.pieces] == reference.encode(CORPUS).tokens


def test_merges_slider_from_bytes_to_all():
    result = tokenizer_lab.train(CORPUS, 1000, vocab_size=300, min_frequency=2)
    bytes_only = tokenizer_lab.tokenize_with(result, 0)
    assert bytes_only.count == len(CORPUS.encode())
    chinese = [piece for piece in bytes_only.pieces if piece.text == "今"]
    assert chinese and all(piece.tokens == 3 for piece in chinese)  # 今 is three bytes: one piece, "3 tokens"
    counts = [tokenizer_lab.tokenize_with(result, k).count for k in range(len(result.merges) + 1)]
    assert counts == sorted(counts, reverse=True) and counts[-1] < counts[0]
    for k in (0, 1, len(result.merges) // 2, len(result.merges)):
        cut = tokenizer_lab.tokenize_with(result, k)
        assert "".join(piece.text for piece in cut.pieces) == CORPUS  # the characters, never "�"
        assert "\ufffd" not in "".join(piece.text for piece in cut.pieces)


def test_tokenizer_lab_bad_input():
    with pytest.raises(InputError, match="at least the 256 bytes"):
        tokenizer_lab.train(CORPUS, 1000, vocab_size=100)
    with pytest.raises(InputError, match="empty"):
        tokenizer_lab.train(" \n", 1000)
    with pytest.raises(InputError, match="Minimum frequency"):
        tokenizer_lab.train(CORPUS, 1000, min_frequency=0)


def test_patching_leaves_another_threads_pass_through_the_shared_model_unchanged(models, monkeypatch):
    """Patching replays blocks and hooks the shared model while it runs; a forward pass of another request in
    another thread at that very moment (outside the lock, the worst case) computes as the model alone does."""
    gpt2 = models["gpt2"]
    ids = torch.tensor([gpt2.tokenizer(TEXT)["input_ids"]])
    with torch.inference_mode():
        alone = gpt2.model(input_ids=ids).logits
    answers = {"clean_answer": " the", "corrupted_answer": " cat"}
    undisturbed = patching.patch(gpt2, CLEAN, CORRUPTED, 1000, **answers)
    during: list[torch.Tensor] = []
    unembedded_at = patching.unembedded_at

    @contextlib.contextmanager
    def with_another_pass(model, kind, position):
        with unembedded_at(model, kind, position) as read_at:  # inside the replay and the patch's hook
            if not during:

                def other_request():
                    with torch.inference_mode():
                        during.append(model(input_ids=ids).logits)

                thread = threading.Thread(target=other_request)
                thread.start()
                thread.join()
            yield read_at

    monkeypatch.setattr(patching, "unembedded_at", with_another_pass)
    result = patching.patch(gpt2, CLEAN, CORRUPTED, 1000, **answers)
    assert len(during) == 1 and torch.equal(during[0], alone)
    assert np.array_equal(result.effect, undisturbed.effect)


def test_inside_hooks_act_only_in_the_thread_that_set_them(models):
    loaded = models["gpt2"]
    recorder = Recorder()
    block = blocks(loaded)[0]

    def zeros(_module, _args, output):
        return (
            (torch.zeros_like(output[0]), *output[1:])
            if isinstance(output, tuple)
            else torch.zeros_like(output)
        )

    recorder.change_output(block, zeros)  # before the hook that records the block, which sees it changed
    recorder.output("block", block)
    ids = torch.tensor([[1, 2, 3]])
    try:
        with torch.inference_mode():
            other = threading.Thread(target=lambda: loaded.model(input_ids=ids))
            other.start()
            other.join()
            assert recorder.seen == {}  # another thread's pass is not recorded
            loaded.model(input_ids=ids)
        assert not recorder.seen["block"].any()  # this thread's pass is changed and recorded
    finally:
        recorder.remove()
