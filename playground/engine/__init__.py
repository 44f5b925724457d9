"""The shared decoding loop: every generation in flight is a row of one batch (see `loop`)."""

from playground.engine.loop import Engine, EngineStats, Subscription, engine_for, supports

__all__ = ["Engine", "EngineStats", "Subscription", "engine_for", "supports"]
