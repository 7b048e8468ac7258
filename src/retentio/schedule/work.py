"""What the queue holds: work to enqueue, a row of due work, and why an attempt failed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from retentio.clock import ensure_utc

State = Literal["waiting", "running", "done", "dead"]
STATES: tuple[State, ...] = ("waiting", "running", "done", "dead")
KIND_LENGTH = 64
KEY_LENGTH = 255
ERROR_LENGTH = 4_000


@dataclass(frozen=True, slots=True)
class NewWork:
    """Work to do at ``due_at``; a second ``NewWork`` with the same kind and key is the same work."""

    kind: str
    key: str
    due_at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.kind or len(self.kind) > KIND_LENGTH:
            raise ValueError(f"work kind {self.kind!r} must have 1 to {KIND_LENGTH} characters")
        if not self.key or len(self.key) > KEY_LENGTH:
            raise ValueError(f"key {self.key!r} of {self.kind} must have 1 to {KEY_LENGTH} characters")
        object.__setattr__(self, "due_at", ensure_utc(self.due_at))


@dataclass(frozen=True, slots=True)
class DueWork:
    """One row of the queue as stored."""

    id: int
    kind: str
    key: str
    state: State
    due_at: datetime
    payload: Mapping[str, Any]
    attempts: int
    leased_until: datetime | None = None
    lease_owner: str | None = None
    last_error: str | None = None
    last_error_type: str | None = None
    created_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    """Why an attempt failed: the exception's type and text, as the dead-letter list shows them."""

    type: str
    message: str

    @classmethod
    def of(cls, error: BaseException) -> Failure:
        kind = type(error)
        name = (
            kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        )
        return cls(name[:KEY_LENGTH], (str(error) or repr(error))[:ERROR_LENGTH])


# The worker holding it stopped (crashed, killed, or lost the database) before it finished.
LEASE_EXPIRED = Failure("LeaseExpired", "the worker running it stopped before finishing; taken over")
