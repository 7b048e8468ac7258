"""What goes into a cart: lines from favourite categories, complements that go with the first
line, premium variants for those who can afford them, and more units of consumables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from retentio.sim.columns import expand
from retentio.sim.world import World, pick_categories, pick_products

IntArray = npt.NDArray[np.int64]
MAX_LINES = 6


@dataclass(frozen=True)
class Baskets:
    """Cart lines grouped by cart; carts are numbered in the order they were asked for."""

    product: IntArray  # per line
    quantity: IntArray  # per line
    line_start: IntArray  # per cart
    line_count: IntArray  # per cart
    subtotal: IntArray  # per cart, kopecks

    def item_lists(
        self, world: World, carts: IntArray, lines: IntArray | None = None
    ) -> list[list[dict[str, Any]]]:
        """The envelope's item list for each of `carts`, optionally only its first `lines` lines.

        Built in one pass over all requested lines: a call per cart would cost more than the
        dicts themselves. Every list gets its own dicts, so no two events share an object.
        """
        shown = self.line_count[carts] if lines is None else lines
        owner, index = expand(shown)
        line = self.line_start[carts][owner] + index
        skus, prices = world.skus, world.price_texts
        flat = [
            {"sku": skus[product], "quantity": quantity, "price": prices[product]}
            for product, quantity in zip(
                self.product[line].tolist(), self.quantity[line].tolist(), strict=True
            )
        ]
        ends = np.cumsum(shown)
        starts = (ends - shown).tolist()
        return [flat[start:end] for start, end in zip(starts, ends.tolist(), strict=True)]

    def lines_of(self, carts: IntArray) -> tuple[IntArray, IntArray]:
        """For the given carts: the position in `carts` each line belongs to, and the line."""
        counts = self.line_count[carts]
        owner, index = expand(counts)
        return owner, self.line_start[carts][owner] + index


def draw_baskets(
    world: World,
    customers: IntArray,
    topics: IntArray,
    forced: IntArray,
    rng: np.random.Generator,
) -> Baskets:
    """One basket per cart; `forced` (a product or -1) fixes the first line, for replenishment."""
    config = world.config
    spend = np.where(customers >= 0, world.traits.spend[np.maximum(customers, 0)], 1.0)
    counts = np.minimum(MAX_LINES, 1 + rng.poisson(config.extra_lines_mean * spend))
    cart = np.repeat(np.arange(customers.size), counts)
    is_first = np.zeros(cart.size, dtype=bool)
    is_first[np.cumsum(counts) - counts] = True
    first = np.where(forced >= 0, forced, pick_products(world, topics, rng))
    product = _other_lines(world, customers[cart], first[cart], rng)
    product = np.where(is_first, first[cart], product)
    product = _upsell(world, product, spend[cart], ~(is_first & (forced[cart] >= 0)), rng)
    consumable = world.columns.consumption_days[product] > 0
    extra = np.where(consumable, rng.poisson(config.extra_quantity_mean, cart.size), 0)
    return _merged(world, cart, product, (1 + extra).astype(np.int64), customers.size)


def _other_lines(world: World, customers: IntArray, first: IntArray, rng: np.random.Generator) -> IntArray:
    """A complement of the first line where one exists and the customer goes for it, else a
    product from the customer's own categories."""
    columns = world.columns
    available = columns.complement_count[first]
    slot = np.floor(rng.random(first.size) * np.maximum(available, 1)).astype(np.int64)
    complement = columns.complements[first, slot]
    wants = (rng.random(first.size) < world.config.complement_share) & (available > 0)
    own = pick_products(world, pick_categories(world, customers, rng), rng)
    return np.where(wants, complement, own)


def _upsell(
    world: World,
    product: IntArray,
    spend: npt.NDArray[np.float64],
    may_change: npt.NDArray[np.bool_],
    rng: np.random.Generator,
) -> IntArray:
    premium = world.columns.premium_of[product]
    chance = np.minimum(0.9, world.config.premium_share_of_picks * spend)
    upgrade = may_change & (premium >= 0) & (rng.random(product.size) < chance)
    return np.where(upgrade, premium, product)


def _merged(world: World, cart: IntArray, product: IntArray, quantity: IntArray, carts: int) -> Baskets:
    """Fold repeated products of a cart into one line, keeping the order lines were added in."""
    key = cart * len(world.skus) + product
    _, first_seen, inverse = np.unique(key, return_index=True, return_inverse=True)
    summed = np.bincount(inverse, weights=quantity).astype(np.int64)
    order = np.argsort(first_seen, kind="stable")
    line_cart, line_product = cart[first_seen[order]], product[first_seen[order]]
    line_quantity = summed[order]
    line_count = np.bincount(line_cart, minlength=carts).astype(np.int64)
    line_start = (np.cumsum(line_count) - line_count).astype(np.int64)
    value = world.columns.price_kopecks[line_product] * line_quantity
    subtotal = (np.add.reduceat(value, line_start) if carts else np.zeros(0, dtype=np.int64)).astype(np.int64)
    return Baskets(
        product=line_product.astype(np.int64),
        quantity=line_quantity,
        line_start=line_start,
        line_count=line_count,
        subtotal=subtotal,
    )
