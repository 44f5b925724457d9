"""The tiny models of `playground --demo` (see playground/demo.py), which the test suite builds too: GPT-2,
BERT-MLM, DistilBERT-classifier and Llama chat models made on this computer in about a minute, saved like Hub
models.

Real architectures and tokenizers, a few dozen training steps on a small corpus (so distributions are peaked
and the pictures mean something, not uniform noise); the playground loads them through the same code path as
`openai-community/gpt2` and friends.
`build_chinese_gpt2` is shaped like uer/gpt2-chinese-cluecorpussmall (GPT-2 with a BERT tokenizer).
`build_llama_chat` is a chat model: Llama's architecture (RoPE, grouped-query attention) with ChatML turns.
"""

from __future__ import annotations

import json
import string
import tempfile
from collections.abc import Sequence
from pathlib import Path

import torch
from tokenizers import ByteLevelBPETokenizer
from transformers import (
    BertConfig,
    BertForMaskedLM,
    BertForQuestionAnswering,
    BertTokenizer,
    DistilBertConfig,
    DistilBertForQuestionAnswering,
    DistilBertForSequenceClassification,
    DistilBertTokenizer,
    GPT2Config,
    GPT2LMHeadModel,
    GPT2Tokenizer,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedTokenizerFast,
)

from playground.demo import FOLDERS

CONTEXT = 64  # positions; small so that over-long inputs are cheap to test
CORPUS = [
    "The cat sat on the mat.",
    "Paris is the capital of France.",
    "Once upon a time, in a small village, there lived a teacher.",
    "The best way to learn a language is to speak it every day.",
    "I loved this film, the actors were wonderful.",
    "The food was cold and the service was slow.",
    "The quick brown fox jumps over the lazy dog.",
    "Students ask questions, and the model answers them.",
]
POSITIVE = [
    "I loved this film, the actors were wonderful.",
    "What a lovely day.",
    "The lesson was great fun.",
]
NEGATIVE = ["The food was cold and the service was slow.", "I hated the ending.", "The lesson was boring."]
CHINESE_CORPUS = [
    "今天天气很好。",
    "我们一起去公园散步吧。",
    "老师在教室里上课，学生认真听讲。",
    "北京是中国的首都。",
    "我喜欢学习语言模型。",
    "这是很久之前的事情了。",
]
CONVERSATIONS = [
    [("user", "Hello!"), ("assistant", "Hello! How can I help you?")],
    [("user", "What is the capital of France?"), ("assistant", "Paris is the capital of France.")],
    [("system", "You are a teacher."), ("user", "What is a cat?"), ("assistant", "A cat is a small animal.")],
    [("user", "Tell me a story."), ("assistant", "Once upon a time, there lived a teacher.")],
    [("system", "Answer in one word."), ("user", "Where did the cat sit?"), ("assistant", "Mat.")],
    [("user", "Thank you!"), ("assistant", "You are welcome.")],
    [("user", "How do I learn a language?"), ("assistant", "Speak it every day.")],
    [
        ("user", "Hello!"),
        ("assistant", "Hello! How can I help you?"),
        ("user", "Thank you!"),
        ("assistant", "You are welcome."),
    ],
]
# ChatML, as Qwen and SmolLM write turns; the generation prompt opens the assistant's turn.
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
TRAIN_STEPS = 80
WORDS = sorted({w.strip(".,").lower() for line in CORPUS + POSITIVE + NEGATIVE for w in line.split()})


def _word_piece_vocab() -> dict[str, int]:
    pieces = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    pieces += list(string.ascii_lowercase) + list(string.digits) + list(string.punctuation)
    pieces += ["##" + c for c in string.ascii_lowercase] + ["##ing", "##ed"] + WORDS
    return {piece: i for i, piece in enumerate(dict.fromkeys(pieces))}


def _chinese_vocab() -> dict[str, int]:
    """Single characters, as bert-base-chinese has them, plus a few Latin letters and word pieces."""
    pieces = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + sorted(set("".join(CHINESE_CORPUS)))
    pieces += list(string.ascii_lowercase) + ["##" + c for c in string.ascii_lowercase] + ["walk", "##ing"]
    return {piece: i for i, piece in enumerate(pieces)}


def build_gpt2(path: Path, seed: int = 0) -> Path:
    """A 2-layer GPT-2 with a byte-level BPE tokenizer trained on CORPUS."""
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(CORPUS * 4, vocab_size=400, min_frequency=1, special_tokens=["<|endoftext|>"])
    trained = json.loads(bpe._tokenizer.to_str())["model"]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split()) for m in trained["merges"]]
    tokenizer = GPT2Tokenizer(vocab=trained["vocab"], merges=merges, model_max_length=CONTEXT)
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=CONTEXT,
        n_embd=32,
        n_layer=2,
        n_head=2,
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    torch.manual_seed(seed)
    model = GPT2LMHeadModel(config)
    rows = [tokenizer(line)["input_ids"] for line in CORPUS]
    width = max(map(len, rows))
    input_ids = torch.tensor([row + [tokenizer.eos_token_id] * (width - len(row)) for row in rows])
    attention_mask = torch.tensor([[1] * len(row) + [0] * (width - len(row)) for row in rows])
    labels = input_ids.masked_fill(attention_mask == 0, -100)
    _train(model, lambda: {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels})
    _save(model, tokenizer, path)
    return path


def build_chinese_gpt2(path: Path, seed: int = 0) -> Path:
    """A 2-layer GPT-2 with a BERT tokenizer over single Chinese characters, like uer/gpt2-chinese-cluecorpussmall:
    [CLS]/[SEP]/[UNK], lower-casing, and no end-of-text token (the model never stops on its own). Trained on
    "[CLS] sentence [SEP]" rows, so it learns to write [SEP] after a sentence."""
    tokenizer = BertTokenizer(vocab=_chinese_vocab(), model_max_length=CONTEXT)
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=CONTEXT,
        n_embd=32,
        n_layer=2,
        n_head=2,
        bos_token_id=None,
        eos_token_id=None,
        tokenizer_class="BertTokenizer",
    )
    torch.manual_seed(seed)
    model = GPT2LMHeadModel(config)
    batch = tokenizer(CHINESE_CORPUS, padding=True, return_tensors="pt")
    labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
    _train(model, lambda: {**batch, "labels": labels})
    _save(model, tokenizer, path)
    return path


def build_llama_chat(path: Path, seed: int = 0, steps: int = 150) -> Path:
    """A 2-layer Llama (RoPE, 4 query heads sharing 2 key/value heads) with a byte-level BPE tokenizer and
    a ChatML chat template; `<|im_end|>` ends a turn and is the eos of tokenizer and generation config.
    Trained on CONVERSATIONS as the template writes them, so greedy replies look like answers and end."""
    messages = [[{"role": role, "content": content} for role, content in turns] for turns in CONVERSATIONS]
    rendered = [_render_chatml(conversation) for conversation in messages]
    tokenizer = chatml_tokenizer(rendered * 4, vocab_size=400, context=CONTEXT)
    torch.manual_seed(seed)
    model = LlamaForCausalLM(chat_llama_config(tokenizer, width=32, context=CONTEXT))
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    batch = tokenizer(rendered, add_special_tokens=False, padding=True, return_tensors="pt")
    labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
    _train(model, lambda: {**batch, "labels": labels}, steps=steps, lr=1e-2)
    _save(model, tokenizer, path)
    return path


def chatml_tokenizer(
    texts: list[str], vocab_size: int, context: int, min_frequency: int = 1
) -> PreTrainedTokenizerFast:
    """A byte-level BPE tokenizer trained on `texts` (a pair merged when it occurs `min_frequency` times), with
    ChatML's special tokens (`<|im_end|>` its eos, as Qwen2's tokenizer lists them) and CHATML_TEMPLATE."""
    bpe = ByteLevelBPETokenizer()
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    bpe.train_from_iterator(
        texts, vocab_size=vocab_size, min_frequency=min_frequency, special_tokens=specials
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=bpe._tokenizer,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        extra_special_tokens=["<|im_start|>", "<|im_end|>"],
        model_max_length=context,
        chat_template=CHATML_TEMPLATE,
    )


def chat_llama_config(tokenizer, width: int, context: int, heads: int = 4, kv_heads: int = 2) -> LlamaConfig:
    """A 2-layer Llama for a ChatML tokenizer: `<|im_end|>` ends generation, `<|endoftext|>` pads."""
    return LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=width,
        intermediate_size=2 * width,
        num_hidden_layers=2,
        num_attention_heads=heads,
        num_key_value_heads=kv_heads,
        max_position_embeddings=context,
        bos_token_id=None,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )


def _render_chatml(messages: list[dict[str, str]]) -> str:
    """A conversation as CHATML_TEMPLATE writes it (without the generation prompt)."""
    return "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)


def build_bert_mlm(path: Path, seed: int = 0, chinese: bool = False) -> Path:
    """A 2-layer BERT masked LM with a WordPiece vocabulary written here (English words, or, like
    bert-base-chinese, single Chinese characters)."""
    corpus = CHINESE_CORPUS if chinese else CORPUS
    tokenizer = BertTokenizer(
        vocab=_chinese_vocab() if chinese else _word_piece_vocab(), model_max_length=CONTEXT
    )
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=CONTEXT,
    )
    torch.manual_seed(seed)
    model = BertForMaskedLM(config)
    batch = tokenizer(corpus, padding=True, return_tensors="pt")
    special = torch.tensor(
        [
            tokenizer.get_special_tokens_mask(row, already_has_special_tokens=True)
            for row in batch["input_ids"].tolist()
        ]
    ).bool()

    def masked_batch():
        chosen = (torch.rand(batch["input_ids"].shape) < 0.25) & ~special
        return {
            **batch,
            "input_ids": batch["input_ids"].masked_fill(chosen, tokenizer.mask_token_id),
            "labels": batch["input_ids"].masked_fill(~chosen, -100),
        }

    _train(model, masked_batch)
    _save(model, tokenizer, path)
    return path


def build_distilbert_classifier(path: Path, seed: int = 0) -> Path:
    """A 2-layer DistilBERT sentiment classifier with NEGATIVE/POSITIVE labels."""
    tokenizer = DistilBertTokenizer(vocab=_word_piece_vocab(), model_max_length=CONTEXT)
    config = DistilBertConfig(
        vocab_size=len(tokenizer),
        dim=32,
        n_layers=2,
        n_heads=2,
        hidden_dim=64,
        max_position_embeddings=CONTEXT,
        id2label={0: "NEGATIVE", 1: "POSITIVE"},
        label2id={"NEGATIVE": 0, "POSITIVE": 1},
    )
    torch.manual_seed(seed)
    model = DistilBertForSequenceClassification(config)
    batch = tokenizer(POSITIVE + NEGATIVE, padding=True, return_tensors="pt")
    labels = torch.tensor([1] * len(POSITIVE) + [0] * len(NEGATIVE))
    _train(model, lambda: {**batch, "labels": labels})
    _save(model, tokenizer, path)
    return path


def _train(model, make_batch, steps: int = TRAIN_STEPS, lr: float = 3e-3) -> None:
    """A few AdamW steps on the corpus: enough to make the model's guesses peaked and sensible-looking."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    for _ in range(steps):
        model(**make_batch()).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()


def _save(model, tokenizer, path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)


# Extractive question answering: (context sentence, question, answer), the answer a span of the sentence.
QA_FACTS = [
    ("The cat sat on the mat.", "Where did the cat sit?", "on the mat"),
    ("Paris is the capital of France.", "What is the capital of France?", "Paris"),
    (
        "Once upon a time, in a small village, there lived a teacher.",
        "Who lived in the village?",
        "a teacher",
    ),
    (
        "The best way to learn a language is to speak it every day.",
        "How do you learn a language?",
        "speak it",
    ),
    ("The quick brown fox jumps over the lazy dog.", "What does the fox jump over?", "the lazy dog"),
    ("Students ask questions, and the model answers them.", "Who answers the questions?", "the model"),
    ("The food was cold and the service was slow.", "How was the food?", "cold"),
    ("Marie lives in London with her two dogs.", "Where does Marie live?", "London"),
    ("The lesson starts at nine in the morning.", "When does the lesson start?", "at nine"),
    ("Tom plays the piano every evening.", "What does Tom play?", "the piano"),
]
CHINESE_QA_FACTS = [
    ("北京是中国的首都。", "中国的首都是哪里？", "北京"),
    ("老师在教室里上课。", "老师在哪里上课？", "教室里"),
    ("小猫坐在垫子上。", "小猫坐在哪里？", "垫子上"),
    ("我们一起去公园散步。", "我们去哪里散步？", "公园"),
    ("今天天气很好。", "今天天气怎么样？", "很好"),
    ("小明喜欢学习语言模型。", "小明喜欢学习什么？", "语言模型"),
    ("巴黎是法国的首都。", "法国的首都是哪里？", "巴黎"),
    ("学生认真听讲。", "谁认真听讲？", "学生"),
]
QA_TRAIN_STEPS = 600
QA_LR = 1e-2


def build_distilbert_qa(
    path: Path, seed: int = 0, steps: int = QA_TRAIN_STEPS, context: int = CONTEXT, extra: Sequence[str] = ()
) -> Path:
    """A 2-layer DistilBERT extractive reader (start and end logits per token), like
    distilbert/distilbert-base-cased-distilled-squad, trained on QA_FACTS: contexts of two or three of the
    sentences, a question about one of them, the answer's span as the target."""
    vocab = _word_piece_vocab()
    words = {
        w.strip(".,?").lower() for context, question, _ in QA_FACTS for w in f"{context} {question}".split()
    }
    vocab |= {word: len(vocab) + i for i, word in enumerate(sorted(words - set(vocab)))}
    vocab |= {
        piece: len(vocab) + i for i, piece in enumerate(p for p in dict.fromkeys(extra) if p not in vocab)
    }
    tokenizer = DistilBertTokenizer(vocab=vocab, model_max_length=context)
    config = DistilBertConfig(
        vocab_size=len(tokenizer),
        dim=32,
        n_layers=2,
        n_heads=2,
        hidden_dim=64,
        dropout=0.0,
        attention_dropout=0.0,
        qa_dropout=0.0,
        max_position_embeddings=context,
    )
    torch.manual_seed(seed)
    model = DistilBertForQuestionAnswering(config)
    _train_qa(model, tokenizer, QA_FACTS, " ", seed, steps)
    _save(model, tokenizer, path)
    return path


def build_bert_qa_chinese(
    path: Path, seed: int = 0, steps: int = QA_TRAIN_STEPS, context: int = CONTEXT, extra: Sequence[str] = ()
) -> Path:
    """A 2-layer BERT extractive reader over single Chinese characters, shaped like
    uer/roberta-base-chinese-extractive-qa (BertForQuestionAnswering), trained on CHINESE_QA_FACTS."""
    vocab = _chinese_vocab()
    characters = set("".join(context + question for context, question, _ in CHINESE_QA_FACTS))
    vocab |= {c: len(vocab) + i for i, c in enumerate(sorted(characters - set(vocab)))}
    vocab |= {
        piece: len(vocab) + i for i, piece in enumerate(p for p in dict.fromkeys(extra) if p not in vocab)
    }
    tokenizer = BertTokenizer(vocab=vocab, model_max_length=context)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        max_position_embeddings=context,
    )
    torch.manual_seed(seed)
    model = BertForQuestionAnswering(config)
    _train_qa(model, tokenizer, CHINESE_QA_FACTS, "", seed, steps)
    _save(model, tokenizer, path)
    return path


def _train_qa(model, tokenizer, facts, joiner: str, seed: int, steps: int) -> None:
    """Batches of (question, context of 2-3 facts in a random order) with the answer's token span as target."""
    generator = torch.Generator().manual_seed(seed)

    def batch():
        questions, contexts, spans = [], [], []
        for _ in range(16):
            order = torch.randperm(len(facts), generator=generator)[
                : 2 + int(torch.randint(2, (1,), generator=generator))
            ]
            chosen = [facts[i] for i in order.tolist()]
            context = joiner.join(sentence for sentence, _, _ in chosen)
            _, question, answer = chosen[0 if len(questions) % 2 else -1]
            start = context.index(answer)
            questions.append(question)
            contexts.append(context)
            spans.append((start, start + len(answer)))
        encoded = tokenizer(
            questions, contexts, padding=True, return_offsets_mapping=True, return_tensors="pt"
        )
        starts, ends = [], []
        for row, (begin, end) in enumerate(spans):
            in_context = [i for i, s in enumerate(encoded.sequence_ids(row)) if s == 1]
            offsets = encoded["offset_mapping"][row].tolist()
            starts.append(next(i for i in in_context if offsets[i][0] <= begin < offsets[i][1]))
            ends.append(next(i for i in in_context if offsets[i][0] < end <= offsets[i][1]))
        inputs = {key: encoded[key] for key in tokenizer.model_input_names}
        return {**inputs, "start_positions": torch.tensor(starts), "end_positions": torch.tensor(ends)}

    _train(model, batch, steps=steps, lr=QA_LR)
    tokenizer.backend_tokenizer.no_padding()  # the batches' padding is not saved as the tokenizer's own


def build_all(root: Path) -> dict[str, Path]:
    """All the tiny models of the English demo under `root`, keyed by task, in the demo's folder names."""
    return {
        task: globals()[builder](root / folder, **options)
        for task, (folder, builder, options) in FOLDERS["en"].items()
    }


# --- An encoder-decoder that translates (Marian, as Helsinki-NLP/opus-mt-*) ------------------------------------

# English and Chinese sentences with their translations: word order changes between the languages (time and
# place come before the verb in Chinese, a relative clause before its noun, a question word stays in place).
PARALLEL = [
    ("I read a book in the library yesterday.", "我昨天在图书馆看书。"),
    ("Where is the train station?", "火车站在哪里？"),
    ("The book that I bought yesterday is very interesting.", "我昨天买的书很有意思。"),
    ("She goes to school by bus every morning.", "她每天早上坐公交车去学校。"),
    ("The cat is sleeping on the mat.", "猫在垫子上睡觉。"),
    ("Paris is the capital of France.", "巴黎是法国的首都。"),
    ("I like learning languages.", "我喜欢学习语言。"),
    ("The weather is very good today.", "今天天气很好。"),
    ("The teacher is teaching in the classroom.", "老师在教室里上课。"),
    ("We went to the park together.", "我们一起去了公园。"),
    ("My brother works in Beijing.", "我哥哥在北京工作。"),
    ("What is your name?", "你叫什么名字？"),
    ("I am a student.", "我是学生。"),
    ("Thank you very much.", "非常感谢。"),
    ("The model translates sentences.", "模型翻译句子。"),
    ("Students ask questions.", "学生问问题。"),
]


def _sentencepiece(path: Path, lines: list[str], vocab_size: int) -> list[str]:
    """A sentencepiece (unigram) model trained on `lines`, written to `path`; its pieces."""
    import io

    import sentencepiece

    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(lines * 4),
        model_writer=model,
        vocab_size=vocab_size,
        hard_vocab_limit=False,  # a small corpus has fewer pieces than asked for
        character_coverage=1.0,  # every Chinese character of the corpus is a piece
        model_type="unigram",
        unk_id=1,
        bos_id=-1,
        eos_id=0,
        pad_id=-1,
        minloglevel=2,
    )
    path.write_bytes(model.getvalue())
    processor = sentencepiece.SentencePieceProcessor(model_proto=model.getvalue())
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def build_marian(
    path: Path, seed: int = 0, source: str = "en", steps: int = 200, context: int = CONTEXT
) -> Path:
    """A 2+2-layer Marian translation model (English to Chinese, or Chinese to English with source="zh") with
    a MarianTokenizer over sentencepiece models trained on PARALLEL, laid out as Helsinki-NLP/opus-mt-en-zh:
    one vocabulary for both sides, </s> = 0, <unk> = 1, <pad> last and the decoder's start token. Trained on
    PARALLEL until it translates those sentences (and little else)."""
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    pairs = [(en, zh) for en, zh in PARALLEL] if source == "en" else [(zh, en) for en, zh in PARALLEL]
    sources, targets = [s for s, _ in pairs], [t for _, t in pairs]
    path.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        pieces = _sentencepiece(scratch / "source.spm", sources, 200)
        pieces += _sentencepiece(scratch / "target.spm", targets, 200)
        specials = ["</s>", "<unk>"]
        ordered = [p for p in dict.fromkeys(specials + pieces) if p not in ("<pad>",)]
        vocab = {piece: i for i, piece in enumerate(ordered + ["<pad>"])}
        (scratch / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        tokenizer = MarianTokenizer(
            source_spm=str(scratch / "source.spm"),
            target_spm=str(scratch / "target.spm"),
            vocab=str(scratch / "vocab.json"),
            source_lang=source,
            target_lang="zh" if source == "en" else "en",
            model_max_length=context,
        )
        tokenizer.save_pretrained(path)
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=64,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=128,
        decoder_ffn_dim=128,
        max_position_embeddings=context,
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    # as opus-mt's generation_config.json: never write <pad>, end with </s>, beam search by default
    model.generation_config.update(
        bad_words_ids=[[pad]],
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        pad_token_id=pad,
        num_beams=4,
    )
    batch = tokenizer(sources, text_target=targets, padding=True, return_tensors="pt")
    labels = batch["labels"].masked_fill(batch["labels"] == pad, -100)
    _train(model, lambda: {**batch, "labels": labels}, steps=steps, lr=3e-3)
    model.save_pretrained(path)
    return path
