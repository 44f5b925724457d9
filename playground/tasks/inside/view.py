"""Every Inside view from one forward pass, every hook registered at once."""

from __future__ import annotations

from dataclasses import dataclass, replace

from playground.i18n import lazy
from playground.models import LoadedModel
from playground.tasks.inside.adapters import Parts, parts_of
from playground.tasks.inside.blocks import MAX_NEURONS, BlockView, block_of, block_recorder
from playground.tasks.inside.embedding import Embeddings, embeddings_of, record_embeddings
from playground.tasks.inside.head import HeadStep, head_recorder, head_step_of
from playground.tasks.inside.hooks import Recorder, check_head, check_layer, hooked
from playground.tasks.inside.lens import LogitLens, lens_of, lens_positions, lens_text
from playground.tasks.inside.reading import read
from playground.tasks.inside.tokens import Tokenization, tokenize, tokens_of
from playground.tasks.validation import InputError, check_int, check_text


@dataclass
class InsideView:
    """All the Inside tab shows for one text, from one forward pass."""

    tokens: Tokenization
    embeddings: Embeddings
    head: HeadStep
    block: BlockView
    lens: LogitLens | None  # None when the model has nothing to look through (see lens_error)
    lens_error: InputError | None = None
    cross: HeadStep | None = (
        None  # a translation model's decoder: the same head of the layer's cross-attention
    )
    source: Tokenization | None = None  # ... and the source tokens its keys and values belong to


def look(
    loaded: LoadedModel,
    text: str,
    max_chars: int,
    max_tokens: int,
    layer: int = 1,
    head: int = 1,
    position: int | None = None,
    top_n: int = 10,
    lens_columns: int | None = None,
    part: str | None = None,
    target: str = "",
) -> InsideView:
    """tokenize, embeddings, head_step, block and logit_lens of one text in one forward pass, every hook
    registered at once. `position` (0-based) picks the token of the block view; None or a position the text
    does not have: its last token that is not special. `lens_columns`: the logit lens of the last that many
    positions only (a grid of 128 positions cannot be read, and each costs an unembedding per layer);
    0: no logit lens. An encoder-decoder (a translation model): `part` "encoder" reads the source `text`;
    "decoder" reads `target` (empty: the model's own greedy translation of `text`) and adds the same head of
    the layer's cross-attention."""
    text = check_text(text, max_chars)
    parts = parts_of(loaded.model, part)
    layer, head = check_layer(parts, layer), check_head(parts, head)
    top_n = check_int(top_n, lazy("The number of neurons"), 1, MAX_NEURONS)
    lens_error = positions = None
    try:
        text = lens_text(loaded, text, part)
    except InputError as error:
        lens_error = error
    reading = read(loaded, text, max_chars, max_tokens, part, target)
    if reading.stack is None:
        tokens = tokenize(loaded, text, max_chars, max_tokens)
    else:
        tokens = tokens_of(loaded, text, reading)
    ids, notices = tokens.ids, tokens.notices
    cross = parts.layers[layer - 1].cross is not None
    if position is None or not 0 <= position < len(ids):
        words = [i for i, token in enumerate(tokens.tokens) if not token.special]
        position = words[-1] if words else len(ids) - 1
    if lens_columns == 0:
        lens_error = None
    elif lens_error is None:
        try:
            positions = lens_positions(loaded, ids, reading.causal)[-lens_columns if lens_columns else None :]
        except InputError as error:
            lens_error = error

    def register(recorder: Recorder, parts: Parts) -> None:
        record_embeddings(recorder, parts)
        head_recorder(layer)(recorder, parts)
        block_recorder(layer)(recorder, parts)
        if cross:
            head_recorder(layer, cross=True)(recorder, parts)

    with hooked(loaded, reading, register, lens_positions=positions) as run:
        source = None
        if cross:
            source = tokens_of(
                loaded, text, replace(reading, ids=reading.source_ids, tokens=reading.source_tokens)
            )
        return InsideView(
            tokens=tokens,
            embeddings=embeddings_of(loaded, run, notices),
            head=head_step_of(loaded, run, layer, head, notices),
            block=block_of(loaded, run, layer, position, top_n, notices),
            lens=None if positions is None else lens_of(loaded, run, positions, 5, notices),
            lens_error=lens_error,
            cross=head_step_of(loaded, run, layer, head, notices, cross=True) if cross else None,
            source=source,
        )
