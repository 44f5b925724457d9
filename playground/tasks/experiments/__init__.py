"""Experiments on the model's own tensors, one module each: which heads do what (`heads`), what happens without
them (`ablation`), where the answer is decided (`patching`), why generation is fast (`kv_cache`) and how a
tokenizer is learned (`tokenizer_lab`). Each reads or changes the served model only through forward hooks on
the modules the Inside adapters name (`tasks/inside/adapters.py`), every hook removed again in a `finally`.

Layers and heads are 1-based in what these return (as on the page); token positions are 0-based.
"""
