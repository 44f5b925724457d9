"""中文 for positions, word order, the block diagram, Fill-Mask's "mask 15% at random" and the Attention → Inside
link (issue 27, point 4)."""

ZH = {
    # tasks
    "The number of positions": "位置的个数",
    "Write at least two words to shuffle.": "请至少写两个词，才能打乱顺序。",
    "This model has only {size} positions.": "这个模型只有 {size} 个位置。",
    "This model has no mask token, so it cannot be pretrained by masking.": "这个模型没有遮盖词元，所以不能用遮盖的办法预训练。",
    # Inside: positions
    "Positions: fixed waves or learned": "位置：固定的波还是学来的",
    "Attention by itself does not see word order, so each token's vector gets its position added. The original "
    "Transformer used fixed sine and cosine waves (left); GPT-2 and BERT learn a vector per position (right, read "
    "from the model).": "注意力本身看不出词序，所以每个词元的向量都要加上它的位置。最初的 Transformer 用固定的"
    "正弦和余弦波（左）；GPT-2 和 BERT 为每个位置学一个向量（右，从模型里读出）。",
    "This model learned its own position vectors: a table of {size} rows (its longest input) × {d}; the first {n} "
    "rows are drawn on the right.": "这个模型学了自己的位置向量：一张 {size} 行（它最长的输入）× {d} 的表；右边画出前 {n} 行。",
    "Sinusoidal encoding": "正弦位置编码",
    "Learned position embeddings": "学来的位置嵌入",
    "sinusoidal encoding: dimensions over the positions": "正弦编码：各维度随位置的变化",
    "dot product PE[p]·PE[q] ({n} × {n} positions)": "点积 PE[p]·PE[q]（{n} × {n} 个位置）",
    "learned position embeddings: dimensions over the positions": "学来的位置嵌入：各维度随位置的变化",
    "cosine similarity of the learned positions ({n} × {n})": "学来的位置之间的余弦相似度（{n} × {n}）",
    "dimension {d}": "第 {d} 维",
    "position": "位置",
    # Inside: word order
    "Without positions, word order is lost": "没有位置，词序就丢了",
    "Shuffle the tokens of the text and compare the attention with the text's own, put back in the original order. "
    "With the model's positions they differ; with the positions switched off (a hook on the model's own module) "
    "the shuffled attention is the same attention, shuffled.": "把文字的词元打乱，再把打乱后的注意力按原来的顺序摆回去，和原文的注意力比较。"
    "有模型的位置时，两者不同；把位置关掉（在模型自己的模块上挂一个钩子）后，打乱后的注意力就是同一个注意力，只是换了顺序。",
    "Shuffle the words": "打乱词序",
    "Shuffled: {tokens}": "打乱后：{tokens}",
    "Largest difference between the sentence's attention and the shuffled sentence's (put back in order), over "
    "every head: **{with_}** with positions, **{without}** without them (the largest value compared is {size}).": "句子的注意力和打乱后句子的注意力（摆回原来顺序）之间、所有头中最大的差："
    "有位置时 **{with_}**，没有位置时 **{without}**（比较的数中最大的是 {size}）。",
    "This model reads left to right: its mask lets each token see only the tokens before it, which is order too. "
    "So the scores q·kᵀ/√d_k of layer 1 are compared, before the mask.": "这个模型从左往右读：它的遮罩让每个词元只能看到前面的词元，这本身也是顺序。"
    "所以这里比较第 1 层在遮罩之前的分数 q·kᵀ/√d_k。",
    "Compared: the attention weights of every layer and head.": "比较的是：每一层、每个头的注意力权重。",
    "Positions removed: the rotation of q and k (RoPE) set to no rotation.": "去掉位置的办法：把 q 和 k 的旋转（RoPE）设为不旋转。",
    "Positions removed: the position embeddings set to zero, by a hook on the model's module.": "去掉位置的办法：用模型模块上的钩子把位置嵌入设为零。",
    "with positions": "有位置",
    "without positions": "没有位置",
    "{condition}: largest difference {difference}": "{condition}：最大的差 {difference}",
    "layer 1 head {head}: scores q·kᵀ/√d_k": "第 1 层第 {head} 个头：分数 q·kᵀ/√d_k",
    "layer {layer} head {head}: attention": "第 {layer} 层第 {head} 个头：注意力",
    "the sentence ({what})": "原句（{what}）",
    "the shuffled sentence, put back in order": "打乱的句子，摆回原来的顺序",
    # Inside: the block
    "The block as this model has it: its norms, attention and feed-forward modules with their shapes, and each "
    "residual connection x + f(x) checked on your text.": "这个模型实际的模块：它的归一化层、注意力和前馈网络及其形状，"
    "并在你的文字上检验每个残差连接 x + f(x)。",
    "the model's sum − (x + f(x)): largest difference {difference} (f(x) reaches {size})": "模型算出的和 − (x + f(x))：最大的差 {difference}（f(x) 最大到 {size}）",
    "{heads} heads × d_k {d_k}": "{heads} 个头 × d_k {d_k}",
    "{kv} key/value heads": "{kv} 个键/值头",
    "This block is repeated {layers} times (layer {layer} shown).": "这个模块重复 {layers} 次（这里是第 {layer} 层）。",
    "Pre-norm (as GPT-2 and Llama): each sublayer reads a normed copy; the stream itself is never normed.": "前置归一化（像 GPT-2 和 Llama）：每个子层读的是归一化后的副本；残差流本身从不归一化。",
    "Post-norm (as BERT): each residual sum is normed before it goes on.": "后置归一化（像 BERT）：每个残差和先归一化，再往下传。",
    "Feed-forward (MLP): {d} → {d_ff} → {d}": "前馈网络（MLP）：{d} → {d_ff} → {d}",
    "x: the residual stream entering layer {layer} ({T} × {d})": "x：进入第 {layer} 层的残差流（{T} × {d}）",
    "out: the residual stream leaving layer {layer} ({T} × {d})": "out：离开第 {layer} 层的残差流（{T} × {d}）",
    "Before layer 1, the embeddings are normed too: {part}.": "在第 1 层之前，嵌入也先归一化：{part}。",
    "After the last layer, a final norm: {part}.": "最后一层之后，还有一个最终归一化：{part}。",
    "Self-attention": "自注意力",
    "Norm": "归一化",
    # Fill-Mask: mask 15% at random
    "Mask 15% at random, as BERT was pretrained": "随机遮住 15%，就像 BERT 预训练时那样",
    "BERT learned by guessing hidden words. Its rule, applied to your sentence by the same collator that masks the "
    "tiny BERT's training text: 15% of the tokens are chosen at random; of those, 80% become [MASK], 10% a random "
    "token, 10% stay as they are. The model must guess the original at each.": "BERT 靠猜被藏起来的词来学习。它的规则由给小 BERT 的训练文字做遮盖的同一个整理器用在你的句子上："
    "随机选出 15% 的词元；其中 80% 换成 [MASK]，10% 换成随机词元，10% 保持不变。模型要在每个被选中的地方猜出原来的词元。",
    "Mask 15% at random": "随机遮住 15%",
    "Chosen: {chosen} of {tokens} tokens ({percent} each, at random). The model's best guess is the original token "
    "at {right} of them.": "选中：{tokens} 个词元中的 {chosen} 个（每个 {percent} 的机会，随机）。其中 {right} 个地方，模型的最佳猜测就是原来的词元。",
    "This time no token was chosen ({percent} of {tokens} tokens is less than one): try another seed.": "这次没有选中任何词元（{tokens} 个词元的 {percent} 不到一个）：换一个随机种子试试。",
    "place": "位置",
    "original": "原词元",
    "the model read": "模型读到的",
    "the model's guesses": "模型的猜测",
    "right?": "对吗？",
    "masked": "遮盖",
    "replaced": "替换",
    "kept": "保留",
    "original: {original}": "原词元：{original}",
    # Attention -> Inside
    "This head step by step (Inside) ▸": "一步一步看这个头（模型内部）▸",
}
