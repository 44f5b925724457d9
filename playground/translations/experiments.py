"""中文 for the Experiments tab (实验): the page, its charts and what its experiments say."""

ZH = {
    # the page
    "Experiments": "实验",
    "Experiments on the model's own tensors: which **heads** do what, what happens when they are **knocked out**, "
    "where the answer is decided (**activation patching**), why generation is fast (the **KV cache**), and how a "
    "**tokenizer** learns its vocabulary.": "在模型自己的张量上做实验：哪些**注意力头**做什么，把它们**敲掉**会怎样，"
    "答案在哪里决定（**激活修补**），生成为什么快（**KV 缓存**），以及**分词器**怎样学会它的词表。",
    "Head finder": "找注意力头",
    "Four scores per head from its attention weights: **previous token** (each token looks at the one before), "
    "**first token** (the attention sink), **duplicate token** (a token looks at its earlier copies) and "
    "**induction** (the text read twice: each token of the second copy looks at what followed it the first "
    "time).": "根据注意力权重给每个头打四种分：**前一个词元**（每个词元看它前面那个）、**第一个词元**（注意力汇聚点）、"
    "**重复词元**（词元看它前面出现过的相同词元）和**归纳**（文本读两遍：第二遍的每个词元看第一遍时跟在它后面的词元）。",
    "Find heads": "找注意力头",
    "Examples: click one, then Find heads": "示例：点一个，然后点“找注意力头”",
    "{tokens} tokens · {layers} layers × {heads} heads. Click a cell of a map to see that head's pattern and add "
    "it to the heads to knock out.": "{tokens} 个词元 · {layers} 层 × {heads} 个头。点图中的一个格子，可以看到这个头的"
    "注意力模式，并把它加入要敲掉的头。",
    "The head's pattern": "这个头的注意力模式",
    "Previous token": "前一个词元",
    "First token (attention sink)": "第一个词元（注意力汇聚点）",
    "Duplicate token": "重复词元",
    "Induction": "归纳",
    "Click “Find heads” first; then click a head in a map.": "请先点“找注意力头”，再点图中的一个头。",
    "Click “Find heads” first; then heads of one kind can be chosen.": "请先点“找注意力头”，然后才能选某一类的头。",
    "No head scores {threshold} or more: lower the threshold.": "没有哪个头的得分达到 {threshold}：请降低阈值。",
    "Threshold": "阈值",
    "Knock heads out": "敲掉注意力头",
    "Knock heads out of the text of the head finder: each head's output is set to 0 (zero) or to its mean over "
    "the text's positions (mean), by a hook on the input of the attention output projection. Compare the "
    "prediction before and after.": "在“找注意力头”的文本上敲掉注意力头：通过挂在注意力输出投影输入上的钩子，把每个"
    "头的输出设为 0（置零）或设为它在文本各位置上的平均值（取平均）。比较前后的预测。",
    "Heads (layer.head, e.g. 1.2, 2.1)": "注意力头（层.头，例如 1.2, 2.1）",
    "Every head of this kind": "这一类的所有头",
    "with a score of at least": "得分至少为",
    "Add them": "加入",
    "Ablation": "消融方式",
    "Zero": "置零",
    "Mean over the text's positions": "文本各位置上的平均值",
    "zero": "置零",
    "mean": "取平均",
    "Knock out": "敲掉",
    "Before and after": "前后对比",
    "The logit lens with the heads knocked out: what the model would predict after each layer.": "敲掉这些头之后"
    "的 logit 透镜：模型在每一层之后会预测什么。",
    "Before": "之前",
    "After": "之后",
    "Knocked out ({mode}): {heads}": "已敲掉（{mode}）：{heads}",
    "The model's {what}: “{before}” ({p_before}) before; after, “{after}” ({p_after}).": "模型的{what}：之前是"
    "“{before}”（{p_before}）；之后是“{after}”（{p_after}）。",
    "next token": "下一个词元",
    "word at the [MASK]": "[MASK] 处的词",
    "The top answer stays; its probability moves to {p}.": "最可能的答案没变；它的概率变为 {p}。",
    "The top answer changes: “{before}” now has {p}.": "最可能的答案变了：“{before}”现在的概率是 {p}。",
    "Activation patching": "激活修补",
    "Two prompts with the same number of tokens. The corrupted prompt is run again and again, each time with the "
    "residual stream of one layer at one token taken from the clean run: where that brings the clean answer back, "
    "the answer is decided there.": "两个词元数相同的提示词。把被破坏的提示词一遍又一遍地运行，每次把某一层、某个词元处"
    "的残差流换成干净运行里的值：哪里能把干净的答案找回来，答案就是在哪里决定的。",
    "Clean prompt": "干净的提示词",
    "Corrupted prompt": "被破坏的提示词",
    "Clean answer (one token; empty: the model's top)": "干净的答案（一个词元；留空：模型最可能的词元）",
    "Corrupted answer (one token; empty: the model's top)": "被破坏的答案（一个词元；留空：模型最可能的词元）",
    "Patch": "修补",
    "Answers: “{clean}” (clean) and “{corrupted}” (corrupted). Logit difference {ld_clean:.2f} on the clean "
    "prompt, {ld_corrupted:.2f} on the corrupted one. Where a cell is red, the clean run's residual stream at that "
    "layer and token brings the clean answer back.": "答案：“{clean}”（干净）和“{corrupted}”（被破坏）。logit 差在"
    "干净的提示词上是 {ld_clean:.2f}，在被破坏的提示词上是 {ld_corrupted:.2f}。格子越红，说明那一层、那个词元处干净"
    "运行的残差流越能把干净的答案找回来。",
    "Patching the clean run into the corrupted one: “{clean}” vs “{corrupted}”": "把干净运行修补进被破坏的运行："
    "“{clean}” 对 “{corrupted}”",
    "1: the clean answer comes back; 0: no change": "1：干净的答案回来了；0：没有变化",
    "layer {layer}, token {token}: {effect}": "第 {layer} 层，词元 {token}：{effect}",
    "effect": "效果",
    "embeddings": "嵌入",
    "KV cache": "KV 缓存",
    "Generation one token at a time. **Prefill** reads the whole prompt once and keeps every layer's keys and "
    "values; each **decode** step reads one new token and the cache. Beside each step, the same token computed "
    "without the cache (the whole sequence again).": "一次生成一个词元。**预填充**一次读完整个提示词，并保存每一层"
    "的键和值；每个**解码**步骤只读一个新词元和缓存。每一步旁边是不用缓存（把整个序列重新算一遍）算出同一个词元的情况。",
    "New tokens": "新词元数",
    "Generate step by step": "逐步生成",
    "Step": "步骤",
    "Kind": "类型",
    "Token": "词元",
    "Tokens read": "读入的词元",
    "Cache shape": "缓存形状",
    "Cache size": "缓存大小",
    "ms with cache": "有缓存（毫秒）",
    "ms without": "无缓存（毫秒）",
    "ms": "毫秒",
    "prefill": "预填充",
    "decode": "解码",
    "Each step's time and the cache's size": "每一步的时间和缓存大小",
    "step 1 is the prefill": "第 1 步是预填充",
    "Cache size (KiB)": "缓存大小（KiB）",
    "With the cache (ms)": "有缓存（毫秒）",
    "Without: the whole sequence again (ms)": "无缓存：整个序列重算（毫秒）",
    "Each position keeps a key and a value per layer and key/value head: {layers} × 2 × {kv} × {dim} numbers "
    "({dtype}) = {bytes} bytes per token.": "每个位置在每一层、每个键/值头各保存一个键和一个值：{layers} × 2 × {kv} × "
    "{dim} 个数（{dtype}）= 每个词元 {bytes} 字节。",
    "Grouped-query attention: {heads} query heads share {kv} key/value heads, so the cache is {times}× smaller "
    "than with one per query head.": "分组查询注意力：{heads} 个查询头共用 {kv} 个键/值头，所以缓存比每个查询头各有一个"
    "时小 {times} 倍。",
    "A decode step took {cached:.1f} ms with the cache and {uncached:.1f} ms reading the whole sequence again "
    "(measured just now).": "一个解码步骤用缓存花了 {cached:.1f} 毫秒，把整个序列重读一遍花了 {uncached:.1f} 毫秒"
    "（刚刚测得）。",
    "Tokenizer lab": "分词器实验室",
    "Train a byte-level BPE tokenizer (as GPT-2's) on a text: it starts from the 256 bytes and learns merges, the "
    "most frequent pair first. A Chinese character is three bytes: with few merges it is three tokens.": "在一段"
    "文本上训练一个字节级 BPE 分词器（和 GPT-2 的一样）：它从 256 个字节开始学习合并，最常见的一对最先合并。一个汉字"
    "是三个字节：合并很少时，它就是三个词元。",
    "Training text": "训练文本",
    "Vocabulary size": "词表大小",
    "Minimum frequency": "最低频次",
    "Train": "训练",
    "Merges used": "使用的合并次数",
    "The latest merges": "最近的合并",
    "Compare the served models' tokenizers": "比较所服务模型的分词器",
    "{merges} merges learned: a vocabulary of {size} tokens (256 bytes + one token per merge). Move the slider to "
    "cut the text with fewer merges; 0 is bytes alone.": "学到了 {merges} 次合并：词表有 {size} 个词元（256 个字节 + "
    "每次合并一个词元）。拖动滑块，用更少的合并来切分文本；0 就是只有字节。",
    "Click “Train” first; then the slider steps through the merges.": "请先点“训练”，然后滑块会逐个经过这些合并。",
    "With the first {k} of {n} merges": "用 {n} 次合并中的前 {k} 次",
    "Left": "左边",
    "Right": "右边",
    "New token": "新词元",
    "Merges": "合并次数",
    # what the experiments say
    "This experiment compares what the model predicts (the next token, the word at a [MASK] or the labels); this "
    "model ({model}) answers otherwise, so it does not apply here.": "这个实验比较模型的预测（下一个词元、[MASK] 处"
    "的词或标签）；这个模型（{model}）的回答方式不同，所以这里不适用。",
    "Choose at least one head: click it in a map or type it as layer.head, e.g. 3.1, 5.7.": "请至少选一个头：在图中"
    "点它，或者按“层.头”输入，例如 3.1, 5.7。",
    "Write the heads as text, each as layer.head: e.g. 3.1, 5.7.": "请把注意力头写成文本，每个按“层.头”写：例如 3.1, 5.7。",
    "Write each head as layer.head, e.g. 3.1, 5.7; “{item}” is not one.": "每个头请按“层.头”写，例如 3.1, 5.7；"
    "“{item}”不是这种写法。",
    "Layer {layer} does not exist: this model has layers 1 to {layers}.": "第 {layer} 层不存在：这个模型只有第 1 到"
    "第 {layers} 层。",
    "Head {head} does not exist: this model has heads 1 to {heads} in each layer.": "第 {head} 个头不存在：这个模型每层"
    "只有第 1 到第 {heads} 个头。",
    "For the induction score the text is read twice; only its first {n} tokens fit twice.": "计算归纳分数时文本要读"
    "两遍；只有前 {n} 个词元能放下两遍。",
    "No token of the text repeats, so every duplicate-token score is 0.": "文本里没有重复的词元，所以所有重复词元分数都是 0。",
    "Top-n": "前 n 个",
    "Unknown mode {mode}: choose 'zero' or 'mean'.": "未知的方式 {mode}：请选 'zero' 或 'mean'。",
    "clean prompt": "干净的提示词",
    "corrupted prompt": "被破坏的提示词",
    "clean": "干净的",
    "corrupted": "被破坏的",
    "The {which} answer must be text.": "{which}答案必须是文本。",
    "The {which} answer “{answer}” is {count} tokens for this model; an answer must be one token (with a space "
    "before a word, as it follows the prompt: “ Paris”).": "{which}答案“{answer}”对这个模型来说是 {count} 个词元；"
    "答案必须是一个词元（英文单词前要带空格，因为它跟在提示词后面：“ Paris”）。",
    "A classifier has no next token to patch: choose the generation or chat model (or the fill-mask model with a "
    "[MASK] in both prompts).": "分类器没有可以修补的下一个词元：请选择生成或对话模型（或者填空模型，两个提示词里都"
    "放一个 [MASK]）。",
    "The clean prompt has {clean} tokens and the corrupted one {corrupted}: patching needs the same number. Change "
    "a word of one so that both cut into as many tokens (the Inside tab shows how a text is cut).": "干净的提示词"
    "有 {clean} 个词元，被破坏的有 {corrupted} 个：修补需要两者词元数相同。请改动其中一个的某个词，让两者切成同样多的"
    "词元（“模型内部”标签页会显示文本怎样被切分）。",
    "The prompts have {count} tokens; patching reads at most {limit}. Please shorten them.": "提示词有 {count} 个词元；"
    "修补最多读 {limit} 个。请把它们缩短。",
    "Put the [MASK] at the same place in both prompts.": "请把 [MASK] 放在两个提示词的同一位置。",
    "Both answers are “{token}”: choose two different answers to compare (type the clean answer and another "
    "one).": "两个答案都是“{token}”：请选两个不同的答案来比较（输入干净的答案和另一个答案）。",
    "The two prompts give the two answers the same logit difference, so there is nothing to restore: choose "
    "prompts (or answers) that the model answers differently.": "两个提示词给这两个答案的 logit 差相同，所以没有什么"
    "可以恢复：请选择模型回答不同的提示词（或答案）。",
    "Only a model that writes left to right keeps a KV cache while generating; this one reads the whole text at "
    "once. Choose the generation or chat model.": "只有从左到右写的模型在生成时才会保存 KV 缓存；这个模型一次读完"
    "整段文本。请选择生成或对话模型。",
    "The prompt fills the model's {limit} positions: there is no room for a new token. Please shorten it.": "提示词"
    "占满了模型的 {limit} 个位置：没有地方放新词元了。请把它缩短。",
    "Only {room} new tokens fit in the model's {limit} positions.": "模型的 {limit} 个位置里只放得下 {room} 个新词元。",
    "Step {step}: without the cache the rounding picked another token.": "第 {step} 步：不用缓存时，舍入误差选了另一个词元。",
    "The vocabulary must hold at least the {alphabet} bytes a byte-level tokenizer starts from; {size} is too "
    "small.": "词表至少要装下字节级分词器起步的 {alphabet} 个字节；{size} 太小了。",
    "The text has no more pairs seen {times} times or more: the vocabulary stopped at {size}.": "文本里没有更多出现"
    " {times} 次或以上的词元对了：词表停在 {size}。",
}
