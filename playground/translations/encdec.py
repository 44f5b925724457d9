"""中文 for the translation model inside the Attention, Inside and Experiments tabs: its encoder, its decoder
and its cross-attention, each named."""

ZH = {
    # the registry: the translation model's choice in Attention, Inside and Experiments
    "Translation (an encoder-decoder: its encoder, its decoder or its cross-attention)": (
        "翻译（编码器-解码器：它的编码器、解码器或交叉注意力）"
    ),
    # Attention
    "Which attention of the translation model": "翻译模型的哪一种注意力",
    "Encoder: self-attention over the source": "编码器：原文上的自注意力",
    "Decoder: masked self-attention over the translation": "解码器：译文上的掩码自注意力",
    "Cross-attention: each translation token over the source": "交叉注意力：每个译文词元看向原文",
    "Unknown part {part}: choose 'encoder', 'decoder' or 'cross'.": (
        "未知的部分 {part}：请选择 'encoder'、'decoder' 或 'cross'。"
    ),
    "Unknown part {part}: choose 'encoder' or 'decoder'.": "未知的部分 {part}：请选择 'encoder' 或 'decoder'。",
    "The cross-attention (encoder-decoder attention): {tokens} tokens of the model's own translation (rows) × "
    "{source} source tokens (columns) · {layers} decoder layers × {heads} heads. Each row adds up to 1 over the "
    "source: the alignment.": (
        "交叉注意力（编码器-解码器注意力）：模型自己译文的 {tokens} 个词元（行）× 原文的 {source} 个词元（列）"
        " · {layers} 个解码器层 × {heads} 个头。每一行在原文上加起来等于 1：这就是对齐。"
    ),
    "The encoder's self-attention over the source: every token may attend to every other token.": (
        "编码器在原文上的自注意力：每个词元都可以关注其他所有词元。"
    ),
    "The decoder's masked self-attention over the model's own translation (its start token first): each token "
    "sees itself and the tokens written before it.": (
        "解码器在模型自己的译文上的掩码自注意力（最前面是起始词元）：每个词元只看得到自己和之前写出的词元。"
    ),
    "bertviz draws the cross-attention together with the encoder and the decoder: open it in the Translation "
    "tab (bertviz: encoder, decoder and cross-attention).": (
        "bertviz 把交叉注意力与编码器、解码器画在一起：请在“翻译”标签页打开（bertviz：编码器、解码器与交叉注意力）。"
    ),
    "The cross-attention joins the translation to the source, so it cannot be followed through the layers "
    "(rollout) nor drawn as the overview: choose one head, the mean or all heads of a layer.": (
        "交叉注意力把译文连到原文，所以无法逐层追踪（rollout），也无法画成总览：请选择单个头、各头平均或一层的所有头。"
    ),
    # Inside
    "Part of the translation model": "翻译模型的部分",
    "Encoder: reads the source sentence, both ways": "编码器：双向读原文句子",
    "Decoder: writes the translation; masked self-attention, then cross-attention": (
        "解码器：写出译文；先是掩码自注意力，再是交叉注意力"
    ),
    "Translation the decoder reads (empty: the model's own translation)": "解码器读的译文（留空：模型自己的译文）",
    "The decoder's cross-attention (encoder-decoder attention)": "解码器的交叉注意力（编码器-解码器注意力）",
    "Layer {layer} of the decoder, head {head} of {heads}: each of the {n} tokens written so far (rows) looks at "
    "the {s} source tokens (columns), the encoder's output X⁽ᴸ⁾; no mask: the whole source is there from the "
    "start. Its residual sum Z₁ + cross-attention gets its own LayerNorm, Z₂.": (
        "解码器第 {layer} 层，{heads} 个头中的第 {head} 个：已写出的 {n} 个词元（行）看向原文的 {s} 个词元（列），"
        "即编码器的输出 X⁽ᴸ⁾；没有掩码：整个原文从一开始就在。残差和 Z₁ + 交叉注意力有自己的 LayerNorm，得到 Z₂。"
    ),
    "The translation model's encoder: it reads the whole source sentence, each token every other; its output "
    "X⁽ᴸ⁾ is what the decoder's cross-attention reads.": (
        "翻译模型的编码器：它读整个原文句子，每个词元看所有其他词元；它的输出 X⁽ᴸ⁾ 就是解码器的交叉注意力读的内容。"
    ),
    "The translation model's decoder reads the start token and the translation so far; its self-attention is "
    "masked, and its cross-attention (below) reads the source.": (
        "翻译模型的解码器读起始词元和目前为止的译文；它的自注意力带掩码，它的交叉注意力（见下方）读原文。"
    ),
    "Z₁: after the masked self-attention ({n} × {d})": "Z₁：掩码自注意力之后（{n} × {d}）",
    "Q = Z₁·W_Q ({n} × {d_k})": "Q = Z₁·W_Q（{n} × {d_k}）",
    "K = X⁽ᴸ⁾·W_K: the encoder's output ({s} × {d_k})": "K = X⁽ᴸ⁾·W_K：编码器的输出（{s} × {d_k}）",
    "V = X⁽ᴸ⁾·W_V: the encoder's output ({s} × {d_k})": "V = X⁽ᴸ⁾·W_V：编码器的输出（{s} × {d_k}）",
    "scores Q·Kᵀ/√d_k: target × source ({n} × {s})": "分数 Q·Kᵀ/√d_k：译文 × 原文（{n} × {s}）",
    "A = softmax(scores): target × source ({n} × {s})": "A = softmax(分数)：译文 × 原文（{n} × {s}）",
    "residual stream: Z₁ + cross-attention ({n} × {d})": "残差流：Z₁ + 交叉注意力（{n} × {d}）",
    "The Inside views know GPT-2, BERT, RoBERTa, DistilBERT, Llama, Qwen2 and Marian models; this model is a "
    "{architecture}, so they cannot show its insides (the Attention tab still can).": (
        "“模型内部”认识 GPT-2、BERT、RoBERTa、DistilBERT、Llama、Qwen2 和 Marian 模型；这个模型是 {architecture}，"
        "所以无法显示它的内部（“注意力”标签页仍然可以）。"
    ),
    "This model multiplies each token embedding by √d = {scale} before adding the position vector (fixed sines "
    "and cosines, as in the original Transformer).": (
        "这个模型先把每个词元嵌入乘以 √d = {scale}，再加上位置向量（固定的正弦和余弦，和原始 Transformer 一样）。"
    ),
    "Only a translation model's decoder has a cross-attention to look into.": "只有翻译模型的解码器才有交叉注意力可看。",
    "The logit lens needs a stack that predicts tokens: this translation model's encoder hands its output to the "
    "decoder instead. Choose the decoder.": (
        "logit lens 需要一个预测词元的部分：这个翻译模型的编码器只是把输出交给解码器。请选择解码器。"
    ),
    "The translation has {count} tokens; the decoder reads the first {limit} (with its start token).": (
        "译文有 {count} 个词元；解码器读前 {limit} 个（包括起始词元）。"
    ),
    "The translation has no tokens the model knows. Please type some words.": "译文里没有模型认识的词元。请输入一些词。",
    "translation": "译文",
    # Experiments
    "This experiment changes one text and watches one prediction; a translation model predicts each token from "
    "a source and the translation so far, so it does not apply here (the Inside tab shows its encoder and its "
    "decoder head by head). Choose the generation, chat or fill-mask model.": (
        "这个实验改动一段文本并观察一个预测；翻译模型的每个词元都由原文和目前为止的译文预测，所以这里不适用"
        "（“模型内部”逐个头显示它的编码器和解码器）。请选择生成、对话或填空模型。"
    ),
    "These are the heads of the translation model's encoder: its self-attention over the text (the Attention "
    "tab shows its decoder and cross-attention too).": (
        "这些是翻译模型编码器的头：它在文本上的自注意力（“注意力”标签页也能显示它的解码器和交叉注意力）。"
    ),
    "A translation model's decoder keeps a KV cache too (and the source's keys and values for its "
    "cross-attention, computed once), but this experiment continues one text: choose the generation or chat "
    "model.": (
        "翻译模型的解码器也保留 KV 缓存（还有交叉注意力用的原文的键和值，只算一次），但这个实验是续写一段文本："
        "请选择生成或对话模型。"
    ),
}
