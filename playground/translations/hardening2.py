"""中文 for what ui/blocks.py says to an API client that sends a value a parameter does not take (issue 30)."""

ZH = {
    "“{name}” needs a number, and this request sent {value}.": "“{name}”需要一个数字，这个请求发来的是 {value}。",
    "“{name}” must be between {low} and {high}; this request sent {value}.": (
        "“{name}”必须在 {low} 到 {high} 之间，这个请求发来的是 {value}。"
    ),
    "“{name}” does not offer {value}: send one of its choices.": "“{name}”没有 {value} 这个选项：请发送它的一个选项。",
}
