"""Coupon pools: a definition and its codes, made in bulk. One write path per action (``do_*``), each
inside the caller's transaction.

A million codes are generated from one buffer of random bytes and stored set-based: COPY on
PostgreSQL, one ``executemany`` on SQLite. The unique index on ``code`` is the judge of uniqueness:
with 60 random bits a collision is a one-in-a-million event per million codes, so the fast path
assumes none and, when the index says otherwise, that batch is stored again skipping the duplicates
and topped up until the pool holds what was asked.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TextIO

from sqlalchemy import Connection, func, insert, select
from sqlalchemy import Integer as IntegerType
from sqlalchemy.exc import IntegrityError

from retentio.db.codec import executemany
from retentio.loyalty.coupons.codes import DEFAULT_RANDOM_LENGTH, check_prefix, display, random_parts
from retentio.loyalty.coupons.errors import InvalidPool, PoolNotFound
from retentio.loyalty.coupons.rules import CouponRules, Discount, Stacking
from retentio.loyalty.coupons.tables import coupon_pools, coupon_uses, coupons
from retentio.types.money import from_minor, is_currency, minor_digits, to_minor

MAX_POOL_SIZE = 10_000_000
_BATCH = 200_000


@dataclass(frozen=True, slots=True)
class PoolDefinition:
    """What a marketer gives to create a pool."""

    name: str
    rules: CouponRules
    prefix: str = ""
    code_length: int = DEFAULT_RANDOM_LENGTH
    # An automatic promotion: no codes; the checkout applies it to every cart its rules allow.
    automatic: bool = False


@dataclass(frozen=True, slots=True)
class Pool:
    id: int
    name: str
    prefix: str
    code_length: int
    rules: CouponRules
    created_at: datetime
    automatic: bool = False


@dataclass(frozen=True, slots=True)
class PoolStats:
    pool_id: int
    name: str
    codes: int
    personal_codes: int
    codes_used: int  # codes with at least one reserved or committed use
    uses_reserved: int
    uses_committed: int
    uses_released: int


def check_rules(rules: CouponRules) -> None:
    """Refuse a definition that cannot work, naming the field."""
    if not is_currency(rules.currency):
        raise InvalidPool(
            "currency", f"unknown currency {rules.currency!r}: give an ISO 4217 code such as RUB"
        )
    discount = rules.discount
    if discount.percent is None and discount.amount is None and not discount.free_shipping:
        raise InvalidPool("discount", "give a percent, an amount or free shipping")
    if discount.percent is not None and discount.amount is not None:
        raise InvalidPool("discount", "give a percent or an amount, not both")
    if discount.percent is not None and not Decimal(0) < discount.percent <= Decimal(100):
        raise InvalidPool("discount.percent", "a percent is over 0 and at most 100")
    if discount.amount is not None and discount.amount <= 0:
        raise InvalidPool("discount.amount", "an amount is over 0")
    for name in ("uses_per_code", "uses_per_customer"):
        value = getattr(rules, name)
        if value is not None and value < 1:
            raise InvalidPool(name, "at least 1 (leave it out for no limit)")
    if rules.minimum_order is not None and rules.minimum_order < 0:
        raise InvalidPool("minimum_order", "a minimum order is not negative")
    digits = minor_digits(rules.currency)
    for name, value in (("discount.amount", discount.amount), ("minimum_order", rules.minimum_order)):
        if value is not None and value != value.quantize(Decimal(1).scaleb(-digits)):
            raise InvalidPool(name, f"{rules.currency} amounts have at most {digits} decimal places")
    if rules.valid_from and rules.valid_until and rules.valid_until <= rules.valid_from:
        raise InvalidPool("valid_until", "the end of validity comes after its start")


def do_create_pool(connection: Connection, definition: PoolDefinition, now: datetime) -> Pool:
    check_rules(definition.rules)
    if definition.automatic:
        _check_automatic(definition.rules)
    if not definition.name.strip():
        raise InvalidPool("name", "a pool needs a name")
    prefix = check_prefix(definition.prefix)
    existing = connection.execute(
        select(coupon_pools.c.id).where(coupon_pools.c.name == definition.name)
    ).scalar_one_or_none()
    if existing is not None:
        raise InvalidPool("name", f"a pool named {definition.name!r} exists already")
    rules = definition.rules
    currency = rules.currency
    row = {
        "name": definition.name,
        "prefix": prefix,
        "code_length": definition.code_length,
        "currency": currency,
        "percent_off": rules.discount.percent,
        "amount_off": None if rules.discount.amount is None else to_minor(rules.discount.amount, currency),
        "free_shipping": rules.discount.free_shipping,
        "uses_per_code": rules.uses_per_code,
        "uses_per_customer": rules.uses_per_customer,
        "valid_from": rules.valid_from,
        "valid_until": rules.valid_until,
        "minimum_order": None if rules.minimum_order is None else to_minor(rules.minimum_order, currency),
        "skus": sorted(rules.skus),
        "categories": sorted(rules.categories),
        "segments": sorted(rules.segments),
        "exclusive": rules.stacking.exclusive,
        "stack_group": rules.stacking.group,
        "created_at": now,
        "automatic": definition.automatic,
    }
    pool_id = connection.execute(insert(coupon_pools).values(row).returning(coupon_pools.c.id)).scalar_one()
    if definition.automatic:
        from retentio.loyalty.coupons.promotions import forget_promotions  # it imports this module

        forget_promotions()
    return get_pool(connection, int(pool_id))


def get_pool(connection: Connection, pool: int | str) -> Pool:
    column = coupon_pools.c.id if isinstance(pool, int) else coupon_pools.c.name
    row = connection.execute(select(coupon_pools).where(column == pool)).mappings().one_or_none()
    if row is None:
        raise PoolNotFound(pool)
    return pool_of(row)


def pool_of(row: Any) -> Pool:
    return Pool(
        id=row["id"],
        name=row["name"],
        prefix=row["prefix"],
        code_length=row["code_length"],
        rules=rules_of(row),
        created_at=row["created_at"],
        automatic=bool(row["automatic"]),
    )


def _check_automatic(rules: CouponRules) -> None:
    """An automatic promotion has no codes to count uses of, nor a customer's uses to count."""
    if rules.uses_per_code is not None:
        raise InvalidPool("uses_per_code", "an automatic promotion has no codes: leave uses_per_code null")
    if rules.uses_per_customer is not None:
        raise InvalidPool(
            "uses_per_customer", "an automatic promotion does not count a customer's uses: leave it null"
        )


def rules_of(row: Any) -> CouponRules:
    currency = row["currency"]

    def money(minor: int | None) -> Decimal | None:
        return None if minor is None else from_minor(minor, currency)

    return CouponRules(
        currency=currency,
        discount=Discount(
            percent=None if row["percent_off"] is None else Decimal(row["percent_off"]),
            amount=money(row["amount_off"]),
            free_shipping=bool(row["free_shipping"]),
        ),
        uses_per_code=row["uses_per_code"],
        uses_per_customer=row["uses_per_customer"],
        valid_from=row["valid_from"],
        valid_until=row["valid_until"],
        minimum_order=money(row["minimum_order"]),
        skus=frozenset(row["skus"]),
        categories=frozenset(row["categories"]),
        segments=frozenset(row["segments"]),
        stacking=Stacking(exclusive=bool(row["exclusive"]), group=row["stack_group"]),
    )


def do_generate_codes(connection: Connection, pool: Pool, count: int) -> int:
    """Add ``count`` new random codes to ``pool``; returns how many were stored (``count``)."""
    if not 1 <= count <= MAX_POOL_SIZE:
        raise InvalidPool("count", f"generate 1 to {MAX_POOL_SIZE:,} codes at a time, not {count}")
    if pool.automatic:
        raise InvalidPool("count", "an automatic promotion applies without codes: generate none")
    stored = 0
    while stored < count:
        wanted = min(_BATCH, count - stored)
        # Sorted, the batch goes into the unique index's B-tree page after page instead of at
        # random places all over it (SQLite: 12.9 s → 8.3 s for a million, with the partial index).
        batch = random_parts(wanted, pool.code_length, pool.prefix, ordered=True)
        stored += store_codes(connection, pool.id, batch)
    return stored


def store_codes(connection: Connection, pool_id: int, codes: Sequence[str]) -> int:
    """Store ready-made (normalised) codes; returns how many were new. The benchmark's floor calls
    this with strings made beforehand."""
    savepoint = connection.begin_nested()
    try:
        _copy(connection, pool_id, codes)
    except IntegrityError:
        savepoint.rollback()
        return _insert_skipping_duplicates(connection, pool_id, codes)
    savepoint.commit()
    return len(codes)


def _copy(connection: Connection, pool_id: int, codes: Sequence[str]) -> None:
    try:
        if connection.dialect.name == "postgresql":
            _copy_postgres(connection, pool_id, codes)
        else:
            rows = [(pool_id, code) for code in codes]
            executemany(connection, "INSERT INTO coupons (pool_id, code) VALUES (?, ?)", rows)
    except IntegrityError:
        raise
    except Exception as error:
        # The driver's own error (these calls bypass SQLAlchemy): sqlite3.IntegrityError, psycopg's
        # UniqueViolation.
        if type(error).__name__ in _DUPLICATE_ERRORS:
            raise IntegrityError("INSERT INTO coupons", None, error) from error
        raise


_DUPLICATE_ERRORS = frozenset({"IntegrityError", "UniqueViolation"})


def _copy_postgres(connection: Connection, pool_id: int, codes: Sequence[str]) -> None:
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy("COPY coupons (pool_id, code) FROM STDIN") as copy:
            lead = f"{pool_id}\t"
            copy.write(lead + f"\n{lead}".join(codes) + "\n")  # one join: no string per row
    finally:
        cursor.close()


def _insert_skipping_duplicates(connection: Connection, pool_id: int, codes: Sequence[str]) -> int:
    mark = "%s" if connection.dialect.name == "postgresql" else "?"
    before = _count(connection, pool_id)
    executemany(
        connection,
        f"INSERT INTO coupons (pool_id, code) VALUES ({mark}, {mark}) ON CONFLICT (code) DO NOTHING",
        [(pool_id, code) for code in codes],
    )
    return _count(connection, pool_id) - before


def _count(connection: Connection, pool_id: int) -> int:
    return int(connection.execute(select(func.count()).where(coupons.c.pool_id == pool_id)).scalar_one())


def pool_stats(connection: Connection, pool: Pool) -> PoolStats:
    codes = connection.execute(
        select(
            func.count(),
            func.count(coupons.c.customer_id),
            func.coalesce(func.sum((coupons.c.uses > 0).cast(IntegerType)), 0),
        ).where(coupons.c.pool_id == pool.id)
    ).one()
    uses: dict[str, int] = dict(
        connection.execute(
            select(coupon_uses.c.state, func.count())
            .where(coupon_uses.c.pool_id == pool.id)
            .group_by(coupon_uses.c.state)
        ).all()
    )
    return PoolStats(
        pool_id=pool.id,
        name=pool.name,
        codes=int(codes[0]),
        personal_codes=int(codes[1]),
        codes_used=int(codes[2]),
        uses_reserved=int(uses.get("reserved", 0)),
        uses_committed=int(uses.get("committed", 0)),
        uses_released=int(uses.get("released", 0)),
    )


def pool_codes(
    connection: Connection, pool: Pool, batch: int = 50_000
) -> Iterator[tuple[str, str | None, int]]:
    """(code as printed, owner, uses) for every code of the pool, in id order, read in batches."""
    after = 0
    while True:
        rows = connection.execute(
            select(coupons.c.id, coupons.c.code, coupons.c.customer_id, coupons.c.uses)
            .where(coupons.c.pool_id == pool.id, coupons.c.id > after)
            .order_by(coupons.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield display(row.code, len(pool.prefix)), row.customer_id, row.uses
        after = rows[-1].id


def export_csv(rows: Iterable[tuple[str, str | None, int]], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "customer_id", "uses"])
    count = 0
    for code, customer_id, uses in rows:
        writer.writerow([code, customer_id or "", uses])
        count += 1
    return count
