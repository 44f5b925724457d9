"""The models of `playground --demo` (see playground/demo.py): small GPT-2, BERT, DistilBERT and Llama chat
models trained on this computer, on first start, from the texts that ship in playground/demo_texts/ (written
for the project), with the same few-line AdamW loop as the test suite's tiny models (tiny_models._train).

They are worth a first look, not models of the world: a context of 256 positions, vocabularies that hold every
word (en) and character (zh) of the page's built-in examples and the Train tab's sentences, and a few hundred
steps each, so that the GPT continues the examples with words of its texts, the BERT fills obvious blanks, the
classifier gets its own examples right (and its encoder already tells sports, food and school apart, so that
fine-tuning with the page's defaults learns the topics), and the chat model answers the questions it was
taught in its template. The test suite keeps the smaller, faster models of playground/tiny_models.py.
"""

from __future__ import annotations

import json
import random
import re
import string
from pathlib import Path

import torch
from tokenizers import ByteLevelBPETokenizer
from transformers import (
    BertConfig,
    BertForMaskedLM,
    BertTokenizer,
    DistilBertConfig,
    DistilBertForSequenceClassification,
    DistilBertTokenizer,
    GPT2Config,
    GPT2LMHeadModel,
    GPT2Tokenizer,
    LlamaForCausalLM,
)

from playground import tiny_models
from playground.tasks import training

TEXTS = Path(__file__).resolve().parent / "demo_texts"
CONTEXT = 256  # positions of every demo model
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def text_lines(name: str) -> list[str]:
    """The non-empty lines of a shipped text, without comments."""
    lines = (TEXTS / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def labelled(name: str) -> list[tuple[str, str]]:
    """(text, label) rows of a shipped file of "text,label" lines (the label after the last comma)."""
    return [tuple(line.rsplit(",", 1)) for line in text_lines(name)[1:]]


def chat_pairs() -> list[tuple[str, str]]:
    return [tuple(line.split("\t")) for line in text_lines("chat.txt")]


def is_chinese(text: str) -> bool:
    return bool(CJK.search(text))


def all_texts(language: str) -> list[str]:
    """Every shipped text of a language (and the Train tab's sentences and story): what the vocabularies hold."""
    pick = (lambda t: is_chinese(t)) if language == "zh" else (lambda t: not is_chinese(t))
    texts = text_lines(f"{language}.txt") + text_lines(f"vocabulary_{language}.txt")
    texts += [t for t, _ in labelled("sentiment.csv") + labelled("topics.csv") if pick(t)]
    texts += [t for pair in chat_pairs() for t in pair if pick(t)]
    texts += [e.text for e in training.builtin_examples(language)] + [training.builtin_text(language)]
    return texts


def lesson_texts(language: str) -> list[str]:
    """Every text a Lessons step's "Try it" puts into a tab for the models of `language` (its inputs)."""
    from playground import lessons

    steps = [step for lesson in lessons.all_lessons() for step in lesson.steps]
    return [value for step in steps for value in step.inputs_for(language).values() if isinstance(value, str)]


def english_vocab() -> dict[str, int]:
    """WordPiece pieces: every word of the English texts whole, and letters and digits to spell any other."""
    words = sorted({w.lower() for text in all_texts("en") for w in re.findall(r"[A-Za-z]+|\d+", text)})
    pieces = SPECIALS + list(string.ascii_lowercase) + list(string.digits) + list(string.punctuation)
    pieces += ["##" + c for c in string.ascii_lowercase + string.digits] + ["##s", "##ing", "##ed"] + words
    return {piece: i for i, piece in enumerate(dict.fromkeys(pieces))}


def chinese_vocab() -> dict[str, int]:
    """Single characters, as bert-base-chinese has them (every character of the Chinese texts and of the
    lessons' Chinese inputs), Chinese punctuation, letters and digits."""
    texts = all_texts("zh") + lesson_texts("zh")  # the lessons' too: their Try it opens the tabs with them
    characters = sorted({c for text in texts for c in text if not c.isspace() and not c.isascii()})
    pieces = SPECIALS + list(string.ascii_lowercase) + list(string.digits) + list(string.punctuation)
    pieces += ["##" + c for c in string.ascii_lowercase + string.digits] + characters
    return {piece: i for i, piece in enumerate(dict.fromkeys(pieces))}


def both_vocab() -> dict[str, int]:
    vocab = english_vocab()
    return vocab | {p: len(vocab) + i for i, p in enumerate(p for p in chinese_vocab() if p not in vocab)}


def _rows(tokenizer, rows: list[list[int]], pad: int) -> dict:
    """Rows of ids padded into a batch, with labels that skip the padding."""
    width = max(map(len, rows))
    input_ids = torch.tensor([row + [pad] * (width - len(row)) for row in rows])
    attention_mask = torch.tensor([[1] * len(row) + [0] * (width - len(row)) for row in rows])
    return {"input_ids": input_ids, "attention_mask": attention_mask}


def _sampler(batch: dict, size: int, seed: int, extra=None):
    """A function giving a random batch of `size` rows of `batch` (with labels = input_ids off the padding)."""
    generator = torch.Generator().manual_seed(seed)

    def make():
        chosen = torch.randint(len(batch["input_ids"]), (size,), generator=generator)
        picked = {key: value[chosen] for key, value in batch.items()}
        picked["labels"] = picked["input_ids"].masked_fill(picked["attention_mask"] == 0, -100)
        return picked

    return make


# --- GPT -----------------------------------------------------------------------------------------------------


def build_gpt2(path: Path, seed: int = 0, steps: int = 300) -> Path:
    """A 2-layer GPT-2 with a byte-level BPE tokenizer whose vocabulary holds every word of the English texts
    whole; trained on the lines of en.txt, each ending with <|endoftext|>."""
    texts = all_texts("en")
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(texts, vocab_size=4000, min_frequency=1, special_tokens=["<|endoftext|>"])
    trained = json.loads(bpe._tokenizer.to_str())["model"]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split()) for m in trained["merges"]]
    tokenizer = GPT2Tokenizer(vocab=trained["vocab"], merges=merges, model_max_length=CONTEXT)
    eos = tokenizer.eos_token_id
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=CONTEXT,
        n_embd=64,
        n_layer=2,
        n_head=4,
        bos_token_id=eos,
        eos_token_id=eos,
    )
    torch.manual_seed(seed)
    model = GPT2LMHeadModel(config)
    lines = text_lines("en.txt")
    batch = _rows(tokenizer, [tokenizer(line)["input_ids"] + [eos] for line in lines], eos)
    tiny_models._train(model, _sampler(batch, 32, seed), steps=steps, lr=1e-2)
    tiny_models._save(model, tokenizer, path)
    return path


def build_chinese_gpt2(path: Path, seed: int = 0, steps: int = 300) -> Path:
    """A 2-layer GPT-2 with a BERT tokenizer over single characters, as uer/gpt2-chinese-cluecorpussmall
    (no end-of-text token: [SEP] ends a sentence); trained on "line [SEP]" rows of zh.txt."""
    tokenizer = BertTokenizer(vocab=chinese_vocab(), model_max_length=CONTEXT)
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=CONTEXT,
        n_embd=64,
        n_layer=2,
        n_head=4,
        bos_token_id=None,
        eos_token_id=None,
        tokenizer_class="BertTokenizer",
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
    )
    torch.manual_seed(seed)
    model = GPT2LMHeadModel(config)
    sep = tokenizer.sep_token_id  # the page reads prompts without [CLS]: rows are "line [SEP]"
    rows = [tokenizer(line, add_special_tokens=False)["input_ids"] + [sep] for line in text_lines("zh.txt")]
    batch = _rows(tokenizer, rows, tokenizer.pad_token_id)
    tiny_models._train(model, _sampler(batch, 32, seed), steps=steps, lr=1e-2)
    tiny_models._save(model, tokenizer, path)
    return path


# --- BERT ----------------------------------------------------------------------------------------------------


def build_bert_mlm(path: Path, seed: int = 0, chinese: bool = False, steps: int = 300) -> Path:
    """A 2-layer BERT masked LM with a WordPiece vocabulary of the texts' words (or, as bert-base-chinese,
    characters), trained on the lines of en.txt (zh.txt) with 20% of their tokens masked."""
    tokenizer = BertTokenizer(vocab=chinese_vocab() if chinese else english_vocab(), model_max_length=CONTEXT)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=128,
        max_position_embeddings=CONTEXT,
    )
    torch.manual_seed(seed)
    model = BertForMaskedLM(config)
    batch = tokenizer(text_lines("zh.txt" if chinese else "en.txt"), padding=True, return_tensors="pt")
    special = torch.tensor(
        [
            tokenizer.get_special_tokens_mask(row, already_has_special_tokens=True)
            for row in batch["input_ids"].tolist()
        ]
    ).bool() | (batch["attention_mask"] == 0)
    generator = torch.Generator().manual_seed(seed)

    def masked_batch():
        chosen = (torch.rand(batch["input_ids"].shape, generator=generator) < 0.2) & ~special
        return {
            **batch,
            "input_ids": batch["input_ids"].masked_fill(chosen, tokenizer.mask_token_id),
            "labels": batch["input_ids"].masked_fill(~chosen, -100),
        }

    tiny_models._train(model, masked_batch, steps=steps, lr=5e-3)
    tiny_models._save(model, tokenizer, path)
    return path


# --- the classifier -----------------------------------------------------------------------------------------

FEATURE_SCALE = (
    8.0  # the head's features are made this much larger (the model's answers unchanged): see below
)
HEAD_STD = 1e-3  # a new head for new labels starts this close to zero (config.initializer_range)


def train_tab_topics() -> list[tuple[str, str]]:
    """The Train tab's training sentences (never its validation ones) with their topics in English: a stand-in
    for the pretraining that gives a real BERT features in which topics already lie apart."""
    names = {"体育": "sports", "美食": "food", "学校": "school"}
    return [
        (example.text, names.get(example.label, example.label))
        for language in ("en", "zh")
        for example in training.builtin_examples(language)
        if not example.validation
    ]


def build_classifier(path: Path, seed: int = 0, steps: int = 200) -> Path:
    """A 2-layer DistilBERT sentiment classifier (NEGATIVE/POSITIVE) reading English and Chinese, trained on
    sentiment.csv; alongside, a second head learns to tell the topics of topics.csv (sports, food, school:
    other sentences than the Train tab's) from the same features, so that a new head fine-tuned on the Train
    tab's sentences finds the topics already told apart. That second head is not saved."""
    tokenizer = DistilBertTokenizer(vocab=both_vocab(), model_max_length=CONTEXT)
    config = DistilBertConfig(
        vocab_size=len(tokenizer),
        dim=64,
        n_layers=2,
        n_heads=4,
        hidden_dim=128,
        max_position_embeddings=CONTEXT,
        id2label={0: "NEGATIVE", 1: "POSITIVE"},
        label2id={"NEGATIVE": 0, "POSITIVE": 1},
        initializer_range=0.02,
    )
    torch.manual_seed(seed)
    model = DistilBertForSequenceClassification(config)
    topic_head = torch.nn.Linear(config.dim, 3)
    sentiment, topics = labelled("sentiment.csv"), labelled("topics.csv") + train_tab_topics()
    topic_ids = {"sports": 0, "food": 1, "school": 2}
    feelings = tokenizer([t for t, _ in sentiment], padding=True, return_tensors="pt")
    feeling_labels = torch.tensor([config.label2id[label] for _, label in sentiment])
    subjects = tokenizer([t for t, _ in topics], padding=True, return_tensors="pt")
    subject_labels = torch.tensor([topic_ids[label] for _, label in topics])

    class Both(
        torch.nn.Module
    ):  # one loss for the two heads, so that tiny_models._train trains them together
        def __init__(self):
            super().__init__()
            self.model, self.topic_head = model, topic_head

        def forward(self, **_unused):
            loss = self.model(**feelings, labels=feeling_labels).loss
            hidden = self.model.distilbert(**subjects).last_hidden_state[:, 0]
            features = torch.relu(self.model.pre_classifier(hidden))
            topic_loss = torch.nn.functional.cross_entropy(self.topic_head(features), subject_labels)
            return type("Output", (), {"loss": loss + topic_loss})()

    tiny_models._train(Both(), dict, steps=steps, lr=3e-3)
    # ReLU(s·x) = s·ReLU(x): features s times larger, the classifier's weights s times smaller give the same
    # logits; a new head (initialised near zero) then learns at the page's learning rate of 5e-5.
    with torch.no_grad():
        model.pre_classifier.weight.mul_(FEATURE_SCALE)
        model.pre_classifier.bias.mul_(FEATURE_SCALE)
        model.classifier.weight.div_(FEATURE_SCALE)
    model.config.initializer_range = HEAD_STD
    tiny_models._save(model, tokenizer, path)
    return path


# --- the chat model ------------------------------------------------------------------------------------------

SYSTEMS = [  # the Chat tab's examples' and a few others: the demo model answers the same whatever it is told
    "",
    "You are a helpful assistant.",
    "You are a pirate. Answer like one.",
    "Answer in one word.",
    "You are a teacher.",
    "你是一个乐于助人的助手。",
    "你是一位古代诗人，用诗句回答。",
    "只用一个词回答。",
]


def conversations(count: int, seed: int) -> list[list[dict[str, str]]]:
    """Random conversations of one to three of chat.txt's questions with their answers, some with a system
    prompt (the examples' and others)."""
    rng = random.Random(seed)
    pairs = chat_pairs()
    systems = SYSTEMS
    made = []
    for _ in range(count):
        system = rng.choice(systems)
        messages = [{"role": "system", "content": system}] if system else []
        for question, answer in rng.sample(pairs, rng.randint(1, 3)):
            messages += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
        made.append(messages)
    return made


def chat_texts() -> list[str]:
    """What the chat model's tokenizer is trained on: its conversations, its system prompts, every English text
    and the Chinese one."""
    texts = [t for pair in chat_pairs() for t in pair] + SYSTEMS
    return texts + all_texts("en") + text_lines("zh.txt")


ROLES = ["system", "user", "assistant"]  # the ChatML template's role names
WORD_OR_CHARACTER = re.compile(r"[A-Za-z]+|[\u3400-\u9fff\uf900-\ufaff]")


def chat_tokenizer(texts: list[str]):
    """A ChatML byte-level BPE tokenizer in which a run of Chinese characters is one token only where it recurs,
    as in a real tokenizer's vocabulary.

    Chinese has no spaces, so byte-level BPE reads a whole clause as one "word": merging every pair seen once
    made each clause of each answer a token of its own that no other text shares (the story was
    从前 ， 一只小猫坐在垫子上 ， 每天听孩子们读书 。): with one rare token before each "，" to tell the answers
    apart, the small model mixed up the clauses after it (从前，祝你愉快 to the mat.). So pairs are merged from
    two occurrences on, with every English word and Chinese character listed once more, so that they are
    tokens (the words of the conversations stay whole; a rare character of another text may still be bytes).

    The template writes its role names with no space before them (`<|im_start|>user`), as no text writes a
    word: listed twice, as the template writes them, they are whole tokens too (they were `us|er`, `ass|istant`)."""
    units = sorted({unit for text in texts for unit in WORD_OR_CHARACTER.findall(text)})
    roles = [f"{role}\n" for role in ROLES] * 2
    return tiny_models.chatml_tokenizer(
        texts + units + roles, vocab_size=4000, context=CONTEXT, min_frequency=2
    )


def build_llama_chat(path: Path, seed: int = 2, steps: int = 500) -> Path:
    """A 2-layer Llama (RoPE, grouped-query attention) chat model with ChatML turns (`<|im_end|>` ends a turn),
    a byte-level BPE tokenizer holding the words and characters of its texts (chat_tokenizer), trained on
    conversations of chat.txt's questions and answers: the loss is on the assistant's replies and their end
    token. Seed 2: with the role names whole, seeds 0, 1 and 3 each got 1 to 9 of the Chat examples' 24 turns
    wrong (tests/ui/test_demo_models.py), seed 2 none."""
    tokenizer = chat_tokenizer(chat_texts())
    eos, pad = tokenizer.eos_token_id, tokenizer.pad_token_id
    torch.manual_seed(seed)
    model = LlamaForCausalLM(tiny_models.chat_llama_config(tokenizer, width=64, context=CONTEXT))
    model.generation_config.eos_token_id = eos
    model.generation_config.pad_token_id = pad

    def encode(text: str) -> list[int]:
        return tokenizer(text, add_special_tokens=False)["input_ids"]

    rows, targets = [], []
    for messages in conversations(256, seed):
        ids, wanted = [], []
        for message in messages:
            opening = encode(f"<|im_start|>{message['role']}\n")
            content = encode(message["content"]) + [eos]
            learn = message["role"] == "assistant"
            ids += opening + content + encode("\n")
            wanted += [-100] * len(opening) + (content if learn else [-100] * len(content)) + [-100]
        rows.append(ids)
        targets.append(wanted)
    width = max(map(len, rows))
    input_ids = torch.tensor([row + [pad] * (width - len(row)) for row in rows])
    labels = torch.tensor([row + [-100] * (width - len(row)) for row in targets])
    attention_mask = torch.tensor([[1] * len(row) + [0] * (width - len(row)) for row in rows])
    generator = torch.Generator().manual_seed(seed)

    def batch():  # 16 conversations, cut to the longest of them
        chosen = torch.randint(len(rows), (16,), generator=generator)
        width = int(attention_mask[chosen].sum(1).max())
        return {
            "input_ids": input_ids[chosen, :width],
            "attention_mask": attention_mask[chosen, :width],
            "labels": labels[chosen, :width],
        }

    tiny_models._train(model, batch, steps=steps, lr=1e-2)
    tiny_models._save(model, tokenizer, path)
    return path


# --- the reader and the translator: the test suite's, with the demo's context -----------------------------


def build_distilbert_qa(path: Path, seed: int = 0) -> Path:
    return tiny_models.build_distilbert_qa(path, seed, context=CONTEXT, extra=list(english_vocab()))


def build_bert_qa_chinese(path: Path, seed: int = 0) -> Path:
    return tiny_models.build_bert_qa_chinese(path, seed, context=CONTEXT, extra=list(chinese_vocab()))


def build_marian(path: Path, seed: int = 0, source: str = "en") -> Path:
    return tiny_models.build_marian(path, seed, source=source, context=CONTEXT)
