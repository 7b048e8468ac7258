"""Orders and what follows them: coupons and discounts, payment or cancellation, returns, and
which consumable the customer will run out of."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from retentio.sim.calendar import DAY
from retentio.sim.envelope import EventBlock, Kind, Properties, block_of, concat
from retentio.sim.session_events import Carts
from retentio.sim.sessions import PartEvents
from retentio.sim.world import World

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class PlacedOrders:
    placed: EventBlock  # order_placed events
    follow_ups: EventBlock  # paid, cancelled, returned: may fall on later days
    customer: IntArray  # per order
    consumable: IntArray  # per order: the first consumable product bought, -1 if none
    consumable_quantity: IntArray


def place_orders(
    world: World, events: PartEvents, carts: Carts, first_number: int, rng: np.random.Generator
) -> PlacedOrders:
    """Turn the ordered carts into orders numbered from `first_number`."""
    cart = carts.of_session[events.session]
    subtotal = carts.baskets.subtotal[cart]
    coupon = _coupons(world, events.customer, rng)
    percent = np.array([value for _, value in world.config.coupons], dtype=np.int64)
    discount = np.where(coupon >= 0, subtotal * percent[np.maximum(coupon, 0)] // 100, 0)
    numbers = range(first_number, first_number + cart.size)
    order_ids = [f"ord-{world.config.seed}-{number}" for number in numbers]
    total = subtotal - discount
    properties = _placed_properties(world, carts, cart, total, discount, coupon, order_ids)
    placed = block_of(events.clock, Kind.ORDER_PLACED, events.customer, _none(cart.size), properties)
    consumable, quantity = _first_consumables(world, carts, cart)
    return PlacedOrders(
        placed=placed,
        follow_ups=_follow_ups(world, events, carts, cart, order_ids, rng),
        customer=events.customer,
        consumable=consumable,
        consumable_quantity=quantity,
    )


def _coupons(world: World, customers: IntArray, rng: np.random.Generator) -> IntArray:
    """Index of the coupon used, -1 for none: discount seekers nearly always have one."""
    uses = rng.random(customers.size) < world.traits.coupon_share[customers]
    which = rng.integers(0, len(world.config.coupons), customers.size)
    return np.where(uses, which, -1)


def _placed_properties(
    world: World,
    carts: Carts,
    cart: IntArray,
    total: IntArray,
    discount: IntArray,
    coupon: IntArray,
    order_ids: list[str],
) -> list[Properties]:
    codes, currency = world.config.coupons, world.config.currency
    result: list[Properties] = []
    items = carts.baskets.item_lists(world, cart)
    for listed, order_id, paid, off, code in zip(
        items, order_ids, total.tolist(), discount.tolist(), coupon.tolist(), strict=True
    ):
        properties: Properties = {
            "order_id": order_id,
            "items": listed,
            "total": money(paid),
            "currency": currency,
        }
        if code >= 0:
            properties["coupon"] = codes[code][0]
            properties["discount"] = money(off)
        result.append(properties)
    return result


def money(kopecks: int) -> str:
    return f"{kopecks // 100}.{kopecks % 100:02d}"


def _follow_ups(
    world: World,
    events: PartEvents,
    carts: Carts,
    cart: IntArray,
    order_ids: list[str],
    rng: np.random.Generator,
) -> EventBlock:
    """Most orders are paid within minutes; some are cancelled within hours; some paid ones come
    back days later, whole or in part."""
    config, size = world.config, cart.size
    cancelled = rng.random(size) < config.cancel_share
    returned = ~cancelled & (rng.random(size) < world.traits.return_share[events.customer])
    paid_at = events.clock + rng.integers(60, 1200, size)
    cancelled_at = events.clock + rng.integers(600, 36 * 3600, size)
    returned_at = events.clock + rng.integers(3 * DAY, 25 * DAY, size)
    paid_rows, cancelled_rows = np.flatnonzero(~cancelled), np.flatnonzero(cancelled)
    returned_rows = np.flatnonzero(returned)
    return concat(
        [
            _refs(Kind.ORDER_PAID, paid_at, events.customer, paid_rows, order_ids),
            _refs(Kind.ORDER_CANCELLED, cancelled_at, events.customer, cancelled_rows, order_ids),
            block_of(
                returned_at[returned_rows],
                Kind.ORDER_RETURNED,
                events.customer[returned_rows],
                _none(returned_rows.size),
                _returns(world, carts, cart[returned_rows], returned_rows, order_ids, rng),
            ),
        ]
    )


def _refs(
    kind: Kind, clock: IntArray, customers: IntArray, rows: IntArray, order_ids: list[str]
) -> EventBlock:
    ids = [order_ids[row] for row in rows.tolist()]
    return block_of(clock[rows], kind, customers[rows], _none(rows.size), ids)


def _returns(
    world: World,
    carts: Carts,
    cart: IntArray,
    rows: IntArray,
    order_ids: list[str],
    rng: np.random.Generator,
) -> list[Properties]:
    """Whole orders, or some lines with up to the bought quantity of each (at least one unit)."""
    result: list[Properties] = []
    whole = (rng.random(cart.size) < world.config.full_return_share).tolist()
    bought = carts.baskets.item_lists(world, cart)
    for items, row, is_whole in zip(bought, rows.tolist(), whole, strict=True):
        if not is_whole:
            kept = [item for item in items if rng.random() < 0.5] or items[:1]
            items = [{**item, "quantity": int(rng.integers(1, item["quantity"] + 1))} for item in kept]
        result.append({"order_id": order_ids[row], "items": items})
    return result


def _first_consumables(world: World, carts: Carts, cart: IntArray) -> tuple[IntArray, IntArray]:
    baskets = carts.baskets
    product = np.full(cart.size, -1, dtype=np.int64)
    quantity = np.zeros(cart.size, dtype=np.int64)
    owner, lines = baskets.lines_of(cart)
    consumable = world.columns.consumption_days[baskets.product[lines]] > 0
    orders, first = np.unique(owner[consumable], return_index=True)
    chosen = lines[consumable][first]
    product[orders] = baskets.product[chosen]
    quantity[orders] = baskets.quantity[chosen]
    return product, quantity


def _none(size: int) -> IntArray:
    return np.full(size, -1, dtype=np.int64)
