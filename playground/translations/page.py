"""中文 for the page: tab texts, labels, help, and what the tabs write about their results."""

ZH = {
    # The page
    "Language": "语言",
    "See what language models do: generate text, fill in missing words, classify sentiment, and look at "
    "attention inside the model. Everything runs on this machine.": "看看语言模型在做什么：生成文本、填补缺失的词、"
    "判断情感，并观察模型内部的注意力。一切都在这台电脑上运行。",
    "Open this on your own device": "在你自己的设备上打开",
    "On the same network, open one of these addresses or scan the code:": "在同一网络中，打开下列任一地址或扫描二维码：",
    "Started with these models (the System tab shows what is loaded now):": "启动时使用的模型（“系统”标签页显示当前已加载的模型）：",
    "Loading {model}…": "正在加载 {model}…",
    "The model ran out of memory for this request. Try a shorter text, fewer new tokens or fewer samples; the "
    "memory has been freed.": "模型处理这个请求时内存不足。请试试更短的文本、更少的新词元或更少的样本；内存已经释放。",
    "Something went wrong on the server ({error}). Please try again.": "服务器出了点问题（{error}）。请再试一次。",
    # Generate
    "Generate": "生成",
    "A GPT-style model continues your text one token at a time. **Temperature** 0 always picks the most likely "
    "token (greedy); higher values take more risks. **Top-k** keeps only the k most likely tokens (0 = all), "
    "**top-p** the smallest set whose probabilities add up to p. The same **seed** and settings give the same "
    "text. Each token is coloured by how likely it was; hover or tap it to see the alternatives.": "GPT 类模型一次一个"
    "词元（token）地续写你的文本。**温度**为 0 时总是选概率最大的词元（贪心）；温度越高越敢冒险。**Top-k** 只保留"
    "概率最大的 k 个词元（0 = 全部），**top-p** 只保留概率加起来达到 p 的最小集合。同样的**随机种子**和设置会得到"
    "同样的文本。每个词元按它的概率着色；把鼠标移到词元上（或点一下）可以看到其他候选。",
    "Prompt": "提示词",
    "Type the start of a text…": "输入一段文字的开头…",
    "Stop": "停止",
    "Next token": "下一个词元",
    "Undo": "撤销",
    "Generated text, coloured by probability": "生成的文本，按概率着色",
    "Max new tokens": "最多新词元数",
    "Temperature (0 = greedy)": "温度（0 = 贪心）",
    "Top-k (0 = off)": "Top-k（0 = 关闭）",
    "Top-p": "Top-p",
    "Repetition penalty": "重复惩罚",
    "Samples side by side": "并排的样本数",
    "Seed": "随机种子",
    "New random seed each time": "每次使用新的随机种子",
    "Next-token distribution": "下一个词元的概率分布",
    "Plain text": "纯文本",
    "Generated text": "生成的文本",
    "Perplexity: how surprising was each token?": "困惑度：每个词元有多出人意料？",
    "The log-probability the model gave each token, given the tokens before it. Perplexity is "
    "e^(−average log-probability): lower means the text was less surprising to the model.": "模型根据前面的"
    "词元给每个词元的对数概率。困惑度 = e^(−平均对数概率)：越低，说明这段文本对模型来说越不意外。",
    "Perplexity": "困惑度",
    "Compare two settings side by side": "并排比较两组设置",
    "Same prompt, length, seed and repetition penalty; two decoding settings.": "相同的提示词、长度、随机种子"
    "和重复惩罚；两组不同的解码设置。",
    "A: temperature": "A：温度",
    "A: top-k": "A：top-k",
    "A: top-p": "A：top-p",
    "B: temperature": "B：温度",
    "B: top-k": "B：top-k",
    "B: top-p": "B：top-p",
    "Compare": "比较",
    "Show code: reproduce this with transformers": "显示代码：用 transformers 复现这个结果",
    "Examples: click one, then Generate": "示例：点一个，然后点“生成”",
    "Seed **{seed}** · {count} new tokens": "随机种子 **{seed}** · {count} 个新词元",
    " · generating…": " · 生成中…",
    " · stopped": " · 已停止",
    "The text has reached this model's context length of {tokens} tokens.": "文本已达到这个模型的上下文长度"
    "（{tokens} 个词元）。",
    "There is no drawn token to undo. Click “Next token” first.": "还没有可以撤销的词元。请先点“下一个词元”。",
    "Step mode · tokens drawn one at a time: {count}": "单步模式 · 已逐个抽取的词元：{count}",
    "temperature {temperature}, top-k {top_k}, top-p {top_p}": "温度 {temperature}，top-k {top_k}，"
    "top-p {top_p}",
    # Fill-Mask
    "Fill-Mask": "完形填空",
    "A BERT-style model guesses a hidden word from the words on **both** sides. Write `[MASK]`, `<mask>` or "
    "`___` where a word is missing; you may use several. Each mask is predicted on its own, as if the other "
    "blanks were still blank.": "BERT 类模型根据**两边**的词猜出被遮住的词。在缺词的地方写 `[MASK]`、`<mask>` "
    "或 `___`，可以写多个。每个空都单独预测，就好像其他空还没有填。",
    "Text with [MASK]": "带 [MASK] 的文本",
    "Target words (optional)": "目标词（可选）",
    "e.g. mat, floor, roof: score only these words at the mask": "例如 好, 热, 冷：只给这些词打分",
    "Candidates per mask (top-k)": "每个空的候选数（top-k）",
    "Predict": "预测",
    "Candidates": "候选词",
    "Examples: click one, then Predict": "示例：点一个，然后点“预测”",
    "Best fill: {fills}": "最佳填空：{fills}",
    "With several masks, each one is predicted **on its own**, as if the other blanks were still blank (as "
    "`transformers.pipeline` does): the best fills need not make sense together.": "有多个空时，每个空都"
    "**单独**预测，就好像其他空还没有填（和 `transformers.pipeline` 一样）：各自最好的答案放在一起不一定通顺。",
    "Scored only the target words: {words}": "只给目标词打分：{words}",
    "Attention: what did each [MASK] look at?": "注意力：每个 [MASK] 看了哪里？",
    "For every `[MASK]`, one row per layer: how much the mask's position attended to each token, averaged over "
    "the heads. The model fills the blank from what it looks at.": "每个 `[MASK]` 每层一行：这个位置对每个词元"
    "的注意力（各个头的平均）。模型根据它看到的内容来填空。",
    "Mask attention": "[MASK] 的注意力",
    "Masks: {masks} · {tokens} tokens · {layers} layers": "空：{masks} 个 · {tokens} 个词元 · {layers} 层",
    # Sentiment
    "Sentiment": "情感分类",
    "A fine-tuned classifier reads the whole text and gives a probability to each label.": "一个微调过的分类器"
    "读完整段文本，给每个标签一个概率。",
    "Text": "文本",
    "Classify": "分类",
    "Label probabilities": "各标签的概率",
    "Examples: click one, then Classify": "示例：点一个，然后点“分类”",
    "Prediction: **{label}** ({score})": "预测：**{label}**（{score}）",
    "Why? The words that pushed the prediction": "为什么？推动这个预测的词",
    "**Integrated Gradients** (from the captum library) fades each word in, from a neutral baseline to the "
    "real text, and measures how much the label's probability rises or falls on the way. Green words pushed "
    "**towards** the label, red words **away** from it.": "**积分梯度**（来自 captum 库）让每个词从中性的基线"
    "逐渐变成真实文本，并测量这一路上标签的概率升高或降低了多少。绿色的词把预测**推向**这个标签，红色的词把它"
    "**推离**。",
    "the predicted label": "预测出的标签",
    "Explain which label": "解释哪个标签",
    "Explain": "解释",
    "Why **{label}**? Its probability is **{score}** for this text and {baseline} for the baseline (the same "
    "length of [PAD] tokens). The colours split the difference between the words. Check: they add up to "
    "{total}; score − baseline is {difference} (Integrated Gradients, {steps} steps).": "为什么是 **{label}**？"
    "这段文本得到它的概率是 **{score}**，基线（同样长度的 [PAD] 词元）是 {baseline}。颜色把这个差值分给了各个词。"
    "验算：它们加起来是 {total}；得分 − 基线 = {difference}（积分梯度，{steps} 步）。",
    "The model itself predicts {label}.": "模型自己预测的是 {label}。",
    "Many texts at once: one per line, or a CSV file": "一次分类多段文本：每行一段，或上传 CSV 文件",
    "Texts, one per line": "文本，每行一段",
    "…or a CSV file (used instead of the lines)": "…或一个 CSV 文件（会代替上面的文本）",
    "Column with the texts": "文本所在的列",
    "Empty lines are skipped. Most texts at once:": "空行会被跳过。一次最多的文本数：",
    "Classify all": "全部分类",
    "Predicted labels": "预测的标签",
    "Results": "结果",
    "Download the table as CSV": "下载表格（CSV）",
    "Classifying": "正在分类",
    "texts": "段文本",
    "the lines above": "上面各行",
    "column “{column}” of {file}": "{file} 的“{column}”列",
    "Classified {count} texts from {source}.": "已分类来自{source}的 {count} 段文本。",
    "text": "文本",
    "label": "标签",
    "score": "得分",
    # Attention
    "Attention": "注意力",
    "Each row is a token *attending*; each column a token it *looks at*. Darker means more attention, and "
    "every row adds up to 1. Every layer has several heads, and each head learns its own pattern. **Rollout** "
    "follows attention through the layers (Abnar & Zuidema, 2020).": "每一行是一个*发出注意力*的词元，每一列是"
    "它*看向*的词元。颜色越深，注意力越多，每一行加起来等于 1。每一层有好几个头，每个头学到自己的模式。"
    "**Rollout**（注意力传递）沿着各层追踪注意力（Abnar & Zuidema, 2020）。",
    "Model": "模型",
    "Fill-mask (BERT-style, reads both ways)": "完形填空（BERT 类，双向阅读）",
    "Generation (GPT-style, reads left to right)": "文本生成（GPT 类，从左往右读）",
    "Sentiment (a classifier)": "情感分类（分类器）",
    "Show attention": "显示注意力",
    "View": "视图",
    "Layer": "层",
    "Head": "头",
    "Layers": "层",
    "Heads": "头",
    "Hide special tokens ([CLS], [SEP], <|endoftext|>) and renormalise the rows": "隐藏特殊词元（[CLS]、"
    "[SEP]、<|endoftext|>），并让每行重新加起来等于 1",
    "Layers and heads in the overview and the bertviz views": "总览和 bertviz 视图中显示的层和头",
    "Big views draw many matrices; fewer layers and heads leave room for more tokens (the view says when it "
    "reads only the start of the text).": "大的视图要画很多矩阵；少选一些层和头，就能显示更多词元（如果只读了"
    "文本的开头，视图会说明）。",
    "Examples: click one, then Show attention": "示例：点一个，然后点“显示注意力”",
    "bertviz: head view and model view (works offline)": "bertviz：头视图和模型视图（可离线使用）",
    "Jesse Vig's bertviz pictures of the same text, drawn in a sandboxed frame with no internet needed. The "
    "head view shows one layer (pick it in its menu); lines join each token to the tokens it attends to, one "
    "colour per head.": "Jesse Vig 的 bertviz 画出的同一段文本，在沙盒框架中绘制，不需要联网。头视图显示一层"
    "（在它的菜单里选择）；连线把每个词元和它关注的词元连起来，每个头一种颜色。",
    "Head view": "头视图",
    "Model view": "模型视图",
    "bertviz view": "bertviz 视图",
    "Draw bertviz view": "绘制 bertviz 视图",
    "Download HTML": "下载 HTML",
    "Download the attention tensor (.npz, .json)": "下载注意力张量（.npz、.json）",
    "Every layer and head of the text shown above: `attentions[layer][head][query][key]` with the tokens. The "
    ".json has the shape of the /attention endpoint; the .npz loads with `numpy.load(path)`.": "上面这段文本"
    "每一层、每个头的注意力：`attentions[layer][head][query][key]`，以及词元。.json 的格式与 /attention 接口"
    "相同；.npz 可以用 `numpy.load(path)` 读取。",
    "Prepare downloads": "准备下载",
    "Attention tensor": "注意力张量",
    "{tokens} tokens · {layers} layers × {heads} heads.": "{tokens} 个词元 · {layers} 层 × {heads} 个头。",
    "This model reads left to right: a token attends only to itself and the tokens before it, so everything "
    "above the diagonal is 0 (grey).": "这个模型从左往右读：每个词元只关注它自己和前面的词元，所以对角线以上"
    "都是 0（灰色）。",
    "This model reads both ways: every token may attend to every other token.": "这个模型双向阅读：每个词元都"
    "可以关注其他任何词元。",
    "cells": "个格子",
    "attention lines": "条注意力连线",
    "Unknown model {model}: choose one of {choices}.": "未知的模型 {model}：请从 {choices} 中选择。",
    "Unknown view {view}: choose 'head' or 'model'.": "未知的视图 {view}：请选择 'head' 或 'model'。",
    "Click “Show attention” first; then its attention can be downloaded.": "请先点“显示注意力”，然后才能下载"
    "它的注意力。",
    "Attention over the prompt and the generated text": "提示词和生成文本上的注意力",
    "Each generated token (rows below the orange line) was chosen while attending to the prompt and to the "
    "tokens generated before it. Grey: later tokens, which it could not see yet.": "每个生成的词元（橙线以下"
    "的行）都是在关注提示词和之前生成的词元时选出来的。灰色：后面的词元，当时还看不到。",
    "Head (0 = mean over heads)": "头（0 = 各头的平均）",
    "Attention over the generated text": "生成文本上的注意力",
    "Generate some text first (or draw tokens with Next token).": "请先生成一些文本（或用“下一个词元”逐个"
    "抽取）。",
    "{prompt} prompt tokens + {generated} generated · {layers} layers × {heads} heads": "{prompt} 个提示词"
    "词元 + {generated} 个生成的词元 · {layers} 层 × {heads} 个头",
    # System
    "System": "系统",
    "Models load when a tab first needs them and stay in memory; unload one to free its memory.": "模型在标签页"
    "第一次用到时加载，之后一直留在内存中；卸载一个模型可以释放它占用的内存。",
    "Loaded models": "已加载的模型",
    "Model to unload": "要卸载的模型",
    "Unload": "卸载",
    "Refresh": "刷新",
    "Model preset": "模型预设",
    "Use preset": "使用这个预设",
    "**Use another model** (a Hub id or a local `save_pretrained` folder). Models never run remote code; "
    "safetensors weights are preferred.": "**使用其他模型**（Hub 上的模型 id，或本地用 `save_pretrained` 保存的"
    "文件夹）。模型从不运行远程代码；优先使用 safetensors 权重。",
    "Task": "任务",
    "Model id or folder": "模型 id 或文件夹",
    "Load": "加载",
    "Generation": "文本生成",
    "Fill-mask": "完形填空",
    "task": "任务",
    "model": "模型",
    "device": "设备",
    "dtype": "数据类型",
    "parameters (M)": "参数量（百万）",
    "memory (MB)": "内存（MB）",
    "none": "无",
    "**Device:** {device}": "**设备**：{device}",
    "**Model preset:** {preset}": "**模型预设**：{preset}",
    "**Model preset:** none (models chosen one by one)": "**模型预设**：无（模型是逐个指定的）",
    "**Loaded:** {loaded} of {tasks} models, {total} MB · **memory budget:** {budget}": "**已加载**："
    "{tasks} 个模型中的 {loaded} 个，{total} MB · **内存预算**：{budget}",
    "Nothing unloaded yet.": "还没有自动卸载过模型。",
    "**Automatic unloads:**": "**自动卸载记录**：",
    "Choose which model to unload.": "请选择要卸载的模型。",
    "The {task} model was not loaded.": "{task}模型本来就没有加载。",
    "Choose a model preset.": "请选择一个模型预设。",
    "The tabs now use the {preset} models; each loads when first used.": "各标签页现在使用{preset}模型；每个模型"
    "在第一次用到时加载。",
    "Loading other models is switched off on this server (start it with --allow-custom-models).": "这台服务器"
    "不允许加载其他模型（启动时加上 --allow-custom-models 才可以）。",
    "Choose a task and type a Hub model id (like google-bert/bert-base-cased) or a folder.": "请选择任务，并输入"
    " Hub 模型 id（例如 google-bert/bert-base-cased）或文件夹。",
    "The {task} tab now uses {model}.": "{task}标签页现在使用 {model}。",
    "Admin password": "管理员密码",
    "Needed to change or unload this server's models.": "更换或卸载这台服务器的模型需要它。",
    "The models this server started with": "这台服务器启动时的模型",
    "Changing or unloading this server's models is switched off: start it with --admin-password to allow a "
    "teacher to do it.": "这台服务器不允许更换或卸载模型：启动时加上 --admin-password，老师才可以这样做。",
    "Wrong admin password.": "管理员密码不对。",
    "The tabs use the models this server started with again; each loads when first used.": "各标签页重新使用"
    "这台服务器启动时的模型；每个模型在第一次用到时加载。",
    "The generation model has changed since this text was made. Generate again.": "生成这段文本之后，文本生成"
    "模型已经换了。请重新生成。",
    # What the models and the generation task say
    "--device cuda was asked for, but PyTorch sees no CUDA GPU on this machine.": "指定了 --device cuda，但 PyTorch"
    " 在这台电脑上找不到 CUDA GPU。",
    "--device mps was asked for, but this machine has no Apple GPU (MPS).": "指定了 --device mps，但这台电脑没有"
    " Apple GPU（MPS）。",
    "Unknown task {task}: choose one of {choices}.": "未知的任务 {task}：请从 {choices} 中选择。",
    "Unknown preset {preset}: choose one of {choices}.": "未知的预设 {preset}：请从 {choices} 中选择。",
    "Unloaded the {task} model {model} ({size} MB) to stay within the memory budget of {budget} MB; it loads "
    "again when next used.": "为了不超出 {budget} MB 的内存预算，卸载了{task}模型 {model}（{size} MB）；下次用到"
    "时会重新加载。",
    "The fill-mask model {model} has no mask token, so it cannot fill in blanks. Give {kind} with {flag}.": "完形"
    "填空模型 {model} 没有 mask 词元，所以不能填空。请用 {flag} 指定{kind}。",
    "{model} is a {architecture}, not {kind}. Give a model of that kind with {flag}.": "{model} 是 "
    "{architecture}，不是{kind}。请用 {flag} 指定这类模型。",
    "a text-generation (causal language) model such as openai-community/gpt2": "文本生成（因果语言）模型，例如 "
    "openai-community/gpt2",
    "a fill-mask (masked language) model such as google-bert/bert-base-uncased": "完形填空（掩码语言）模型，例如 "
    "google-bert/bert-base-uncased",
    "a text-classification model such as distilbert/distilbert-base-uncased-finetuned-sst-2-english": "文本分类"
    "模型，例如 distilbert/distilbert-base-uncased-finetuned-sst-2-english",
    "hf download {model} (or run the app once without --offline)": "hf download {model}（或者不带 --offline "
    "运行一次这个应用）",
    "The {task} model {model} is not in this computer's model cache. Prepare it while online with: {command}": ""
    "{task}模型 {model} 不在这台电脑的模型缓存里。请在联网时用这个命令准备好：{command}",
    "The {task} model {model} is not on this computer and the Hugging Face Hub ({endpoint}) cannot be reached "
    "from it: prepare the models while online with `{command}` and start with --offline, or use a mirror of the "
    "Hub (e.g. --hub-endpoint https://hf-mirror.com). To try the playground with no download at all, start it "
    "with --demo.": "{task}模型 {model} 不在这台电脑上，而这台电脑连不上 Hugging Face Hub（{endpoint}）：请在联网"
    "时用 `{command}` 准备好模型，再加上 --offline 启动；或者使用 Hub 的镜像（例如 --hub-endpoint "
    "https://hf-mirror.com）。想完全不下载就先试试，可以加上 --demo 启动。",
    "Could not load the {task} model {model}: {reason}. Check that it is a Hub id of {kind} or a folder written "
    "by save_pretrained, that this machine can reach huggingface.co (or has the model in its cache), and set it "
    "with {flag}.": "无法加载{task}模型 {model}：{reason}。请检查：它是{kind}的 Hub id，或用 save_pretrained "
    "保存的文件夹；这台电脑能访问 huggingface.co（或缓存里已有这个模型）；并用 {flag} 指定它。",
    "With temperature 0 (greedy) every sample would be the same text. Raise the temperature to compare several "
    "samples.": "温度为 0（贪心）时，每个样本都会是同样的文本。请调高温度来比较多个样本。",
    "Top-p must be above 0 (1 keeps every token); got 0.": "Top-p 必须大于 0（1 表示保留所有词元）；现在是 0。",
    "Max new tokens must be below this model's context length of {context} tokens; got {got}.": "最多新词元数"
    "必须小于这个模型的上下文长度（{context} 个词元）；现在是 {got}。",
    "The prompt has no tokens the model knows. Please type some words.": "提示词里没有模型认识的词元。请输入一些"
    "文字。",
    "The prompt had {tokens} tokens, but with {new} new tokens only {room} fit in the model's context of "
    "{context}: only its last {room} tokens were used.": "提示词有 {tokens} 个词元，但加上 {new} 个新词元后，模型"
    " {context} 个词元的上下文只放得下 {room} 个：只用了提示词的最后 {room} 个词元。",
    "({free} of {total} GiB free)": "（{total} GiB 中有 {free} GiB 空闲）",
    "{threads} CPU threads": "{threads} 个 CPU 线程",
    # Chat
    "Chat": "对话",
    "Chat (an instruction-tuned decoder, reads left to right)": "对话（指令微调的解码器，从左往右读）",
    "A chat model does not see a conversation: its **chat template** turns the system prompt and the turns into "
    "**one long text**, with special tokens marking where each turn starts and ends, and the model simply "
    "continues that text. Its reply ends when it writes the end-of-turn token. Change the system prompt, then "
    "click **Reply again** to see the reply change.": "对话模型看到的并不是一段“对话”：它的**对话模板**把系统提示和"
    "每一轮发言拼成**一整段长文本**，用特殊词元标出每一轮从哪里开始、到哪里结束，模型只是接着这段文本往下写。"
    "它写出“回合结束”词元时，回复就结束了。改一改系统提示，再点**重新回复**，看看回复怎么变。",
    "System prompt (optional)": "系统提示（可选）",
    "Conversation": "对话记录",
    "Message": "消息",
    "Type a message…": "输入一条消息…",
    "Send": "发送",
    "Reply again": "重新回复",
    "Clear": "清空",
    "The reply, coloured by probability": "回复，按概率着色",
    "What the model reads: the conversation as one text, token by token": "模型读到的内容：整段对话作为一段文本，逐个词元",
    "Show what the model reads": "显示模型读到的内容",
    "Examples: click one, then Send": "示例：点一个，再点“发送”",
    "writing… {count} new tokens": "正在写… {count} 个新词元",
    "{count} new tokens; the model ended its turn with an end-of-turn token": "{count} 个新词元；模型用“回合结束”词元结束了它的发言",
    "{count} new tokens; stopped at the limit of new tokens before the model ended its turn": "{count} 个新词元；"
    "模型还没结束发言，就到了新词元数的上限",
    "Seed **{seed}** · {status}": "随机种子 **{seed}** · {status}",
    # Inside
    "Inside": "模型内部",
    "How a transformer computes, from the model's own tensors: the text cut into **tokens**, then one attention "
    "**head** step by step, then the **logit lens**: what the model would predict if it stopped after each "
    "layer.": "从模型自己的张量看 Transformer 怎样计算：先把文本切成**词元**，再一步一步看一个注意力**头**，"
    "最后是**逻辑透镜**：如果模型在每一层之后就停下，它会预测什么。",
    "Look inside": "看看内部",
    "Tokens": "词元",
    "One attention head, step by step": "一个注意力头，一步一步",
    "One head step by step": "一个头，一步一步",
    "Logit lens": "逻辑透镜",
    "Examples: click one, then Look inside": "示例：点一个，再点“看看内部”",
    "Layer {layer} of this model, head {head} of {heads}; d_k = {d_k}.": "这个模型的第 {layer} 层，{heads} 个头中的第 {head} 个；d_k = {d_k}。",
    "Grouped-query attention: {heads} query heads share {kv} key/value heads; this head reads key/value head "
    "{kv_head}.": "分组查询注意力：{heads} 个查询头共用 {kv} 个键/值头；这个头读第 {kv_head} 个键/值头。",
    "Position enters by rotating q and k (RoPE): the Q and K shown are after the rotation.": "位置信息通过旋转 q 和 k 进入"
    "（RoPE）：这里显示的 Q 和 K 是旋转之后的。",
    "The mask hides each token's future: the blank cells of the scores.": "掩码遮住每个词元之后的内容：也就是分数里的空白格。",
    "Layer 0 is the embeddings; the last layer is the model's own output.": "第 0 层是嵌入；最后一层就是模型自己的输出。",
    "Embeddings": "嵌入",
    "The last {shown} of {total} positions are shown; /logit_lens gives them all.": "只显示最后 {shown} 个位置"
    "（共 {total} 个）；/logit_lens 接口会给出全部。",
    "This model normalises after each step (post-norm): X is the block's input, and a LayerNorm follows the "
    "residual sum.": "这个模型在每一步之后做归一化（后置归一化）：X 就是这一块的输入，残差相加之后再做一次 LayerNorm。",
    "Compare the tokenizers of the served models": "比较各个模型的分词器",
    "Attention mixes information between tokens; the MLP then works on each token on its own. The residual "
    "stream carries the sum of everything the layers have added.": "注意力在词元之间混合信息；MLP 再对每个词元单独"
    "加工。残差流携带着各层加进来的所有内容之和。",
    "One query token": "一个查询词元",
    "Query token: its row of scores and weights, and its MLP neurons": "查询词元：它那一行的分数和权重，以及它的 MLP 神经元",
    "The block: residual stream and MLP": "整个块：残差流和 MLP",
    "Residual stream": "残差流",
    "MLP neurons": "MLP 神经元",
    "Demo models: tiny models made on this computer and trained for seconds on a few sentences. They show how "
    "everything works, not what a real model can do; start without --demo for real ones.": "演示模型：在这台电脑上"
    "现做的小模型，只用几句话训练了几秒钟。它们展示一切怎样运作，而不代表真正的模型能做什么；去掉 --demo 启动即可使用真正的模型。",
    "Colours to each head's own largest weight (a head that spreads its attention shows up)": "颜色按每个头自己最大的"
    "权重来画（注意力分散的头也能看清）",
    "Projector mode": "投影模式",
    "Error": "出错了",
    "Info": "提示",
    "Warning": "注意",
    # Train
    "Train": "训练",
    "Language models learn in two stages. **Pretraining**: a model learns to predict the next token of plain "
    "text. **Fine-tuning**: a little labelled data adapts a trained model to a task. Try both here; what you "
    "train is yours alone, and the server's models stay as they are.": "语言模型的学习分两步。**预训练**：模型"
    "从普通文本中学习预测下一个词元。**微调**：用少量带标签的数据让训练好的模型适应一个任务。在这里两样都可以试试；"
    "你训练的模型只属于你，服务器上的模型保持不变。",
    "Use my models in Generate, Sentiment, Attention and Inside (only for me)": "在“生成”“情感”“注意力”和"
    "“模型内部”中使用我的模型（只对我有效）",
    "You have not trained a model yet.": "你还没有训练过模型。",
    "Your models: {names}. Generate, Sentiment, Attention and Inside use them now, for you alone.": "你的模型："
    "{names}。“生成”“情感”“注意力”和“模型内部”现在使用它们，只对你有效。",
    "Your models: {names}. The other tabs use the server's models.": "你的模型：{names}。其他标签页使用服务器"
    "的模型。",
    "your fine-tuned classifier": "你微调的分类器",
    "your tiny GPT": "你的迷你 GPT",
    "1. Fine-tune the sentiment classifier": "1. 微调情感分类器",
    "Start from the sentiment model and teach it your labels. If they are not the model's own (say sports / food "
    "/ school), a new classification head is made for them. Sentences marked validation are not trained on: "
    "they show what the model learnt.": "从情感模型出发，教它学会你的标签。如果这些标签不是模型原有的（比如 体育 / "
    "美食 / 学校），就会为它们新建一个分类头。标为 validation（验证）的句子不参与训练：它们用来检验模型学到了什么。",
    "Data": "数据",
    "English sentences": "英文句子",
    "Chinese sentences": "中文句子",
    "my own (an empty table)": "我自己的（空表格）",
    "…or a CSV file with the columns text, label (and split)": "…或者一个 CSV 文件，列为 text、label（以及 split）",
    "Labelled sentences (edit them, add rows)": "带标签的句子（可以修改，也可以加行）",
    "split": "用途",
    "Epochs": "训练轮数",
    "Batch size": "批大小",
    "What to train": "训练哪些部分",
    "only the head (the layer on top)": "只训练分类头（最上面一层）",
    "the last layer and the head": "最后一层和分类头",
    "everything": "全部",
    "Trained {trained} of {total} weights for {steps} steps in {seconds} s. Validation accuracy: **{before}** "
    "before, **{after}** after.": "在 {seconds} 秒内训练了 {steps} 步，训练了 {total} 个权重中的 {trained} 个。"
    "验证准确率：训练前 **{before}**，训练后 **{after}**。",
    "Before and after: the validation sentences": "训练前后对比：验证句子",
    "before": "训练前",
    "after": "训练后",
    "changed": "变了",
    "Show code: the same training in PyTorch": "显示代码：用 PyTorch 做同样的训练",
    "Download my classifier (zip)": "下载我的分类器（zip）",
    "2. Pretrain a tiny GPT from scratch": "2. 从零开始预训练一个迷你 GPT",
    "A fresh GPT-2 with random weights learns to predict the next character of a text. Watch the loss fall, and "
    "read a sample every few steps: gibberish turns into words.": "一个权重随机的全新 GPT-2 学习预测一段文本的"
    "下一个字。看着损失下降，每隔几步读一读它写的样本：乱码渐渐变成了词语。",
    "English story": "英文故事",
    "Chinese story": "中文故事",
    "my own text": "我自己的文本",
    "The text to learn from": "用来学习的文本",
    "Model size": "模型大小",
    "tiny: 2 layers, 64 wide": "迷你：2 层，宽 64",
    "small: 4 layers, 128 wide": "小：4 层，宽 128",
    "medium: 6 layers, 192 wide": "中：6 层，宽 192",
    "Tokenizer": "分词器",
    "one token per character": "每个字符一个词元",
    "the generation model's tokenizer": "生成模型的分词器",
    "Steps": "步数",
    "Learning rate": "学习率",
    "A sample every … steps": "每隔多少步采样一次",
    "Pretrain": "预训练",
    "Samples: what the model writes": "样本：模型写出的文字",
    "step": "步",
    "sample": "样本",
    "A GPT-2 of {parameters} weights and {vocab} tokens, trained {steps} steps in {seconds} s. Perplexity on the "
    "text: **{before}** before (a guess among all tokens), **{after}** after.": "一个有 {parameters} 个权重、"
    "{vocab} 个词元的 GPT-2，在 {seconds} 秒内训练了 {steps} 步。文本上的困惑度：训练前 **{before}**（在所有词元里"
    "瞎猜），训练后 **{after}**。",
    "Download my tiny GPT (zip)": "下载我的迷你 GPT（zip）",
    "Your model": "你的模型",
    "At most this many trainings run at once; the others wait in the queue, which shows their place:": "同时最多"
    "运行这么多个训练；其余的在队列里等待，并显示自己排在第几位：",
}
