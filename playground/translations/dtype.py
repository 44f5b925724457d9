"""Chinese for the CPU precisions (--dtype int8 / bfloat16): the System tab's precision and the load errors."""

ZH = {
    "{precision} + float32 copy": "{precision} + float32 副本",
    "int8 weights (float32 activations)": "int8 权重（float32 激活）",
    "**Precision:** generation, next token, chat, fill-mask, sentiment, question answering, translation "
    "and perplexity run on the {precision} copy of each model (faster, probabilities within about 0.02 of "
    "float32's); attention, Inside, experiments, explanations and training read the float32 model kept "
    "beside it (exact numbers, more memory).": "**精度：** 文本生成、下一个词、对话、完形填空、情感分析、问答、翻译和困惑度使用每个模型的 "
    "{precision} 副本（更快，概率与 float32 相差约 0.02 以内）；注意力、模型内部、实验、解释和训练读取同时保留的 "
    "float32 模型（数值精确，占用更多内存）。",
    "--dtype int8 runs on a CPU only (PyTorch's int8 kernels); on {device} use --dtype bfloat16 or float16.": (
        "--dtype int8 只能在 CPU 上运行（PyTorch 的 int8 计算核）；在 {device} 上请用 --dtype bfloat16 或 float16。"
    ),
}
