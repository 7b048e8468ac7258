"""Automatic promotions: pools flagged ``automatic``, which have no codes and apply at checkout to
every cart their rules allow (stacking as for codes). Read here for the checkout, from memory.

Every checkout reads them, and they change only when a pool is created (a pool is never changed or
deleted afterwards; a new one gets a higher id). So each process keeps them in memory per database,
and a checkout asks the database only for the newest automatic pool's id and their count — one
aggregate instead of a read and decoding of every promotion. A pool created by another process
changes the count (even one whose id is below the newest, committed after it); one created in this
process also clears the memory at once (``forget_promotions``)."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import Connection, func, select

from retentio.loyalty.coupons.pools import Pool, pool_of
from retentio.loyalty.coupons.tables import coupon_pools

_VERSION = select(func.max(coupon_pools.c.id), func.count()).where(coupon_pools.c.automatic.is_(True))
_ALL = select(coupon_pools).where(coupon_pools.c.automatic.is_(True)).order_by(coupon_pools.c.id)
# The database's URL → (its newest automatic pool's id and their count, every automatic pool).
_known: dict[str, tuple[tuple[int | None, int], tuple[Pool, ...]]] = {}
_lock = threading.Lock()


def automatic_promotions(connection: Connection, currency: str, now: datetime) -> list[Pool]:
    """The automatic promotions in ``currency`` valid at ``now``, by id."""
    newest, count = connection.execute(_VERSION).one()
    version = (newest, int(count))
    database = str(connection.engine.url)
    known = _known.get(database)
    if known is None or known[0] != version:
        known = (version, tuple(pool_of(row) for row in connection.execute(_ALL).mappings()))
        with _lock:
            _known[database] = known
    return [pool for pool in known[1] if pool.rules.currency == currency and _valid(pool, now)]


def forget_promotions() -> None:
    """Drop what this process remembers (a pool was created here)."""
    with _lock:
        _known.clear()


def _valid(pool: Pool, now: datetime) -> bool:
    rules = pool.rules
    return (rules.valid_from is None or rules.valid_from <= now) and (
        rules.valid_until is None or now < rules.valid_until
    )
