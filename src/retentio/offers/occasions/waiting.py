"""The carts and views waiting to become offers, in the store: the log's consumer
(``offers.occasions``) starts, extends and ends waits, and enqueues a due-work row for the moment
each wait's window ends; that row's handler checks the orders once more (the consumer may not have
read the latest yet) and announces the ``offer_due`` or lets the wait go.

History never triggers: views and cart changes marked historical (a backfill, or older than the
cut-off when they arrived) start no wait; any order, historical or not, still ends one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, select

from retentio.db.batches import chunks, upsert
from retentio.events import Event, LoggedEvent
from retentio.offers.occasions.announce import CART, VIEWED, announce
from retentio.offers.occasions.browsing import (
    Pending,
    Placed,
    after_cart,
    after_orders,
    after_view,
    missed,
    offer_if_due,
)
from retentio.offers.occasions.settings import OccasionSettings
from retentio.offers.occasions.tables import pending_occasions
from retentio.orders import order_lines, orders
from retentio.schedule import Delivery, Job, Kind, NewWork, enqueue

OCCASIONS_CONSUMER = "offers.occasions"
WAIT_KIND = "offers.occasion_wait"
_STARTS = frozenset({"cart_updated", "product_viewed"})


@dataclass(frozen=True, slots=True)
class OccasionsConsumer:
    settings: OccasionSettings
    name: str = OCCASIONS_CONSUMER

    @property
    def event_types(self) -> frozenset[str] | None:
        return _STARTS | {"order_placed"}

    def consume(self, connection: Connection, batch: Sequence[LoggedEvent], now: datetime) -> None:
        by_customer: dict[str, list[Event]] = defaultdict(list)
        for logged in batch:
            event = logged.event
            if event.customer_id is None or event.derived:
                continue
            starts = event.type in _STARTS and not event.historical
            if starts or event.type == "order_placed":
                by_customer[event.customer_id].append(event)
        if by_customer:
            follow(connection, by_customer, self.settings, now)


def follow(
    connection: Connection, by_customer: dict[str, list[Event]], settings: OccasionSettings, now: datetime
) -> None:
    before = load_pending(connection, sorted(by_customer), lock=True)
    after = dict(before)
    for customer_id, events in by_customer.items():
        for event in events:
            _apply(after, customer_id, event, settings)
    gone = [key for key in before if after.get(key) is None]
    kept = [pending for key, pending in after.items() if pending is not None and pending != before.get(key)]
    _forget(connection, gone)
    upsert(connection, pending_occasions, [_row(pending) for pending in kept])
    # A wait already stored has its row in the queue, due no later than the wait (a wait only moves
    # later); that row finds it extended and enqueues the next. One row a wait, not one a change.
    started = [pending for key, pending in after.items() if pending is not None and before.get(key) is None]
    enqueue(connection, [_wake(pending) for pending in started], now)


def _apply(
    waits: dict[tuple[str, str], Pending | None], customer_id: str, event: Event, settings: OccasionSettings
) -> None:
    properties = event.properties
    if event.type == "cart_updated":
        key = (customer_id, CART)
        skus = [str(line["sku"]) for line in properties.get("items", [])]
        waits[key] = after_cart(waits.get(key), customer_id, skus, event.occurred_at, settings)
    elif event.type == "product_viewed":
        key = (customer_id, VIEWED)
        waits[key] = after_view(
            waits.get(key), customer_id, str(properties["sku"]), event.occurred_at, settings
        )
    else:
        placed = Placed(event.occurred_at, frozenset(str(line["sku"]) for line in properties["items"]))
        for occasion in (CART, VIEWED):
            key = (customer_id, occasion)
            if waits.get(key) is not None:
                waits[key] = after_orders(waits[key], [placed])


def waiting_kinds(settings: OccasionSettings) -> list[Kind]:
    def run(job: Job) -> str:
        customer_id, occasion = str(job.payload["customer_id"]), str(job.payload["occasion"])
        return end_wait(job.connection, customer_id, occasion, settings, job.now)

    return [Kind(WAIT_KIND, run, Delivery.EXACTLY_ONCE)]


def end_wait(
    connection: Connection, customer_id: str, occasion: str, settings: OccasionSettings, now: datetime
) -> str:
    """The handler of a wait's due-work row: announce the offer if the window has passed and an order
    did not end the wait; a wait extended since the row was enqueued gets a row at its new end."""
    pending = load_pending(connection, [customer_id], lock=True).get((customer_id, occasion))
    if pending is None:
        return "nothing waiting"
    left = after_orders(pending, _orders_since(connection, customer_id, pending.since))
    if left is None:
        _forget(connection, [(customer_id, occasion)])
        return "ended by an order"
    if missed(left, now, settings):
        _forget(connection, [(customer_id, occasion)])
        return f"missed: the wait ended {left.due_at.isoformat()}, no worker ran then"
    occasion_due = offer_if_due(left, now)
    if occasion_due is None:
        enqueue(connection, [_wake(left)], now)  # commits with this row's completion
        return f"still waiting until {left.due_at.isoformat()}"
    announce(connection, [occasion_due], now)
    _forget(connection, [(customer_id, occasion)])
    return f"offer due ({occasion}, {len(left.skus)} products)"


def load_pending(
    connection: Connection, customer_ids: Sequence[str], lock: bool = False
) -> dict[tuple[str, str], Pending | None]:
    """The waits of these customers; with ``lock``, held until the transaction ends (PostgreSQL):
    the log's consumer and a wait's handler take turns, so neither writes over what the other
    decided (a wait announced and gone is new to the consumer, and gets its own queue row). Locked
    in key order, so the two cannot deadlock."""
    found: dict[tuple[str, str], Pending | None] = {}
    p = pending_occasions.c
    for part in chunks(customer_ids):
        query = select(pending_occasions).where(p.customer_id.in_(part)).order_by(p.customer_id, p.occasion)
        for row in connection.execute(query.with_for_update() if lock else query):
            skus = tuple(str(sku) for sku in row.skus)
            pending = Pending(row.customer_id, row.occasion, skus, row.since, row.last_at, row.due_at)
            found[(row.customer_id, row.occasion)] = pending
    return found


def _orders_since(connection: Connection, customer_id: str, since: datetime) -> list[Placed]:
    o, line = orders.c, order_lines.c
    query = (
        select(o.order_id, o.placed_at, line.sku)
        .join(order_lines, line.order_id == o.order_id)
        .where(o.customer_id == customer_id, o.placed_at >= since)
        .order_by(o.placed_at, o.order_id)
    )
    placed: dict[str, tuple[datetime, set[str]]] = {}
    for order_id, placed_at, sku in connection.execute(query):
        placed.setdefault(order_id, (placed_at, set()))[1].add(sku)
    return [Placed(at, frozenset(skus)) for at, skus in placed.values()]


def _forget(connection: Connection, keys: Sequence[tuple[str, str]]) -> None:
    p = pending_occasions.c
    for occasion in (CART, VIEWED):
        customer_ids = sorted(customer_id for customer_id, kind in keys if kind == occasion)
        for part in chunks(customer_ids):
            connection.execute(
                delete(pending_occasions).where(p.occasion == occasion, p.customer_id.in_(part))
            )


def _row(pending: Pending) -> dict[str, object]:
    return {
        "customer_id": pending.customer_id,
        "occasion": pending.occasion,
        "skus": list(pending.skus),
        "since": pending.since,
        "last_at": pending.last_at,
        "due_at": pending.due_at,
    }


def _wake(pending: Pending) -> NewWork:
    key = f"{pending.occasion}:{pending.customer_id}:{pending.due_at.isoformat()}"
    return NewWork(
        WAIT_KIND, key, pending.due_at, {"customer_id": pending.customer_id, "occasion": pending.occasion}
    )
