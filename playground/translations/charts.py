"""中文 for the pictures: chart titles, axis names, legends, hover texts and the captions drawn with them.

Plotly's own references (`%{y}`, `%{customdata[1]}`) arrive as the values of {placeholders}.
"""

ZH = {
    # Fill-Mask ("Label probabilities" and "Next-token distribution" are in page.py)
    "Mask {number}": "第 {number} 个空",
    "token: {piece}": "词元：{piece}",
    "Scores of the target words": "目标词的得分",
    "Candidates for the mask": "这个空的候选词",
    "Candidates for the masks": "每个空的候选词",
    "mask {number}: {score}, token {piece}": "第 {number} 个空：{score}，词元 {piece}",
    "mask {number}: {score}, token {piece} joined to the word before ({word})": "第 {number} 个空：{score}，"
    "词元 {piece}，和前面的词连成“{word}”",
    "Sentence with the best fills": "填入最佳答案后的句子",
    # Sentiment
    "{count} texts, mean probability {mean}": "{count} 段文本，平均概率 {mean}",
    "Predicted labels of {count} texts": "{count} 段文本的预测标签",
    "{score} towards {label}": "{score}，推向 {label}",
    "pushed towards {label}": "推向 {label}",
    "pushed away from it": "推离它",
    "stronger colour, bigger push · hover a word for its number": "颜色越深，推动越大 · 把鼠标移到词上可以看到"
    "数值",
    # Generate
    "model probability (raw)": "模型给出的概率（原始）",
    "after temperature, top-k, top-p": "经过温度、top-k、top-p 之后",
    "raw: {p}": "原始：{p}",
    "sampled from: {p}": "实际抽样的概率：{p}",
    "Next-token distribution: drew {token}": "下一个词元的概率分布：抽中了 {token}",
    "Next-token distribution: drew a token outside the top {count}": "下一个词元的概率分布：抽中了前 {count} "
    "名以外的词元",
    "new token {step}": "第 {step} 个新词元",
    "log-probability": "对数概率",
    "prompt perplexity {value}": "提示词困惑度 {value}",
    "generated perplexity {value}": "生成文本困惑度 {value}",
    "How surprising each token was": "每个词元有多出人意料",
    "most likely here:": "这里最可能的词元：",
    "Probability when drawn: {scale} · hover or tap a token for alternatives": "抽中时的概率：{scale} · 把鼠标"
    "移到词元上（或点一下）可以看到其他候选",
    "Sample {number}": "样本 {number}",
    # Attention: the views' titles (made in tasks/attention_ops.py) and the heatmaps
    "Layer {layer}, head {head}": "第 {layer} 层，第 {head} 个头",
    "Layer {layer}, mean over {heads} heads": "第 {layer} 层，{heads} 个头的平均",
    "Rollout through layers 1–{layer} (heads averaged, residual added)": "第 1–{layer} 层的 Rollout（各头取"
    "平均，加上残差）",
    "Layer {layer}: all {heads} heads": "第 {layer} 层：全部 {heads} 个头",
    "Overview: {layers} layers × {heads} heads": "总览：{layers} 层 × {heads} 个头",
    "Layer {layer}": "第 {layer} 层",
    "Head {head}": "第 {head} 个头",
    "H{head}": "头{head}",
    "L{layer} H{head}": "层{layer} 头{head}",
    "weight": "权重",
    "rows (queries) attend to columns (keys)": "行（查询）关注列（键）",
    "rows (queries) attend to columns (keys); grey = future, masked": "行（查询）关注列（键）；灰色 = 未来的"
    "词元，被遮住了",
    "rows attend to columns; hover a cell": "行关注列；把鼠标移到格子上可以看到数值",
    "rows attend to columns; hover a cell; grey = future, masked": "行关注列；把鼠标移到格子上可以看到数值；"
    "灰色 = 未来的词元，被遮住了",
    "↑ prompt · generated ↓": "↑ 提示词 · 生成的文本 ↓",
    "Too many tokens to label: hover a cell,<br>or pick one layer for labelled heads": "词元太多，标不下："
    "把鼠标移到格子上看词元，<br>或只选一层，看带标签的各个头",
    "layer {layer}": "第 {layer} 层",
    "[MASK] {number} of {count}": "第 {number} 个 [MASK]（共 {count} 个）",
    "What each [MASK] looked at": "每个 [MASK] 看了哪里",
    "mean over heads; orange box: the mask itself": "各个头的平均；橙色框：[MASK] 自己",
    # bertviz (its own JavaScript's words stay as bertviz writes them)
    "head view": "头视图",
    "model view": "模型视图",
    "bertviz {view} · {model} · {count} tokens": "bertviz {view} · {model} · {count} 个词元",
    "Layer:": "层：",
    "Hover a token to see what it attends to; click a coloured square to switch a head on or off.": "把鼠标"
    "移到词元上，看看它关注哪些词元；点击彩色方块可以打开或关闭一个头。",
    "Each small picture is one head (rows: layers, columns: heads); click one to enlarge it.": "每张小图是"
    "一个头（行：层，列：头）；点击一张可以放大。",
    "number of texts": "文本数",
    # Chat: the conversation as the model reads it
    "token {id}: {piece}": "词元 {id}：{piece}",
    "special token": "特殊词元",
    "written by the template": "模板写入的",
    "system message": "系统消息",
    "user message": "用户消息",
    "assistant message": "助手消息",
    "What the model reads: {count} tokens, {special} of them special": "模型读到的内容：{count} 个词元，其中 "
    "{special} 个是特殊词元",
    # Inside
    "id {id} · piece {piece} · characters {start}–{end}": "编号 {id} · 词片 {piece} · 字符 {start}–{end}",
    "{count} tokens": "{count} 个词元",
    "X: the input ({n} × {d})": "X：输入（{n} × {d}）",
    "Q = X·W_Q ({n} × {d_k})": "Q = X·W_Q（{n} × {d_k}）",
    "K = X·W_K ({n} × {d_k})": "K = X·W_K（{n} × {d_k}）",
    "V = X·W_V ({n} × {d_k})": "V = X·W_V（{n} × {d_k}）",
    "scores Q·Kᵀ/√d_k, masked ({n} × {n})": "分数 Q·Kᵀ/√d_k，加掩码后（{n} × {n}）",
    "A = softmax(scores) ({n} × {n})": "A = softmax(分数)（{n} × {n}）",
    "head output A·V ({n} × {d_k})": "头的输出 A·V（{n} × {d_k}）",
    "Layer {layer}, head {head}: one head step by step": "第 {layer} 层第 {head} 个头：一步一步",
    "embeddings": "嵌入",
    "probability": "概率",
    "Logit lens: what the model would predict after each layer": "逻辑透镜：模型在每一层之后会预测什么",
    "each token (the prediction is of the token after it)": "每个词元（预测的是它后面的那个词元）",
    "each [MASK]": "每个 [MASK]",
    "token embedding ({n} × {d})": "词元嵌入（{n} × {d}）",
    "position embedding ({n} × {d})": "位置嵌入（{n} × {d}）",
    "token type embedding ({n} × {d})": "句段嵌入（{n} × {d}）",
    "the input of layer 1 ({n} × {d})": "第 1 层的输入（{n} × {d}）",
    "(after a LayerNorm)": "（再经过一次 LayerNorm）",
    "cosine similarity of the token embeddings": "词元嵌入之间的余弦相似度",
    "position embeddings ({n} positions × {d})": "位置嵌入（{n} 个位置 × {d}）",
    "the first {shown} of {d} dimensions": "只显示 {d} 维中的前 {shown} 维",
    "Layer {layer}'s MLP on “{token}”: its {top} most active of {total} neurons": "第 {layer} 层的 MLP 对“{token}”："
    "{total} 个神经元中最活跃的 {top} 个",
    "masked: the query may not look at this token": "被遮住：这个查询不能看这个词元",
    "neuron {index}": "神经元 {index}",
    "(key/value head {kv})": "（第 {kv} 个键/值头）",
    "all heads joined, times W_O ({n} × {d})": "所有头拼接后乘以 W_O（{n} × {d}）",
    "residual stream: X_in + attention ({n} × {d})": "残差流：X_in + 注意力（{n} × {d}）",
    "{count} more terms ({sum})": "另外 {count} 项（合计 {sum}）",
    "scores of “{token}” before the softmax": "“{token}”在 softmax 之前的分数",
    "weights after the softmax (sum 1)": "softmax 之后的权重（总和为 1）",
    "Size of the residual stream (L2 norm) after each layer": "每一层之后残差流的大小（L2 范数）",
    "activation": "激活值",
    "norm": "范数",
    "share of the panel's largest weight": "占这一格最大权重的比例",
    # Train ("step" is in page.py)
    "Step {step} of {total}": "第 {step} 步，共 {total} 步",
    "loss {loss}": "损失 {loss}",
    "about {seconds} s left": "大约还剩 {seconds} 秒",
    "Fine-tuning: the loss falls as the model learns": "微调：模型学习时损失在下降",
    "Pretraining: loss and perplexity per step": "预训练：每一步的损失和困惑度",
    "loss": "损失",
    "accuracy": "准确率",
    "perplexity": "困惑度",
    "training loss": "训练损失",
    "validation loss": "验证损失",
    "validation accuracy": "验证准确率",
}
