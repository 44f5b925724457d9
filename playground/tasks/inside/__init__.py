"""Inside the model: tokens, embeddings, one attention head step by step, the residual stream and the logit lens.

Everything is read from the model's own tensors during one ordinary forward pass (eager attention,
`output_attentions=True`, `output_hidden_states=True`): forward hooks on the modules an adapter names
(`adapters.parts_of`) record what those modules produced; nothing re-implements the model. The hooks exist
only while `loaded.eager_attention()` holds the model's lock and are always removed (try/finally), so a
generation or another request on the same model never sees them.

Shapes: T tokens, d the model width, d_k one head's width, H query heads, L layers. Layer and head numbers
are 1-based (as on the page); token positions are 0-based indices into `tokens`.
"""

from playground.tasks.inside.blocks import MAX_NEURONS, BlockView, Neuron, block
from playground.tasks.inside.embedding import POSITION_ROWS, Embeddings, embeddings
from playground.tasks.inside.head import HeadStep, cross_step, head_step
from playground.tasks.inside.hooks import Pass, Recorder, hooked
from playground.tasks.inside.lens import MAX_TOP_K, LensPrediction, LogitLens, logit_lens
from playground.tasks.inside.reading import Reading, is_encoder_decoder, stack_size
from playground.tasks.inside.tokens import Token, Tokenization, tokenize
from playground.tasks.inside.view import InsideView, look

_hooked = hooked  # the name tests/tasks/test_inside.py knows

__all__ = [
    "MAX_NEURONS",
    "MAX_TOP_K",
    "POSITION_ROWS",
    "BlockView",
    "Embeddings",
    "HeadStep",
    "InsideView",
    "LensPrediction",
    "LogitLens",
    "Neuron",
    "Pass",
    "Recorder",
    "Token",
    "Tokenization",
    "Reading",
    "block",
    "is_encoder_decoder",
    "stack_size",
    "cross_step",
    "embeddings",
    "head_step",
    "hooked",
    "logit_lens",
    "look",
    "tokenize",
]
