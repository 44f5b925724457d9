"""中文 for the Translation tab (翻译): the encoder-decoder, its cross-attention, and the chat model beside it."""

ZH = {
    # the registry
    "Translation": "翻译",
    "a translation (encoder-decoder) model such as Helsinki-NLP/opus-mt-en-zh": (
        "翻译（编码器-解码器）模型，例如 Helsinki-NLP/opus-mt-en-zh"
    ),
    "Translation: the encoder (reads the source both ways; the decoder and the cross-attention are in the "
    "Translation tab)": "翻译：编码器（双向读原文；解码器和交叉注意力在“翻译”标签页）",
    # the page
    "The Transformer of the original paper is an **encoder-decoder**: the encoder reads the whole sentence, the "
    "decoder writes the translation one token at a time, and in every decoder layer **cross-attention** looks "
    "back at the source. The heatmap shows where each output token looked: the alignment of the two sentences, "
    "which changes word order where the languages do.": (
        "原始论文中的 Transformer 是一个**编码器-解码器**：编码器一次读完整个句子，解码器一个词元一个词元地写出译文，"
        "解码器的每一层都通过**交叉注意力**回看原文。热力图显示每个输出词元看向了哪里：这就是两个句子之间的对齐，"
        "两种语言语序不同的地方，对齐也随之交错。"
    ),
    "Text to translate": "要翻译的文字",
    "Translate": "翻译",
    "Translation, coloured by probability": "译文，按概率着色",
    "Beams (1 = greedy search)": "束宽（1 = 贪心搜索）",
    "Examples: click one, then Translate": "示例：点击一个，然后点“翻译”",
    "Cross-attention: which source tokens each output token looked at": "交叉注意力：每个输出词元看向了哪些原文词元",
    "Head (0 = the mean of the layer's heads)": "头（0 = 该层所有头的平均）",
    "Cross-attention": "交叉注意力",
    "bertviz: encoder, decoder and cross-attention (works offline)": "bertviz：编码器、解码器与交叉注意力（可离线使用）",
    "Draw bertviz model view": "绘制 bertviz 模型视图",
    "The architecture: encoder and decoder, with this model's shapes": "架构：编码器与解码器，以及本模型的张量形状",
    "Show the architecture": "显示架构",
    "Two architectures, one task: the chat model translates and summarizes": "两种架构，同一任务：对话模型来翻译和摘要",
    "A chat model (a decoder only) does the same tasks when asked in words: the playground writes the "
    "instruction in the text's language, and the chat template turns it into the one text the model reads.": (
        "对话模型（只有解码器）用文字提出要求，也能完成同样的任务：游乐场用原文的语言写出指令，"
        "对话模板再把它变成模型实际读到的那一段文字。"
    ),
    "Translate into": "翻译成",
    "Translate with the chat model": "用对话模型翻译",
    "Summarize with the chat model": "用对话模型摘要",
    "**Encoder-decoder** (the translation model)": "**编码器-解码器**（翻译模型）",
    "**Chat model** (a decoder following an instruction)": "**对话模型**（按指令工作的解码器）",
    # summaries
    "{count} tokens · {search} · {end}": "{count} 个词元 · {search} · {end}",
    "Step mode · tokens written one at a time (greedy): {count}": "单步模式 · 一次写一个词元（贪心）：{count}",
    "greedy search": "贪心搜索",
    "beam search with {beams} beams": "束搜索，束宽 {beams}",
    "the model ended with `</s>`": "模型以 `</s>` 结束",
    "stopped at the limit of new tokens before the model wrote `</s>`": "模型写出 `</s>` 之前已达到新词元上限",
    "{count} new tokens": "{count} 个新词元",
    # the pictures
    "Cross-attention · layer {layer}, {which}": "交叉注意力 · 第 {layer} 层，{which}",
    "rows: the translation's tokens · columns: the source tokens · each row adds up to 1": (
        "行：译文的词元 · 列：原文的词元 · 每行之和为 1"
    ),
    "mean of the {count} heads": "{count} 个头的平均",
    "head {head}": "第 {head} 个头",
    "{target} looked at {source}: {weight}": "{target} 看向 {source}：{weight}",
    "bertviz model view · {model} · {source} source and {target} target tokens": (
        "bertviz 模型视图 · {model} · 原文 {source} 个词元，译文 {target} 个词元"
    ),
    "Each small picture is one head (rows: layers, columns: heads); click one to enlarge it. The menu switches "
    "between the encoder's self-attention, the decoder's and the cross-attention.": (
        "每个小图是一个头（行：层，列：头）；点击可放大。菜单可在编码器的自注意力、解码器的自注意力和交叉注意力之间切换。"
    ),
    "Encoder": "编码器",
    "Decoder": "解码器",
    "Cross": "交叉",
    "Attention:": "注意力：",
    # the architecture
    "**{model}** ({kind}): {enc} encoder layers and {dec} decoder layers, {heads} heads of d_k = {dk}, d_model = "
    "{d}, feed-forward {ff}, a vocabulary of {vocab:,} tokens, {params:,} parameters.": (
        "**{model}**（{kind}）：{enc} 个编码器层和 {dec} 个解码器层，{heads} 个头，d_k = {dk}，d_model = {d}，"
        "前馈层 {ff}，词表 {vocab:,} 个词元，{params:,} 个参数。"
    ),
    "**Encoder layer** (× {count}); X is the source, one row per token:": (
        "**编码器层**（× {count}）；X 是原文，每个词元一行："
    ),
    "- the last layer's output is X⁽ᴸ⁾ {shape}: what the decoder reads": "- 最后一层的输出是 X⁽ᴸ⁾ {shape}：解码器读的就是它",
    "**Decoder layer** (× {count}); Y is the translation so far:": "**解码器层**（× {count}）；Y 是目前为止的译文：",
    "- Z₁ = LayerNorm(Y + MaskedMultiHead(Y, Y, Y)) · weights {shape}, nothing above the diagonal: a token sees "
    "only the tokens before it": (
        "- Z₁ = LayerNorm(Y + MaskedMultiHead(Y, Y, Y)) · 权重 {shape}，对角线以上全为 0：每个词元只能看到它之前的词元"
    ),
    "- Z₂ = LayerNorm(Z₁ + MultiHead(Z₁, X⁽ᴸ⁾, X⁽ᴸ⁾)) · encoder-decoder (cross) attention: queries from the "
    "decoder, keys and values from the encoder, weights {shape}": (
        "- Z₂ = LayerNorm(Z₁ + MultiHead(Z₁, X⁽ᴸ⁾, X⁽ᴸ⁾)) · 编码器-解码器（交叉）注意力：查询来自解码器，"
        "键和值来自编码器，权重 {shape}"
    ),
    "- finally a linear layer and softmax over the {vocab:,} tokens give the next token's distribution": (
        "- 最后经过一个线性层和对 {vocab:,} 个词元的 softmax，得到下一个词元的分布"
    ),
    # what the tasks say
    "The text has no tokens the model knows. Please type some words.": "这段文字里没有模型认识的词元。请输入一些词。",
    "The model {model} names no decoder start token: it cannot translate.": (
        "模型 {model} 没有指定解码器的起始词元，所以无法翻译。"
    ),
    "The translation has ended: the model wrote its end token </s>. Click Undo to go back.": (
        "译文已经结束：模型写出了结束词元 </s>。点击“撤销”可以退回。"
    ),
    "The translation has reached the limit of {count} new tokens. Raise Max new tokens, or Undo.": (
        "译文已达到 {count} 个新词元的上限。请调高“最大新词元数”，或点击“撤销”。"
    ),
    "There is no translated token to undo. Click “Next token” first.": "还没有可以撤销的译文词元。请先点击“下一个词元”。",
    "There is no translation yet: translate the text first.": "还没有译文：请先翻译这段文字。",
    "Translate a text first; then its attention can be drawn.": "请先翻译一段文字，然后才能画出它的注意力。",
    "The number of beams": "束宽",
    "This model's decoder writes at most {most} tokens: Max new tokens was lowered from {asked} to {most}.": (
        "这个模型的解码器最多写 {most} 个词元：“最大新词元数”已从 {asked} 降到 {most}。"
    ),
    "Unknown target language {target}: choose 'zh' or 'en'.": "未知的目标语言 {target}：请选择 'zh' 或 'en'。",
    "Score the encoder-decoder's translation": "给编码器-解码器的译文打分",
    "Score the chat model's answer": "给聊天模型的回答打分",
}
