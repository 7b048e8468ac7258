"""Sessions: who visits, what shape the visit takes, and when each of its events happens.

A session is a fixed sequence of parts, each appearing zero or more times:
app opened, category viewed, search, product views, identify, subscriptions, cart updates,
checkout, order. Counts are drawn for all sessions of a day at once and expanded into events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from retentio.sim.calendar import DAY
from retentio.sim.columns import expand
from retentio.sim.world import World

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class Cart(IntEnum):
    NONE = 0
    ABANDONED = 1
    ABANDONED_AT_CHECKOUT = 2
    ORDERED = 3


class Part(IntEnum):
    APP = 0
    CATEGORY = 1
    SEARCH = 2
    VIEWS = 3
    IDENTIFY = 4
    SUBSCRIBED = 5
    CART = 6
    CHECKOUT = 7
    ORDER = 8


@dataclass(frozen=True)
class SessionPlan:
    customer: IntArray  # -1 for an anonymous visitor
    anonymous: IntArray  # -1 when no event of the session is anonymous
    logged_out: BoolArray  # a customer who browses anonymously, then identifies
    signup: BoolArray  # the customer's first session: identify, then subscribe
    cart: IntArray  # a Cart outcome
    forced: IntArray  # product the cart must start with (replenishment), -1 otherwise
    start_at: IntArray  # clock second the session must start at (sign-up), -1 for any time

    def __len__(self) -> int:
        return int(self.customer.size)


def plan(
    customer: IntArray,
    *,
    anonymous: IntArray | None = None,
    logged_out: BoolArray | None = None,
    signup: bool = False,
    cart: IntArray | None = None,
    forced: IntArray | None = None,
    start_at: IntArray | None = None,
) -> SessionPlan:
    size = customer.size
    return SessionPlan(
        customer=customer.astype(np.int64),
        anonymous=np.full(size, -1, np.int64) if anonymous is None else anonymous,
        logged_out=np.zeros(size, bool) if logged_out is None else logged_out,
        signup=np.full(size, signup),
        cart=np.zeros(size, np.int64) if cart is None else cart.astype(np.int64),
        forced=np.full(size, -1, np.int64) if forced is None else forced,
        start_at=np.full(size, -1, np.int64) if start_at is None else start_at,
    )


def concat_plans(plans: Sequence[SessionPlan]) -> SessionPlan:
    columns = {
        field.name: np.concatenate([getattr(p, field.name) for p in plans]) for field in fields(SessionPlan)
    }
    return SessionPlan(**columns)


@dataclass(frozen=True)
class PartEvents:
    """The events of one part across all sessions, in session order."""

    session: IntArray
    index: IntArray  # 0.. within the part of its session
    clock: IntArray
    customer: IntArray
    anonymous: IntArray


def part_counts(world: World, sessions: SessionPlan, lines: IntArray, rng: np.random.Generator) -> IntArray:
    """(sessions, parts) counts; `lines` is the cart's line count, 0 without a cart."""
    config, traits = world.config, world.traits
    size, customer = len(sessions), sessions.customer
    known = customer >= 0
    row = np.maximum(customer, 0)
    counts = np.zeros((size, len(Part)), dtype=np.int64)
    app_user = known & (traits.platform[row] > 0)
    counts[:, Part.APP] = app_user & (rng.random(size) < config.app_session_share)
    counts[:, Part.CATEGORY] = rng.random(size) < config.category_view_share
    counts[:, Part.SEARCH] = rng.random(size) < config.search_share
    views_mean = np.where(known, config.views_mean, config.visitor_views_mean)
    counts[:, Part.VIEWS] = np.maximum(lines, 1 + rng.poisson(views_mean))
    counts[:, Part.IDENTIFY] = known & sessions.logged_out
    counts[:, Part.SUBSCRIBED] = np.where(sessions.signup, traits.consents[row].sum(axis=1), 0)
    has_cart = sessions.cart > Cart.NONE
    counts[:, Part.CART] = np.where(has_cart, np.where(lines > 1, 2, 1), 0)
    counts[:, Part.CHECKOUT] = sessions.cart >= Cart.ABANDONED_AT_CHECKOUT
    counts[:, Part.ORDER] = sessions.cart == Cart.ORDERED
    return counts


def active_moments(world: World, customers: IntArray, day: int, rng: np.random.Generator) -> IntArray:
    """Clock seconds within `day` around each customer's own active hour in their own zone."""
    traits, calendar = world.traits, world.calendar
    row = np.maximum(customers, 0)
    known = customers >= 0
    # Visitors borrow a random customer's habits: the same evening-heavy rhythm, Moscow time.
    hour = np.where(known, traits.active_hour[row], rng.choice(traits.active_hour, customers.size))
    offset = np.where(known, traits.utc_offset_seconds[row], 3 * 3600)
    local = hour * 3600 + rng.normal(0.0, world.config.active_hour_spread * 3600, customers.size)
    within_day = (local.astype(np.int64) - offset - calendar.first_day_offset) % DAY
    return calendar.day_start(day) + within_day


def lay_out(
    world: World, sessions: SessionPlan, counts: IntArray, day: int, rng: np.random.Generator
) -> list[PartEvents]:
    """Place every event of every session in time, and say whose it is."""
    size = len(sessions)
    steps = rng.integers(15, 90, size)  # seconds between a session's events
    # A session may run past midnight: the caller moves such events to the next day's batch.
    usual = active_moments(world, sessions.customer, day, rng)
    starts = np.where(sessions.start_at >= 0, sessions.start_at, usual)
    bases = np.cumsum(counts, axis=1) - counts  # position of each part's first event
    identify_at = bases[:, Part.IDENTIFY]
    return [
        _part_events(sessions, counts[:, part], bases[:, part], starts, steps, identify_at, rng)
        for part in Part
    ]


def _part_events(
    sessions: SessionPlan,
    counts: IntArray,
    bases: IntArray,
    starts: IntArray,
    steps: IntArray,
    identify_at: IntArray,
    rng: np.random.Generator,
) -> PartEvents:
    session, index = expand(counts)
    position = bases[session] + index
    step = steps[session]
    # Jitter stays under half a step, so a session's events keep their order.
    clock = starts[session] + position * step + (rng.random(session.size) * step // 2)
    customer = sessions.customer[session]
    logged_out = sessions.logged_out[session]
    before = logged_out & (position < identify_at[session])
    anonymous_side = (customer < 0) | (logged_out & (position <= identify_at[session]))
    return PartEvents(
        session=session,
        index=index,
        clock=clock.astype(np.int64),
        customer=np.where(before, -1, customer),
        anonymous=np.where(anonymous_side, sessions.anonymous[session], -1),
    )
