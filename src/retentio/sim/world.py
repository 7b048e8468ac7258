"""What every step of the simulation reads: config, store columns, calendar, names; plus the
category and product picks that express customers' tastes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from retentio.sim.calendar import Calendar, build_calendar
from retentio.sim.catalogue import CatalogueColumns
from retentio.sim.config import SimConfig
from retentio.sim.customers import CustomerTraits
from retentio.sim.envelope import Naming
from retentio.sim.store import SimStore
from retentio.sim.vocabulary import CATEGORIES

IntArray = npt.NDArray[np.int64]
POPULARITY_SKEW = 1.6  # >1 makes the first products of a category the best sellers


@dataclass(frozen=True)
class World:
    config: SimConfig
    traits: CustomerTraits
    columns: CatalogueColumns
    calendar: Calendar
    naming: Naming
    skus: list[str]
    price_texts: list[str]  # "849.00", by product position
    category_names: list[str]
    searches: list[tuple[str, ...]]  # search phrases by category position


def build_world(config: SimConfig, store: SimStore) -> World:
    if len(store.customers) != config.customers:
        raise ValueError("the store was built for a different number of customers")
    customer_ids: list[str | None] = [customer.customer_id for customer in store.customers]
    customer_ids.append(None)  # index -1 means "no customer"
    return World(
        config=config,
        traits=store.traits,
        columns=store.columns,
        calendar=build_calendar(config),
        naming=Naming(seed=config.seed, customer_ids=customer_ids),
        skus=[product.sku for product in store.products],
        price_texts=[f"{product.price:.2f}" for product in store.products],
        category_names=[spec.name for spec in CATEGORIES],
        searches=[spec.searches for spec in CATEGORIES],
    )


def pick_categories(world: World, customers: IntArray, rng: np.random.Generator) -> IntArray:
    """Mostly a customer's favourites, sometimes anything; visitors (-1) pick by popularity."""
    weights = world.columns.category_weight
    anywhere = rng.choice(len(weights), size=customers.size, p=weights / weights.sum())
    favourites = world.traits.favourites[np.maximum(customers, 0)]
    draw = rng.random(customers.size)
    config = world.config
    first = draw < config.favourite_share
    second = ~first & (draw < config.favourite_share + config.second_favourite_share)
    chosen = np.where(first, favourites[:, 0], np.where(second, favourites[:, 1], anywhere))
    return np.where(customers >= 0, chosen, anywhere).astype(np.int64)


def pick_products(world: World, categories: IntArray, rng: np.random.Generator) -> IntArray:
    """A base product of each category, popular ones more often."""
    columns = world.columns
    draw = rng.random(categories.size) ** POPULARITY_SKEW
    rank = np.floor(columns.category_size[categories] * draw)
    return columns.base_by_category[columns.category_start[categories] + rank.astype(np.int64)]
