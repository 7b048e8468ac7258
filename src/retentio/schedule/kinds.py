"""Kinds of due work and the registry of their handlers, which the worker fills in one place.

Each kind says how often it may fail before it is dead, how it backs off, and what it guarantees:
an exactly-once kind writes its effects through ``job.connection``, in the transaction that marks the
row done; an at-least-once kind acts outside it (a provider's API, its own transactions) and runs
again if the worker dies between the act and the completion.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from retentio.schedule.job import Job

# A handler may return one line saying what it did (the worker prints it); most return None.
Handler = Callable[[Job], str | None]
# An at-least-once kind may take its claimed rows together (message sends: one decision pass, one
# concurrent round of provider calls); it answers one line or None per job, in order.
BatchHandler = Callable[[Sequence[Job]], Sequence[str | None]]


class Delivery(Enum):
    EXACTLY_ONCE = "exactly-once"
    AT_LEAST_ONCE = "at-least-once"


@dataclass(frozen=True, slots=True)
class Backoff:
    """Retry ``n`` waits ``first · 2^(n-1)``, at most ``longest``, of which a random half."""

    first: timedelta = timedelta(seconds=5)
    longest: timedelta = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    handler: Handler
    delivery: Delivery
    max_attempts: int = 10
    backoff: Backoff = Backoff()
    # Work that may run longer than the worker's claim lease asks for its own before it starts.
    lease: timedelta | None = None
    # Set on at-least-once kinds whose rows run better together; ``handler`` then serves a row alone.
    batch_handler: BatchHandler | None = None

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"{self.name}: max_attempts must be at least 1, not {self.max_attempts}")
        if self.batch_handler is not None and self.delivery is not Delivery.AT_LEAST_ONCE:
            raise ValueError(f"{self.name}: only at-least-once kinds run their rows as a batch")

    @property
    def in_transaction(self) -> bool:
        return self.delivery is Delivery.EXACTLY_ONCE


class Registry:
    """The kinds one worker runs; it claims only these, so work of other kinds waits for its worker."""

    def __init__(self, kinds: Iterable[Kind] = ()) -> None:
        self._kinds: dict[str, Kind] = {}
        for kind in kinds:
            self.add(kind)

    def add(self, kind: Kind) -> None:
        if kind.name in self._kinds:
            raise ValueError(f"work kind {kind.name!r} is registered twice")
        self._kinds[kind.name] = kind

    def __getitem__(self, name: str) -> Kind:
        return self._kinds[name]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._kinds)
