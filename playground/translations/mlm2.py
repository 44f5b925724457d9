"""Chinese for the tiny BERT's word vocabulary (Train tab, issue 24)."""

ZH = {
    "words: a WordPiece vocabulary of the text (Chinese: one token per character)": (
        "词：这段文本的 WordPiece 词表（中文每个字一个词元）"
    ),
}
