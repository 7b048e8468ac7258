"""A customer's running aggregates (the groundwork of CDP-6 and SEG-5), updated in O(1) per event.

Everything here is additive or a max/min, so the result does not depend on arrival order; the one
exception — forgetting the first or last order when it is cancelled — is flagged for a re-read of
that customer's order dates (``needs_order_dates``) instead of a scan of the event log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from retentio.events import SYSTEM_EVENT_TYPES, Event
from retentio.orders import Contribution
from retentio.types.money import from_minor

_APP_TYPES = frozenset({"app_opened", "session_started"})
# What a view or a cart says about interest, for "last viewed content / products / cart" (the
# readiness ladder reads them; the custom segments offer them as profile fields).
INTEREST_KINDS = {
    "content_viewed": "content",
    "category_viewed": "content",
    "product_viewed": "browse",
    "search": "browse",
    "cart_updated": "cart",
    "checkout_started": "cart",
}
_WEB_TYPES = frozenset(INTEREST_KINDS)  # what the customer does on the site
_ENGAGED_MESSAGE_TYPES = frozenset({"message_opened", "message_clicked"})


@dataclass(slots=True)
class ProfileDraft:
    """The mutable working copy of one profile while a batch is folded into it."""

    customer_id: str
    orders: int = 0
    revenue_minor: int = 0
    currency: str | None = None
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    previous_order_at: datetime | None = None
    cancellations: int = 0
    returns: int = 0
    returned_minor: int = 0
    coupon_orders: int = 0
    events: int = 0
    last_event_at: datetime | None = None
    last_content_at: datetime | None = None  # content or a category viewed
    last_browse_at: datetime | None = None  # a product viewed or a search
    last_cart_at: datetime | None = None  # a cart updated or a checkout started
    channel_activity: dict[str, str] = field(default_factory=dict)
    hour_histogram: list[int] = field(default_factory=lambda: [0] * 24)
    category_counts: dict[str, int] = field(default_factory=dict)
    # Latest activity per channel seen in this batch, as datetimes: turning every event's time into
    # text to compare it would cost more than the rest of the fold (``settle_channels`` merges them).
    channel_seen: dict[str, datetime] = field(default_factory=dict)
    needs_order_dates: bool = False
    stored: bool = False  # a row exists already: save with UPDATE rather than INSERT


def channel_of(event: Event) -> str | None:
    """Where the customer was active, for "last activity per channel" and the cascade later."""
    if event.type in _WEB_TYPES:
        return "web"
    if event.type in _APP_TYPES:
        return "app"
    if event.type in _ENGAGED_MESSAGE_TYPES:
        channel = event.properties.get("channel")
        return channel if isinstance(channel, str) else None
    return None


def add_activity(draft: ProfileDraft, event: Event) -> None:
    if event.type in SYSTEM_EVENT_TYPES:
        return  # segment moves and the like are about the customer, not activity of theirs
    draft.events += 1
    at = event.occurred_at
    if draft.last_event_at is None or at > draft.last_event_at:
        draft.last_event_at = at
    draft.hour_histogram[at.hour] += 1
    kind = INTEREST_KINDS.get(event.type)
    if kind is not None:
        _add_interest(draft, kind, at)
    channel = channel_of(event)
    if channel is not None:
        seen = draft.channel_seen.get(channel)
        if seen is None or at > seen:
            draft.channel_seen[channel] = at


def _add_interest(draft: ProfileDraft, kind: str, at: datetime) -> None:
    if kind == "browse":
        if draft.last_browse_at is None or at > draft.last_browse_at:
            draft.last_browse_at = at
    elif kind == "cart":
        if draft.last_cart_at is None or at > draft.last_cart_at:
            draft.last_cart_at = at
    elif draft.last_content_at is None or at > draft.last_content_at:
        draft.last_content_at = at


def settle_channels(draft: ProfileDraft) -> None:
    """Fold the batch's latest activity per channel into the stored ISO 8601 stamps."""
    for channel, at in draft.channel_seen.items():
        stamp = at.isoformat()
        if stamp > draft.channel_activity.get(channel, ""):
            draft.channel_activity[channel] = stamp
    draft.channel_seen.clear()


def add_contribution(draft: ProfileDraft, delta: Contribution, sign: int, currency: str | None) -> None:
    """Add (sign=+1) or take away (sign=-1) what one order contributes."""
    draft.orders += sign * delta.orders
    draft.revenue_minor += sign * delta.revenue_minor
    draft.coupon_orders += sign * delta.coupon_orders
    draft.cancellations += sign * delta.cancellations
    draft.returns += sign * delta.returns
    draft.returned_minor += sign * delta.returned_minor
    if currency and sign > 0:
        # A store trades in one currency; with several, the choice must still not depend on the
        # order events arrive in, hence the smallest code rather than the latest.
        draft.currency = currency if draft.currency is None else min(draft.currency, currency)
    for category, count in delta.categories.items():
        left = draft.category_counts.get(category, 0) + sign * count
        if left:
            draft.category_counts[category] = left
        else:
            draft.category_counts.pop(category, None)
    if delta.placed_at is None:
        return
    if sign < 0:
        draft.needs_order_dates = True
    else:
        _add_order_date(draft, delta.placed_at)


def _add_order_date(draft: ProfileDraft, at: datetime) -> None:
    if draft.first_order_at is None or at < draft.first_order_at:
        draft.first_order_at = at
    if draft.last_order_at is None or at >= draft.last_order_at:
        draft.previous_order_at = draft.last_order_at
        draft.last_order_at = at
    elif draft.previous_order_at is None or at > draft.previous_order_at:
        draft.previous_order_at = at


def set_order_dates(draft: ProfileDraft, dates_newest_first: list[datetime], first: datetime | None) -> None:
    draft.first_order_at = first
    draft.last_order_at = dates_newest_first[0] if dates_newest_first else None
    draft.previous_order_at = dates_newest_first[1] if len(dates_newest_first) > 1 else None
    draft.needs_order_dates = False


@dataclass(frozen=True, slots=True)
class Profile:
    """What other areas and the API read about a customer's behaviour."""

    customer_id: str
    orders: int
    revenue: Decimal
    currency: str | None
    average_check: Decimal | None
    first_order_at: datetime | None
    last_order_at: datetime | None
    mean_interval_days: float | None
    last_interval_days: float | None
    cancellations: int
    returns: int
    returned: Decimal
    coupon_share: float | None
    events: int
    last_event_at: datetime | None
    last_content_at: datetime | None
    last_browse_at: datetime | None
    last_cart_at: datetime | None
    channel_activity: dict[str, str]
    hour_histogram: list[int]
    favourite_categories: list[str]

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in Profile.__slots__:
            value = getattr(self, name)
            if isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, datetime):
                value = value.isoformat()
            out[name] = value
        return out


def finish(draft: ProfileDraft, default_currency: str) -> Profile:
    """Derive the read-side figures (average check, intervals, favourites) from the draft."""
    currency = draft.currency or default_currency
    revenue = from_minor(draft.revenue_minor, currency)
    mean_interval = None
    if draft.orders > 1 and draft.first_order_at and draft.last_order_at:
        span = (draft.last_order_at - draft.first_order_at).total_seconds() / 86400
        mean_interval = round(span / (draft.orders - 1), 3)
    last_interval = None
    if draft.last_order_at and draft.previous_order_at:
        last_interval = round((draft.last_order_at - draft.previous_order_at).total_seconds() / 86400, 3)
    favourites = sorted(draft.category_counts, key=lambda c: (-draft.category_counts[c], c))[:3]
    return Profile(
        customer_id=draft.customer_id,
        orders=draft.orders,
        revenue=revenue,
        currency=draft.currency,
        average_check=(revenue / draft.orders).quantize(Decimal("0.01")) if draft.orders else None,
        first_order_at=draft.first_order_at,
        last_order_at=draft.last_order_at,
        mean_interval_days=mean_interval,
        last_interval_days=last_interval,
        cancellations=draft.cancellations,
        returns=draft.returns,
        returned=from_minor(draft.returned_minor, currency),
        coupon_share=round(draft.coupon_orders / draft.orders, 4) if draft.orders else None,
        events=draft.events,
        last_event_at=draft.last_event_at,
        last_content_at=draft.last_content_at,
        last_browse_at=draft.last_browse_at,
        last_cart_at=draft.last_cart_at,
        channel_activity=dict(draft.channel_activity),
        hour_histogram=list(draft.hour_histogram),
        favourite_categories=favourites,
    )
