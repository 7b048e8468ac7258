"""The importers' view of a progress bar: a port, so the core never imports a terminal library."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, description: str, total: int | None) -> None:
        """Begin a phase (reading, importing) of ``total`` units, unknown when ``None``."""
        ...

    def advance(self, amount: int) -> None: ...


class NoProgress:
    """For tests, ``--quiet`` and output that is not a terminal."""

    def start(self, description: str, total: int | None) -> None:
        return None

    def advance(self, amount: int) -> None:
        return None
