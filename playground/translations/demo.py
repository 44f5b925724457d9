"""中文 for the demo models' notes (playground/ui/demo_notes.py) and the notice of a prompt cut inside a word."""

ZH = {
    "Demo models: small models trained on this computer, each on a page of text. They show how everything works, "
    "not what a real model can do; start without --demo for real ones.": "演示模型：在这台电脑上训练的小模型，每个只学过一页文字。"
    "它们展示一切是怎样运作的，而不是真正的模型能做什么；不加 --demo 启动即可使用真正的模型。",
    "A small demo model trained on a page of sentences: it continues those with their words; anything else it "
    "continues with nonsense.": "一个用一页句子训练的小演示模型：它会用这些句子里的词接着写这些句子；别的内容它只会接出胡话。",
    "A small demo model trained on a page of sentences: it fills the blanks of those; elsewhere its guesses "
    "mean little.": "一个用一页句子训练的小演示模型：它会填这些句子里的空；在别的句子里它的猜测没有多少意义。",
    "A small demo reader trained on ten short facts, two or three at a time: it finds answers in those; in "
    "longer or other texts its answers mean little.": "一个用十条简短事实（每次两三条）训练的小演示阅读模型：它能在这些事实里"
    "找到答案；在更长的或别的文本里它的答案没有多少意义。",
    "A small demo translator trained on sixteen sentences: it translates those; other sentences come out as "
    "nonsense.": "一个用十六个句子训练的小演示翻译模型：它会翻译这些句子；别的句子翻出来是胡话。",
    "A small demo chat model that learnt about twenty questions and their answers: it answers those, and any "
    "other message with one of those answers.": "一个学过大约二十个问题及其答案的小演示聊天模型：它会回答这些问题，"
    "对别的消息也只会给出其中某一个答案。",
    "a small demo model trained on thirty-two sentences: on other texts its answer means little": "一个用三十二个"
    "句子训练的小演示模型：对别的文本，它的答案没有多少意义",
    "The start of your prompt was cut in the middle of a word: the model reads “{piece}” without its "
    "beginning.": "提示的开头在一个词的中间被截断了：模型读到的“{piece}”缺了开头。",
}
