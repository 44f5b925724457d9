"""中文 for question answering (问答): the tab, its pictures and what the task says."""

ZH = {
    # The registry
    "Question answering": "问答",
    "Question answering (a BERT-style reader that finds the answer)": "问答（BERT 类阅读模型，在文中找出答案）",
    "an extractive question-answering model such as distilbert/distilbert-base-cased-distilled-squad": "抽取式问答"
    "模型，例如 distilbert/distilbert-base-cased-distilled-squad",
    "The question-answering model {model} has no fast tokenizer, so the characters of each token in the context "
    "cannot be found. Give {kind} with {flag}.": "问答模型 {model} 没有快速分词器（fast tokenizer），无法找出上下文中"
    "每个词元对应的字符。请用 {flag} 指定{kind}。",
    # The tab
    "Extractive question answering: a BERT-style reader finds the answer **in the text**. For every token of the "
    "context it gives two probabilities: that the answer **starts** there and that it **ends** there. The best "
    "answer is the span whose start × end is largest.": "抽取式问答：BERT 类阅读模型**在文中**找出答案。对上下文的"
    "每个词元，它给出两个概率：答案从这里**开始**的概率和在这里**结束**的概率。开始 × 结束最大的片段就是最好的答案。",
    "Question": "问题",
    "Context (the text that holds the answer)": "上下文（包含答案的文本）",
    "Answers to show (top-k)": "显示的答案数（top-k）",
    "Longest answer (tokens)": "最长答案（词元数）",
    "Find the answer": "找答案",
    "**Where does the answer start and end?** The model's two probabilities under every token:": "**答案从哪里开始、"
    "到哪里结束？** 每个词元下面是模型给出的两个概率：",
    "Examples: click one, then Find the answer": "示例：点一个，然后点“找答案”",
    "Answer: “**{answer}**” (score {score} = P(start) × P(end))": "答案：“**{answer}**”（得分 {score} = "
    "P(开始) × P(结束)）",
    # The pictures
    "answer: {score}, characters {start}–{end}": "答案：{score}，第 {start}–{end} 个字符",
    "The context, with the answer marked": "上下文，答案已标出",
    "token {piece} · start {start} · end {end}": "词元 {piece} · 开始 {start} · 结束 {end}",
    "start: where the answer begins": "开始：答案从这里开始",
    "end: where it ends": "结束：答案在这里结束",
    "each row is a softmax over the context's tokens · darker, likelier · hover a token for its numbers": "每一行"
    "都是对上下文词元的 softmax · 颜色越深，概率越大 · 把鼠标移到词元上可以看到数值",
    "Window {number} of {count}: characters {start}–{end}": "窗口 {number}/{count}：第 {start}–{end} 个字符",
    "the best answer is here": "最好的答案在这里",
    "The other {count} windows": "其他 {count} 个窗口",
    "start": "开始",
    "end": "结束",
    "Rank": "名次",
    "Answer": "答案",
    "Characters": "字符位置",
    "Window": "窗口",
    "The best spans: score = P(start) × P(end)": "最好的片段：得分 = P(开始) × P(结束)",
    "The logit lens needs a model that predicts tokens; this one ({model}) points at where an answer starts and "
    "ends instead. Choose the generation, chat or fill-mask model.": "logit lens 需要一个预测词元的模型；这个模型"
    "（{model}）给出的是答案开始和结束的位置。请选择文本生成、对话或填空模型。",
    # What the task says
    "question": "问题",
    "context": "上下文",
    "Longest answer": "最长答案",
    "The question is {count} tokens long; this model reads {window} tokens at a time, question and context "
    "together, so a question may have at most {limit}. Please shorten it.": "问题有 {count} 个词元；这个模型一次"
    "读 {window} 个词元（问题和上下文加起来），所以问题最多只能有 {limit} 个词元。请把它改短一些。",
    "The context gives no token to this model: please write a context in words.": "这段上下文在这个模型里得不到"
    "任何词元：请用文字写一段上下文。",
    "The context is longer than the model reads at once ({window} tokens with the question), so it was split into "
    "{count} overlapping windows that share {stride} tokens; each span's score comes from its own window, and the "
    "best spans of all the windows are shown.": "上下文比模型一次能读的长（连同问题共 {window} 个词元），所以被切成了 "
    "{count} 个互相重叠的窗口，相邻窗口共享 {stride} 个词元；每个片段的得分来自它所在的窗口，显示的是所有窗口中"
    "最好的片段。",
}
