"""中文 for the Evaluate tab (perplexity, BLEU, ROUGE): its page, its charts and its messages."""

ZH = {
    # Page
    "Evaluate": "评估",
    "How good is a model, or a text it wrote? Three measures the course names: **perplexity** (how surprised the "
    "generation model is by a text), **BLEU** and **ROUGE** (how close a translation or a summary is to "
    "references written by people).": "模型好不好？它写的文本好不好？课程里讲的三种衡量方法：**困惑度**（生成模型"
    "对一段文本有多意外），**BLEU** 和 **ROUGE**（译文或摘要和人写的参考文本有多接近）。",
    "For each token after the first, the model's **surprise** is −log p(token | the tokens before it), in nats. "
    "Perplexity is e^(average surprise): how many equally likely choices the model was, on average, hesitating "
    "between. A fluent text scores low; the same words shuffled score high.": "从第二个词元起，模型对每个词元的"
    "**意外程度**是 −log p(词元 | 它前面的词元)，单位是奈特（nat）。困惑度是 e^(平均意外程度)：平均来说，模型"
    "好像在多少个同样可能的选择之间犹豫。通顺的文本困惑度低；把同样的词打乱顺序，困惑度就高。",
    "Text A": "文本 A",
    "Text B (optional)": "文本 B（可选）",
    "Shuffle the words of A into B": "把 A 的词打乱，放进 B",
    "Compute perplexity": "计算困惑度",
    "Examples: click one, then Compute": "示例：点一个，然后点“计算困惑度”",
    "BLEU and ROUGE": "BLEU 和 ROUGE",
    "A **candidate** (a machine translation, a summary) against one or more **references** written by people. "
    "**BLEU** (sacrebleu, 0–100) counts how many of the candidate's 1- to 4-grams the references contain "
    "(precision), and penalises a candidate shorter than the references. **ROUGE** (rouge-score, 0–1) counts "
    "what the candidate and the best reference share: words (ROUGE-1), pairs of words (ROUGE-2), the longest "
    "common subsequence (ROUGE-L); the F-measure combines precision and recall. For Chinese, BLEU and ROUGE read "
    "one character at a time.": "把一段**候选文本**（机器译文、摘要）和一段或几段人写的**参考文本**比较。"
    "**BLEU**（sacrebleu，0–100）数候选文本的 1 到 4 元组（n-gram）有多少出现在参考文本里（精确率），候选文本比"
    "参考文本短时还要打折扣。**ROUGE**（rouge-score，0–1）数候选文本和最接近的参考文本共有的部分：词（ROUGE-1）、"
    "相邻的两个词（ROUGE-2）、最长公共子序列（ROUGE-L）；F 值综合了精确率和召回率。中文的 BLEU 和 ROUGE 一个字一个"
    "字地比较。",
    "Candidate": "候选文本",
    "Reference 1": "参考文本 1",
    "Reference 2 (optional)": "参考文本 2（可选）",
    "Reference 3 (optional)": "参考文本 3（可选）",
    "Language of the texts": "文本的语言",
    "Score": "评分",
    "Examples: click one, then Score": "示例：点一个，然后点“评分”",
    "BLEU": "BLEU",
    # Summaries and charts
    "Text {name}": "文本 {name}",
    "Text {name}: window {done} of {total}": "文本 {name}：第 {done} 个窗口，共 {total} 个",
    "**Text {name}**: perplexity **{perplexity}** · average surprise {mean} nats over {count} tokens": "**文本 "
    "{name}**：困惑度 **{perplexity}** · {count} 个词元的平均意外程度 {mean} 奈特",
    "Text B is {ratio}× as perplexing as text A to {model}.": "对 {model} 来说，文本 B 的困惑度是文本 A 的 "
    "{ratio} 倍。",
    "Text {name}: surprise of each token": "文本 {name}：每个词元的意外程度",
    "average {value}": "平均 {value}",
    "surprise −log p (nats)": "意外程度 −log p（奈特）",
    "perplexity e^{mean} = {perplexity} · {count} tokens": "困惑度 e^{mean} = {perplexity} · {count} 个词元",
    "{n}-grams": "{n} 元组",
    "{n}-gram": "{n} 元组",
    "geometric mean {value}": "几何平均 {value}",
    "precision (%)": "精确率（%）",
    "BLEU {score} = penalty {bp} × mean {mean}": "BLEU {score} = 长度惩罚 {bp} × 几何平均 {mean}",
    "BLEU: n-gram precisions": "BLEU：各阶 n 元组的精确率",
    "part of a matched {n}-gram": "属于一个匹配上的 {n} 元组",
    "Reference {number}": "参考文本 {number}",
    "The tokens as sacrebleu's {tokenize} tokenizer cut them; shaded: part of a candidate n-gram that a "
    "reference has too (the darker, the longer the n-gram) · hover a token": "sacrebleu 的 {tokenize} 分词器切出"
    "的词元；有底色的：属于候选文本里某个参考文本也有的 n 元组（颜色越深，n 元组越长）· 把鼠标移到词元上看详情",
    "The candidate has {c} tokens, the reference closest in length {r}: no brevity penalty (1.000).": "候选文本有"
    " {c} 个词元，长度最接近的参考文本有 {r} 个：没有长度惩罚（1.000）。",
    "The candidate has {c} tokens, the reference closest in length {r}: too short, so BLEU is multiplied by the "
    "brevity penalty e^(1 − {r}/{c}) = {bp}.": "候选文本有 {c} 个词元，长度最接近的参考文本有 {r} 个：候选文本太短，"
    "所以 BLEU 要乘以长度惩罚 e^(1 − {r}/{c}) = {bp}。",
    "\\* No n-gram of that length matched: sacrebleu's default smoothing (exp) replaces the 0 by a small "
    "precision, so that one missing order does not make the whole score 0.": "\\* 这一阶的 n 元组一个都没有匹配上："
    "sacrebleu 默认的平滑方法（exp）用一个很小的精确率代替 0，免得缺了一阶就让整个分数变成 0。",
    "The candidate has no {n}-grams (it is shorter than {n} tokens): BLEU, which multiplies the precisions of "
    "every order from 1 to 4, is 0.": "候选文本没有 {n} 元组（它不到 {n} 个词元）：BLEU 要把 1 到 4 阶的精确率乘在"
    "一起，所以是 0。",
    "BLEU = brevity penalty × the geometric mean of the four precisions.": "BLEU = 长度惩罚 × 四个精确率的几何平均。",
    "kind": "类型",
    "precision": "精确率",
    "recall": "召回率",
    "F-measure": "F 值",
    "{kind}: n-grams shared with reference {number}": "{kind}：和参考文本 {number} 共有的 n 元组",
    "ROUGE-L: the longest common subsequence ({count} tokens, in order, gaps allowed)": "ROUGE-L：最长公共子序列"
    "（{count} 个词元，顺序不变，中间可以隔开）",
    "no tokens": "没有词元",
    "The tokens as rouge-score compares them: lower-cased words, punctuation dropped": "rouge-score 比较的词元："
    "转成小写的词，去掉标点",
    "The tokens as rouge-score compares them here: every character, spaces dropped": "rouge-score 在这里比较的"
    "词元：每个字符，去掉空白",
    "0–100, sacrebleu": "0–100，sacrebleu",
    "F-measure, 0–1": "F 值，0–1",
    # Messages
    "Perplexity needs at least two tokens: the first token has nothing before it to be predicted from. This text "
    "has {count}; please type a longer text.": "困惑度至少需要两个词元：第一个词元前面没有东西可以用来预测它。这段文本"
    "只有 {count} 个；请输入长一点的文本。",
    "The text has {tokens} tokens, more than the {window} this model reads at once: it was read in {windows} "
    "overlapping windows of {window} tokens, each {stride} tokens after the one before (as Hugging Face's "
    "perplexity guide does), so every token is predicted from at least {context} tokens before it, or from all "
    "of them near the start.": "这段文本有 {tokens} 个词元，比这个模型一次能读的 {window} 个多：它被分成 {windows} 个"
    "互相重叠的窗口来读，每个窗口 {window} 个词元，每次往后移 {stride} 个（和 Hugging Face 的困惑度指南一样），所以"
    "每个词元至少根据它前面的 {context} 个词元来预测（靠近开头的根据前面全部词元）。",
    "Text {name}: {message}": "文本 {name}：{message}",
    'The references must be a list of texts, such as ["a reference", "another"]; got {type}.': "参考文本必须是一"
    '个文本列表，比如 ["一段参考文本", "另一段"]；收到的是 {type}。',
    "Please give at least one reference: the text the candidate is compared with.": "请至少给出一段参考文本：用来"
    "和候选文本比较的文本。",
    "There are {count} references; at most {limit} are allowed here.": "一共有 {count} 段参考文本；这里最多允许 "
    "{limit} 段。",
    "Reference {number} must be text, not {type}.": "参考文本 {number} 必须是文本，而不是 {type}。",
    "Reference {number} is empty: please type it, or leave it out.": "参考文本 {number} 是空的：请填写它，或者去掉"
    "它。",
    "reference": "参考文本",
    "candidate": "候选文本",
    'Unknown language {language}: choose "en" (English) or "zh" (Chinese).': '未知的语言 {language}：请选择 "en"'
    '（英文）或 "zh"（中文）。',
    "ROUGE-L compares every token of the candidate with every token of each reference: {cells} comparisons "
    "here, more than the {limit} allowed. Please shorten the texts.": "ROUGE-L 要把候选文本的每个词元和每段参考文本"
    "的每个词元比较：这里要比较 {cells} 次，超过了允许的 {limit} 次。请把文本缩短。",
}
