"""What the simulation remembers from one day to the next."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from retentio.sim.calendar import DAY
from retentio.sim.envelope import EventBlock
from retentio.sim.world import World

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass
class SimState:
    alive: BoolArray  # not lapsed for good (BG/NBD "alive")
    next_order: FloatArray  # activity time of the customer's next order; inf when none is due
    consent: BoolArray  # (customers, channels) as of now
    replenish_day: IntArray  # day the customer runs out of a consumable, -1 if none
    replenish_product: IntArray
    signups: list[IntArray]  # customers who sign up on each day
    replenish_due: dict[int, list[IntArray]] = field(default_factory=dict)
    pending: dict[int, list[EventBlock]] = field(default_factory=dict)  # events of later days
    events: int = 0
    orders: int = 0
    carts: int = 0


def order_waits(world: World, customers: IntArray, rng: np.random.Generator) -> FloatArray:
    """Activity time until each customer's next order: gamma waits with the customer's rate."""
    shape = world.config.purchase_regularity
    waits: FloatArray = rng.gamma(shape, 1.0, customers.size) / (
        shape * world.traits.purchase_rate[customers]
    )
    return waits


def initial_state(world: World, rng: np.random.Generator) -> SimState:
    traits, config = world.traits, world.config
    existing = traits.signup_offset_seconds < 0
    alive = traits.alive_at_start.copy()
    # Existing customers are somewhere between two orders: a uniform share of a full wait.
    everyone = np.arange(config.customers, dtype=np.int64)
    waits = order_waits(world, everyone, rng) * rng.random(config.customers)
    next_order = np.where(existing & alive, waits, np.inf)
    signup_day = np.where(existing, -1, traits.signup_offset_seconds // DAY)
    by_day = np.argsort(signup_day, kind="stable")
    bounds = np.searchsorted(signup_day[by_day], np.arange(config.days + 1))
    return SimState(
        alive=alive,
        next_order=next_order,
        consent=traits.consents & existing[:, None],
        replenish_day=np.full(config.customers, -1, dtype=np.int64),
        replenish_product=np.full(config.customers, -1, dtype=np.int64),
        signups=[by_day[bounds[d] : bounds[d + 1]].astype(np.int64) for d in range(config.days)],
    )
