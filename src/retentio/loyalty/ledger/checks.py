"""Checks of a change's input before anything is read or written; each refusal names its field."""

from __future__ import annotations

from datetime import datetime

from retentio.loyalty.ledger.errors import InvalidPoints, LedgerError
from retentio.loyalty.ledger.tables import ID_LENGTH, PROGRAMME_LENGTH, SOURCE_LENGTH


def check_points(points: object, field: str = "points") -> int:
    if isinstance(points, bool) or not isinstance(points, int):
        raise InvalidPoints(field, f"must be a whole number of points, not {points!r}")
    if points <= 0:
        raise InvalidPoints(field, f"must be positive, not {points}")
    return points


def check_text(value: object, field: str, longest: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LedgerError(field, "must not be empty")
    if len(value) > longest:
        raise LedgerError(field, f"must be at most {longest} characters, not {len(value)}")
    return value


def check_account(programme: str, customer_id: str) -> None:
    check_text(programme, "programme", PROGRAMME_LENGTH)
    check_text(customer_id, "customer_id", ID_LENGTH)


def check_source(source: str, actor: str, reason: str) -> None:
    check_text(source, "source", SOURCE_LENGTH)
    check_text(actor, "actor", ID_LENGTH)
    if not isinstance(reason, str) or len(reason) > SOURCE_LENGTH:
        raise LedgerError("reason", f"must be text of at most {SOURCE_LENGTH} characters")


def check_times(now: datetime, active_at: datetime | None, expires_at: datetime | None) -> datetime:
    """When the points become available (``now`` unless later); they must expire after that."""
    for field, value in (("now", now), ("active_at", active_at), ("expires_at", expires_at)):
        if value is not None and value.tzinfo is None:
            raise LedgerError(field, f"{value.isoformat()} has no time zone; give it a UTC offset")
    active = now if active_at is None or active_at < now else active_at
    if expires_at is not None and expires_at <= active:
        raise LedgerError("expires_at", f"{expires_at.isoformat()} is not after {active.isoformat()}")
    return active
