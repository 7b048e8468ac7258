"""The day loop: plan the day's sessions, lay out their events, place orders, update who is
still around, and hand back the day's events in the public envelope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from retentio.db.batches import collector_paused
from retentio.sim.baskets import draw_baskets
from retentio.sim.calendar import DAY
from retentio.sim.columns import groups
from retentio.sim.config import SimConfig
from retentio.sim.consent import consent_changes
from retentio.sim.envelope import EventBlock, concat, to_envelopes
from retentio.sim.orders import PlacedOrders, place_orders
from retentio.sim.session_events import Carts, browsing_blocks
from retentio.sim.sessions import Cart, Part, SessionPlan, lay_out, part_counts
from retentio.sim.state import SimState, initial_state
from retentio.sim.store import SimStore
from retentio.sim.visits import todays_sessions
from retentio.sim.world import IntArray, World, build_world, pick_categories

_SIMULATION_STREAM = 4


def simulate(config: SimConfig, store: SimStore) -> Iterator[list[dict[str, Any]]]:
    """Yield one time-ordered batch of envelope dicts per simulated day."""
    world = build_world(config, store)
    rng = np.random.default_rng([config.seed, _SIMULATION_STREAM])
    state = initial_state(world, rng)
    for day in range(config.days):
        with collector_paused():
            block, today = simulate_day(world, state, day, rng)
            batch = to_envelopes(block, today, world.calendar, world.naming, state.events)
        state.events += len(batch)
        yield batch


def simulate_day(
    world: World, state: SimState, day: int, rng: np.random.Generator
) -> tuple[EventBlock, IntArray]:
    """The day's events as one unsorted block and the rows of it that happen today; the other
    rows (payments after midnight, returns) are filed in `state.pending` under their own day."""
    sessions = todays_sessions(world, state, day, rng)
    topics = pick_categories(world, sessions.customer, rng)
    # A replenishment session is about the product that ran out.
    forced_category = world.columns.category[np.maximum(sessions.forced, 0)]
    topics = np.where(sessions.forced >= 0, forced_category, topics)
    carts = _carts(world, state, sessions, topics, rng)
    lines = np.zeros(carts.of_session.size, dtype=np.int64)
    has_cart = carts.of_session >= 0
    # Indexing only the sessions with a cart: a small store has days with no cart at all.
    lines[has_cart] = carts.baskets.line_count[carts.of_session[has_cart]]
    parts = lay_out(world, sessions, part_counts(world, sessions, lines, rng), day, rng)
    blocks = browsing_blocks(world, parts, topics, carts, rng)
    orders = place_orders(world, parts[Part.ORDER], carts, state.orders, rng)
    state.orders += orders.customer.size
    blocks += [orders.placed, orders.follow_ups, consent_changes(world, state.consent, day, rng)]
    _after_orders(world, state, orders, day, rng)
    return _keep_today(world, state, concat(blocks + state.pending.pop(day, [])), day)


def _carts(
    world: World,
    state: SimState,
    sessions: SessionPlan,
    topics: IntArray,
    rng: np.random.Generator,
) -> Carts:
    rows = np.flatnonzero(sessions.cart > Cart.NONE)
    baskets = draw_baskets(world, sessions.customer[rows], topics[rows], sessions.forced[rows], rng)
    of_session = np.full(len(sessions), -1, dtype=np.int64)
    of_session[rows] = np.arange(rows.size)
    seed, first = world.config.seed, state.carts
    state.carts += rows.size
    ids = [f"cart-{seed}-{number}" for number in range(first, first + rows.size)]
    return Carts(of_session=of_session, baskets=baskets, ids=ids)


def _after_orders(
    world: World, state: SimState, orders: PlacedOrders, day: int, rng: np.random.Generator
) -> None:
    """After each order a customer may lapse for good; a consumable sets a day to come back."""
    config, customers = world.config, orders.customer
    lapses = customers[rng.random(customers.size) < world.traits.dropout[customers]]
    state.alive[lapses] = False
    state.next_order[lapses] = np.inf
    returns = (orders.consumable >= 0) & (rng.random(customers.size) < config.replenish_share)
    product, quantity = orders.consumable[returns], orders.consumable_quantity[returns]
    days = world.columns.consumption_days[product] * quantity
    spread = rng.lognormal(0.0, config.consumption_spread, product.size)
    due = day + np.maximum(1, np.round(days * spread)).astype(np.int64)
    customer = customers[returns]
    state.replenish_day[customer] = due
    state.replenish_product[customer] = product
    for when, rows in groups(due):
        if when < config.days:
            state.replenish_due.setdefault(when, []).append(customer[rows])


def _keep_today(world: World, state: SimState, block: EventBlock, day: int) -> tuple[EventBlock, IntArray]:
    """File events of later days under their day (dropping those after the last simulated day)
    and return the rows of `day`."""
    calendar = world.calendar
    event_day = (block.clock - calendar.first_day_offset) // DAY
    later = np.flatnonzero(event_day > day)
    for when, rows in groups(event_day[later]):
        if when < world.config.days:
            state.pending.setdefault(when, []).append(block.take(later[rows]))
    return block, np.flatnonzero(event_day <= day)
