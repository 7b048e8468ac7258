"""Consent over time: customers now and then unsubscribe from a channel, a few come back."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from retentio.sim.calendar import DAY
from retentio.sim.customers import CHANNELS
from retentio.sim.envelope import EventBlock, Kind, block_of, concat
from retentio.sim.sessions import active_moments
from retentio.sim.world import World

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def consent_changes(world: World, consent: BoolArray, day: int, rng: np.random.Generator) -> EventBlock:
    """Draw the day's unsubscribes and re-subscribes and apply them to `consent` in place.

    Candidates are drawn uniformly over (customer, channel) and kept only where the change is
    possible, which gives each subscribed pair the configured daily rate without scanning all.
    """
    config = world.config
    leaving = _candidates(world, config.unsubscribe_rate, rng)
    # Today's new customers subscribe during their sign-up session, so they cannot leave yet.
    signed_up = world.traits.signup_offset_seconds[leaving[:, 0]] < day * DAY
    leaving = leaving[consent[leaving[:, 0], leaving[:, 1]] & signed_up]
    consent[leaving[:, 0], leaving[:, 1]] = False
    returning = _candidates(world, config.resubscribe_rate, rng)
    returning = returning[_may_subscribe(world, consent, returning, day)]
    consent[returning[:, 0], returning[:, 1]] = True
    return concat(
        [
            _events(world, leaving, Kind.UNSUBSCRIBED, day, rng),
            _events(world, returning, Kind.SUBSCRIBED, day, rng),
        ]
    )


def _candidates(world: World, rate: float, rng: np.random.Generator) -> IntArray:
    customers = world.config.customers
    size = int(rng.poisson(rate * customers * len(CHANNELS)))
    pairs = np.stack([rng.integers(0, customers, size), rng.integers(0, len(CHANNELS), size)], axis=1).astype(
        np.int64
    )
    return np.unique(pairs, axis=0) if size else pairs


def _may_subscribe(world: World, consent: BoolArray, pairs: IntArray, day: int) -> BoolArray:
    traits = world.traits
    customer, channel = pairs[:, 0], pairs[:, 1]
    reachable = np.where(
        channel == 0,
        traits.has_email[customer],
        np.where(channel == 1, traits.has_phone[customer], traits.platform[customer] > 0),
    )
    signed_up = traits.signup_offset_seconds[customer] < day * DAY
    result: BoolArray = ~consent[customer, channel] & reachable & signed_up
    return result


def _events(world: World, pairs: IntArray, kind: Kind, day: int, rng: np.random.Generator) -> EventBlock:
    customer = pairs[:, 0]
    channels = [CHANNELS[c] for c in pairs[:, 1].tolist()]
    clock = active_moments(world, customer, day, rng)
    return block_of(clock, kind, customer, np.full(customer.size, -1, np.int64), channels)
