"""``/v1/products``: the catalogue, one product at a time or in bulk."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import HTTPException, Path, Request, status
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from retentio.api.bodies import batch_items, parse_json, read_body, validate_each
from retentio.api.deps import ClockDep, EngineDep, ReaderDep, SettingsDep
from retentio.api.schemas import NO_NUL, BulkProductsResponse, ProductCreate, RejectedProduct
from retentio.catalog import ProductRecord, ProductUpsert, do_upsert_products, get_product

MAX_BULK_PRODUCTS = 10_000
Sku = Annotated[str, Path(min_length=1, max_length=128, pattern=NO_NUL, description="The product's SKU.")]


def put_product(
    sku: Sku, data: ProductUpsert, engine: EngineDep, clock: ClockDep, settings: SettingsDep
) -> ProductRecord:
    """Create or replace the product (a product is sent whole)."""
    with engine.begin() as connection:
        do_upsert_products(connection, [(sku, data)], clock.now(), settings.default_currency)
        stored = get_product(connection, sku)
    if stored is None:
        raise AssertionError(f"product {sku!r} not found right after it was stored")
    return stored


def get_product_record(sku: Sku, reader: ReaderDep) -> ProductRecord:
    with reader.connect() as connection:
        stored = get_product(connection, sku)
    if stored is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no product {sku!r}")
    return stored


async def post_products(
    request: Request, engine: EngineDep, clock: ClockDep, settings: SettingsDep
) -> BulkProductsResponse:
    """Create or replace up to 10,000 products: a JSON array of products with their ``sku``, or
    ``{"products": [...]}``. Valid products are stored even when others are rejected; when a SKU
    appears twice, the later one wins."""
    body = await read_body(request)
    return await run_in_threadpool(_store, body, engine, clock.now(), settings.default_currency)


def _store(body: bytes, engine: Engine, now: datetime, currency: str) -> BulkProductsResponse:
    items = batch_items(parse_json(body), "products", MAX_BULK_PRODUCTS)
    valid, invalid = validate_each(ProductCreate, items)
    latest: dict[str, ProductUpsert] = {product.sku: product for _, product in valid}  # a repeat wins
    with engine.begin() as connection:
        do_upsert_products(connection, list(latest.items()), now, currency)
    rejected = [RejectedProduct(index=i, sku=_sku_of(items[i]), errors=errors) for i, errors in invalid]
    return BulkProductsResponse(accepted=len(valid), rejected=rejected)


def _sku_of(item: object) -> str | None:
    sku = item.get("sku") if isinstance(item, dict) else None
    return sku if isinstance(sku, str) else None
