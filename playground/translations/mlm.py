"""Chinese for the tiny BERT (Train tab, /pretrain_mlm) and the trainings' bounds (issue 24 point 3, issue 30)."""

ZH: dict[str, str] = {
    # what the tasks say
    "The text has {count} different characters; the model learns the {limit} most frequent, and reads each "
    "of the other {rest} as the one unknown token {unknown}.": "这段文本有 {count} 个不同的字符；模型只学习最常见的 "
    "{limit} 个，其余 {rest} 个都读作同一个未知词元 {unknown}。",
    "The vocabulary is large, so each step learns from {count} windows of the text instead of {planned}.": (
        "词表很大，所以每一步只从文本的 {count} 个窗口学习，而不是 {planned} 个。"
    ),
    "The mask probability": "遮盖概率",
    "The mask probability must lie between 0 and 1 (BERT used 0.15); got {value}.": (
        "遮盖概率必须在 0 和 1 之间（BERT 用的是 0.15）；收到的是 {value}。"
    ),
    "probe": "探测句",
    "The probe sentence needs a [MASK] (or ___) where the model should guess a token.": (
        "探测句需要一个 [MASK]（或 ___），放在要模型猜词元的地方。"
    ),
    "A probe every": "探测间隔",
    "The fill-mask model's tokenizer has no [MASK], [CLS] or [SEP]: use one token per character.": (
        "填空模型的分词器没有 [MASK]、[CLS] 或 [SEP]：请改用“每个字符一个词元”。"
    ),
    "Every text and every label must be a string; {kind} {number} is {value}.": (
        "每条文本和每个标签都必须是字符串；第 {number} 个{kind}是 {value}。"
    ),
    # the pictures
    "accuracy (chosen tokens)": "准确率（被选词元）",
    "BERT: loss and accuracy": "BERT：损失和准确率",
    "masked: [MASK] put in its place": "遮盖：换成 [MASK]",
    "replaced by a random token": "换成随机词元",
    "kept as it was": "保持原样",
    "{kind}; the text has {original} here": "{kind}；原文这里是 {original}",
    "Step {step}: the collator chose {chosen} of the batch's {tokens} tokens ({share}); the model must predict "
    "the text's own token (small, under each) at every one of them.": "第 {step} 步：数据整理器从这一批的 {tokens} "
    "个词元中选了 {chosen} 个（{share}）；模型要在每个被选的位置猜出原文的词元（下方小字）。",
    "The first {count} sequences of the batch:": "这一批的前 {count} 个序列：",
    "Probe: {text}": "探测句：{text}",
    "top guesses for [MASK]": "对 [MASK] 的最可能猜测",
    # the page
    "one token per character, and [PAD] [UNK] [CLS] [SEP] [MASK]": "每个字符一个词元，另加 [PAD] [UNK] [CLS] [SEP] [MASK]",
    "the fill-mask model's tokenizer": "填空模型的分词器",
    "3. Pretrain a tiny BERT: the masked language model": "3. 从零预训练一个迷你 BERT：掩码语言模型",
    "BERT learns by filling in blanks. Each step, the data collator chooses 15% of the tokens; of those, 80% "
    "become [MASK], 10% a random token and 10% stay as they are, and the model must guess the original at "
    "every chosen place. Watch one batch as the model sees it, and the model's guesses for a probe sentence go "
    "from noise to the right token.": "BERT 通过做填空来学习。每一步，数据整理器选出 15% 的词元；其中 80% 换成 "
    "[MASK]，10% 换成随机词元，10% 保持原样，模型要在每个被选的位置猜出原来的词元。看看模型眼中的一批数据，"
    "再看它对探测句的猜测如何从杂乱无章变成正确的词元。",
    "Probe sentence with [MASK] (empty: one is made from the text)": "带 [MASK] 的探测句（留空：从文本中自动生成）",
    "A probe every … steps": "每隔多少步探测一次",
    "Mask probability": "遮盖概率",
    "Pretrain the BERT": "预训练 BERT",
    "Download my tiny BERT (zip)": "下载我的迷你 BERT（zip）",
    "your tiny BERT": "你的迷你 BERT",
    "A BERT of {parameters} weights and {vocab} tokens, trained {steps} steps in {seconds} s. Accuracy on the "
    "chosen tokens at the last step: **{accuracy}**. Try it in Fill-Mask with “Use my models”.": "一个有 "
    "{parameters} 个权重、{vocab} 个词元的 BERT，用 {seconds} 秒训练了 {steps} 步。最后一步在被选词元上的"
    "准确率：**{accuracy}**。勾选“使用我的模型”后，可以在“完形填空”中试试它。",
    "Your models: {names}. Generate, Fill-Mask, Sentiment, Attention and Inside use them now, for you alone.": (
        "你的模型：{names}。“生成”“完形填空”“情感”“注意力”和“模型内部”现在使用它们，只对你有效。"
    ),
    "Use my models in Generate, Fill-Mask, Sentiment, Attention and Inside (only for me)": (
        "在“生成”“完形填空”“情感”“注意力”和“模型内部”中使用我的模型（只对我有效）"
    ),
}
