"""Who comes to the store on a given day, and with what outcome for their cart."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from retentio.sim.calendar import DAY
from retentio.sim.sessions import Cart, SessionPlan, concat_plans, plan
from retentio.sim.state import SimState, order_waits
from retentio.sim.world import World

IntArray = npt.NDArray[np.int64]


def todays_sessions(world: World, state: SimState, day: int, rng: np.random.Generator) -> SessionPlan:
    return concat_plans(
        [
            _sign_ups(world, state, day, rng),
            _order_sessions(world, state, day, rng),
            _abandoned_carts(world, state, day, rng),
            _replenishments(world, state, day, rng),
            _browsing(world, state, day, rng),
            _visitors(world, day, rng),
        ]
    )


def _sign_ups(world: World, state: SimState, day: int, rng: np.random.Generator) -> SessionPlan:
    """A new customer arrives anonymously, signs up (identify, subscriptions), often orders.

    The session starts at the customer's `signed_up_at`; their order process starts now too.
    """
    customers = state.signups[day]
    state.consent[customers] = world.traits.consents[customers]
    waits = order_waits(world, customers, rng)
    state.next_order[customers] = world.calendar.activity_at_start(day) + waits
    orders = rng.random(customers.size) < world.config.first_order_share
    start_at = world.calendar.first_day_offset + world.traits.signup_offset_seconds[customers]
    return plan(
        customers,
        anonymous=world.config.customers + customers,
        logged_out=np.ones(customers.size, dtype=bool),
        signup=True,
        cart=np.where(orders, Cart.ORDERED, Cart.NONE),
        start_at=start_at,
    )


def _order_sessions(world: World, state: SimState, day: int, rng: np.random.Generator) -> SessionPlan:
    """Customers whose next order falls due in today's activity (one order a day at most)."""
    customers = np.flatnonzero(state.next_order < world.calendar.cumulative[day]).astype(np.int64)
    state.next_order[customers] += order_waits(world, customers, rng)
    return _customer_plan(world, customers, np.full(customers.size, Cart.ORDERED), rng)


def _abandoned_carts(world: World, state: SimState, day: int, rng: np.random.Generator) -> SessionPlan:
    """Carts left behind, at a rate that makes `cart_abandonment` of a customer's carts."""
    abandonment = world.config.cart_abandonment
    weights = world.traits.purchase_rate * state.alive * (abandonment / (1 - abandonment))
    customers = _weighted_draw(world, weights * _signed_up(world, day), day, rng)
    ordered = np.zeros(customers.size, dtype=bool)
    return _customer_plan(world, customers, _abandoned_or(ordered, world, rng), rng)


def _replenishments(world: World, state: SimState, day: int, rng: np.random.Generator) -> SessionPlan:
    """Customers who ran out of a consumable today come back for it, if still alive."""
    due = state.replenish_due.pop(day, [])
    customers = np.unique(np.concatenate(due)) if due else np.zeros(0, dtype=np.int64)
    customers = customers[(state.replenish_day[customers] == day) & state.alive[customers]]
    ordered = rng.random(customers.size) < world.config.replenish_conversion
    # The replenishment is one of the customer's orders: the next regular one waits for it.
    buyers = customers[ordered]
    restart = world.calendar.activity_at_start(day) + order_waits(world, buyers, rng)
    state.next_order[buyers] = np.maximum(state.next_order[buyers], restart)
    cart = _abandoned_or(ordered, world, rng)
    return _customer_plan(world, customers, cart, rng, forced=state.replenish_product[customers])


def _browsing(world: World, state: SimState, day: int, rng: np.random.Generator) -> SessionPlan:
    """Sessions without a cart; lapsed customers still look in now and then."""
    lapsed = np.where(state.alive, 1.0, world.config.lapsed_browse_factor)
    weights = world.traits.browse_rate * lapsed * _signed_up(world, day)
    customers = _weighted_draw(world, weights, day, rng)
    return _customer_plan(world, customers, np.zeros(customers.size, dtype=np.int64), rng)


def _signed_up(world: World, day: int) -> npt.NDArray[np.bool_]:
    signed_up: npt.NDArray[np.bool_] = world.traits.signup_offset_seconds < day * DAY
    return signed_up


def _weighted_draw(
    world: World, weights: npt.NDArray[np.float64], day: int, rng: np.random.Generator
) -> IntArray:
    """Customers for today's sessions, each at its own daily rate `weights`.

    One Poisson total split by weight is the same as a Poisson count per customer, but costs
    time in proportion to the sessions rather than to the customers.
    """
    cumulative = np.cumsum(weights)
    total = float(cumulative[-1])
    count = int(rng.poisson(total * world.calendar.factors[day]))
    customers = np.searchsorted(cumulative, rng.random(count) * total, side="right")
    return np.minimum(customers, world.config.customers - 1).astype(np.int64)


def _visitors(world: World, day: int, rng: np.random.Generator) -> SessionPlan:
    """Anonymous visitors: mostly a look or two; a few leave a cart behind."""
    config = world.config
    mean = config.visitor_sessions_per_customer * config.customers * world.calendar.factors[day]
    count = int(rng.poisson(mean))
    carts = rng.random(count) < config.visitor_cart_share
    return plan(
        np.full(count, -1, dtype=np.int64),
        anonymous=rng.integers(0, config.customers, count),
        logged_out=np.ones(count, dtype=bool),
        cart=np.where(carts, Cart.ABANDONED, Cart.NONE),
    )


def _customer_plan(
    world: World,
    customers: IntArray,
    cart: IntArray,
    rng: np.random.Generator,
    forced: IntArray | None = None,
) -> SessionPlan:
    """Some customers browse logged out and identify later, with their own device's id."""
    logged_out = rng.random(customers.size) < world.config.logged_out_share
    anonymous = np.where(logged_out, world.config.customers + customers, -1)
    return plan(customers, anonymous=anonymous, logged_out=logged_out, cart=cart, forced=forced)


def _abandoned_or(ordered: npt.NDArray[np.bool_], world: World, rng: np.random.Generator) -> IntArray:
    at_checkout = rng.random(ordered.size) < world.config.checkout_share_of_abandoned
    abandoned = np.where(at_checkout, Cart.ABANDONED_AT_CHECKOUT, Cart.ABANDONED)
    return np.where(ordered, Cart.ORDERED, abandoned).astype(np.int64)
