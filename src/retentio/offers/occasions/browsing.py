"""Carts and views that become offers (OFF-6), as pure decisions: a cart change or a product view
starts (or extends) a wait; an order placed after the wait began ends it (any order, for the cart;
for views, the viewed products it contains); when the window after the latest activity has passed
with something left, an ``offer_due`` is due. No database here: the consumer and the due-work
handler (``waiting``) load and store what these functions decide."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from retentio.offers.occasions.announce import CART, OFFER_DUE, VIEWED, Occasion
from retentio.offers.occasions.settings import OccasionSettings


@dataclass(frozen=True, slots=True)
class Pending:
    customer_id: str
    occasion: str  # cart, viewed
    skus: tuple[str, ...]  # the cart's lines; the viewed products, latest first
    since: datetime
    last_at: datetime
    due_at: datetime


@dataclass(frozen=True, slots=True)
class Placed:
    """An order, as far as a wait cares: when it was placed and what it held."""

    placed_at: datetime
    skus: frozenset[str]


def after_cart(
    pending: Pending | None, customer_id: str, skus: Sequence[str], at: datetime, settings: OccasionSettings
) -> Pending | None:
    """The cart now holds ``skus`` (an emptied cart waits for nothing); a change older than the one
    already seen is ignored, events may arrive out of order."""
    if pending is not None and at < pending.last_at:
        return pending
    unique = tuple(dict.fromkeys(skus))
    if not unique:
        return None
    since = at if pending is None else pending.since
    return Pending(customer_id, CART, unique, since, at, at + settings.cart_window)


def after_view(
    pending: Pending | None, customer_id: str, sku: str, at: datetime, settings: OccasionSettings
) -> Pending | None:
    if pending is None:
        return Pending(customer_id, VIEWED, (sku,), at, at, at + settings.viewed_window)
    if at < pending.last_at:  # an older view: keep its product, behind the newer ones
        skus = (*pending.skus, sku) if sku not in pending.skus else pending.skus
        return replace(pending, skus=skus[: settings.viewed.max_skus], since=min(pending.since, at))
    skus = (sku, *(known for known in pending.skus if known != sku))[: settings.viewed.max_skus]
    return replace(pending, skus=skus, last_at=at, due_at=at + settings.viewed_window)


def after_orders(pending: Pending | None, orders: Iterable[Placed]) -> Pending | None:
    """What is left of the wait once these orders are known: an order placed before it began changes
    nothing; after it, any order ends a cart wait and takes its products off a viewed one."""
    for order in orders:
        if pending is None:
            return None
        if order.placed_at < pending.since:
            continue
        if pending.occasion == CART:
            return None
        left = tuple(sku for sku in pending.skus if sku not in order.skus)
        pending = replace(pending, skus=left) if left else None
    return pending


def offer_if_due(pending: Pending, now: datetime) -> Occasion | None:
    """The ``offer_due`` this wait turns into at ``now``. Its latest activity names it: a wait is
    announced once (the row goes with it), and activity that a consumer folded in while the wait
    was being announced (the row written again) makes a new offer, not a lost one."""
    if pending.due_at > now:
        return None
    properties = {
        "occasion": pending.occasion,
        "skus": list(pending.skus),
        "since": pending.since.isoformat(),
        "last_activity_at": pending.last_at.isoformat(),
    }
    key = f"{pending.occasion}:{pending.customer_id}:{pending.last_at.isoformat()}"
    return Occasion(OFFER_DUE, key, pending.customer_id, properties)


def missed(pending: Pending, now: datetime, settings: OccasionSettings) -> bool:
    """Whether the wait ended longer ago than the sweep catches up (``sweep.catch_up_days``): no
    worker ran then, and an offer about a cart of last month is no offer."""
    return now - pending.due_at > timedelta(days=settings.sweep.catch_up_days)
