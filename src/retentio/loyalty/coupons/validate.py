"""Checking a typed code for a cart, with a limit on guessing: after ``max_failures`` unknown or
malformed codes from one customer or one address within ``window``, every check from them is
refused until the window has moved on. Each failure is stored (the limit holds across processes and
restarts), logged, and the first refusal of a window appends a ``coupon_guessing_refused`` event,
the alert journeys and operators can react to.

With 60 random bits per code and ten guesses an hour, finding one of a million live codes takes on
average 2^60 / 10^6 / 10 hours: guessing is hopeless once it is limited.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, delete, func, insert, select

from retentio.loyalty.coupons.announce import COUPON_GUESSING_REFUSED, announce
from retentio.loyalty.coupons.codes import normalise
from retentio.loyalty.coupons.errors import InvalidCode
from retentio.loyalty.coupons.lookup import customer_uses, find_coupon
from retentio.loyalty.coupons.rules import MESSAGES, Cart, Coupon, CustomerFacts, why_not
from retentio.loyalty.coupons.tables import coupon_validation_failures as failures

log = logging.getLogger(__name__)
# Long past any guessing window, kept for an operator looking into an alert.
FAILURES_KEPT = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class GuessingLimit:
    max_failures: int = 10
    window: timedelta = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Validation:
    """``outcome``: ``applies``, a ``Reason`` value, ``unknown_code``, ``invalid_code`` or
    ``too_many_attempts``; ``message`` says it in words."""

    outcome: str
    message: str
    coupon: Coupon | None = None

    @property
    def applies(self) -> bool:
        return self.outcome == "applies"


def subjects_of(customer_id: str | None, address: str | None) -> list[str]:
    return [f"customer:{customer_id}"] * (customer_id is not None) + [f"ip:{address}"] * (address is not None)


def do_validate(
    connection: Connection,
    typed_code: str,
    cart: Cart,
    customer: CustomerFacts,
    address: str | None,
    now: datetime,
    limit: GuessingLimit = GuessingLimit(),
) -> Validation:
    """Whether the code applies to the cart. Stores a failure for an unknown or malformed code, so
    the caller commits the transaction whatever the outcome."""
    subjects = subjects_of(customer.customer_id, address)
    since = now - limit.window
    blocked = [s for s in subjects if _failures(connection, s, since) >= limit.max_failures]
    if blocked:
        _refuse(connection, blocked, typed_code, now, limit)
        return Validation("too_many_attempts", "too many wrong codes; try again later")
    try:
        code = normalise(typed_code)
    except InvalidCode as error:
        _fail(connection, subjects, typed_code, now)
        return Validation("invalid_code", error.message)
    found = find_coupon(connection, code)
    if found is None:
        _fail(connection, subjects, typed_code, now)
        return Validation("unknown_code", "no such code")
    _, coupon = found
    facts = replace(customer, uses_of_pool=customer_uses(connection, coupon.pool_id, customer.customer_id))
    reason = why_not(coupon, cart, facts, now)
    if reason is None:
        return Validation("applies", "the code applies", coupon)
    return Validation(reason.value, MESSAGES[reason], coupon)


def blocked_subjects(
    connection: Connection,
    customer_id: str | None,
    address: str | None,
    now: datetime,
    limit: GuessingLimit = GuessingLimit(),
) -> list[str]:
    """The customer and address past the limit: the checkout asks before it looks codes up."""
    subjects = subjects_of(customer_id, address)
    if not subjects:
        return []
    # One query for both subjects: every checkout with a code asks.
    counts = connection.execute(
        _FAILURES_BY_SUBJECT, {"subjects": subjects, "since": now - limit.window}
    ).all()
    return sorted(subject for subject, failures in counts if failures >= limit.max_failures)


def do_note_guessing(
    connection: Connection,
    customer_id: str | None,
    address: str | None,
    failed: list[str],
    blocked: bool,
    now: datetime,
    limit: GuessingLimit = GuessingLimit(),
) -> None:
    """What a checkout found: each unknown or malformed code counts as a failure, and a refusal for
    too many of them logs and appends the alert, as ``do_validate`` does."""
    subjects = subjects_of(customer_id, address)
    for typed_code in failed:
        _fail(connection, subjects, typed_code, now)
    if blocked:
        _refuse(connection, subjects, failed[0] if failed else "", now, limit)


_FAILURES_BY_SUBJECT = (
    select(failures.c.subject, func.count())
    .where(
        failures.c.subject.in_(bindparam("subjects", expanding=True)),
        failures.c.failed_at > bindparam("since"),
    )
    .group_by(failures.c.subject)
)


def purge_failures(connection: Connection, before: datetime) -> int:
    """Forget failed checks older than ``before`` (the daily upkeep keeps ``FAILURES_KEPT``)."""
    return int(connection.execute(delete(failures).where(failures.c.failed_at < before)).rowcount)


def _failures(connection: Connection, subject: str, since: datetime) -> int:
    return int(
        connection.execute(
            select(func.count()).where(failures.c.subject == subject, failures.c.failed_at > since)
        ).scalar_one()
    )


def _fail(connection: Connection, subjects: list[str], typed_code: str, now: datetime) -> None:
    rows = [{"subject": s, "tried": typed_code[:64], "failed_at": now} for s in subjects]
    if rows:
        connection.execute(insert(failures), rows)


def _refuse(
    connection: Connection, subjects: list[str], typed_code: str, now: datetime, limit: GuessingLimit
) -> None:
    log.warning(
        "coupon validation refused for %s: over %d wrong codes", ", ".join(subjects), limit.max_failures
    )
    # One alert per subject and window: the id is the window's start, counted from the epoch.
    window_start = int(now.timestamp() // limit.window.total_seconds())
    for subject in subjects:
        customer_id = subject.removeprefix("customer:") if subject.startswith("customer:") else None
        announce(
            connection,
            COUPON_GUESSING_REFUSED,
            f"{subject}@{window_start}",
            customer_id,
            now,
            {"subject": subject, "max_failures": limit.max_failures, "tried": typed_code[:64]},
        )
