"""Byte tokens in charts and tables (issue 28, point 5): each token of a character labelled with the character and
its place ('中 1/3'), a lone byte named as a byte."""

ZH: dict[str, str] = {
    "byte {hex}": "字节 {hex}",
    "bytes {hex}": "字节 {hex}",
    "A character made of several tokens labels each of them with its place: {first} … {last} are the {count} "
    "tokens of {text}.": "由几个词元组成的字，在每个词元上标出它的位置：{first} … {last} 是「{text}」的 {count} 个词元。",
}
