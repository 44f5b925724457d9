"""中文 for what the tasks say: errors (InputError), notices about a result, and the words that fill them in."""

ZH = {
    # Words that fill in the sentences below (`what`, `name`); "text", "Max new tokens", "Top-p" and
    # "Repetition penalty" are in page.py
    "prompt": "提示词",
    "The seed": "随机种子",
    "Temperature": "温度",
    "Top-k": "Top-k",
    "The number of samples": "样本数",
    "layer": "层",
    "head": "头",
    # Checks every task makes
    "The {what} must be text, not {type}.": "{what}必须是文字，不能是 {type}。",
    "Please type some {what} first: it is empty.": "请先输入{what}：现在是空的。",
    "The {what} is {length} characters long; the limit here is {limit}. Please shorten it.": "{what}有 "
    "{length} 个字符，这里最多只能有 {limit} 个。请缩短一些。",
    "{name} must be a whole number between {low} and {high}.": "{name}：必须是 {low} 到 {high} 之间的整数。",
    "{name} must be a whole number between {low} and {high}; got {value}.": "{name}：必须是 {low} 到 {high} "
    "之间的整数，现在是 {value}。",
    "{name} must be a number between {low} and {high}; got {value}.": "{name}：必须是 {low} 到 {high} 之间的"
    "数，现在是 {value}。",
    "The text has {count} tokens, more than the {limit} used here: only the first {limit} were used.": "这段"
    "文本有 {count} 个词元，超过了这里使用的 {limit} 个：只用了前 {limit} 个。",
    # Fill-Mask
    "Target words must be text: a list of words, or one string like 'mat, floor, roof'.": "目标词必须是文字："
    "一个词的列表，或者像 'mat, floor, roof' 这样用逗号隔开的一串词。",
    "Give at most {limit} target words; got {count}.": "最多只能给 {limit} 个目标词，现在有 {count} 个。",
    "The target “{target}” gives no token in this model's vocabulary; it was left out.": "目标词“{target}”在"
    "这个模型的词表里找不到任何词元，已略去。",
    "The target “{target}” is not one token of this model's vocabulary: it was scored as its first piece "
    "“{piece}”.": "目标词“{target}”不是这个模型词表里的单个词元：按它的第一个片段“{piece}”打分。",
    "None of the target words gives a token of this model's vocabulary. Try other words, or leave the targets "
    "empty to see the model's own top candidates.": "没有一个目标词能在这个模型的词表里找到词元。请换几个词试试，"
    "或者把目标词留空，看看模型自己给出的最佳候选。",
    "The model {model} has no mask token, so it cannot fill in blanks. Start the app with --fill-mask-model "
    "set to a masked language model such as google-bert/bert-base-uncased.": "模型 {model} 没有 [MASK] 词元，"
    "所以不能填空。启动应用时请用 --fill-mask-model 指定一个掩码语言模型，例如 google-bert/bert-base-uncased。",
    "There is no mask in the text. Put [MASK] or ___ where a word is missing, e.g. 'The cat sat on the "
    "[MASK].'": "文本里没有空。请在缺词的地方写 [MASK] 或 ___，例如“今天天气很[MASK]。”",
    "There is no mask in the text. Put [MASK] or ___ where a word is missing, or this model's own {mask}, "
    "e.g. 'The cat sat on the [MASK].'": "文本里没有空。请在缺词的地方写 [MASK]、___ 或这个模型自己的 {mask}，"
    "例如“今天天气很[MASK]。”",
    "The text has {masks} masks, but this model reads only its first {limit} tokens and {lost} of the masks "
    "lie in the part that was cut off. Shorten the text or move the masks nearer the start.": "文本里有 "
    "{masks} 个空，但这个模型只读前 {limit} 个词元，其中 {lost} 个空落在被截掉的部分。请缩短文本，或者把空移到"
    "靠前的位置。",
    # Sentiment: many texts at once
    "There are no texts to classify: write one text per line, or upload a CSV file.": "没有要分类的文本："
    "请每行写一段文本，或者上传一个 CSV 文件。",
    "Row {number}: {error}": "第 {number} 行：{error}",
    "{count} of the texts were longer than the model reads; only their start was used.": "有 {count} 段文本"
    "超过了模型能读的长度，只用了它们的开头部分。",
    "The CSV file is empty: its first row should name the columns, e.g. 'text'.": "CSV 文件是空的：第一行"
    "应该写出各列的名字，例如 'text'。",
    "Choose the column that holds the texts: {columns}.": "请选择文本所在的列：{columns}。",
    "The CSV file has no column named “{column}”; it has: {columns}.": "CSV 文件里没有叫“{column}”的列；"
    "现有的列：{columns}。",
    "The column “{column}” of the CSV file has no text in it.": "CSV 文件的“{column}”列里没有文本。",
    "This file is not text. Upload a CSV file (an Excel workbook, .xlsx, must be saved as CSV first).": "这个"
    "文件不是文本文件。请上传 CSV 文件（Excel 工作簿 .xlsx 要先另存为 CSV）。",
    "The file is larger than {limit} MB, the most read here. Upload a smaller part of it.": "这个文件超过了 "
    "{limit} MB，这里最多只读这么多。请上传其中较小的一部分。",
    "The file could not be read ({error}).": "无法读取这个文件（{error}）。",
    "There are {count} lines; only the first {limit} were classified (the limit here, set with "
    "--max-batch-rows).": "一共有 {count} 行；只分类了前 {limit} 行（这里的上限，由 --max-batch-rows 设置）。",
    "There are {count} rows; only the first {limit} were classified (the limit here, set with "
    "--max-batch-rows).": "一共有 {count} 行数据；只分类了前 {limit} 行（这里的上限，由 --max-batch-rows "
    "设置）。",
    # Sentiment: explanations
    "Unknown label {label}: choose one of {labels} (or none for the predicted one).": "未知的标签 {label}："
    "请从 {labels} 中选择（不选则解释预测出的标签）。",
    "Even with {steps} steps the attributions add up to {total}, not quite {difference} (score − baseline): "
    "read them as approximate.": "即使用了 {steps} 步，归因加起来是 {total}，和 {difference}（得分 − 基线）"
    "不完全相等：请把它们看作近似值。",
    # Attention
    "There is no text yet: generate some first, then look at its attention.": "还没有文本：请先生成一些，"
    "再看它的注意力。",
    "The text has {count} tokens; the first {limit} are shown. A shorter prompt or fewer new tokens shows "
    "more of the generated part.": "文本有 {count} 个词元，这里显示前 {limit} 个。提示词短一些或新词元少一些，"
    "就能看到更多生成的部分。",
    "There is no [MASK] in the text, so there is no mask attention to show.": "文本里没有 [MASK]，所以没有"
    "[MASK] 的注意力可以显示。",
    "Every [MASK] lies in the part of the text that was cut off. Put it nearer the start.": "所有 [MASK] 都在"
    "文本被截掉的部分。请把它移到靠前的位置。",
    "Some masks lay in the part that was cut off; only the ones shown are included.": "有些 [MASK] 在被截掉"
    "的部分；这里只包括显示出来的那些。",
    "The text has only special tokens, so hiding them leaves nothing to show.": "文本里只有特殊词元，隐藏它们"
    "之后就没有可显示的了。",
    "Hidden: {tokens}; each row is renormalised to sum to 1 over the tokens left.": "已隐藏：{tokens}；"
    "每行在剩下的词元上重新归一化，加起来等于 1。",
    "Could not read the {what}s {spec}: write numbers and ranges such as '1-3, 7'.": "看不懂所选的{what}："
    "{spec}。请写数字和范围，例如 '1-3, 7'。",
    "Choose at least one {what}.": "请至少选择一个{what}。",
    "There is no {what} {value}: this model has {count} {what}s (1 to {count}).": "这个模型的{what}编号是 1 "
    "到 {count}，没有 {value}。",
    "Unknown view {view}: choose one of {views}.": "未知的视图 {view}：请从 {views} 中选择。",
    "This view ({view}) draws at most {budget} {what}, so it reads only the first {cap} of the {total} tokens "
    "(the text is cut there, as if it were shorter). Choose fewer layers or heads to see more tokens.": "这个"
    "视图（{view}）最多画 {budget} {what}，所以只读了 {total} 个词元中的前 {cap} 个（文本在那里截断，就像它"
    "本来就更短）。少选一些层或头，就能看到更多词元。",
    # The attention views (attention_ops.VIEWS)
    "One head": "单个头",
    "Mean over the heads of a layer": "一层中各头的平均",
    "Rollout up to a layer": "Rollout（累积到某一层）",
    "All heads of a layer": "一层的全部头",
    "Model overview (layers × heads)": "模型总览（层 × 头）",
    # Generation from token ids (a chat's templated prompt is never cut)
    "The {what} is {tokens} tokens long, but with {new} new tokens only {room} fit in this model's context of "
    "{context}. Please shorten it, or ask for fewer new tokens.": "{what}有 {tokens} 个词元，但加上 {new} 个新"
    "词元后，模型 {context} 个词元的上下文只放得下 {room} 个。请缩短一些，或者减少新词元数。",
    # Chat
    "conversation": "对话",
    "The conversation must be a list of messages, each with a role and a content; got {type}.": "对话必须是一个"
    "消息列表，每条消息都有角色（role）和内容（content）；现在是 {type}。",
    "The conversation has no messages yet. Please write a message first.": "对话里还没有消息。请先写一条消息。",
    "The conversation has {count} messages; the limit here is {limit}. Please start a new chat.": "对话有 "
    "{count} 条消息，这里最多只能有 {limit} 条。请开始一个新的对话。",
    "Message {number} must be a role and a content (a dict), not {type}.": "第 {number} 条消息必须由角色和内容"
    "组成（一个 dict），不能是 {type}。",
    "Message {number} has no {key}: every message needs a role and a content.": "第 {number} 条消息缺少 {key}："
    "每条消息都需要角色（role）和内容（content）。",
    "Message {number} has the role {role}; a role is system, user or assistant.": "第 {number} 条消息的角色是 "
    "{role}；角色只能是 system、user 或 assistant。",
    "The content of message {number} must be text, not {type}.": "第 {number} 条消息的内容必须是文字，不能是 "
    "{type}。",
    "Message {number} is empty. Please write something in it, or remove it.": "第 {number} 条消息是空的。请写点"
    "什么，或者删掉它。",
    "A conversation has at most one system message, the first; message {number} is another.": "一个对话最多只有"
    "一条系统消息，而且必须是第一条；第 {number} 条消息又是一条系统消息。",
    "The system message must come first, before the others; here it is message {number}.": "系统消息必须放在"
    "最前面；这里它是第 {number} 条消息。",
    "The last message must be from the user: the model answers it. Here the last one is from the {role}.": ""
    "最后一条消息必须来自用户（user）：模型要回答的就是它。这里最后一条来自 {role}。",
    "The conversation is {length} characters long; the limit here is {limit}. Please shorten it, or start a new "
    "chat.": "对话有 {length} 个字符，这里最多只能有 {limit} 个。请缩短一些，或者开始一个新的对话。",
    "The model {model} has no chat template: it was not trained on conversations, so it cannot tell whose turn "
    "it is. Choose a chat (instruct) model, e.g. with --chat-model.": "模型 {model} 没有对话模板：它没有在对话上"
    "训练过，分不清轮到谁说话。请选择一个对话（instruct）模型，例如用 --chat-model 指定。",
    "This model's chat template does not accept this conversation: {reason}": "这个模型的对话模板不接受这段对话："
    "{reason}",
    "A chat answers with one reply at a time: the number of samples must be 1.": "对话每次只给出一个回复：样本数"
    "必须是 1。",
    # Chat
    "Please type a message first: it is empty.": "请先输入一条消息：现在是空的。",
    "There is no message to reply to yet: type one and click Send.": "还没有可以回复的消息：请输入一条，再点“发送”。",
    "Type a message first: the model reads the conversation it is given.": "请先输入一条消息：模型读的是给它的对话。",
    "The chat model {model} has no chat template, so it cannot turn a conversation into the one text it reads. "
    "Give {kind} with {flag}.": "对话模型 {model} 没有对话模板，所以无法把一段对话变成它要读的那一整段文本。"
    "请用 {flag} 指定{kind}。",
    "a chat model (a causal language model with a chat template) such as HuggingFaceTB/SmolLM2-135M-Instruct": (
        "一个对话模型（带对话模板的因果语言模型），例如 HuggingFaceTB/SmolLM2-135M-Instruct"
    ),
    # Inside the model
    "The number of neurons": "神经元个数",
    "The token position": "词元位置",
    "The Inside views know GPT-2, BERT, RoBERTa, DistilBERT, Llama and Qwen2 models; this model is a "
    "{architecture}, so they cannot show its insides (the Attention tab still can).": "“模型内部”视图认识 GPT-2、"
    "BERT、RoBERTa、DistilBERT、Llama 和 Qwen2 模型；这个模型是 {architecture}，所以无法显示它的内部"
    "（注意力标签页仍然可以）。",
    "This {architecture} model is not laid out as the Inside views expect ({reason}), so they cannot show its "
    "insides.": "这个 {architecture} 模型的结构和“模型内部”视图预想的不一样（{reason}），所以无法显示它的内部。",
    "This model has no position vectors to add: position enters in every layer by rotating each query and key "
    "by an angle that grows with the token's position (rotary embeddings, RoPE).": "这个模型没有要加上的位置向量："
    "位置是在每一层里进入的——把每个查询（query）和键（key）旋转一个角度，角度随词元的位置增大（旋转位置编码，RoPE）。",
    "The logit lens needs a model that predicts tokens; this one ({model}) answers with labels. Choose the "
    "generation, chat or fill-mask model.": "logit lens 需要一个预测词元的模型；这个模型（{model}）给出的是标签。"
    "请选择文本生成、对话或填空模型。",
    "This model has no [MASK] token, so there is no prediction to look into.": "这个模型没有 [MASK] 词元，"
    "所以没有可以查看的预测。",
    "There is no [MASK] in the text (or it was cut off): put [MASK] where the model should guess.": "文本里没有 "
    "[MASK]（或者它被截掉了）：请在要模型猜的地方写 [MASK]。",
    "Row {row} of the CSV file has a cell longer than {limit} characters, far more than one text may have "
    "here; shorten it.": "CSV 文件第 {row} 行有一个单元格超过 {limit} 个字符，远远超过这里一段文本的长度；请把它缩短。",
    "The CSV file could not be read at row {row}: {error}.": "CSV 文件在第 {row} 行读不下去：{error}。",
    "Line {line} of the file is longer than {limit} characters, far more than one text may have here; "
    "shorten it.": "文件第 {line} 行超过 {limit} 个字符，远远超过这里一段文本的长度；请把它缩短。",
    "The target words are {length} characters long together; the limit here is {limit}. Give fewer or "
    "shorter words.": "目标词加起来有 {length} 个字符，这里最多 {limit} 个。请少给几个词，或用短一些的词。",
    "The {task} model folder {model} does not exist on this computer (any more): check the path, or give "
    "another folder or a Hub id with {flag}.": "{task}模型的文件夹 {model} 在这台电脑上不存在（或已被删除）：请检查路径，"
    "或用 {flag} 指定另一个文件夹或 Hub id。",
    "The {task} model folder {model} has no tokenizer files (tokenizer.json, vocab.txt, vocab.json with "
    "merges.txt, or a sentencepiece .model): save the tokenizer into it too (tokenizer.save_pretrained(folder)), "
    "then start again with {flag}.": "{task}模型的文件夹 {model} 里没有分词器文件（tokenizer.json、vocab.txt、"
    "vocab.json 加 merges.txt，或 sentencepiece 的 .model）：请把分词器也保存进去"
    "（tokenizer.save_pretrained(folder)），然后用 {flag} 重新启动。",
    # Train: the models visitors train, and the checks of a training
    "Freed a visitor's trained model to stay within the memory budget of {budget} MB.": "为了不超过 {budget} MB "
    "的内存预算，释放了一位访客训练的模型。",
    "Your model ({size} MB) does not fit in this server's memory budget of {budget} MB (--memory-budget-mb): try "
    "a smaller model.": "你的模型（{size} MB）超出了这台服务器 {budget} MB 的内存预算（--memory-budget-mb）："
    "请换一个更小的模型。",
    "The CSV file is empty: its first row should name the columns text and label.": "CSV 文件是空的：第一行"
    "应该写出列名 text 和 label。",
    "The CSV file needs a column named text and one named label; it has: {columns}.": "CSV 文件需要一列叫 "
    "text、一列叫 label；它现在的列是：{columns}。",
    "There are no examples to train on: give at least two sentences, each with a label.": "没有可以训练的例子："
    "请至少给出两个句子，每个句子都带一个标签。",
    "There are {count} examples; the limit here is {limit}. Please use fewer.": "一共有 {count} 个例子，这里最多"
    "只能用 {limit} 个。请减少一些。",
    "The training sentences have only one label ({label}): a classifier needs at least two labels to choose "
    "between.": "训练句子只有一个标签（{label}）：分类器至少需要两个标签才能做选择。",
    "Use at most {limit} different labels.": "最多只能用 {limit} 个不同的标签。",
    "The validation label {label} never appears among the training sentences: the model cannot learn it.": "验证"
    "标签 {label} 在训练句子里一次也没有出现：模型没法学会它。",
    "What to train must be one of {choices}; got {value}.": "训练哪些部分必须是 {choices} 之一，现在是 {value}。",
    "These settings make {steps} training steps; the limit here is {limit}. Use fewer epochs or a larger batch "
    "size.": "这些设置一共要训练 {steps} 步，这里最多只能 {limit} 步。请减少轮数，或者加大批大小。",
    "This classifier has no head of a kind that can be replaced for new labels.": "这个分类器的输出层无法为新"
    "标签替换。",
    "The labels {labels} are not the model's own ({own}): a new classification head was made for them, starting "
    "from random weights.": "标签 {labels} 不是模型原有的标签（{own}）：已经为它们新建了一个分类头，从随机权重开始。",
    "Stopped after {steps} of {total} steps.": "在第 {steps} 步（共 {total} 步）时停止了。",
    "The model size must be one of {choices}.": "模型大小必须是 {choices} 之一。",
    "The {size} model is larger than this server allows; choose {choices}.": "{size} 模型超过了这台服务器允许的"
    "大小；请选择 {choices}。",
    "The tokenizer must be one of {choices}.": "分词器必须是 {choices} 之一。",
    "The text is too short to train on: it has {count} tokens, and this model needs at least {needed}. Paste a "
    "longer text.": "文本太短，没法训练：它只有 {count} 个词元，而这个模型至少需要 {needed} 个。请粘贴一段更长的文本。",
    "Train a model first: there is none to download yet.": "请先训练一个模型：现在还没有可以下载的模型。",
    "Give the texts and the labels as two lists of the same length.": "请把文本和标签分别写成两个一样长的列表。",
    "There are {texts} texts but {labels} labels: give one label per text.": "有 {texts} 段文本，却有 {labels} "
    "个标签：请给每段文本一个标签。",
    "Every text and every label must be non-empty.": "每段文本和每个标签都不能是空的。",
    "Sample every": "每隔多少步采样",
    "Sample length": "样本长度",
    "example": "例句",
}
