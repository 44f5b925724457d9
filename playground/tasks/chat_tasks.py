"""Translation and summarization by a chat model: the way transformers 5 does these tasks (its translation
and summarization pipelines are gone; an instruction-tuned decoder is asked in words).

The playground writes the instruction in the language of the text (a Chinese text gets a Chinese request),
the chat template turns it into the one text the model reads, and the reply is decoded by the Chat tab's
own loop (`chat.stream_reply`, on the shared decoding engine when one is given): greedy, the reply is what
`model.generate(prompt ids, do_sample=False)` writes, decoded without its special tokens.

`ApplicationResult.output` is the hook for scoring: the reply text, ready to be compared with a reference
(BLEU, ROUGE).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from playground.i18n import lazy
from playground.models import LoadedModel
from playground.tasks import chat
from playground.tasks.generation import GenerationParams
from playground.tasks.validation import InputError, check_text

TARGETS = ("zh", "en")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# The instructions, in the language of the text they come with (English text: English words, and so on).
TRANSLATE_INSTRUCTIONS = {  # short: a small chat model follows a short instruction best
    ("en", "zh"): "Translate into Chinese:\n\n{text}",
    ("en", "en"): "Translate into English:\n\n{text}",
    ("zh", "en"): "翻译成英文：\n\n{text}",
    ("zh", "zh"): "翻译成中文：\n\n{text}",
}
SUMMARIZE_INSTRUCTIONS = {
    "en": "Summarize in one sentence:\n\n{text}",
    "zh": "用一句话概括：\n\n{text}",
}


def language_of_text(text: str) -> str:
    """ "zh" when Chinese characters make up a fair share of the text's letters, else "en"."""
    han = len(_HAN.findall(text))
    letters = sum(ch.isalpha() for ch in text)
    return "zh" if han and han >= 0.2 * letters else "en"


def check_target(target: object) -> str:
    if target not in TARGETS:
        raise InputError(
            lazy("Unknown target language {target}: choose 'zh' or 'en'.", target=repr(target)[:40])
        )
    return target


def translation_messages(text: object, target: object, max_chars: int) -> list[dict[str, str]]:
    """The chat messages that ask for a translation of `text` into `target` ("zh" or "en")."""
    text = check_text(text, max_chars)
    target = check_target(target)
    instruction = TRANSLATE_INSTRUCTIONS[(language_of_text(text), target)]
    return [{"role": "user", "content": instruction.format(text=text.strip())}]


def summary_messages(text: object, max_chars: int) -> list[dict[str, str]]:
    """The chat messages that ask for a summary of `text`."""
    text = check_text(text, max_chars)
    instruction = SUMMARIZE_INSTRUCTIONS[language_of_text(text)]
    return [{"role": "user", "content": instruction.format(text=text.strip())}]


@dataclass
class ApplicationResult:
    """A chat model's translation or summary so far: what was asked, what it read, what it wrote."""

    task: str  # "translate" or "summarize"
    chat: chat.ChatResult

    @property
    def messages(self) -> list[dict[str, str]]:
        """The chat messages sent (without the reply)."""
        return self.chat.prompt.messages

    @property
    def prompt(self) -> str:
        """apply_chat_template(messages, tokenize=False, add_generation_prompt=True): the text the model reads."""
        return self.chat.prompt.text

    @property
    def output(self) -> str:
        """The reply: the translation or the summary, to show, or to score against a reference."""
        return self.chat.reply

    @property
    def finished(self) -> bool:
        return self.chat.finished


def stream(
    loaded: LoadedModel,
    task: str,
    messages: list[dict[str, str]],
    params: GenerationParams,
    max_chars: int,
    max_new_tokens_cap: int,
    engine=None,
) -> Iterator[ApplicationResult]:
    """The growing reply to the instruction `messages`, as the Chat tab decodes it."""
    # the instruction adds words to the text: it may be longer than the text's limit by those words alone
    instruction_room = max_chars + 200
    for result in chat.stream_reply(
        loaded, messages, params, instruction_room, max_new_tokens_cap, engine=engine
    ):
        yield ApplicationResult(task, result)
