"""The second round of the Experiments tab (issue 28): hybrid models' linear-attention layers, the "N tokens"
mark of byte pieces."""

ZH: dict[str, str] = {
    "Layers {layers} are linear-attention layers: they mix the tokens through a running state, without an "
    "attention matrix, so they have no weights to show (their maps are empty).": "第 {layers} 层是线性注意力层：它们通过一个"
    "不断更新的状态混合词元，没有注意力矩阵，所以没有权重可显示（这些层的图是空的）。",
}
