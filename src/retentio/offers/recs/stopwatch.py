"""Seconds per step of a training run, for the operator (``retentio recs train``) and the benchmark."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class Stopwatch:
    """Adds each step's seconds to ``seconds`` (nothing is kept when it is None)."""

    def __init__(self, seconds: dict[str, float] | None) -> None:
        self._seconds = seconds
        self._since = time.perf_counter()

    def lap(self, step: str) -> None:
        """The time since the last lap goes to ``step`` ("" restarts without keeping it)."""
        now = time.perf_counter()
        if self._seconds is not None and step:
            self._seconds[step] = self._seconds.get(step, 0.0) + now - self._since
        self._since = now

    def timed(self, step: str, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        self.lap("")
        result = work(*args, **kwargs)
        self.lap(step)
        return result
