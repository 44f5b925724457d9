"""Every Inside view from one forward pass, every hook registered at once."""

from __future__ import annotations

from dataclasses import dataclass

from playground.i18n import lazy
from playground.models import LoadedModel
from playground.tasks.inside.adapters import Parts, parts_of
from playground.tasks.inside.blocks import MAX_NEURONS, BlockView, block_of, block_recorder
from playground.tasks.inside.embedding import Embeddings, embeddings_of, record_embeddings
from playground.tasks.inside.head import HeadStep, head_recorder, head_step_of
from playground.tasks.inside.hooks import Recorder, check_head, check_layer, hooked
from playground.tasks.inside.lens import LogitLens, lens_of, lens_positions, lens_text
from playground.tasks.inside.tokens import Tokenization, tokenize
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
) -> InsideView:
    """tokenize, embeddings, head_step, block and logit_lens of one text in one forward pass, every hook
    registered at once. `position` (0-based) picks the token of the block view; None or a position the text
    does not have: its last token that is not special. `lens_columns`: the logit lens of the last that many
    positions only (a grid of 128 positions cannot be read, and each costs an unembedding per layer);
    0: no logit lens."""
    text = check_text(text, max_chars)
    parts = parts_of(loaded.model)
    layer, head = check_layer(parts, layer), check_head(parts, head)
    top_n = check_int(top_n, lazy("The number of neurons"), 1, MAX_NEURONS)
    lens_error = positions = None
    try:
        text = lens_text(loaded, text)
    except InputError as error:
        lens_error = error
    tokens = tokenize(loaded, text, max_chars, max_tokens)
    ids, notices = tokens.ids, tokens.notices
    if position is None or not 0 <= position < len(ids):
        words = [i for i, token in enumerate(tokens.tokens) if not token.special]
        position = words[-1] if words else len(ids) - 1
    if lens_columns == 0:
        lens_error = None
    elif lens_error is None:
        try:
            positions = lens_positions(loaded, ids)[-lens_columns if lens_columns else None :]
        except InputError as error:
            lens_error = error

    def register(recorder: Recorder, parts: Parts) -> None:
        record_embeddings(recorder, parts)
        head_recorder(layer)(recorder, parts)
        block_recorder(layer)(recorder, parts)

    with hooked(loaded, ids, register, lens_positions=positions) as run:
        return InsideView(
            tokens=tokens,
            embeddings=embeddings_of(loaded, run, notices),
            head=head_step_of(loaded, run, layer, head, notices),
            block=block_of(loaded, run, layer, position, top_n, notices),
            lens=None if positions is None else lens_of(loaded, run, positions, 5, notices),
            lens_error=lens_error,
        )
