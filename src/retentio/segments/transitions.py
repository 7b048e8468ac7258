"""Moves between segments and the one event that records each of them.

A move is one event carrying ``family``, ``from``, ``to`` and ``reason``: ``segment_entered`` when the
customer lands somewhere (``to`` is set; leaving ``from`` is part of the same move), ``segment_exited``
only when they leave a family for nowhere (``to`` is None: an RFM segment lost with the last counted
order, a custom segment left). One event rather than an exit and an entry halves what a sweep of a
million moves writes, and loses nothing: the exit is the entry's ``from``.

A customer with no standing yet is taken to be where everyone starts — a prospect, unaware, clear, with
no RFM segment — so a first purchase is a move like any other. Event ids are derived from the move, so
recording the same move twice stores it once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from retentio.events import Event
from retentio.segments.config import SegmentsConfig

FLAGGED, CLEAR = "flagged", "clear"
ENTERED, EXITED = "segment_entered", "segment_exited"
EVENT_ID_LENGTH = 128


@dataclass(frozen=True, slots=True)
class FamilyValues:
    """Where a customer is in each family, as the events name it."""

    rfm: str | None = None
    lifecycle: str | None = "prospect"
    ladder: str | None = "unaware"
    bad_customer: str | None = CLEAR

    def of(self, family: str) -> str | None:
        value: str | None = getattr(self, family)
        return value


START = FamilyValues()


@dataclass(frozen=True, slots=True)
class Move:
    customer_id: str
    family: str
    from_: str | None
    to: str | None
    reason: str
    at: datetime
    # Caused only by history (a backfill): recorded, but nothing that acts on the outside reacts to it.
    historical: bool = False
    # The log position of the batch a consumer made it from: two moves of one customer in one second
    # (in and out and in again) are then told apart, and the same batch read again makes the same ids.
    cause: str = ""


def reason_for(family: str, to: str | None, config: SegmentsConfig, detail: str = "") -> str:
    """One plain sentence per destination; ``detail`` is the RFM cell or the bad-customer score."""
    life, ladder = config.lifecycle, config.ladder
    texts = {
        ("lifecycle", "prospect"): "no counted order",
        ("lifecycle", "new"): f"1 to {life.new_max_orders} orders",
        ("lifecycle", "active"): "buys again",
        ("lifecycle", "loyal"): (
            f"{life.loyal_min_orders}+ orders every {life.loyal_max_interval_days} days or more often,"
            f" active within {life.engaged_days} days"
        ),
        ("lifecycle", "at_risk"): (
            f"no purchase for over {life.at_risk_factor:g} x the usual interval"
            f" (at least {life.at_risk_min_days} days; {life.at_risk_days_without_interval} after one order)"
        ),
        ("lifecycle", "churned"): f"no purchase for {life.churn_days} days",
        ("lifecycle", "reactivated"): f"bought again after {life.churn_days}+ days",
        ("ladder", "loyal"): f"{ladder.loyal_min_orders}+ orders, the last within {ladder.loyal_days} days",
        ("ladder", "ready_to_buy"): (
            f"an open cart within {ladder.ready_days} days or a purchase within {ladder.loyal_days} days"
        ),
        ("ladder", "solution_aware"): (
            f"viewed products or searched within {ladder.solution_days} days, or bought before"
        ),
        ("ladder", "problem_aware"): f"read content within {ladder.problem_days} days",
        ("ladder", "unaware"): "no recent sign of interest",
    }
    if family in ("rfm", "bad_customer"):
        if to is None:
            return "no counted order"
        prefix, suffix = detail_reason_parts(family, to, config)
        return f"{prefix}{detail}{suffix}"
    return texts.get((family, to or ""), "")


def detail_reason_parts(family: str, to: str, config: SegmentsConfig) -> tuple[str, str]:
    """The text around the detail (RFM cell, checklist score) of a move's reason."""
    if family == "rfm":
        return "RFM scores ", ""
    threshold = config.bad_customers.threshold
    return "checklist score ", (f" reached {threshold}" if to == FLAGGED else f" below {threshold}")


def event_id(
    customer_id: str, family: str, kind: str, value: str | None, at: datetime, cause: str = ""
) -> str:
    """``seg:<family>:<in|out>:<value>:<epoch>:<customer>`` (``@<cause>`` after it for a consumer's
    move), or a digest of it when too long."""
    plain = f"seg:{family}:{kind}:{value or '-'}:{int(at.timestamp())}:{customer_id}"
    if cause:
        plain = f"{plain}@{cause}"
    if len(plain) <= EVENT_ID_LENGTH:
        return plain
    return "seg:" + hashlib.sha256(plain.encode()).hexdigest()


def move_kind(to: str | None) -> tuple[str, str]:
    """(id kind, event type) of a move: an entry wherever the customer lands, an exit only to nowhere."""
    return ("in", ENTERED) if to is not None else ("out", EXITED)


def move_events(moves: Sequence[Move]) -> list[Event]:
    events: list[Event] = []
    for move in moves:
        if move.from_ is None and move.to is None:
            continue
        kind, type_name = move_kind(move.to)
        value = move.to if move.to is not None else move.from_
        events.append(
            Event(
                event_id=event_id(move.customer_id, move.family, kind, value, move.at, move.cause),
                type=type_name,
                customer_id=move.customer_id,
                anonymous_id=None,
                occurred_at=move.at.astimezone(UTC),
                properties={"family": move.family, "from": move.from_, "to": move.to, "reason": move.reason},
                typed=None,
                derived=True,
                historical=move.historical,
            )
        )
    return events
