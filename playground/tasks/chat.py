"""Chat: how a chat model sees a conversation, and its reply, exactly as the text-generation pipeline answers.

A conversation is a list of messages `{"role": "system" | "user" | "assistant", "content": str}`. The model
never sees the list: its tokenizer's chat template writes it out as one text with turn markers
(`<|im_start|>user\\n...<|im_end|>`), ending with the opening of the assistant's turn, and the model simply
continues that text until it writes its end-of-turn token. `chat_prompt` shows that text token by token;
`stream_reply` decodes the reply with generation's own loop (`generation.stream_ids`), so the reply can be
coloured and its next-token distributions drawn exactly as Generate does.

preprocess (check the messages, apply the template) -> forward (the decoding loop) -> postprocess (the reply as
the pipeline decodes it: the new tokens only, special tokens skipped).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import jinja2
from transformers import PreTrainedTokenizerBase

from playground.i18n import lazy
from playground.models import LoadedModel
from playground.tasks.generation import (
    GenerationParams,
    GenerationResult,
    check_prompt_ids,
    room_for_prompt,
    stream_ids,
)
from playground.tasks.text import readable_token
from playground.tasks.validation import InputError, type_name

ROLES = ("system", "user", "assistant")
MAX_MESSAGES = 64
# End-of-turn tokens of the common chat formats: ChatML (Qwen, SmolLM), Llama 3, Phi-3, Gemma. A reply stops
# at whichever of them the vocabulary has, besides the model's eos ids.
END_OF_TURN_TOKENS = ("<|im_end|>", "<|eot_id|>", "<|end|>", "<end_of_turn>")
# The /chat endpoint's defaults (DESIGN.md): a little randomness, as chat demos answer.
CHAT_PARAMS = GenerationParams(
    max_new_tokens=128, temperature=0.7, top_k=50, top_p=1.0, repetition_penalty=1.0
)


# --- preprocess: the messages, and the text the template makes of them ------------------------------------


def check_messages(
    messages: object, max_chars: int, max_messages: int = MAX_MESSAGES
) -> list[dict[str, str]]:
    """The conversation as a list of `{"role", "content"}` dicts (other keys dropped), else InputError with
    one plain sentence: not a list of messages, a missing key, an unknown role, an empty message, a system
    message that is not the first, a last message not from the user, too many messages or characters."""
    if not isinstance(messages, (list, tuple)):
        raise InputError(
            lazy(
                "The conversation must be a list of messages, each with a role and a content; got {type}.",
                type=type_name(messages),
            )
        )
    if not messages:
        raise InputError(lazy("The conversation has no messages yet. Please write a message first."))
    if len(messages) > max_messages:
        raise InputError(
            lazy(
                "The conversation has {count} messages; the limit here is {limit}. Please start a new chat.",
                count=len(messages),
                limit=max_messages,
            )
        )
    checked = []
    for number, message in enumerate(messages, start=1):
        if not isinstance(message, dict):
            raise InputError(
                lazy(
                    "Message {number} must be a role and a content (a dict), not {type}.",
                    number=number,
                    type=type_name(message),
                )
            )
        for key in ("role", "content"):
            if key not in message:
                raise InputError(
                    lazy(
                        "Message {number} has no {key}: every message needs a role and a content.",
                        number=number,
                        key=key,
                    )
                )
        role, content = message["role"], message["content"]
        if role not in ROLES:
            raise InputError(
                lazy(
                    "Message {number} has the role {role}; a role is system, user or assistant.",
                    number=number,
                    role=repr(role),
                )
            )
        if not isinstance(content, str):
            raise InputError(
                lazy(
                    "The content of message {number} must be text, not {type}.",
                    number=number,
                    type=type_name(content),
                )
            )
        if not content.strip():
            raise InputError(
                lazy("Message {number} is empty. Please write something in it, or remove it.", number=number)
            )
        if role == "system" and number > 1:
            if checked[0]["role"] == "system":
                raise InputError(
                    lazy(
                        "A conversation has at most one system message, the first; message {number} is another.",
                        number=number,
                    )
                )
            raise InputError(
                lazy(
                    "The system message must come first, before the others; here it is message {number}.",
                    number=number,
                )
            )
        checked.append({"role": role, "content": content})
    if checked[-1]["role"] != "user":
        raise InputError(
            lazy(
                "The last message must be from the user: the model answers it. Here the last one is from the "
                "{role}.",
                role=checked[-1]["role"],
            )
        )
    length = sum(len(m["content"]) for m in checked)
    if length > max_chars:
        raise InputError(
            lazy(
                "The conversation is {length} characters long; the limit here is {limit}. Please shorten it, "
                "or start a new chat.",
                length=f"{length:,}",
                limit=f"{max_chars:,}",
            )
        )
    return checked


def has_chat_template(tokenizer: PreTrainedTokenizerBase) -> bool:
    """Whether the tokenizer knows how to write a conversation out (base models such as GPT-2 do not)."""
    return bool(getattr(tokenizer, "chat_template", None))


def check_chat_model(loaded: LoadedModel) -> None:
    """InputError unless the model's tokenizer has a chat template."""
    if not has_chat_template(loaded.tokenizer):
        raise InputError(
            lazy(
                "The model {model} has no chat template: it was not trained on conversations, so it cannot tell "
                "whose turn it is. Choose a chat (instruct) model, e.g. with --chat-model.",
                model=loaded.model_id,
            )
        )


@dataclass
class ChatToken:
    """One token of the templated prompt."""

    id: int
    piece: str  # the vocabulary entry, e.g. 'Ġcat', '<|im_start|>'
    text: str  # as a reader sees it, e.g. ' cat'
    special: bool  # a special or added special token: <|im_start|>, <|im_end|>, <|endoftext|>
    message: int | None = None  # index of the message whose content it spells; None for the template's own


@dataclass
class ChatPrompt:
    """What the model reads: the conversation written out by the chat template, and its tokens."""

    messages: list[dict[str, str]]
    text: str  # apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    ids: list[int]  # the ids the text-generation pipeline feeds the model
    tokens: list[ChatToken]


def chat_prompt(
    loaded: LoadedModel, messages: object, max_chars: int, max_messages: int = MAX_MESSAGES
) -> ChatPrompt:
    """The conversation as the model reads it, with the opening of the assistant's turn at the end."""
    check_chat_model(loaded)
    messages = check_messages(messages, max_chars, max_messages)
    tokenizer = loaded.tokenizer
    try:
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        # As the text-generation pipeline tokenizes chat input (its preprocess).
        encoding = tokenizer.apply_chat_template(
            messages,
            add_generation_prompt=True,
            tokenize=True,
            return_dict=True,
            tokenizer_kwargs={"return_offsets_mapping": True} if tokenizer.is_fast else None,
        )
    except jinja2.TemplateError as error:  # templates may refuse a conversation (raise_exception)
        raise InputError(
            lazy("This model's chat template does not accept this conversation: {reason}", reason=str(error))
        ) from error
    ids = list(encoding["input_ids"])
    offsets = encoding.get("offset_mapping")
    owners = _content_owners(text, messages, offsets) if offsets else [None] * len(ids)
    special = special_ids(tokenizer)
    tokens = [
        ChatToken(i, piece, readable_token(tokenizer, i), i in special, owner)
        for i, piece, owner in zip(ids, tokenizer.convert_ids_to_tokens(ids), owners, strict=True)
    ]
    return ChatPrompt(messages, text, ids, tokens)


def special_ids(tokenizer: PreTrainedTokenizerBase) -> set[int]:
    """Ids of the special tokens: the named ones (eos, pad, ...) and every added token marked special."""
    added = {i for i, token in tokenizer.added_tokens_decoder.items() if token.special}
    return set(tokenizer.all_special_ids) | added


def _content_owners(
    text: str, messages: list[dict[str, str]], offsets: Sequence[tuple[int, int]]
) -> list[int | None]:
    """For each token (by its character span in `text`), the index of the message whose content it lies in;
    None for what the template wrote (turn markers, role names, newlines between turns)."""
    spans, cursor = [], 0
    for index, message in enumerate(messages):
        content = message["content"].strip()  # templates often trim the content
        start = text.find(content, cursor)
        if start < 0:  # a template that rewrites the content: leave that message unmarked
            continue
        spans.append((start, start + len(content), index))
        cursor = start + len(content)
    owners = []
    for start, end in offsets:
        owner = next((i for s, e, i in spans if s <= start and end <= e and start < end), None)
        owners.append(owner)
    return owners


# --- forward and postprocess: the reply ---------------------------------------------------------------------


def end_of_turn_ids(loaded: LoadedModel) -> set[int]:
    """The tokens a reply stops at: the generation config's eos ids, the tokenizer's eos token, and the
    end-of-turn tokens of the common chat formats that this vocabulary has."""
    tokenizer = loaded.tokenizer
    eos = loaded.model.generation_config.eos_token_id
    ids = set(eos) if isinstance(eos, list) else ({eos} if eos is not None else set())
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    for token in END_OF_TURN_TOKENS:
        token_id = tokenizer.convert_tokens_to_ids(token)
        if token_id is not None and (token_id != tokenizer.unk_token_id or token == tokenizer.unk_token):
            ids.add(token_id)
    return ids


def reply_text(tokenizer: PreTrainedTokenizerBase, new_ids: list[int], stop_ids: set[int]) -> str:
    """The assistant's message as the text-generation pipeline returns it: the new tokens alone decoded with
    special tokens skipped (so without the end-of-turn token), and without a final stop token that is not
    marked special."""
    if new_ids and new_ids[-1] in stop_ids:
        new_ids = new_ids[:-1]
    return tokenizer.decode(new_ids, skip_special_tokens=True)


@dataclass
class ChatResult:
    """A reply so far: the prompt the model read, the generation (its steps, for colouring and the next-token
    chart), and the reply's text."""

    prompt: ChatPrompt
    generation: GenerationResult
    reply: str
    finished: bool = False
    stop_ids: set[int] = field(default_factory=set)
    dropped: int = 0  # the oldest messages left out of the prompt, so that the conversation fits the context
    conversation: list[dict[str, str]] | None = None  # the whole conversation given, with those messages

    @property
    def messages(self) -> list[dict[str, str]]:
        """The conversation with the reply added, as the pipeline's `generated_text` for chat input."""
        given = self.prompt.messages if self.conversation is None else self.conversation
        return [*given, {"role": "assistant", "content": self.reply}]

    @property
    def ended_turn(self) -> bool:
        """The model closed its turn (wrote an end-of-turn token), rather than running out of new tokens."""
        ids = self.generation.token_ids
        return bool(ids) and ids[-1] in self.stop_ids


def stream_reply(
    loaded: LoadedModel,
    messages: object,
    params: GenerationParams,
    max_chars: int,
    max_new_tokens_cap: int,
    max_messages: int = MAX_MESSAGES,
    engine=None,
) -> Iterator[ChatResult]:
    """Yield the growing reply to the conversation after every new token; the last one has `finished=True`.

    Greedy (temperature 0), the reply is the pipeline's
    `pipeline("text-generation", model, tokenizer)(messages, max_new_tokens=N, do_sample=False)`; sampled,
    the seed gives the same reply as `torch.manual_seed(seed)` before `model.generate`. One sample only.
    With an `engine`, the reply is a row of its shared batch."""
    if params.num_samples != 1:
        raise InputError(lazy("A chat answers with one reply at a time: the number of samples must be 1."))
    conversation = check_messages(messages, max_chars, max_messages)  # the conversation first: the main input
    check_chat_model(loaded)
    params = params.validated(max_new_tokens_cap)
    prompt, dropped = fitting_prompt(loaded, conversation, params.max_new_tokens, max_chars, max_messages)
    check_prompt_ids(loaded, prompt.ids, params.max_new_tokens, lazy("conversation"))
    stop_ids = end_of_turn_ids(loaded)
    tokenizer = loaded.tokenizer

    def new_text(new_ids: list[int]) -> str:
        return reply_text(tokenizer, new_ids, stop_ids)

    for generation in stream_ids(
        loaded, prompt.ids, params, stop_ids=stop_ids, prompt=prompt.text, new_text=new_text, engine=engine
    ):
        yield ChatResult(
            prompt,
            generation,
            generation.samples[0].continuation,
            generation.finished,
            stop_ids,
            dropped,
            conversation,
        )


def fitting_prompt(
    loaded: LoadedModel, messages: list[dict], max_new_tokens: int, max_chars: int, max_messages: int
) -> tuple[ChatPrompt, int]:
    """The conversation as the model reads it, its oldest turns left out while it and `max_new_tokens` new
    tokens do not fit the context (a system prompt is kept, and so are the last user message and what follows
    it); how many messages were left out. A conversation that outgrows a small model's context goes on,
    forgetting its beginning."""
    room = room_for_prompt(loaded, max_new_tokens)
    kept = list(messages)
    prompt = chat_prompt(loaded, kept, max_chars, max_messages)
    while len(prompt.ids) > room:
        first = next(i for i, m in enumerate(kept) if m["role"] != "system")
        last = max((i for i, m in enumerate(kept) if m["role"] == "user"), default=len(kept) - 1)
        if first >= last:
            break  # only the last message (and what follows it) is left: check_prompt_ids says it is too long
        end = first + 1  # the oldest turn: a message and the replies to it, up to the next user message
        while end < last and kept[end]["role"] != "user":
            end += 1
        kept = kept[:first] + kept[end:]
        prompt = chat_prompt(loaded, kept, max_chars, max_messages)
    return prompt, len(messages) - len(kept)


def reply(
    loaded: LoadedModel, messages: object, params: GenerationParams, max_chars: int, max_new_tokens_cap: int
) -> ChatResult:
    """The whole reply at once (the last result of `stream_reply`)."""
    *_, last = stream_reply(loaded, messages, params, max_chars, max_new_tokens_cap)
    return last
