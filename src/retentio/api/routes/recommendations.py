"""``/v1/customers/{customer_id}/recommendations`` and ``/v1/products/{sku}/related``: lists from the
current trained recommenders through the business rules, each item with its one-line reason. A
customer or SKU the models do not know gets the popular fallbacks, never an error; a parameter out of
range is a 422 naming it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path as FilePath
from typing import Annotated, Literal

from fastapi import Path, Query, Request
from pydantic import BaseModel

from retentio.api.deps import ClockDep, ReaderDep, SettingsDep
from retentio.api.schemas import NO_NUL, CustomerId
from retentio.offers import (
    MAX_RECOMMENDATIONS,
    MAX_SEED_SKUS,
    RecsCache,
    RecsConfig,
    load_recs_config,
    recommend,
    related_items,
)

Sku = Annotated[str, Path(min_length=1, max_length=128, pattern=NO_NUL, description="The product's SKU.")]
Limit = Annotated[int, Query(ge=1, le=MAX_RECOMMENDATIONS, description="How many items at most.")]
SeedSkus = Annotated[
    list[Annotated[str, Query(min_length=1, max_length=128, pattern=NO_NUL)]],
    Query(
        max_length=MAX_SEED_SKUS,
        description="The cart's SKUs (context=cart, added to the customer's latest cart) or the product "
        "shown (context=product). Repeat the parameter for several.",
    ),
]


class RecommendedItem(BaseModel):
    sku: str
    name: str
    score: float
    kind: str  # bought_together, complement, upsell, next, similar, next_basket, popular
    reason: str


class Recommendations(BaseModel):
    customer_id: str
    context: str
    model_version: int | None  # None until the recommenders are first trained
    items: list[RecommendedItem]


class RelatedItems(BaseModel):
    sku: str
    kind: str
    model_version: int | None
    items: list[RecommendedItem]


@lru_cache(maxsize=4)
def _config(path: FilePath | None) -> RecsConfig:
    return load_recs_config(path)


def _cache(request: Request) -> RecsCache:
    """One copy of the current models per server process."""
    state = request.app.state
    if not hasattr(state, "recs_cache"):
        state.recs_cache = RecsCache()
    cache: RecsCache = state.recs_cache
    return cache


def get_recommendations(
    customer_id: CustomerId,
    request: Request,
    reader: ReaderDep,
    clock: ClockDep,
    settings: SettingsDep,
    context: Annotated[
        Literal["cart", "product", "email", "home"], Query(description="Where the list is shown.")
    ],
    sku: SeedSkus = [],  # noqa: B006 (FastAPI copies defaults)
    limit: Limit = 10,
) -> Recommendations:
    """What to show the customer: in the cart, what goes with its items; on a product page, what
    relates to it; in an email or on the home page, the next basket with "customers like you"."""
    loaded = _cache(request).get(reader)
    rules = _config(settings.recs_config).rules
    with reader.connect() as connection:
        items = recommend(connection, loaded, customer_id, context, sku, limit, rules, clock.now())
    return Recommendations(
        customer_id=customer_id,
        context=context,
        model_version=None if loaded is None else loaded.version,
        items=[
            RecommendedItem(sku=i.sku, name=i.name, score=i.score, kind=i.kind, reason=i.reason)
            for i in items
        ],
    )


def get_related(
    sku: Sku,
    request: Request,
    reader: ReaderDep,
    clock: ClockDep,
    settings: SettingsDep,
    kind: Annotated[
        Literal["bought_together", "upsell", "next"], Query(description="Which relation.")
    ] = "bought_together",
    limit: Limit = 10,
) -> RelatedItems:
    """Products related to this one: bought together with it (and its catalogue complements), its
    premium variants and what customers moved up to, or what they bought or viewed next."""
    loaded = _cache(request).get(reader)
    rules = _config(settings.recs_config).rules
    with reader.connect() as connection:
        items = related_items(connection, loaded, sku, kind, limit, rules, clock.now())
    return RelatedItems(
        sku=sku,
        kind=kind,
        model_version=None if loaded is None else loaded.version,
        items=[
            RecommendedItem(sku=i.sku, name=i.name, score=i.score, kind=i.kind, reason=i.reason)
            for i in items
        ],
    )
