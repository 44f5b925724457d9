"""Pure inference, one module per task. No gradio here: tasks take a LoadedModel and return dataclasses.

Shared by the tasks: `validation` (checking a request's values), `text` (tokens as people read them),
`batching` (texts as rows of one forward pass).
"""
