"""The `--demo` models are worth a first look (playground/demo_models.py): a context of 256, vocabularies that
hold every built-in example and Train sentence, a GPT that continues the Generate examples with words of its
texts, a BERT that fills obvious blanks, a classifier that gets its examples right and learns the Train tab's
topics with the page's defaults, a chat model that answers three turns in its template, and a reader and a
translator that still work. Built once per session (the `demo_model_dirs` fixture)."""

from __future__ import annotations

import importlib
import re

import pytest

from playground import demo_models
from playground.models import ModelManager
from playground.tasks import chat, training
from playground.tasks.fill_mask import fill_mask
from playground.tasks.generation import GenerationParams, generate
from playground.tasks.question_answering import answer
from playground.tasks.sentiment import classify
from playground.tasks.translation import TranslationParams, translate

MAX_CHARS = 10_000
TABS = ["generate", "fill_mask", "sentiment", "chat", "question_answering", "attention", "inside", "evaluate"]
TABS += ["experiments"]
LANGUAGE = {"en": "en", "zh": "zh"}


def tab_examples(language: str) -> dict[str, list[str]]:
    """Every text of every tab's built-in examples in `language`, by tab."""
    found: dict[str, list[str]] = {}

    def walk(value, into: list[str]) -> None:
        if isinstance(value, str):
            into.append(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item, into)

    for tab in TABS:
        module = importlib.import_module(f"playground.ui.{tab}")
        for name in dir(module):
            value = getattr(module, name)
            if name.endswith("EXAMPLES") and isinstance(value, dict):
                walk(value.get(language, []), found.setdefault(tab, []))
    return {tab: [t for t in texts if t.strip() and t not in LANGUAGE] for tab, texts in found.items()}


def train_texts(language: str) -> list[str]:
    return [e.text for e in training.builtin_examples(language)] + training.builtin_text(
        language
    ).splitlines()


@pytest.fixture(scope="module")
def loaded(demo_model_dirs):
    managers = {preset: ModelManager(folders, "cpu") for preset, folders in demo_model_dirs.items()}
    return lambda preset, task: managers[preset].get(task)


@pytest.mark.parametrize("preset", ["en", "zh"])
def test_every_demo_model_reads_256_tokens(loaded, preset):
    for task in ["generation", "fill-mask", "sentiment", "chat", "question-answering", "translation"]:
        assert loaded(preset, task).context_length >= 256, task


@pytest.mark.parametrize("preset", ["en", "zh"])
def test_the_vocabularies_hold_every_built_in_example_and_train_sentence(loaded, preset):
    """No [UNK] in any tab's example nor in the Train tab's sentences and story, with every demo tokenizer of
    the preset (the translator with its own tab's examples: it reads one language)."""
    examples = tab_examples(preset)
    texts = [t for tab in examples.values() for t in tab] + train_texts(preset)
    assert len(texts) > 50
    for task in ["generation", "fill-mask", "sentiment", "chat", "question-answering", "translation"]:
        tokenizer = loaded(preset, task).tokenizer
        read = tab_examples(preset).get("translation") if task == "translation" else texts
        if task == "translation":
            from playground.ui.translation import EXAMPLES

            read = [row[0] for row in EXAMPLES[preset]]
        unknown = [
            text
            for text in read
            if tokenizer.unk_token_id is not None
            and tokenizer.unk_token_id in tokenizer(text, add_special_tokens=False)["input_ids"]
        ]
        assert unknown == [], (task, unknown)


def corpus_words(language: str) -> set[str]:
    text = " ".join(demo_models.text_lines(f"{language}.txt"))
    if language == "zh":
        return set(text)
    return {w.lower() for w in re.findall(r"[A-Za-z']+", text)}


@pytest.mark.parametrize("preset", ["en", "zh"])
def test_the_gpt_continues_the_generate_examples_with_words_of_its_texts(loaded, preset):
    from playground.ui.generate import EXAMPLES

    model = loaded(preset, "generation")
    lines = demo_models.text_lines(f"{preset}.txt")
    words = corpus_words(preset)
    for prompt, new, temperature, top_k, top_p, penalty, seed, samples in EXAMPLES[preset]:
        params = GenerationParams(new, temperature, top_k, top_p, penalty, seed, samples)
        result = generate(model, prompt, params, MAX_CHARS, 256)
        assert not result.notices  # the whole prompt read
        for text in result.generated_texts:
            continuation = text[len(prompt) :]
            said = set(continuation) - set(" ") if preset == "zh" else re.findall(r"[A-Za-z']+", continuation)
            assert {w.lower() for w in said} <= words, text
        greedy = generate(model, prompt, GenerationParams(40, 0.0), MAX_CHARS, 256).generated_text
        sentence = greedy.replace(" ", "") if preset == "zh" else greedy
        assert any(
            sentence.startswith(line.replace(" ", "") if preset == "zh" else line) for line in lines
        ), greedy


def test_the_bert_fills_obvious_blanks(loaded):
    best = fill_mask(loaded("en", "fill-mask"), "The cat sat on the [MASK].", 5, MAX_CHARS).masks[0][0]
    assert best.token_str == "mat"
    assert fill_mask(loaded("en", "fill-mask"), "Paris is the [MASK] of France.", 5, MAX_CHARS).masks[0][
        0
    ].token_str == ("capital")
    best = fill_mask(loaded("zh", "fill-mask"), "今天天气很[MASK]。", 5, MAX_CHARS).masks[0][0]
    assert best.token_str == "好"


SENTIMENT = {
    "I loved this film, the actors were wonderful.": "POSITIVE",
    "The food was cold and the service was slow.": "NEGATIVE",
    "The lesson was not as boring as I expected.": "POSITIVE",
    "What a lovely day.": "POSITIVE",
    "The lesson was boring.": "NEGATIVE",
    "I hated the ending.": "NEGATIVE",
    "这家餐厅的菜很好吃，服务也很周到。": "POSITIVE",
    "菜是凉的，等了一个小时才上菜。": "NEGATIVE",
    "这节课没有我想象的那么无聊。": "POSITIVE",
    "今天真是美好的一天。": "POSITIVE",
    "这节课很无聊。": "NEGATIVE",
    "我讨厌这个结局。": "NEGATIVE",
}


def test_the_classifier_gets_its_examples_right_in_both_languages(loaded):
    from playground.ui.sentiment import BATCH_EXAMPLES, EXAMPLES

    shown = {row[0] for language in ("en", "zh") for row in EXAMPLES[language]}
    shown |= {text for language in ("en", "zh") for text in BATCH_EXAMPLES[language]}
    assert len(shown & set(SENTIMENT)) == len(SENTIMENT)  # every judged example is one the page shows
    for text, label in SENTIMENT.items():
        assert classify(loaded("en", "sentiment"), text, MAX_CHARS).scores[0].label == label, text


@pytest.mark.parametrize("language", ["en", "zh"])
def test_fine_tuning_with_the_page_defaults_learns_the_topics(loaded, language):
    """The Train tab's defaults (5 epochs, learning rate 5e-5, batch 8, every weight, seed 0) on its built-in
    sentences: most validation sentences end up with their topic (measured with DEMO_VERSION 6: 11 of 12 in
    English, 8 of 12 in Chinese, from 0 and 5)."""
    settings = training.FineTuneSettings(5, 5e-5, 8, "all", 0)
    result = training.last(
        training.fine_tune(
            loaded(language, "sentiment"),
            training.builtin_examples(language),
            settings,
            training.TrainingLimits(),
        )
    )
    assert result.accuracy_after > 0.5 and result.accuracy_after > result.accuracy_before


def test_the_chat_tokenizer_merges_chinese_characters_only_where_they_recur():
    """Byte-level BPE reads a run of Chinese characters as one word: with every pair seen once merged, each
    clause of each Chinese answer was a token no other text shares (给我讲一个关于小猫的短故事 one token, its
    answer 从前 ， 一只小猫坐在垫子上 ， ...), and the chat model mixed up the clauses after a "，". Now a
    longer piece is a token only where it recurs; the conversations' characters and words are whole."""
    texts = demo_models.chat_texts()
    tokenizer = demo_models.chat_tokenizer(texts)
    for text in [t for pair in demo_models.chat_pairs() for t in pair] + demo_models.SYSTEMS:
        pieces = [tokenizer.decode([t]) for t in tokenizer(text, add_special_tokens=False)["input_ids"]]
        assert "".join(pieces) == text and not any("\ufffd" in piece for piece in pieces), pieces
        for piece in pieces:
            if len(demo_models.CJK.findall(piece)) > 1:
                assert sum(t.count(piece) for t in texts) >= 2, (text, piece)
    for pair in demo_models.chat_pairs():  # no English word of a conversation cut in two
        for text in pair:
            pieces = [tokenizer.decode([t]) for t in tokenizer(text, add_special_tokens=False)["input_ids"]]
            for before, after in zip(pieces, pieces[1:], strict=False):
                assert not (re.search(r"[A-Za-z]$", before) and re.match(r"[A-Za-z]", after)), pieces
    assert len(tokenizer("给我讲一个关于小猫的短故事。", add_special_tokens=False)["input_ids"]) > 3


def test_the_chat_templates_role_names_are_whole_tokens():
    """The template writes `<|im_start|>user` with no space before the role, as no text writes a word: the
    tokenizer cut it in two (`us|er`, `ass|istant`), and "Show what the model reads" showed the split."""
    tokenizer = demo_models.chat_tokenizer(demo_models.chat_texts())
    messages = [{"role": role, "content": "Hi"} for role in demo_models.ROLES]
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    pieces = [tokenizer.decode([t]) for t in tokenizer(text, add_special_tokens=False)["input_ids"]]
    opening = ["<|im_start|>"]
    roles = [after for before, after in zip(pieces, pieces[1:], strict=False) if [before] == opening]
    assert roles == [*demo_models.ROLES, "assistant"], pieces
    assert pieces.count("\n") == 2 * len(demo_models.ROLES) + 1, pieces


FOLLOW_UPS = {"en": ["Tell me more.", "Thank you!"], "zh": ["再讲一点。", "谢谢！"]}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_chat_model_answers_three_turns_of_its_examples_in_its_template(loaded, language):
    from playground.ui.chat import EXAMPLES

    model = loaded("en", "chat")
    answers = dict(demo_models.chat_pairs())  # each example and follow-up is one of chat.txt's questions
    for system, message in EXAMPLES[language]:
        messages = [{"role": "system", "content": system}] if system else []
        for turn in [message, *FOLLOW_UPS[language]]:
            messages.append({"role": "user", "content": turn})
            result = chat.reply(model, messages, GenerationParams(60, 0.0), MAX_CHARS, 256)
            assert result.ended_turn and result.dropped == 0, result.reply
            assert result.reply == answers[turn], (system, turn, result.reply)
            messages.append({"role": "assistant", "content": result.reply})


def test_the_reader_and_the_translator_still_work(loaded):
    found = answer(
        loaded("en", "question-answering"), "Where did the cat sit?", "The cat sat on the mat.", MAX_CHARS
    )
    assert found.spans[0].answer == "on the mat"
    found = answer(loaded("zh", "question-answering"), "中国的首都是哪里？", "北京是中国的首都。", MAX_CHARS)
    assert found.spans[0].answer == "北京"
    params = TranslationParams(max_new_tokens=40, num_beams=1)
    written = translate(loaded("en", "translation"), "Where is the train station?", params, MAX_CHARS, 256, 4)
    assert (
        written.text.replace("?", "？") == "火车站在哪里？"
    )  # sentencepiece writes the full-width mark as "?"
    assert translate(loaded("zh", "translation"), "火车站在哪里？", params, MAX_CHARS, 256, 4).text == (
        "Where is the train station?"
    )


@pytest.mark.parametrize("preset", ["en", "zh"])
def test_every_built_in_example_fits_the_demo_models(loaded, preset):
    """Every tab's example text is read whole by the preset's GPT, BERT and classifier (a question-answering
    context is read in windows, by design); the Generate examples leave room for their new tokens."""
    from playground.ui.generate import EXAMPLES

    for tab, texts in tab_examples(preset).items():
        if tab == "question_answering":
            continue
        for task in ("generation", "fill-mask", "sentiment"):
            model = loaded(preset, task)
            for text in texts:
                assert len(model.tokenizer(text)["input_ids"]) <= model.context_length, (tab, task, text)
    model = loaded(preset, "generation")
    for prompt, new, *_rest in EXAMPLES[preset]:
        assert (
            len(model.tokenizer(prompt, add_special_tokens=False)["input_ids"]) + new <= model.context_length
        )


@pytest.mark.parametrize("preset", ["en", "zh"])
def test_the_demo_readers_answer_their_fact_examples(loaded, preset):
    """--demo's Question answering examples of the reader's own facts (two facts a context, as it learned them)
    are answered with the fact's answer (on all ten facts at once it answered "What does Tom play?" with "the
    lazy dog"; the zh reader cut 中国的首都是哪里？ as 垫子上。北京)."""
    from playground.tiny_models import CHINESE_QA_FACTS, QA_FACTS
    from playground.ui.question_answering import DEMO_EXAMPLES

    answers = {question: answer for _, question, answer in QA_FACTS + CHINESE_QA_FACTS}
    facts = [example for example in DEMO_EXAMPLES[preset] if example[0] in answers]
    assert len(facts) == 2
    for question, context, *_ in facts:
        found = answer(loaded(preset, "question-answering"), question, context, MAX_CHARS)
        assert found.spans[0].answer == answers[question], (question, context, found.spans[0])


LESSON_TAB_TASK = {  # the model a lesson step's tab reads (inside and attention: the step's `model` input)
    "generate": "generation",
    "experiments": "generation",
    "fill-mask": "fill-mask",
    "sentiment": "sentiment",
    "chat": "chat",
    "question-answering": "question-answering",
    "translation": "translation",
}
LESSON_TEXT_INPUTS = ("prompt", "text", "message", "system", "question", "context")


@pytest.mark.parametrize("preset", ["en", "zh"])
def test_every_lessons_try_it_input_is_in_the_demo_vocabularies(loaded, preset):
    """Try it opens a lesson step's tab with its inputs: the demo model of that tab reads them without [UNK]
    (with --preset zh, the step's Chinese inputs; an English step's Chinese text in an English model's tab is
    left out: the lesson on tokens shows that such a model may not know the characters)."""
    from playground import lessons

    unknown = []
    for lesson in lessons.all_lessons():
        for step in lesson.steps:
            inputs = step.inputs_for(preset)
            task = inputs.get("model") or LESSON_TAB_TASK.get(step.tab)
            for key in LESSON_TEXT_INPUTS:
                text = inputs.get(key)
                if not task or not text or (preset == "en" and demo_models.is_chinese(text)):
                    continue
                tokenizer = loaded(preset, task).tokenizer
                if tokenizer.unk_token_id in tokenizer(text, add_special_tokens=False)["input_ids"]:
                    unknown.append((lesson.id, step.id, task, text))
    assert unknown == []


@pytest.mark.parametrize("preset", ["en", "zh"])
def test_the_demo_patching_example_has_as_many_tokens_in_both_prompts(loaded, preset):
    """Experiments' activation patching needs two prompts of one length: the example the tab opens with in
    --demo has it on the demo GPT (the en preset's Eiffel Tower / Colosseum pair is 8 and 7 tokens there)."""
    from playground.ui.experiments import DEMO_PATCH_EXAMPLES

    tokenizer = loaded(preset, "generation").tokenizer
    for clean, corrupted in DEMO_PATCH_EXAMPLES[preset]:
        assert len(tokenizer(clean)["input_ids"]) == len(tokenizer(corrupted)["input_ids"]), (
            clean,
            corrupted,
        )
