"""Chinese for the texts of issue 26 (a first look that works): probabilities named, demo notes, defaults."""

ZH: dict[str, str] = {
    "model's probability: {p}": "模型给出的概率：{p}",
    "sampler's probability: {p}": "采样器使用的概率：{p}",
    "most likely here (model):": "这里最可能的词元（按模型）：",
    "The model's probability of each token: {scale} · hover or tap a token for the sampler's and the "
    "alternatives": "每个词元的模型概率：{scale} · 把鼠标移到词元上（或点一下）可看到采样器的概率和其他候选",
    "model's probability (raw)": "模型给出的概率（原始）",
    "sampler's probability (after temperature, top-k, top-p)": "采样器使用的概率（经过温度、top-k、top-p 之后）",
}
ZH |= {
    "The conversation outgrew this model's context of {context} tokens: the model no longer reads its {count} "
    "oldest messages.": "对话超出了这个模型 {context} 个词元的上下文：模型不再读取最早的 {count} 条消息。",
}
ZH |= {
    "Nothing to explain: the model gives {label} {score} with these words and {baseline} without them (the "
    "baseline), so no word moved the prediction.": "没有可解释的：模型对这些词给出 {label} {score}，没有这些词"
    "（基线）时是 {baseline}，所以没有哪个词改变了预测。",
    "a tiny demo model trained on six sentences: on other texts its answer means little": "这是只用六句话训练的"
    "小演示模型：对其他文本，它的回答没有多大意义",
}
ZH |= {
    "A tiny demo model trained on eight conversations: most of its replies are nonsense.": "这是只用八段对话训练的"
    "小演示模型：它的大多数回复都没有意义。",
}
