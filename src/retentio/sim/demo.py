"""The demo: a fresh SQLite store, a simulated shop living through its days on the real ingestion
path with a moving clock, and a summary of the base at the end."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from retentio.analytics import Period, Report, build_report
from retentio.catalog import ProductUpsert, do_upsert_products
from retentio.clock import FixedClock
from retentio.customers import BaseSummary, ConsentChange, CustomerUpsert, base_summary, do_upsert_customers
from retentio.db.engine import make_engine
from retentio.db.migrate import upgrade
from retentio.events import Consumer, drain
from retentio.ingest import IngestOptions, ingest_stream
from retentio.loyalty import LoyaltyConfig, LoyaltyReport, build_loyalty_reports
from retentio.segments import SegmentsConfig, do_refresh_standing, lifecycle_moves
from retentio.sim.config import SimConfig
from retentio.sim.customers import SimCustomer
from retentio.sim.engine import simulate
from retentio.sim.shop import DemoShop
from retentio.sim.store import SimStore, build_store

DayHook = Callable[[Engine, datetime], None]


@dataclass(frozen=True, slots=True)
class DemoRun:
    database: Path
    config: SimConfig
    events_accepted: int
    events_rejected: int
    seconds: float
    summary: BaseSummary
    report: Report
    lifecycle_moves: dict[str, int]
    loyalty: tuple[LoyaltyReport, ...] = ()


@dataclass(frozen=True, slots=True)
class DemoWiring:
    """What the demo's store runs with, as the command line wires it."""

    ingest: IngestOptions
    consumers: Sequence[Consumer]
    segments: SegmentsConfig
    day_hooks: Sequence[DayHook] = ()
    loyalty: LoyaltyConfig | None = None  # the programmes the shop runs and the report shows


def run_demo(
    database: Path,
    config: SimConfig,
    wiring: DemoWiring,
    progress: Callable[[int, int], None] | None = None,
) -> DemoRun:
    """Simulate ``config.days`` days into a new SQLite file at ``database`` (replaced if present);
    the log's consumers catch up after every batch, so the run is the same every time."""
    started = time.perf_counter()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    clock = FixedClock(config.start)
    store = build_store(config)
    _load_catalogue(engine, store, config, clock.now())
    shop = None if wiring.loyalty is None else DemoShop(config, wiring.loyalty)
    if shop is not None:
        shop.open(engine, clock.now())
    arrivals = _arrivals_by_day(store.customers, config.start)
    accepted = rejected = 0
    for day_number, day_events in enumerate(simulate(config, store)):
        day_start = config.start + timedelta(days=day_number)
        arriving = arrivals.pop(day_start.date(), [])
        _sign_up(engine, arriving, day_start)
        clock.set(day_start + timedelta(days=1))
        if shop is not None:
            day_events = shop.joins(arriving, day_start) + shop.check_out(engine, day_events, clock.now())
        size = wiring.ingest.max_batch
        batches = (day_events[start : start + size] for start in range(0, len(day_events), size))
        for result in ingest_stream(engine, batches, clock.now(), wiring.ingest):
            accepted += result.accepted
            rejected += len(result.rejected)
            drain(engine, wiring.consumers, clock)
        for hook in wiring.day_hooks:
            hook(engine, clock.now())
        if progress is not None:
            progress(day_number + 1, config.days)
    with engine.begin() as connection:
        do_refresh_standing(connection, clock.now(), wiring.segments)
    with engine.connect() as connection:
        summary = base_summary(connection, config.currency)
        period = Period.of(config.start, clock.now())
        report = build_report(connection, period, clock.now())
        moves = lifecycle_moves(connection)
        loyalty = () if wiring.loyalty is None else build_loyalty_reports(connection, wiring.loyalty, period)
    engine.dispose()
    seconds = time.perf_counter() - started
    return DemoRun(database, config, accepted, rejected, seconds, summary, report, moves, loyalty)


def _load_catalogue(engine: Engine, store: SimStore, config: SimConfig, now: datetime) -> None:
    items = [
        (
            product.sku,
            ProductUpsert(
                name=product.name,
                category=product.category,
                brand=product.brand,
                price=product.price,
                currency=config.currency,
                margin=product.margin,
                premium_variant_of=product.premium_variant_of,
                complements=list(product.complements),
                consumption_days=product.consumption_days,
            ),
        )
        for product in store.products
    ]
    with engine.begin() as connection:
        do_upsert_products(connection, items, now, config.currency)


def _arrivals_by_day(customers: Sequence[SimCustomer], start: datetime) -> dict[date, list[SimCustomer]]:
    """Customers are created on the day they sign up; those from before the run, on its first day."""
    by_day: dict[date, list[SimCustomer]] = defaultdict(list)
    for customer in customers:
        by_day[max(customer.signed_up_at, start).date()].append(customer)
    return by_day


def _sign_up(engine: Engine, customers: Sequence[SimCustomer], now: datetime) -> None:
    if not customers:
        return
    with engine.begin() as connection:
        do_upsert_customers(
            connection, [(customer.customer_id, _customer_input(customer)) for customer in customers], now
        )


def _customer_input(customer: SimCustomer) -> CustomerUpsert:
    return CustomerUpsert(
        email=customer.email,
        phone=customer.phone,
        first_name=customer.first_name,
        birthday=customer.birthday,
        timezone=customer.timezone,
        locale=customer.locale,
        consents=[
            ConsentChange(channel=channel, granted=granted, source="signup", changed_at=customer.signed_up_at)
            for channel, granted in sorted(customer.consents.items())
        ],
    )
