""" "Show code": the plain PyTorch/transformers loop that reproduces a training of the Train tab, as text.

The code does what tasks/training.py does, in the same order (the same generator draws the new head, then
the batch order; dropout off), so run as it is it prints the same losses. `losses` holds them at the end.
"""

from __future__ import annotations

from collections.abc import Sequence

from playground.tasks.training import (
    END,
    MAX_CHAR_VOCAB,
    MAX_TOKENS,
    SIZES,
    Example,
    FineTuneSettings,
    TinySettings,
)
from playground.tasks.training_mlm import (
    INITIALIZER_RANGE,
    MAX_PIECES,
    MAX_WORD_VOCAB,
    MLM_SIZES,
    SPECIALS,
    MlmSettings,
)


def _rows(examples: Sequence[Example]) -> str:
    return "".join(f"    ({e.text!r}, {e.label!r}),\n" for e in examples)


def fine_tune_code(
    model_id: str,
    examples: Sequence[Example],
    settings: FineTuneSettings,
    labels: list[str],
    new_head: str | None,
    init_std: float,
    trained: list[str] | None,
) -> str:
    """The loop of one fine-tuning run. `new_head`: the path of the classifier layer replaced for new labels
    (None: the model's own labels); `trained`: the names of the parameters trained (None: all of them)."""
    train = [e for e in examples if not e.validation]
    validation = [e for e in examples if e.validation]
    lines = [
        f"# Fine-tune {model_id} on {len(train)} sentences: the same data, batches, order and seed as the Train tab.",
        "import torch",
        "import torch.nn.functional as F",
        "from transformers import AutoModelForSequenceClassification, AutoTokenizer",
        "",
        f"MODEL = {model_id!r}",
        "TRAIN = [  # (text, label)",
        _rows(train) + "]",
        "VALIDATION = [",
        _rows(validation) + "]",
        f"EPOCHS, LEARNING_RATE, BATCH_SIZE, SEED = {settings.epochs}, {settings.learning_rate!r}, "
        f"{settings.batch_size}, {settings.seed}",
        "",
        "tokenizer = AutoTokenizer.from_pretrained(MODEL)",
        "model = AutoModelForSequenceClassification.from_pretrained(MODEL, dtype=torch.float32)",
        "generator = torch.Generator().manual_seed(SEED)  # every random choice below comes from it",
    ]
    if new_head is not None:
        lines += [
            "",
            f"LABELS = {labels!r}  # not the model's own labels: a new head, one output per label",
            f"old = model.get_submodule({new_head!r})",
            "head = torch.nn.Linear(old.in_features, len(LABELS))",
            "with torch.no_grad():",
            f"    head.weight.normal_(0.0, {init_std!r}, generator=generator)",
            "    head.bias.zero_()",
            f"model.set_submodule({new_head!r}, head)",
            "model.config.num_labels = len(LABELS)",
            "model.config.id2label = dict(enumerate(LABELS))",
            "model.config.label2id = {label: i for i, label in enumerate(LABELS)}",
        ]
    if trained is None:
        lines += ["", "optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)"]
    else:
        lines += [
            "",
            f"TRAINED = {trained!r}  # the others stay as they are",
            "for name, parameter in model.named_parameters():",
            "    parameter.requires_grad_(name in TRAINED)",
            "optimizer = torch.optim.AdamW(",
            "    [p for name, p in model.named_parameters() if name in TRAINED], lr=LEARNING_RATE",
            ")",
        ]
    lines += [
        "model.eval()  # dropout off, so that the same seed gives the same losses (gradients flow all the same)",
        "",
        "",
        "def encode(texts):",
        f"    return tokenizer(texts, padding=True, truncation=True, max_length={MAX_TOKENS}, return_tensors='pt')",
        "",
        "",
        "texts = [text for text, _label in TRAIN]",
        "targets = torch.tensor([model.config.label2id[label] for _text, label in TRAIN])",
        "losses = []",
        "for epoch in range(1, EPOCHS + 1):",
        "    order = torch.randperm(len(TRAIN), generator=generator).tolist()  # a new order each epoch",
        "    for start in range(0, len(order), BATCH_SIZE):",
        "        batch = order[start : start + BATCH_SIZE]",
        "        logits = model(**encode([texts[i] for i in batch])).logits  # (batch, labels)",
        "        loss = F.cross_entropy(logits, targets[batch])",
        "        optimizer.zero_grad()",
        "        loss.backward()",
        "        optimizer.step()",
        "        losses.append(loss.item())",
        "        print(f'step {len(losses)}: loss {losses[-1]:.4f}')",
        "    if VALIDATION:",
        "        with torch.no_grad():",
        "            logits = model(**encode([text for text, _label in VALIDATION])).logits",
        "        predicted = [model.config.id2label[i] for i in logits.argmax(-1).tolist()]",
        "        correct = sum(p == label for p, (_text, label) in zip(predicted, VALIDATION))",
        "        print(f'epoch {epoch}: validation accuracy {correct / len(VALIDATION):.0%}')",
        "",
        "# model.save_pretrained('my-classifier'); tokenizer.save_pretrained('my-classifier')",
    ]
    return "\n".join(lines) + "\n"


def char_vocabulary_lines(text: str) -> list[str]:
    """The line that makes `chars`, the characters a character tokenizer keeps (training.char_vocabulary)."""
    if len(set(text)) <= MAX_CHAR_VOCAB:
        return ["chars = sorted(set(TEXT))"]
    return [
        f"# The text has {len(set(text)):,} different characters: the {MAX_CHAR_VOCAB:,} most frequent are kept.",
        f"chars = sorted(char for char, _count in Counter(TEXT).most_common({MAX_CHAR_VOCAB}))",
    ]


def tiny_code(
    text: str, settings: TinySettings, generation_model: str | None = None, batch_size: int | None = None
) -> str:
    """The loop of one tiny-GPT pretraining run (`generation_model`: the tokenizer's model, for
    tokenizer="generation"; `batch_size`: the windows per step the run took, if not the size's)."""
    size = SIZES[settings.size]
    batch_size = size.batch_size if batch_size is None else batch_size
    imports = []
    if settings.tokenizer == "characters":
        tokenizer = [
            "# One token per character of the text (and <|endoftext|> for any other).",
            f"END = {END!r}",
            *char_vocabulary_lines(text),
            "vocab = {END: 0, **{char: i + 1 for i, char in enumerate(chars)}}",
            "backend = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token=END))  # no merges: characters",
            "backend.decoder = decoders.Fuse()",
            "tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, eos_token=END, bos_token=END, "
            "unk_token=END)",
        ]
        imports += [
            "from tokenizers import Tokenizer, decoders, models",
            "from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast",
        ]
    else:
        tokenizer = [f"tokenizer = AutoTokenizer.from_pretrained({generation_model!r})"]
        imports = ["from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel"]
    lines = [
        f"# Pretrain a tiny GPT-2 ({settings.size}) from scratch on a text: next-token prediction.",
        *(["from collections import Counter"] if "Counter(" in "".join(tokenizer) else []),
        "import math",
        "",
        "import torch",
        "import torch.nn.functional as F",
        *imports,
        "",
        f"TEXT = {text!r}",
        f"STEPS, SEED, LEARNING_RATE = {settings.steps}, {settings.seed}, {settings.learning_rate!r}",
        f"N_LAYER, N_HEAD, N_EMBD = {size.n_layer}, {size.n_head}, {size.n_embd}",
        f"BLOCK_SIZE, BATCH_SIZE = {size.block_size}, {batch_size}  # tokens per sequence, sequences per step",
        "",
        *tokenizer,
        "ids = torch.tensor(tokenizer(TEXT, add_special_tokens=False).input_ids)",
        "",
        "config = GPT2Config(",
        "    vocab_size=len(tokenizer), n_positions=BLOCK_SIZE, n_embd=N_EMBD, n_layer=N_LAYER, n_head=N_HEAD,",
        "    resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,",
        "    bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,",
        ")",
        "model = GPT2LMHeadModel(config)",
        "generator = torch.Generator().manual_seed(SEED)  # every random choice below comes from it",
        "with torch.no_grad():  # GPT-2's initialisation, drawn from the generator",
        "    for name, parameter in model.named_parameters():",
        "        if '.ln_' in name or name.startswith('transformer.ln_f'):",
        "            parameter.fill_(1.0 if name.endswith('weight') else 0.0)",
        "        elif name.endswith('bias'):",
        "            parameter.zero_()",
        "        else:",
        "            std = 0.02 / math.sqrt(2 * N_LAYER) if name.endswith('c_proj.weight') else 0.02",
        "            parameter.normal_(0.0, std, generator=generator)",
        "model.eval()  # no dropout",
        "optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)",
        "",
        "losses = []",
        "for step in range(1, STEPS + 1):",
        "    # BATCH_SIZE random windows of the text; each token's target is the one after it",
        "    starts = torch.randint(len(ids) - BLOCK_SIZE - 1, (BATCH_SIZE,), generator=generator)",
        "    chunks = torch.stack([ids[s : s + BLOCK_SIZE + 1] for s in starts.tolist()])  # (B, T + 1)",
        "    logits = model(input_ids=chunks[:, :-1]).logits  # (B, T, vocab)",
        "    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), chunks[:, 1:].reshape(-1))",
        "    optimizer.zero_grad()",
        "    loss.backward()",
        "    optimizer.step()",
        "    losses.append(loss.item())",
        f"    if step % {settings.sample_every} == 0 or step == STEPS:",
        "        print(f'step {step}: loss {loss.item():.4f}, perplexity {math.exp(loss.item()):.1f}')",
        "",
        "prompt = ids[:1].unsqueeze(0)",
        f"out = model.generate(prompt, max_new_tokens={min(settings.sample_length, size.block_size - 1)}, "
        "do_sample=True, top_k=0, "
        "pad_token_id=0)",
        "print(tokenizer.decode(out[0], skip_special_tokens=True))",
    ]
    return "\n".join(lines) + "\n"


def mlm_code(
    text: str,
    settings: MlmSettings,
    probe: str,
    fill_mask_model: str | None = None,
    batch_size: int | None = None,
) -> str:
    """The loop of one tiny-BERT pretraining run, then its guesses for `probe` (`fill_mask_model`: the tokenizer's model, for
    tokenizer="fill-mask"; `batch_size`: the windows per step the run took, if not the size's)."""
    size = MLM_SIZES[settings.size]
    batch_size = size.batch_size if batch_size is None else batch_size
    bert_tokenizer = [
        "backend.post_processor = processors.TemplateProcessing(",
        "    single='[CLS] $A [SEP]', pair='[CLS] $A [SEP] $B [SEP]', special_tokens=[('[CLS]', 2), ('[SEP]', 3)]",
        ")",
        "tokenizer = PreTrainedTokenizerFast(",
        "    tokenizer_object=backend, pad_token='[PAD]', unk_token='[UNK]', cls_token='[CLS]', sep_token='[SEP]',",
        "    mask_token='[MASK]',",
        ")",
    ]
    if settings.tokenizer == "words":
        tokenizer = [
            "# BERT's special tokens, then the text's own words, read as bert-base-uncased reads: lowercased, split",
            "# at spaces and punctuation, each Chinese character a word of its own.",
            f"SPECIALS = {SPECIALS!r}",
            f"MAX_VOCAB, MAX_PIECES = {MAX_WORD_VOCAB}, {MAX_PIECES}",
            "backend = Tokenizer(models.WordPiece({'[UNK]': 0}, unk_token='[UNK]'))",
            "backend.normalizer = normalizers.BertNormalizer(lowercase=True, handle_chinese_chars=True, "
            "strip_accents=False)",
            "backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()",
            "normalized = backend.normalizer.normalize_str(TEXT)",
            "words = Counter(word for word, _span in backend.pre_tokenizer.pre_tokenize_str(normalized))",
            "starts, insides = Counter(), Counter()",
            "for word, count in words.items():",
            "    starts[word[0]] += count",
            "    for char in word[1:]:",
            "        insides[char] += count",
            "# The most frequent first and inside (##) characters spell any other word; then the words, whole.",
            "pieces = [c for c, _n in starts.most_common(MAX_PIECES)]",
            "pieces += ['##' + c for c, _n in insides.most_common(MAX_PIECES)]",
            "room = MAX_VOCAB - len(SPECIALS) - len(pieces)",
            "whole = [word for word, _n in words.most_common() if word not in set(pieces)][:room]",
            "vocab = {token: i for i, token in enumerate(SPECIALS + pieces + whole)}",
            "backend.model = models.WordPiece(vocab, unk_token='[UNK]')",
            "backend.add_special_tokens(SPECIALS)",
            "backend.decoder = decoders.WordPiece()",
            *bert_tokenizer,
        ]
        imports = [
            "from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors",
            "from transformers import (",
            "    BertConfig,",
            "    BertForMaskedLM,",
            "    DataCollatorForLanguageModeling,",
            "    PreTrainedTokenizerFast,",
            ")",
        ]
    elif settings.tokenizer == "characters":
        tokenizer = [
            "# BERT's special tokens, then one token per character of the text ([UNK] for any other).",
            f"SPECIALS = {SPECIALS!r}",
            *char_vocabulary_lines(text),
            "vocab = {**{t: i for i, t in enumerate(SPECIALS)}, **{c: i + len(SPECIALS) for i, c in enumerate(chars)}}",
            "backend = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token='[UNK]'))  # no merges: characters",
            "backend.add_special_tokens(SPECIALS)",
            "backend.decoder = decoders.Fuse()",
            *bert_tokenizer,
        ]
        imports = [
            "from tokenizers import Tokenizer, decoders, models, processors",
            "from transformers import (",
            "    BertConfig,",
            "    BertForMaskedLM,",
            "    DataCollatorForLanguageModeling,",
            "    PreTrainedTokenizerFast,",
            ")",
        ]
    else:
        tokenizer = [
            f"tokenizer = AutoTokenizer.from_pretrained({fill_mask_model!r})",
            "tokenizer.model_max_length = 10**30  # the whole text is encoded at once, then cut into windows",
        ]
        imports = [
            "from transformers import AutoTokenizer, BertConfig, BertForMaskedLM, DataCollatorForLanguageModeling"
        ]
    lines = [
        f"# Pretrain a tiny BERT ({settings.size}) from scratch on a text: the masked language model, as BERT was.",
        *(["from collections import Counter", ""] if "Counter(" in "".join(tokenizer) else []),
        "import torch",
        *imports,
        "",
        f"TEXT = {text!r}",
        f"STEPS, SEED, LEARNING_RATE = {settings.steps}, {settings.seed}, {settings.learning_rate!r}",
        f"MASK_PROBABILITY = {settings.mask_probability!r}  # BERT: 0.15 of the tokens are chosen",
        f"N_LAYER, N_HEAD, N_EMBD = {size.n_layer}, {size.n_head}, {size.n_embd}",
        f"BLOCK_SIZE, BATCH_SIZE = {size.block_size}, {batch_size}  # tokens per sequence, sequences per step",
        "",
        *tokenizer,
        "ids = torch.tensor(tokenizer(TEXT, add_special_tokens=False).input_ids)",
        "",
        "config = BertConfig(",
        "    vocab_size=len(tokenizer), hidden_size=N_EMBD, num_hidden_layers=N_LAYER, num_attention_heads=N_HEAD,",
        "    intermediate_size=4 * N_EMBD, max_position_embeddings=BLOCK_SIZE,",
        f"    initializer_range={INITIALIZER_RANGE!r},  # BERT's is 0.02: a tiny model learns sooner from a wider start",
        "    hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, pad_token_id=tokenizer.pad_token_id,",
        ")",
        "model = BertForMaskedLM(config)",
        "generator = torch.Generator().manual_seed(SEED)  # every random choice below comes from it",
        "with torch.no_grad():  # BERT's initialisation, drawn from the generator",
        "    for name, parameter in model.named_parameters():",
        "        if 'LayerNorm' in name:",
        "            parameter.fill_(1.0 if name.endswith('weight') else 0.0)",
        "        elif name.endswith('bias'):",
        "            parameter.zero_()",
        "        else:",
        "            parameter.normal_(0.0, config.initializer_range, generator=generator)",
        "model.eval()  # no dropout",
        "optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)",
        "# BERT's objective: MASK_PROBABILITY of the tokens are chosen; of those 80% become [MASK], 10% a random",
        "# token and 10% stay as they are. The model must predict the original token at each chosen place.",
        "collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=MASK_PROBABILITY, seed=SEED)",
        "",
        "LENGTH = BLOCK_SIZE - 2  # text tokens per sequence, between [CLS] and [SEP]",
        "losses = []",
        "for step in range(1, STEPS + 1):",
        "    starts = torch.randint(len(ids) - LENGTH + 1, (BATCH_SIZE,), generator=generator)",
        "    rows = [[tokenizer.cls_token_id, *ids[s : s + LENGTH].tolist(), tokenizer.sep_token_id] for s in starts.tolist()]",
        "    batch = collator(rows)  # input_ids with the chosen tokens masked; labels: -100 except at the chosen tokens",
        "    output = model(**batch)",
        "    chosen = batch['labels'] != -100",
        "    # the loss on the chosen tokens (0 if the collator chose none: nothing to learn from this batch)",
        "    loss = output.loss if chosen.any() else output.logits.sum() * 0.0",
        "    optimizer.zero_grad()",
        "    loss.backward()",
        "    optimizer.step()",
        "    losses.append(loss.item())",
        "    accuracy = (output.logits.argmax(-1)[chosen] == batch['labels'][chosen]).float().mean().item()",
        f"    if step % {settings.probe_every} == 0 or step == STEPS:",
        "        print(f'step {step}: loss {loss.item():.4f}, accuracy on the chosen tokens {accuracy:.0%}')",
        "",
        "# What the model guesses for a [MASK] now:",
        "from transformers import pipeline",
        "",
        "fill = pipeline('fill-mask', model=model, tokenizer=tokenizer)",
        f"print(fill({probe!r}))",
    ]
    return "\n".join(lines) + "\n"
