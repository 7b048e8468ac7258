"""Events as columns while the day is simulated, and their conversion into envelope dicts.

Every event is first a row of an `EventBlock` (numbers only, plus its properties dict); a day's
blocks are merged, sorted by time and turned into the public envelope in one tight pass.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import IntEnum
from itertools import count
from typing import Any

import numpy as np
import numpy.typing as npt

from retentio.sim.calendar import Calendar

IntArray = npt.NDArray[np.int64]
Properties = dict[str, Any]


class Kind(IntEnum):
    PRODUCT_VIEWED = 0
    CATEGORY_VIEWED = 1
    SEARCH = 2
    CART_UPDATED = 3
    CHECKOUT_STARTED = 4
    ORDER_PLACED = 5
    ORDER_PAID = 6
    ORDER_CANCELLED = 7
    ORDER_RETURNED = 8
    APP_OPENED = 9
    SUBSCRIBED = 10
    UNSUBSCRIBED = 11
    IDENTIFY = 12


EVENT_TYPES = tuple(kind.name.lower() for kind in Kind)


@dataclass(frozen=True)
class EventBlock:
    """Events as parallel columns; customer and anonymous are -1 where the event has none."""

    clock: IntArray  # clock seconds, see calendar.py
    kind: IntArray
    customer: IntArray
    anonymous: IntArray
    properties: list[Properties]

    def __len__(self) -> int:
        return len(self.properties)

    def take(self, rows: IntArray) -> EventBlock:
        return EventBlock(
            clock=self.clock[rows],
            kind=self.kind[rows],
            customer=self.customer[rows],
            anonymous=self.anonymous[rows],
            properties=[self.properties[row] for row in rows.tolist()],
        )


def block_of(
    clock: IntArray, kind: Kind, customer: IntArray, anonymous: IntArray,
    properties: list[Properties],
) -> EventBlock:
    """A block of one kind of event."""
    return EventBlock(
        clock=clock.astype(np.int64, copy=False),
        kind=np.full(len(properties), int(kind), dtype=np.int64),
        customer=customer.astype(np.int64, copy=False),
        anonymous=anonymous.astype(np.int64, copy=False),
        properties=properties,
    )


def concat(blocks: Sequence[EventBlock]) -> EventBlock:
    if not blocks:
        empty = np.zeros(0, dtype=np.int64)
        return EventBlock(empty, empty, empty, empty, [])
    return EventBlock(
        clock=np.concatenate([block.clock for block in blocks]),
        kind=np.concatenate([block.kind for block in blocks]),
        customer=np.concatenate([block.customer for block in blocks]),
        anonymous=np.concatenate([block.anonymous for block in blocks]),
        properties=[item for block in blocks for item in block.properties],
    )


@dataclass(frozen=True)
class Naming:
    """How numbers become the ids in the envelope."""

    seed: int
    customer_ids: list[str | None]  # by customer position, then None so that index -1 is None

    def event_prefix(self) -> str:
        return f"sim-{self.seed}-"

    def anonymous_prefix(self) -> str:
        return f"anon-{self.seed}-"


def to_envelopes(
    block: EventBlock, calendar: Calendar, naming: Naming, first_number: int
) -> list[dict[str, Any]]:
    """Sort the day's events by time (stable, so a session keeps its order) and build dicts."""
    order = np.argsort(block.clock, kind="stable")
    rows = order.tolist()
    properties = block.properties
    stamps = calendar.timestamps(block.clock[order].tolist())
    ids, types = naming.customer_ids, EVENT_TYPES
    event_prefix, anonymous_prefix = naming.event_prefix(), naming.anonymous_prefix()
    with _collector_paused():
        return [
            {
                "event_id": event_prefix + str(number),
                "type": types[kind],
                "customer_id": ids[customer],
                "anonymous_id": None if anonymous < 0 else anonymous_prefix + str(anonymous),
                "timestamp": stamp,
                "properties": properties[row],
            }
            for number, kind, customer, anonymous, stamp, row in zip(
                count(first_number),
                block.kind[order].tolist(),
                block.customer[order].tolist(),
                block.anonymous[order].tolist(),
                stamps,
                rows,
                strict=False,
            )
        ]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small acyclic dicts.

    Each batch allocates hundreds of thousands of containers, which would trigger young-generation
    collections that find nothing (the dicts hold no cycles) and cost about half the build time.
    Reference counting still frees everything; the previous collector state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
