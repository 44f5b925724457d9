"""Chat tab: how a chat model sees a conversation.

A system prompt and turns become one long text through the model's chat template; the tab shows that text
token by token (every special token visible, with its id), then the model continues it: the reply streams
coloured by probability, with Generate's decoding settings and next-token chart, and stops at the
end-of-turn token. "Reply again" answers the last message anew, e.g. after the system prompt was changed.
Endpoints: /chat, /chat_template.
"""

from __future__ import annotations

import gradio as gr

from playground import api
from playground.i18n import _, lazy, ui
from playground.tasks import chat
from playground.tasks.generation import GenerationParams
from playground.tasks.validation import InputError
from playground.ui.context import Context, session_state, summary_markdown
from playground.ui.demo_notes import NOTES
from playground.ui.events import api_endpoint, on
from playground.ui.generate import ShownDistribution, decoding_controls, distribution_figure, drawn_by
from playground.ui.model_limits import follows_model
from playground.viz import chat as chat_viz

EXAMPLES = {  # system prompt, message: for the English and the Chinese models
    "en": [
        ["You are a helpful assistant.", "What is the capital of France?"],
        ["You are a pirate. Answer like one.", "What is the capital of France?"],
        ["Answer in one word.", "What colour is the sky?"],
        ["", "Tell me a short story about a cat."],
    ],
    "zh": [
        ["你是一个乐于助人的助手。", "法国的首都是哪里？"],
        ["你是一位古代诗人，用诗句回答。", "法国的首都是哪里？"],
        ["只用一个词回答。", "天空是什么颜色的？"],
        ["", "给我讲一个关于小猫的短故事。"],
    ],
}


def conversation(system: object, turns: list[dict]) -> list[dict]:
    """The messages the model is given: the system prompt (if any), then the turns."""
    system_message = (
        [{"role": "system", "content": system}] if isinstance(system, str) and system.strip() else []
    )
    return system_message + list(turns)


def reply_outputs(
    loaded, turns: list[dict], result: chat.ChatResult, demo: bool = False, engine=None
) -> dict:
    """What the page shows of a reply: the conversation with it, the text the model read, the reply's
    coloured tokens; when it has finished, also the distribution its last token was drawn from."""
    shown = [*turns, {"role": "assistant", "content": result.reply}]
    count = len(result.generation.token_ids)
    if not result.finished:
        status = _("writing… {count} new tokens", count=count)
    elif result.ended_turn:
        status = _("{count} new tokens; the model ended its turn with an end-of-turn token", count=count)
    else:
        status = _(
            "{count} new tokens; stopped at the limit of new tokens before the model ended its turn",
            count=count,
        )
    info = _("Seed **{seed}** · {status}", seed=result.generation.seed, status=status)
    info += drawn_by(result.generation)
    notices = list(result.generation.notices)
    if demo and result.finished:
        notices.append(_(NOTES["chat"]))
    if result.dropped:
        notices.append(
            _(
                "The conversation outgrew this model's context of {context} tokens: the model no longer reads "
                "its {count} oldest messages.",
                context=loaded.context_length,
                count=result.dropped,
            )
        )
    outputs = {
        "chatbot": shown,
        "history": shown,
        "reply": chat_viz.reply_html(result),
        "info": summary_markdown(info, notices),
    }
    if count <= 1 or result.finished:  # the prompt does not change while the reply streams: drawn once
        outputs["template"] = chat_viz.prompt_html(result.prompt)
    if result.finished and count:
        ids = result.prompt.ids + result.generation.token_ids
        drawn = ShownDistribution(ids[:-1], ids[-1], step=count)
        outputs["distribution"] = distribution_figure(loaded, drawn, result.generation.params, engine)
    return outputs


def answer(context: Context, system, turns: list[dict], params: GenerationParams, progress=None):
    """Stream the model's reply to the last user turn."""
    loaded = context.model("chat", progress)
    manager = context.manager
    demo = context.settings.demo and loaded.model_id == manager.started_model_ids["chat"]
    for result in replies(context, loaded, conversation(system, turns), params):
        yield reply_outputs(loaded, turns, result, demo, context.engine(loaded))


def replies(context: Context, loaded, messages: list[dict], params: GenerationParams):
    """The growing reply to `messages`, within the server's limits, decoded on the chat model's engine."""
    limits = context.settings
    return chat.stream_reply(
        loaded,
        messages,
        params,
        limits.max_input_chars,
        limits.max_new_tokens_cap,
        engine=context.engine(loaded),
    )


def send(
    context: Context,
    history, system, message, max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed,
    progress=gr.Progress(),
):  # fmt: skip
    """Send: the message joins the conversation, and the model replies."""
    if not isinstance(message, str) or not message.strip():
        raise InputError(lazy("Please type a message first: it is empty."))
    params = GenerationParams(max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed)
    turns = [*(history or []), {"role": "user", "content": message}]
    yield {"message": "", "chatbot": turns}
    try:
        yield from answer(context, system, turns, params, progress)
    except (InputError, gr.Error):
        # the page shows the conversation the server has, and the message is back in its box to edit
        yield {"message": message, "chatbot": list(history or [])}
        raise


def reply_again(
    context: Context,
    history, system, max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed,
    progress=gr.Progress(),
):  # fmt: skip
    """Reply again: the last reply is replaced by a new one, with the system prompt and settings as they are
    now."""
    turns = list(history or [])
    if turns and turns[-1]["role"] == "assistant":
        turns = turns[:-1]
    if not turns:
        raise InputError(lazy("There is no message to reply to yet: type one and click Send."))
    params = GenerationParams(max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed)
    yield from answer(context, system, turns, params, progress)


def show_template(context: Context, history, system, message, progress=gr.Progress()) -> dict:
    """Show what the model reads: the conversation so far, with the message typed, through the template."""
    turns = list(history or [])
    if isinstance(message, str) and message.strip():
        turns.append({"role": "user", "content": message})
    elif turns and turns[-1]["role"] == "assistant":
        turns = turns[:-1]  # after a reply: what the model read to write it
    if not turns:
        raise InputError(lazy("Type a message first: the model reads the conversation it is given."))
    loaded = context.model("chat", progress)
    prompt = chat.chat_prompt(loaded, conversation(system, turns), context.settings.max_input_chars)
    return {"template": chat_viz.prompt_html(prompt)}


def clear() -> dict:
    """Clear: a new conversation."""
    return {"history": [], "chatbot": [], "reply": "", "info": "", "template": "", "distribution": None}


def chat_api(
    context: Context,
    messages: list[dict],
    max_new_tokens: int = 128,
    temperature: float = 0.7,
    top_k: int = 50,
    top_p: float = 1.0,
    repetition_penalty: float = 1.0,
    seed: int = 0,
) -> list[dict]:
    """Reply to a conversation with the chat model: returns [{"generated_text": [...messages, {"role":
    "assistant", "content": reply}]}], as the text-generation pipeline answers chat input (streams the reply
    to API clients).

    Args:
        messages: [{"role": "system"|"user"|"assistant", "content": text}], the last from the user
        max_new_tokens: longest reply in tokens, 1 to the server's cap (default 128)
        temperature: 0 is greedy; higher is more random (default 0.7)
        top_k: sample only from the k most likely tokens; 0 = no limit (default 50)
        top_p: sample only from the most likely tokens whose probabilities add up to p (default 1.0)
        repetition_penalty: above 1 makes tokens already in the text less likely (default 1.0)
        seed: the random seed; the same seed gives the same reply; -1 picks a random one (default 0)
    """
    params = GenerationParams(max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed)
    for result in replies(context, context.model("chat"), messages, params):
        yield api.chat_json(result)


def chat_template_api(context: Context, messages: list[dict]) -> dict:
    """The conversation as the chat model reads it: its chat template applied, with the prompt for the
    assistant's turn, as {"text", "tokens": [{"id", "piece", "text", "special"}]} (special: the template's
    special tokens such as <|im_start|>).

    Args:
        messages: the conversation, [{"role": "system"|"user"|"assistant", "content": text}]
    """
    prompt = chat.chat_prompt(context.model("chat"), messages, context.settings.max_input_chars)
    return api.chat_template_json(prompt)


def build(context: Context) -> None:
    """The Chat tab and the /chat and /chat_template endpoints."""
    settings = context.settings
    examples = context.examples(EXAMPLES)
    with gr.Tab(ui("Chat"), id="chat"):
        gr.Markdown(
            ui(
                "A chat model does not see a conversation: its **chat template** turns the system prompt and "
                "the turns into **one long text**, with special tokens marking where each turn starts and ends, "
                "and the model simply continues that text. Its reply ends when it writes the end-of-turn token. "
                "Change the system prompt, then click **Reply again** to see the reply change."
            )
        )
        with gr.Row(equal_height=False, elem_classes=["controls-row"]):  # a phone: see assets/style.css
            with gr.Column(scale=3, min_width=320, elem_classes=["controls-main"]):
                system = gr.Textbox(
                    label=ui("System prompt (optional)"),
                    lines=2,
                    value=examples[0][0],
                    max_length=settings.max_input_chars,
                )
                chatbot = gr.Chatbot(label=ui("Conversation"), height=320, elem_classes=["chat-conversation"])
                message = gr.Textbox(
                    label=ui("Message"),
                    lines=2,
                    value=examples[0][1],
                    placeholder=ui("Type a message…"),
                    max_length=settings.max_input_chars,
                )
                with gr.Row(elem_classes=["action-buttons"]):
                    send_button = gr.Button(ui("Send"), variant="primary")
                    stop_button = gr.Button(ui("Stop"), variant="stop")
                    again_button = gr.Button(ui("Reply again"))
                    clear_button = gr.Button(ui("Clear"))
                reply_html = gr.HTML(
                    label=ui("The reply, coloured by probability"), elem_classes=["gen-output"]
                )
                info = gr.Markdown()
            with gr.Column(scale=2, min_width=280, elem_classes=["controls-settings"]):
                default_length = min(128, settings.max_new_tokens_cap)
                controls = decoding_controls(settings.max_new_tokens_cap, default_length, temperature=0.7)
                follows_model(controls[0], "chat", "new_tokens")
                seed = gr.Number(value=0, precision=0, label=ui("Seed"), minimum=-1)
        context.links.add("chat", "system", system)  # linkable inputs: ?tab=chat&message=… (ui/links.py)
        context.links.add("chat", "message", message)
        context.links.add("chat", "max_new_tokens", controls[0])
        context.links.add("chat", "temperature", controls[1])
        context.links.add("chat", "top_k", controls[2])
        context.links.add("chat", "top_p", controls[3])
        context.links.add("chat", "seed", seed)
        context.links.action("chat", "send", send_button)  # what "Try it" runs
        with gr.Accordion(
            ui("What the model reads: the conversation as one text, token by token"), open=True
        ):
            template_button = gr.Button(ui("Show what the model reads"))
            template_html = gr.HTML()
        distribution_plot = gr.Plot(label=ui("Next-token distribution"), show_label=False)
        history = session_state([])
        gr.Examples(examples, inputs=[system, message], label=ui("Examples: click one, then Send"))
        api_endpoint(chat_api, context, "chat", "chat")
        api_endpoint(chat_template_api, context, "chat_template", "chat")

    settings_inputs = [*controls, seed]
    shown = {"chatbot": chatbot, "history": history, "template": template_html, "reply": reply_html}
    shown |= {"info": info, "distribution": distribution_plot}
    sent = on(
        [send_button.click, message.submit],
        send,
        context,
        [history, system, message, *settings_inputs],
        shown | {"message": message},
        "chat",
    )
    again = on([again_button.click], reply_again, context, [history, system, *settings_inputs], shown, "chat")
    stop_button.click(None, cancels=[sent, again])
    on(
        [template_button.click],
        show_template,
        context,
        [history, system, message],
        {"template": template_html},
        "chat",
    )
    on([clear_button.click], clear, None, None, shown, queue=False)
