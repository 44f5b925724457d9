"""中文 for what ui/blocks.py says when the page sends a value no field offers (issue 30)."""

ZH = {
    "a field of this page": "页面上的一个输入项",
    "“{name}” needs a number, and the page sent {value}. Move the slider or type a number, then try again.": (
        "“{name}”需要一个数字，页面发来的是 {value}。请拖动滑块或输入数字，然后再试一次。"
    ),
    "“{name}” must be between {low} and {high}; the page sent {value}. Move the slider, then try again.": (
        "“{name}”必须在 {low} 到 {high} 之间，页面发来的是 {value}。请拖动滑块，然后再试一次。"
    ),
    "“{name}” does not offer {value} now: its choices may have changed meanwhile (a new file or text). Please "
    "choose again.": "“{name}”现在没有 {value} 这个选项：它的选项可能刚刚变了（换了文件或文字）。请重新选择。",
}
