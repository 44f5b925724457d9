"""Inside the model: every number checked against the model's own modules, called independently here."""

from __future__ import annotations

import copy
import dataclasses
import threading
import types

import numpy as np
import pytest
import torch

from playground import api
from playground.models import LoadedModel, ModelManager, conv1d_as_linear
from playground.tasks import inside
from playground.tasks.generation import GenerationParams, generate
from playground.tasks.inside.adapters import parts_of
from playground.tasks.text import bytes_text
from playground.tasks.validation import InputError
from tests.tiny_models import tiny_roberta

TEXT = "The cat sat on the mat."
MASKED = "The cat sat on the [MASK]."
ATOL = 1e-5


@pytest.fixture(scope="module")
def chinese(chinese_gpt2_dir) -> LoadedModel:
    return ModelManager({"generation": chinese_gpt2_dir}, "cpu").get("generation")


@pytest.fixture(scope="module")
def roberta(tiny_model_dirs) -> LoadedModel:
    """A tiny untrained RoBERTa masked LM (BERT's WordPiece tokenizer: the adapter only needs the modules)."""
    return tiny_roberta(tiny_model_dirs["fill-mask"])


@pytest.fixture(scope="module")
def models(manager, chinese, roberta) -> dict[str, LoadedModel]:
    return {
        "gpt2": manager.get("generation"),
        "chinese-gpt2": chinese,
        "bert": manager.get("fill-mask"),
        "distilbert": manager.get("sentiment"),
        "llama": manager.get("chat"),
        "roberta": roberta,
    }


def reference(loaded: LoadedModel, ids: list[int]):
    """The model's own outputs for `ids`, from a plain forward pass with eager attention."""
    input_ids = torch.tensor([ids])
    with loaded.eager_attention() as model, torch.no_grad():
        return model(
            input_ids=input_ids,
            attention_mask=torch.ones_like(input_ids),
            output_attentions=True,
            output_hidden_states=True,
        )


def close(a, b, atol=ATOL) -> bool:
    return np.allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64), atol=atol)


# --- tokens ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["gpt2", "chinese-gpt2", "bert", "llama"])
def test_tokenize_equals_the_tokenizer_with_offsets(models, name):
    loaded = models[name]
    text = "The cat walking 今天"
    causal = name in ("gpt2", "chinese-gpt2", "llama")
    expected = loaded.tokenizer(text, add_special_tokens=not causal, return_offsets_mapping=True)
    result = inside.tokenize(loaded, text, 100)
    assert result.ids == expected["input_ids"]
    assert [t.piece for t in result.tokens] == loaded.tokenizer.convert_ids_to_tokens(expected["input_ids"])
    for token, (start, end) in zip(result.tokens, expected["offset_mapping"], strict=True):
        if token.special:
            assert (token.start, token.end) == (None, None)
        else:
            assert (token.start, token.end) == (start, end)
        assert "\ufffd" not in token.text
    assert [t.special for t in result.tokens] == (
        [False] * len(result.tokens) if causal else [True] + [False] * (len(result.tokens) - 2) + [True]
    )


def test_tokenize_shows_half_a_character_as_its_bytes(models):
    tokens = inside.tokenize(models["gpt2"], "今", 100).tokens
    assert "".join(t.text for t in tokens) == "<0xE4><0xBB><0x8A>"  # 今 is E4 BB 8A, one byte per token here
    assert bytes_text("a今".encode()[:3]) == "a<0xE4><0xBB>"
    assert bytes_text("a今".encode()) == "a今"
    chinese = inside.tokenize(models["chinese-gpt2"], "今天", 100).tokens
    assert [t.text for t in chinese] == ["今", "天"] and [t.start for t in chinese] == [0, 1]


def test_tokenize_json(models):
    result = api.tokenize_json(inside.tokenize(models["bert"], TEXT, 100))
    assert result["model"] == models["bert"].model_id
    assert set(result["tokens"][0]) == {"id", "piece", "text", "start", "end", "special"}
    assert result["tokens"][0]["piece"] == "[CLS]" and result["tokens"][1]["text"] == "The"


# --- embeddings -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["gpt2", "llama", "bert", "distilbert", "roberta"])
def test_embeddings_sum_is_the_input_of_layer_one(models, name):
    loaded = models[name]
    result = inside.embeddings(loaded, TEXT, 100, 64)
    outputs = reference(loaded, result.ids)
    assert close(result.layer_input, outputs.hidden_states[0][0])
    parts = parts_of(loaded.model)
    assert close(result.token, parts.token_embedding.weight[result.ids].detach())
    if name in ("gpt2", "llama"):
        assert close(result.sum, result.layer_input) and result.after_norm is None
    else:  # post-norm encoders: LayerNorm(sum) is the layer input
        assert close(result.after_norm, result.layer_input)
        assert close(parts.embedding_norm(torch.tensor(result.sum)).detach(), result.layer_input)
    assert result.rotary == (name == "llama")
    if name == "llama":
        assert result.position is None and result.position_matrix is None and result.position_note
    else:
        assert result.position_matrix.shape == (64, result.sum.shape[1])
        assert close(result.position_matrix, parts.position_embedding.weight[:64].detach())
    if name == "gpt2":
        assert close(result.position, parts.position_embedding.weight[: len(result.ids)].detach())
    assert result.similarity.shape == (len(result.ids),) * 2 and close(np.diag(result.similarity), 1)


# --- one head, step by step --------------------------------------------------------------------------


def independent_qkv(loaded: LoadedModel, outputs, layer: int, head: int):
    """x, q, k, v of (layer, head), 1-based, by calling the model's own modules on the layer's input."""
    model, h = loaded.model, head - 1
    block_input = outputs.hidden_states[layer - 1]
    kind = model.config.model_type
    with torch.no_grad():
        if kind == "gpt2":
            block = model.transformer.h[layer - 1]
            x = block.ln_1(block_input)
            q, k, v = block.attn.c_attn(x).split(model.config.n_embd, dim=-1)
            d_k, kv = block.attn.head_dim, h
        elif kind == "llama":
            block = model.model.layers[layer - 1]
            x = block.input_layernorm(block_input)
            attention = block.self_attn
            d_k = attention.head_dim
            q, k, v = attention.q_proj(x), attention.k_proj(x), attention.v_proj(x)
            position_ids = torch.arange(x.shape[1])[None]
            cos, sin = model.model.rotary_emb(x, position_ids)
            module = __import__(type(attention).__module__, fromlist=["apply_rotary_pos_emb"])
            shape = lambda t: t.view(1, x.shape[1], -1, d_k).transpose(1, 2)  # noqa: E731
            q, k = module.apply_rotary_pos_emb(shape(q), shape(k), cos, sin)
            v = shape(v)
            kv = h // attention.num_key_value_groups
            return x[0], q[0, h], k[0, kv], v[0, kv], kv
        elif kind in ("bert", "roberta"):
            attention = model.base_model.encoder.layer[layer - 1].attention.self
            x = block_input
            q, k, v = attention.query(x), attention.key(x), attention.value(x)
            d_k, kv = attention.attention_head_size, h
        else:  # distilbert
            attention = model.base_model.transformer.layer[layer - 1].attention
            x = block_input
            q, k, v = attention.q_lin(x), attention.k_lin(x), attention.v_lin(x)
            d_k, kv = attention.attention_head_size, h
    one = lambda t: t[0].view(x.shape[1], -1, d_k)[:, h]  # noqa: E731
    return x[0], one(q), one(k), one(v), kv


@pytest.mark.parametrize("name", ["gpt2", "chinese-gpt2", "bert", "distilbert", "llama", "roberta"])
@pytest.mark.parametrize("layer,head", [(1, 1), (2, -1)])
def test_head_step_is_the_model_s_own_computation(models, name, layer, head):
    loaded = models[name]
    text = "今天天气很好。" if name == "chinese-gpt2" else TEXT
    head = parts_of(loaded.model).num_heads if head == -1 else head
    step = inside.head_step(loaded, text, 100, 64, layer, head)
    outputs = reference(loaded, step.ids)
    x, q, k, v, kv = independent_qkv(loaded, outputs, layer, head)
    assert close(step.x, x) and close(step.q, q) and close(step.k, k) and close(step.v, v)
    assert step.kv_head == kv + 1 and step.q.shape == (len(step.ids), step.d_k)
    assert close(step.weights, outputs.attentions[layer - 1][0, head - 1])
    assert close(step.scores, step.q @ step.k.T / np.sqrt(step.d_k))
    masked_scores = torch.tensor(np.where(step.masked, -np.inf, step.scores))
    assert close(masked_scores.softmax(-1), step.weights)
    assert close(step.head_output, step.weights @ step.v)
    assert close(step.residual, outputs.hidden_states[layer - 1][0].numpy() + step.attention_output)
    if name in ("gpt2", "chinese-gpt2", "llama"):
        assert step.masked[0, 1] and not step.masked[1, 0] and step.causal
    else:
        assert not step.masked.any() and step.residual_after_norm is not None


def test_grouped_query_heads_share_key_value_heads(models):
    steps = [inside.head_step(models["llama"], TEXT, 100, 64, 1, head) for head in (1, 2, 3, 4)]
    assert [s.kv_head for s in steps] == [1, 1, 2, 2] and steps[0].num_kv_heads == 2
    assert close(steps[0].k, steps[1].k) and not close(steps[0].q, steps[1].q)


def test_gpt2_with_conv1d_as_linear_reads_the_same(models):
    original = models["gpt2"]
    model = copy.deepcopy(original.model)
    conv1d_as_linear(model)
    linear = dataclasses.replace(original, model=model, lock=threading.Lock())
    a = inside.head_step(original, TEXT, 100, 64, 2, 2)
    b = inside.head_step(linear, TEXT, 100, 64, 2, 2)
    assert isinstance(model.transformer.h[0].attn.c_attn, torch.nn.Linear)
    for name in ("x", "q", "k", "v", "scores", "weights", "head_output", "attention_output"):
        assert close(getattr(a, name), getattr(b, name)), name


def test_inside_json(models):
    step = inside.head_step(models["gpt2"], TEXT, 100, 64, 1, 2)
    result = api.inside_json(step)
    assert list(result) == [
        "model",
        "tokens",
        "ids",
        "layer",
        "head",
        "d_k",
        "q",
        "k",
        "v",
        "scores",
        "masked",
        "weights",
        "head_output",
    ]
    T = len(step.ids)
    assert (result["layer"], result["head"], result["d_k"]) == (1, 2, 16)
    assert np.array(result["q"]).shape == (T, 16) and np.array(result["scores"]).shape == (T, T)
    assert result["masked"][0][1] is True and close(result["weights"], step.weights, 1e-6)


# --- the block -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["gpt2", "bert", "llama"])
def test_block_residual_norms_and_neurons(models, name):
    loaded = models[name]
    parts = parts_of(loaded.model)
    result = inside.block(loaded, TEXT, 100, 64, layer=2, position=3, top_n=5)
    outputs = reference(loaded, result.ids)
    assert result.residual_norms.shape == (parts.num_layers + 1, len(result.ids))
    for layer in range(parts.num_layers):  # the last hidden state may be after the final norm
        assert close(result.residual_norms[layer], outputs.hidden_states[layer][0].norm(dim=-1))
    if name == "bert":  # post-norm: the last hidden state is the last block's output
        assert close(result.residual_norms[-1], outputs.hidden_states[-1][0].norm(dim=-1))
    seen = []
    handle = parts.layers[1].mlp_down.register_forward_pre_hook(lambda m, args: seen.append(args[0][0, 3]))
    try:
        reference(loaded, result.ids)
    finally:
        handle.remove()
    activations = seen[0]
    assert result.num_neurons == activations.numel() and len(result.neurons) == 5
    assert [n.index for n in result.neurons] == activations.abs().topk(5).indices.tolist()
    assert close([n.activation for n in result.neurons], activations[[n.index for n in result.neurons]])


# --- logit lens ------------------------------------------------------------------------------------


def top(logits: torch.Tensor, k: int) -> tuple[list[list[int]], np.ndarray]:
    probs, ids = logits.softmax(-1).topk(k, dim=-1)
    return ids.tolist(), probs.numpy()


def lens_ids_and_scores(layer) -> tuple[list[list[int]], np.ndarray]:
    return [[p.token for p in row] for row in layer], np.array([[p.score for p in row] for row in layer])


@pytest.mark.parametrize("name", ["gpt2", "chinese-gpt2", "llama"])
def test_logit_lens_of_a_causal_model(models, name):
    loaded = models[name]
    text = "今天天气很好。" if name == "chinese-gpt2" else TEXT
    lens = inside.logit_lens(loaded, text, 100, 64, top_k=3)
    outputs = reference(loaded, lens.ids)
    parts = parts_of(loaded.model)
    assert lens.positions == list(range(len(lens.ids))) and len(lens.layers) == parts.num_layers + 1
    ids, probs = top(outputs.logits[0], 3)  # the last layer is the model's own output
    assert lens_ids_and_scores(lens.layers[-1])[0] == ids and close(
        lens_ids_and_scores(lens.layers[-1])[1], probs
    )
    with torch.no_grad():  # a middle layer: the final norm and the unembedding of its residual stream
        norm = loaded.model.transformer.ln_f if name != "llama" else loaded.model.model.norm
        middle = loaded.model.lm_head(norm(outputs.hidden_states[1][0]))
    ids, probs = top(middle, 3)
    assert lens_ids_and_scores(lens.layers[1])[0] == ids and close(
        lens_ids_and_scores(lens.layers[1])[1], probs
    )
    assert lens.layers[0][0][0].token_str == loaded.tokenizer.decode([lens.layers[0][0][0].token])


@pytest.mark.parametrize("name", ["bert", "roberta"])
def test_logit_lens_at_the_masks(models, name):
    loaded = models[name]
    lens = inside.logit_lens(loaded, "The ___ sat on the [MASK].", 100, 64, top_k=4)
    mask_id = loaded.tokenizer.mask_token_id
    assert lens.positions == [i for i, t in enumerate(lens.ids) if t == mask_id] and len(lens.positions) == 2
    outputs = reference(loaded, lens.ids)
    ids, probs = top(outputs.logits[0, lens.positions], 4)
    assert lens_ids_and_scores(lens.layers[-1])[0] == ids and close(
        lens_ids_and_scores(lens.layers[-1])[1], probs
    )
    head = loaded.model.cls if name == "bert" else loaded.model.lm_head
    with torch.no_grad():
        ids, probs = top(head(outputs.hidden_states[1][0, lens.positions]), 4)
    assert lens_ids_and_scores(lens.layers[1])[0] == ids and close(
        lens_ids_and_scores(lens.layers[1])[1], probs
    )
    result = api.logit_lens_json(lens)
    assert result["positions"] == lens.positions and set(result["layers"][0][0][0]) == {
        "token",
        "token_str",
        "score",
    }


def test_logit_lens_refusals(models):
    with pytest.raises(InputError, match="predicts tokens"):
        inside.logit_lens(models["distilbert"], TEXT, 100, 64)
    with pytest.raises(InputError, match=r"no \[MASK\]"):
        inside.logit_lens(models["bert"], TEXT, 100, 64)
    with pytest.raises(InputError, match="Top-k must be a whole number between 1 and 50; got 0"):
        inside.logit_lens(models["gpt2"], TEXT, 100, 64, top_k=0)


# --- limits and refusals ------------------------------------------------------------------------------


def test_long_texts_are_cut_with_a_notice(models):
    step = inside.head_step(models["gpt2"], "the cat sat on the mat " * 20, 2000, 16, 1, 1)
    assert len(step.ids) == 16 and step.weights.shape == (16, 16)
    assert "only the first 16 were used" in str(step.notices[0])
    assert len(inside.tokenize(models["bert"], "the cat " * 50, 2000).tokens) == 64


def test_bad_layer_head_and_position_are_refused_with_sentences(models):
    gpt2 = models["gpt2"]
    with pytest.raises(InputError, match="Layer must be a whole number between 1 and 2; got 3"):
        inside.head_step(gpt2, TEXT, 100, 64, 3, 1)
    with pytest.raises(InputError, match="Head must be a whole number between 1 and 2; got 0"):
        inside.head_step(gpt2, TEXT, 100, 64, 1, 0)
    with pytest.raises(InputError, match="The token position must be a whole number between 0 and"):
        inside.block(gpt2, TEXT, 100, 64, 1, position=99)
    with pytest.raises(InputError, match="empty"):
        inside.head_step(gpt2, "  ", 100, 64)


def test_an_unknown_architecture_is_one_sentence(models):
    fake = types.SimpleNamespace(config=types.SimpleNamespace(model_type="t5"))
    unknown = dataclasses.replace(models["gpt2"], model=fake, lock=threading.Lock())
    with pytest.raises(InputError) as error:
        inside.head_step(unknown, TEXT, 100, 64)
    assert str(error.value).startswith(
        "The Inside views know GPT-2, BERT, RoBERTa, DistilBERT, Llama, Qwen2 and Marian"
    )
    assert "t5" in str(error.value)


# --- hooks never leak --------------------------------------------------------------------------------


def hooks(model: torch.nn.Module) -> dict[str, int]:
    """How many forward (pre-)hooks each module has (transformers keeps some of its own)."""
    return {
        name: len(m._forward_hooks) + len(m._forward_pre_hooks)
        for name, m in model.named_modules()
        if m._forward_hooks or m._forward_pre_hooks
    }


def test_hooks_are_removed_even_when_the_forward_pass_fails(models):
    loaded = models["gpt2"]
    before = hooks(loaded.model)
    inside.head_step(loaded, TEXT, 100, 64, 1, 1)
    inside.block(loaded, TEXT, 100, 64, 2)
    assert hooks(loaded.model) == before
    with pytest.raises(IndexError):  # an id outside the vocabulary fails inside the model
        with inside._hooked(loaded, [10**6], lambda r, p: r.output("token", p.token_embedding)):
            pass
    assert hooks(loaded.model) == before and not loaded.lock.locked()


# --- every view from one pass ---------------------------------------------------------------------


def same(a, b) -> bool:
    """Two results of the views equal field by field (arrays within float tolerance)."""
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            if not (x.shape == y.shape and (x.dtype == bool and (x == y).all() or close(x, y))):
                return False
        elif dataclasses.is_dataclass(x) or isinstance(x, list) and x and dataclasses.is_dataclass(x[0]):
            if repr(x) != repr(y) and not all(same(i, j) for i, j in zip(x, y, strict=True)):
                return False
        elif x != y and f.name != "notices":
            return False
    return True


@pytest.mark.parametrize("name", ["gpt2", "bert", "distilbert", "llama", "roberta"])
def test_one_pass_gives_what_each_view_gives_alone(models, name):
    loaded = models[name]
    text = MASKED.replace("[MASK]", loaded.tokenizer.mask_token or "[MASK]")
    view = inside.look(loaded, text, 100, 64, layer=2, head=2, position=3, top_n=5)
    assert same(view.tokens, inside.tokenize(loaded, text, 100, 64))
    assert same(view.embeddings, inside.embeddings(loaded, text, 100, 64))
    assert same(view.head, inside.head_step(loaded, text, 100, 64, 2, 2))
    assert same(view.block, inside.block(loaded, text, 100, 64, 2, 3, 5))
    nudged = dataclasses.replace(view.head, scores=view.head.scores + 1e-3)
    assert not same(view.head, nudged)  # the comparison can fail
    if name == "distilbert":  # a classifier: no lens, one sentence instead
        assert view.lens is None and "labels" in str(view.lens_error)
    else:
        alone = inside.logit_lens(loaded, text, 100, 64)
        assert view.lens.positions == alone.positions and repr(view.lens.layers) == repr(alone.layers)


def test_one_pass_lens_columns_and_default_position(models):
    loaded = models["gpt2"]
    view = inside.look(loaded, TEXT, 100, 64, lens_columns=3)
    n = len(view.tokens.ids)
    assert view.lens.positions == [n - 3, n - 2, n - 1] and view.block.position == n - 1
    alone = inside.logit_lens(loaded, TEXT, 100, 64)
    assert repr(view.lens.layers) == repr([layer[-3:] for layer in alone.layers])  # the same numbers
    assert inside.look(loaded, TEXT, 100, 64, lens_columns=0).lens is None
    assert inside.look(loaded, TEXT, 100, 64, position=999).block.position == n - 1  # stale: the default
    bert = inside.look(models["bert"], "The cat sat.", 100, 64)  # [CLS] ... [SEP]: the last word
    assert bert.block.position == len(bert.tokens.ids) - 2 and "MASK" in str(bert.lens_error)


def test_generation_beside_inside_is_unchanged(models):
    loaded = models["gpt2"]
    params = GenerationParams(max_new_tokens=12, temperature=1.0, seed=3)
    before = hooks(loaded.model)
    solo = generate(loaded, "The cat", params, 100, 60).generated_texts
    stop, errors = threading.Event(), []

    def look_inside():
        try:
            while not stop.is_set():
                inside.head_step(loaded, TEXT, 100, 64, 2, 1)
                inside.logit_lens(loaded, TEXT, 100, 64)
                inside.look(loaded, TEXT, 100, 64, 2, 1)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    thread = threading.Thread(target=look_inside)
    thread.start()
    try:
        beside = [generate(loaded, "The cat", params, 100, 60).generated_texts for _ in range(3)]
    finally:
        stop.set()
        thread.join()
    assert not errors and beside == [solo] * 3 and hooks(loaded.model) == before


def test_refusals_read_in_chinese(models):
    from playground.i18n import using

    with pytest.raises(InputError) as error:
        inside.head_step(models["gpt2"], TEXT, 100, 64, 3, 1)
    with using("zh"):
        assert str(error.value) == "层：必须是 1 到 2 之间的整数，现在是 3。"
    with pytest.raises(InputError) as error:
        inside.logit_lens(models["distilbert"], TEXT, 100, 64)
    with using("zh"):
        assert "logit lens 需要一个预测词元的模型" in str(error.value)
    with using("zh"):
        assert "旋转位置编码" in str(inside.embeddings(models["llama"], TEXT, 100, 64).position_note)
