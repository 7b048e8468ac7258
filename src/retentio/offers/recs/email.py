"""The ``recommendations`` a message's template shows: each recipient's email-context list, for a
batch of recipients at once, from the current models (one copy per process and database, whose
currency is checked once per batch: one indexed lookup)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection

from retentio.offers.recs.business_rules import Recommendation, Rules
from retentio.offers.recs.serving import RecsCache, recommend

IN_A_MESSAGE = 6
_CACHES: dict[str, RecsCache] = {}


def recommendations_for_customers(
    connection: Connection, customer_ids: Iterable[str], now: datetime, rules: Rules | None = None
) -> dict[str, tuple[Recommendation, ...]]:
    """Each customer's list; empty for everyone until the recommenders are first trained."""
    url = connection.engine.url.render_as_string(hide_password=True)
    loaded = _CACHES.setdefault(url, RecsCache(recheck_seconds=0.0)).get_with(connection)
    if loaded is None:
        return {}
    rules = rules or Rules()
    return {
        customer_id: tuple(recommend(connection, loaded, customer_id, "email", [], IN_A_MESSAGE, rules, now))
        for customer_id in sorted(set(customer_ids))
    }
