"""Guessing codes through the checkout is limited as through ``/v1/coupons/validate``: the
calculation refuses every offered code (``too_many_attempts``) once the customer or the caller's
address is past the limit, and each unknown or malformed code it is offered counts as a failure.
The calculation only reads, so the failures are written after it, in a transaction of their own
(``do_note_checkout_guessing``), by whoever called it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from retentio.loyalty.checkout.model import CheckoutRequest, Refused
from retentio.loyalty.coupons.validate import do_note_guessing as note_in_coupons

GUESSING = frozenset({"unknown_code", "invalid_code"})
BLOCKED = "too_many_attempts"


def needs_guessing_note(refused: Sequence[Refused]) -> bool:
    """Whether a calculation's refusals are for the guessing limit to count."""
    return any(r.kind == "coupon" and (r.reason in GUESSING or r.reason == BLOCKED) for r in refused)


def do_note_checkout_guessing(
    connection: Connection, request: CheckoutRequest, refused: Sequence[Refused], now: datetime
) -> None:
    coupons = [r for r in refused if r.kind == "coupon"]
    failed = [r.code for r in coupons if r.reason in GUESSING]
    blocked = any(r.reason == BLOCKED for r in coupons)
    if failed or blocked:
        note_in_coupons(connection, request.customer_id, request.address, failed, blocked, now)
