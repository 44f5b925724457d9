"""Transformer Playground: see how language models generate, fill masks, classify and attend."""

__version__ = "0.1.0"
