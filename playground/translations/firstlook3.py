"""Chinese for the texts of the third first-look pass (issue 26): what a newcomer's walk of the demo found."""

ZH: dict[str, str] = {
    "There is no answer to score yet: translate or summarize first, then click here.": "还没有可评分的回答：请先"
    "翻译或摘要，再点这里。",
    "{what} works on models of one stack of blocks (GPT, BERT, Llama), not on the translation model's encoder "
    "and decoder: choose another model.": "{what}只适用于只有一叠层的模型（GPT、BERT、Llama），不适用于翻译模型的编码器和解码器："
    "请换一个模型。",
    "The word-order check": "词序检查",
    "The block diagram": "层的结构图",
    "The block diagram is drawn for models of one stack of blocks (GPT, BERT, Llama).": "层的结构图只画只有一叠层的模型"
    "（GPT、BERT、Llama）。",
}
