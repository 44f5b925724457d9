"""中文 for a busy generation model: the engine's waiting rows are full (issue 29, a class of 60)."""

ZH = {
    "The model is busy: {count} generations are waiting already. Try again in a moment.": (
        "模型正忙：已有 {count} 个生成在等待。请稍后再试。"
    ),
}
