"""Training every recommender from the store's columns: the item and customer numbering, the baskets
in time order, and the fitted relations (bought together, next purchase, moved up to) with the
popularity that fallbacks use. Pure over frames; ``trained.py`` holds the result."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from retentio.offers.recs.bought_together import RuleSettings, basket_matrix, fit_rules
from retentio.offers.recs.personal import PersonalSettings, fit_personal
from retentio.offers.recs.sequences import moved_up, next_purchase
from retentio.offers.recs.stopwatch import Stopwatch
from retentio.offers.recs.trained import TrainedRecs


@dataclass(frozen=True, slots=True)
class TrainSettings:
    rules: RuleSettings = field(default_factory=RuleSettings)
    related_per_item: int = 50  # how many next-purchase and moved-up items each item keeps
    view_weight: float = 0.3  # a view counts this much of a purchase (next purchase, customers like you)
    personal: PersonalSettings = field(default_factory=PersonalSettings)
    # A next purchase needs this much weight behind it: one customer's one view is noise, not a path.
    min_next_weight: float = 1.0

    def digest_text(self) -> str:
        r = self.rules
        p = self.personal
        return (
            f"{r.min_support}|{r.min_confidence}|{r.max_rules_per_item}|{self.related_per_item}|"
            f"{self.view_weight}|{p.neighbours}|{p.als_factors}|{p.als_iterations}|{self.min_next_weight}"
        )


@dataclass(frozen=True, slots=True)
class Numbered:
    """The lines with integer customer, basket and item numbers, and the views after a basket."""

    lines: pl.DataFrame  # customer, basket, item, placed_at
    basket_customer: np.ndarray
    views: pl.DataFrame  # basket, item
    skus: np.ndarray
    customer_ids: np.ndarray


def number(lines: pl.DataFrame, views: pl.DataFrame, catalogue: pl.DataFrame) -> Numbered:
    skus = np.array(sorted(set(lines["sku"].to_list()) | set(catalogue["sku"].to_list())), dtype=str)
    customer_ids = np.array(sorted(set(lines["customer_id"].to_list())), dtype=str)
    sku_index = pl.DataFrame({"sku": skus, "item": np.arange(len(skus), dtype=np.int64)})
    customer_index = pl.DataFrame({"customer_id": customer_ids, "customer": np.arange(len(customer_ids))})
    numbered = (
        lines.join(sku_index, on="sku")
        .join(customer_index, on="customer_id")
        .sort("customer", "placed_at", "order_id")
        .with_columns(
            basket=(pl.col("order_id") != pl.col("order_id").shift()).fill_null(True).cum_sum().cast(pl.Int64)
            - 1
        )
        .select("customer", "basket", "item", "placed_at")
    )
    baskets = numbered.unique("basket", keep="first").sort("basket")
    after = (
        views.join(sku_index, on="sku")
        .join(customer_index, on="customer_id")
        .sort("viewed_at")
        .join_asof(
            baskets.select("customer", "placed_at", "basket").sort("placed_at"),
            left_on="viewed_at",
            right_on="placed_at",
            by="customer",
            strategy="backward",
            check_sortedness=False,  # sorted by time overall: what "backward" within a customer needs
        )
        .drop_nulls("basket")
        .select("basket", "item")
    )
    return Numbered(numbered, baskets["customer"].to_numpy(), after, skus, customer_ids)


def train(
    lines: pl.DataFrame,
    views: pl.DataFrame,
    catalogue: pl.DataFrame,
    settings: TrainSettings,
    seconds: dict[str, float] | None = None,
) -> TrainedRecs:
    """Every recommender; ``seconds`` (when given) gets each one's training time."""
    clock = Stopwatch(seconds)
    data = number(lines, views, catalogue)
    clock.lap("numbering")
    items = len(data.skus)
    line_basket = data.lines["basket"].to_numpy().astype(np.int64)
    line_item = data.lines["item"].to_numpy().astype(np.int64)
    bought = basket_matrix(line_basket, line_item, len(data.basket_customer), items)
    popularity = np.asarray(bought.sum(axis=0)).ravel().astype(np.float64)
    category, price = _item_facts(data.skus, catalogue)
    categories, item_category = _categories(category)
    clock.lap("popularity")
    rules = clock.timed("bought_together", fit_rules, bought, settings.rules)
    following = clock.timed(
        "next_purchase",
        next_purchase,
        data.basket_customer.astype(np.int64),
        line_basket,
        line_item,
        data.views["basket"].to_numpy().astype(np.int64),
        data.views["item"].to_numpy().astype(np.int64),
        items,
        settings.view_weight,
        settings.related_per_item,
        settings.min_next_weight,
    )
    moves = clock.timed(
        "upsell_moved_up", moved_up, data.lines, price, item_category, settings.related_per_item
    )
    clock.lap("")
    extra = fit_personal(lines, views, settings.personal, seconds)
    clock.lap("")
    return TrainedRecs(
        skus=data.skus,
        customer_ids=data.customer_ids,
        categories=categories,
        item_category=item_category,
        popularity=popularity,
        rules=rules,
        next=following,
        moved_up=moves,
        extra=extra,
    )


def _item_facts(skus: np.ndarray, catalogue: pl.DataFrame) -> tuple[list[str | None], np.ndarray]:
    facts = pl.DataFrame({"sku": skus}).join(catalogue, on="sku", how="left", maintain_order="left")
    price = facts["price_minor"].cast(pl.Float64).fill_null(float("nan")).to_numpy()
    return facts["category"].to_list(), price


def _categories(category: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
    names = sorted({c for c in category if c is not None})
    index = {name: i for i, name in enumerate(names)}
    codes = np.array([index.get(c, -1) if c is not None else -1 for c in category], dtype=np.int64)
    return np.array(names, dtype=str), codes
