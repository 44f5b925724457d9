"""Question answering tab (问答): a question and a context, and the span of the context a BERT-style reader
picks as the answer; under every context token, the model's probability that the answer starts and ends there.
Endpoint: /question_answering.
"""

from __future__ import annotations

import gradio as gr

from playground import api
from playground.i18n import _, ui
from playground.markup import escape_markdown
from playground.tasks import question_answering as qa
from playground.ui.context import Context, summary_markdown
from playground.ui.demo_notes import demo_note, with_notes
from playground.ui.errors import api_answers
from playground.ui.events import api_endpoint, batch_outputs, batched
from playground.viz import question_answering as qa_viz
from playground.viz.charts import percent

LONG_EN = (
    "The Transformer is a neural network architecture introduced by researchers at Google in 2017, in a paper "
    "called Attention Is All You Need. Before it, most language models read text one word at a time with "
    "recurrent networks, which made them slow to train and forgetful of long texts. The Transformer replaced "
    "recurrence with self-attention: every token looks at every other token in the same step, and the model "
    "learns how much each one matters. Because all positions are processed at once, training runs well on "
    "graphics cards. Two famous families grew out of it. BERT, published by Google in 2018, reads the text in "
    "both directions and is pretrained by hiding some of the words and guessing them; this is called masked "
    "language modelling. GPT, from OpenAI, reads from left to right and is pretrained by predicting the next "
    "token. A pretrained model can then be fine-tuned on a small labelled data set for a task such as "
    "sentiment classification or question answering. For extractive question answering, the model is given a "
    "question and a passage, and it predicts, for every token of the passage, how likely the answer is to "
    "start there and how likely it is to end there. The best span is the pair of positions with the highest "
    "product of these two probabilities. The SQuAD data set, created at Stanford University in 2016, contains "
    "more than one hundred thousand such questions written by crowd workers about Wikipedia articles. "
    "DistilBERT, a smaller and faster version of BERT made by Hugging Face in 2019, keeps about ninety-seven "
    "percent of its accuracy with forty percent fewer parameters. When a passage is longer than the model can "
    "read at once, it is cut into overlapping windows, each window is read with the question, and the best "
    "answer of all the windows is kept. Today, the same ideas power chat assistants, translation systems and "
    "search engines used by millions of people every day."
)
LONG_ZH = (
    "Transformer 是一种神经网络结构，由谷歌的研究人员在二零一七年的论文《注意力就是你所需要的一切》中提出。在它之前，"
    "大多数语言模型用循环神经网络一个词一个词地读文本，训练很慢，也容易忘记长文本前面的内容。Transformer 用自注意力"
    "代替了循环结构：每个词元在同一步里看其他所有的词元，模型自己学习每个词元有多重要。因为所有位置可以同时计算，"
    "它在显卡上训练得很快。从它发展出了两个著名的家族。谷歌在二零一八年发布的 BERT 从两个方向阅读文本，预训练的方法"
    "是遮住一部分词再去猜它们，这叫做掩码语言模型。OpenAI 的 GPT 从左往右阅读，预训练的方法是预测下一个词元。"
    "预训练好的模型可以在一个小的标注数据集上微调，去完成情感分类、问答等任务。在抽取式问答中，模型拿到一个问题和"
    "一段文章，对文章里的每个词元预测答案从这里开始的概率和在这里结束的概率，两个概率乘积最大的位置组合就是最好的"
    "答案片段。斯坦福大学在二零一六年发布的 SQuAD 数据集包含十万多个这样的问题，由众包工作者根据维基百科文章写成。"
    "中文也有类似的数据集，例如哈工大讯飞联合实验室发布的 CMRC 二零一八。如果一段文章比模型一次能读的长度还长，"
    "就把它切成互相重叠的窗口，每个窗口和问题一起读，最后保留所有窗口里最好的答案。今天，同样的思想支撑着"
    "每天有数百万人使用的聊天助手、翻译系统和搜索引擎。"
)
# Short facts, one after another, that the demo's tiny readers learned (two or three at a time).
FACTS_EN = (
    "Tom plays the piano every evening. The lesson starts at nine in the morning. Marie lives in London with her "
    "two dogs. The food was cold and the service was slow. Students ask questions, and the model answers them. "
    "The quick brown fox jumps over the lazy dog. The best way to learn a language is to speak it every day. "
    "Once upon a time, in a small village, there lived a teacher. Paris is the capital of France. The cat sat on "
    "the mat."
)
FACTS_ZH = "学生认真听讲。巴黎是法国的首都。小明喜欢学习语言模型。今天天气很好。我们一起去公园散步。小猫坐在垫子上。老师在教室里上课。北京是中国的首都。"
EXAMPLES = {  # question, context, top-k, longest answer: for the English and the Chinese models
    "en": [
        ["Where did the cat sit?", "Paris is the capital of France. The cat sat on the mat.", 3, 30],
        ["What does Tom play?", FACTS_EN, 3, 30],
        ["When was the Transformer introduced?", LONG_EN, 5, 30],
        ["Who made DistilBERT?", LONG_EN, 5, 30],
    ],
    "zh": [
        ["中国的首都是哪里？", "小猫坐在垫子上。北京是中国的首都。", 3, 30],
        ["小明喜欢学习什么？", FACTS_ZH, 3, 30],
        ["BERT 是哪一年发布的？", LONG_ZH, 5, 30],
        ["SQuAD 数据集是谁发布的？", LONG_ZH, 5, 30],
    ],
}

# --demo: the tiny readers learned contexts of two or three of their facts (playground/tiny_models.py _train_qa);
# on all ten at once they lose where an answer ends ("What does Tom play?" -> "the lazy dog")
DEMO_EXAMPLES = {
    "en": [
        EXAMPLES["en"][0],
        [
            "What does Tom play?",
            "The lesson starts at nine in the morning. Tom plays the piano every evening.",
            3,
            30,
        ],
        *EXAMPLES["en"][2:],
    ],
    "zh": [
        ["中国的首都是哪里？", "学生认真听讲。北京是中国的首都。", 3, 30],
        ["小明喜欢学习什么？", "今天天气很好。小明喜欢学习语言模型。", 3, 30],
        *EXAMPLES["zh"][2:],
    ],
}


def predict_batch(app: Context, questions, contexts, top_ks, max_answer_lens) -> list:
    """Question-answering results (or InputErrors) of a batch of requests, with shared forward passes."""
    requests = [
        qa.QuestionAnsweringRequest(*request)
        for request in zip(questions, contexts, top_ks, max_answer_lens, strict=True)
    ]
    return qa.answer_batch(app.model("question-answering"), requests, app.settings.max_input_chars)


def render(result: qa.QuestionAnsweringResult) -> tuple:
    """The summary, the context with the answer marked, the best spans and the token probabilities."""
    best = result.best
    summary = _(
        "Answer: “**{answer}**” (score {score} = P(start) × P(end))",
        answer=escape_markdown(best.answer),
        score=percent(best.score),
    )
    return (
        summary_markdown(summary, result.notices),
        qa_viz.answer_html(result),
        qa_viz.spans_html(result),
        qa_viz.probabilities_html(result),
    )


def run(app: Context, questions, contexts, top_ks, max_answer_lens):
    """Find the answers (batched): the outputs of each request, in its own language."""
    results = predict_batch(app, questions, contexts, top_ks, max_answer_lens)
    return batch_outputs(with_notes(results, demo_note(app, "question-answering")), render, 4)


# Gradio calls this with a batch: one list per parameter. The hints describe one request (the API schema).
def question_answering_api(
    app: Context, question: str, context: str, top_k: int = 1, max_answer_len: int = 30
) -> list[dict]:
    """Find the answer to a question in a context with the extractive question-answering model: the top_k
    best spans [{"score", "start", "end", "answer"}], best first, where context[start:end] == answer and the
    score of a span of tokens a..b is softmax(start_logits)[a] * softmax(end_logits)[b], each softmax over the
    context's tokens only. A long context is read in overlapping windows; the best spans of all win.

    Args:
        question: the question, e.g. "Where did the cat sit?"
        context: the text that holds the answer
        top_k: how many spans, 1 to 20 (default 1)
        max_answer_len: the longest answer, in tokens, 1 to 200 (default 30)
    """
    return (
        api_answers(
            predict_batch(app, question, context, top_k, max_answer_len), api.question_answering_json
        ),
    )


def build(app: Context) -> None:
    """The Question answering tab and the /question_answering endpoint (both batched)."""
    settings = app.settings
    examples = app.examples(DEMO_EXAMPLES if settings.demo else EXAMPLES)
    with gr.Tab(ui("Question answering"), id="question-answering"):
        gr.Markdown(
            ui(
                "Extractive question answering: a BERT-style reader finds the answer **in the text**. For every "
                "token of the context it gives two probabilities: that the answer **starts** there and that it "
                "**ends** there. The best answer is the span whose start × end is largest."
            )
        )
        question = gr.Textbox(
            label=ui("Question"), lines=1, value=examples[0][0], max_length=settings.max_input_chars
        )
        context = gr.Textbox(
            label=ui("Context (the text that holds the answer)"),
            lines=5,
            value=examples[0][1],
            max_length=settings.max_input_chars,
        )
        with gr.Row():
            top_k = gr.Slider(1, qa.MAX_TOP_K, value=3, step=1, label=ui("Answers to show (top-k)"))
            max_answer_len = gr.Slider(
                1, qa.MAX_ANSWER_LEN, value=30, step=1, label=ui("Longest answer (tokens)")
            )
        button = gr.Button(ui("Find the answer"), variant="primary")
        for name, component in (("question", question), ("context", context), ("top_k", top_k)):
            app.links.add(
                "question-answering", name, component
            )  # ?tab=question-answering&question=… (ui/links.py)
        app.links.add("question-answering", "max_answer_len", max_answer_len)
        app.links.action("question-answering", "answer", button)  # what "Try it" runs
        summary = gr.Markdown()
        marked = gr.HTML()
        spans = gr.HTML()
        gr.Markdown(
            ui("**Where does the answer start and end?** The model's two probabilities under every token:")
        )
        probabilities = gr.HTML()
        error = gr.Textbox(visible=False)
        gr.Examples(
            examples,
            inputs=[question, context, top_k, max_answer_len],
            label=ui("Examples: click one, then Find the answer"),
        )
        api_endpoint(
            question_answering_api, app, "question_answering", "question-answering", settings.max_batch_size
        )

    batched(
        [button.click, question.submit],
        run,
        app,
        [question, context, top_k, max_answer_len],
        [summary, marked, spans, probabilities],
        error,
        "question-answering",
    )
