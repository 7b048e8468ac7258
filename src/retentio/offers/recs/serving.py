"""Recommendations for a customer in a context, and a product's related items, from the current
trained set (cached per process, reloaded when another version becomes current) through the
business rules. Every path ends in a list: without history, cart or a known SKU the list falls back
to what is popular near what is known, then overall."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine
from threadpoolctl import threadpool_limits

from retentio.offers.recs import candidates as found
from retentio.offers.recs.business_rules import Candidate, History, Recommendation, Rules, apply_rules
from retentio.offers.recs.personal import Personal, personal_candidates
from retentio.offers.recs.serving_reads import (
    catalogue_facts,
    complements_and_premium,
    customer_history,
    latest_cart,
)
from retentio.offers.recs.trained import TrainedRecs
from retentio.offers.recs.versions import current_id, load_arrays

KIND = "recs"
CONTEXTS = ("cart", "product", "email", "home")
RELATED_KINDS = ("bought_together", "upsell", "next")
MAX_RECOMMENDATIONS = 100
MAX_SEED_SKUS = 50


@dataclass(frozen=True, slots=True)
class LoadedRecs:
    model_id: int
    version: int
    model: TrainedRecs
    popular: found.Popular
    personal: Personal


class RecsCache:
    """The current version held in memory; whether it is still current is asked of the store at
    most once per ``recheck_seconds`` (one indexed lookup), and a new one is loaded when it is not."""

    def __init__(self, recheck_seconds: float = 1.0) -> None:
        self._recheck = recheck_seconds
        self._loaded: LoadedRecs | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def get(self, engine: Engine) -> LoadedRecs | None:
        # until a first version exists every request asks: there is nothing to keep
        if self._loaded is not None and time.monotonic() - self._checked_at < self._recheck:
            return self._loaded
        with engine.connect() as connection:
            return self.get_with(connection)

    def get_with(self, connection: Connection) -> LoadedRecs | None:
        """As ``get``, on a connection the caller holds (on SQLite a second connection of the
        writing engine would wait for the caller's own write lock)."""
        if self._loaded is not None and time.monotonic() - self._checked_at < self._recheck:
            return self._loaded
        with self._lock:
            current = current_id(connection, KIND)
            if current is None:
                self._loaded = None
            elif self._loaded is None or self._loaded.model_id != current[0]:
                self._loaded = load(connection, *current)
            self._checked_at = time.monotonic()
            return self._loaded


def load(connection: Connection, model_id: int, version: int) -> LoadedRecs:
    # A request's products are small (50k × 32 at most): BLAS threads only contend with the
    # server's other work, six times slower on two cores. For the whole serving process, once.
    threadpool_limits(1, "blas")
    model = TrainedRecs.from_arrays(load_arrays(connection, model_id))
    return LoadedRecs(model_id, version, model, found.Popular.of(model), Personal.of(model.extra))


def recommend(
    connection: Connection,
    loaded: LoadedRecs | None,
    customer_id: str,
    context: str,
    skus: list[str],
    limit: int,
    rules: Rules,
    now: datetime,
) -> list[Recommendation]:
    history, last_basket = customer_history(connection, customer_id)
    seeds = list(dict.fromkeys(skus))[:MAX_SEED_SKUS]
    if context == "cart":
        last_order = max(history.last_bought.values(), default=None)
        seeds = list(dict.fromkeys(seeds + latest_cart(connection, customer_id, last_order)))[:MAX_SEED_SKUS]
    if loaded is None:
        return []
    model = loaded.model
    options: list[Candidate] = []
    if context in ("cart", "product"):
        complements, premium = complements_and_premium(connection, seeds)
        options += found.from_catalogue(complements, premium)
        options += found.bought_together(model, seeds)
        if context == "product":
            options += found.next_purchase(model, seeds) + found.moved_up(model, seeds)
    else:
        options += personal_candidates(loaded.personal, customer_id, history)
        options += found.next_purchase(model, last_basket)
    near = seeds or list(history.last_bought)[:MAX_SEED_SKUS]
    options += found.popular(model, loaded.popular, near, _need(limit, history, seeds))
    return _ruled(
        connection, options, history, set(seeds) if context != "email" else set(), rules, now, limit
    )


def related_items(
    connection: Connection,
    loaded: LoadedRecs | None,
    sku: str,
    kind: str,
    limit: int,
    rules: Rules,
    now: datetime,
) -> list[Recommendation]:
    if loaded is None:
        return []
    model = loaded.model
    options: list[Candidate] = []
    if kind == "bought_together":
        complements, _ = complements_and_premium(connection, [sku])
        options += found.from_catalogue(complements, {}) + found.bought_together(model, [sku])
    elif kind == "upsell":
        _, premium = complements_and_premium(connection, [sku])
        options += found.from_catalogue({}, premium) + found.moved_up(model, [sku])
    else:
        options += found.next_purchase(model, [sku])
    options += found.popular(model, loaded.popular, [sku], _need(limit, History(), [sku]))
    return _ruled(connection, options, History(), {sku}, rules, now, limit)


def _ruled(
    connection: Connection,
    options: list[Candidate],
    history: History,
    exclude: set[str],
    rules: Rules,
    now: datetime,
    limit: int,
) -> list[Recommendation]:
    # only the best few per SKU need their catalogue facts read
    best: dict[str, Candidate] = {}
    for option in sorted(options, key=lambda c: (-c.score, c.sku)):
        best.setdefault(option.sku, option)
    shortlist = list(best.values())[: limit * 3 + 20 + len(exclude) + min(len(history.last_bought), 100)]
    catalogue = catalogue_facts(connection, (c.sku for c in shortlist))
    return apply_rules(shortlist, catalogue, history, exclude, rules, now, limit)


def _need(limit: int, history: History, seeds: list[str]) -> int:
    """How many popular items may be needed to fill the list after the rules drop some."""
    return min(limit * 2 + len(seeds) + len(history.last_bought), 200)
