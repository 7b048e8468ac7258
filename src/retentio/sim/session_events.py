"""The browsing and cart events of laid-out sessions, with their properties."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from retentio.sim.baskets import Baskets
from retentio.sim.customers import CHANNELS, PLATFORMS
from retentio.sim.envelope import EventBlock, Kind, Payload, Properties, block_of
from retentio.sim.sessions import Part, PartEvents
from retentio.sim.world import World, pick_categories, pick_products

IntArray = npt.NDArray[np.int64]
TOPIC_VIEW_SHARE = 0.7  # views that stay in the session's category; the rest wander


@dataclass(frozen=True)
class Carts:
    """The day's carts: which session each belongs to, their baskets and their ids."""

    of_session: IntArray  # cart number of each session, -1 without a cart
    baskets: Baskets
    ids: list[str]


def browsing_blocks(
    world: World,
    parts: list[PartEvents],
    topics: IntArray,
    carts: Carts,
    rng: np.random.Generator,
) -> list[EventBlock]:
    """Every event of the sessions except the order itself."""
    return [
        _app_opened(world, parts[Part.APP]),
        _categories(world, parts[Part.CATEGORY], topics),
        _searches(world, parts[Part.SEARCH], topics, rng),
        _views(world, parts[Part.VIEWS], topics, carts, rng),
        _identifies(parts[Part.IDENTIFY]),
        _subscriptions(world, parts[Part.SUBSCRIBED]),
        _cart_updates(world, parts[Part.CART], carts),
        _checkouts(parts[Part.CHECKOUT], carts),
    ]


def _of(events: PartEvents, kind: Kind, payload: Sequence[Payload]) -> EventBlock:
    return block_of(events.clock, kind, events.customer, events.anonymous, payload)


def _app_opened(world: World, events: PartEvents) -> EventBlock:
    platforms = world.traits.platform[events.customer].tolist()
    return _of(events, Kind.APP_OPENED, [PLATFORMS[p] for p in platforms])


def _categories(world: World, events: PartEvents, topics: IntArray) -> EventBlock:
    names = world.category_names
    return _of(events, Kind.CATEGORY_VIEWED, [names[topic] for topic in topics[events.session].tolist()])


def _identifies(events: PartEvents) -> EventBlock:
    empty: list[Properties] = [{} for _ in range(events.session.size)]
    return _of(events, Kind.IDENTIFY, empty)


def _searches(world: World, events: PartEvents, topics: IntArray, rng: np.random.Generator) -> EventBlock:
    phrases = world.searches
    picks = rng.random(events.session.size).tolist()
    queries = [
        phrases[topic][int(pick * len(phrases[topic]))]
        for topic, pick in zip(topics[events.session].tolist(), picks, strict=True)
    ]
    return _of(events, Kind.SEARCH, queries)


def _views(
    world: World, events: PartEvents, topics: IntArray, carts: Carts, rng: np.random.Generator
) -> EventBlock:
    """A cart session first views what it will put in the cart; other views browse around."""
    size = events.session.size
    stays = rng.random(size) < TOPIC_VIEW_SHARE
    wandering = pick_categories(world, events.customer, rng)
    product = pick_products(world, np.where(stays, topics[events.session], wandering), rng)
    cart = carts.of_session[events.session]
    baskets = carts.baskets
    if baskets.product.size:  # a small store has days without a single cart
        row = np.maximum(cart, 0)
        in_cart = (cart >= 0) & (events.index < baskets.line_count[row])
        line = np.minimum(baskets.line_start[row] + events.index, baskets.product.size - 1)
        product = np.where(in_cart, baskets.product[line], product)
    skus = world.skus
    return _of(events, Kind.PRODUCT_VIEWED, [skus[p] for p in product.tolist()])


def _subscriptions(world: World, events: PartEvents) -> EventBlock:
    """The n-th subscription of a sign-up session is the customer's n-th consented channel."""
    consents = world.traits.consents[events.customer]
    nth = (np.cumsum(consents, axis=1) == (events.index + 1)[:, None]) & consents
    channels = np.argmax(nth, axis=1).tolist()
    return _of(events, Kind.SUBSCRIBED, [CHANNELS[c] for c in channels])


def _cart_updates(world: World, events: PartEvents, carts: Carts) -> EventBlock:
    """A cart of several lines is updated twice: first line, then the full basket."""
    cart = carts.of_session[events.session]
    full = carts.baskets.line_count[cart]
    shown = np.where((events.index == 0) & (full > 1), 1, full)
    items = carts.baskets.item_lists(world, cart, shown)
    ids = carts.ids
    properties: list[Properties] = [
        {"cart_id": ids[number], "items": listed} for number, listed in zip(cart.tolist(), items, strict=True)
    ]
    return _of(events, Kind.CART_UPDATED, properties)


def _checkouts(events: PartEvents, carts: Carts) -> EventBlock:
    ids = carts.ids
    cart = carts.of_session[events.session].tolist()
    return _of(events, Kind.CHECKOUT_STARTED, [ids[number] for number in cart])
