"""What every handler is given: the models and the server's limits, as one explicit object."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from playground.engine import Engine, engine_for
from playground.i18n import _
from playground.markup import escape_markdown
from playground.models import LoadedModel, ModelManager
from playground.settings import Settings


@dataclass(frozen=True)
class Context:
    """The server's models (`manager`) and settings (limits, preset); handlers take it as first argument."""

    manager: ModelManager
    settings: Settings

    @classmethod
    def create(cls, settings: Settings, manager: ModelManager | None = None) -> Context:
        """A context for these settings, with a new ModelManager unless one is given (tests share theirs)."""
        if manager is None:
            manager = ModelManager(
                settings.model_ids,
                settings.device,
                settings.memory_budget_mb,
                offline=settings.offline,
                dtype=settings.dtype,
            )
        return cls(manager, settings)

    def model(self, task: str, progress: gr.Progress | None = None) -> LoadedModel:
        """The task's model; the first time, a progress bar shows while it downloads and loads."""
        if progress is not None and not self.manager.is_loaded(task):
            progress(0, desc=_("Loading {model}…", model=self.manager.model_ids[task]))
        return self.manager.get(task)

    def engine(self, loaded: LoadedModel) -> Engine | None:
        """The shared decoding loop of a generation model (None with --max-generation-batch 0)."""
        return engine_for(loaded, self.settings.max_generation_batch)

    def examples(self, examples: dict[str, list]) -> list:
        """The examples that fit the models served: Chinese ones for the Chinese preset, else English ones."""
        return examples["zh" if self.settings.preset == "zh" else "en"]


def summary_markdown(summary: str, notices: list) -> str:
    """A result's one-line summary followed by its notices (e.g. that the text was cut). The notices quote
    the user's text ("Hidden: …"), so they are escaped; the summary's own values are escaped where it is
    written."""
    return "\n\n".join([summary] + [f"⚠️ {escape_markdown(notice)}" for notice in notices])
