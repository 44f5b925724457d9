"""Gradio only: one module per tab, and the Blocks layout that puts them together."""
