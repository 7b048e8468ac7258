"""The demo's personal offers: each simulated day ends as the worker would end it (the cart and
viewed waits that ran out, then the daily occasions sweep); at the end the recommenders are trained,
and the report shows the occasions announced, what the offer policy would give for them and one
customer's recommendations with their reasons. Journeys deliver offers (issue 13); until they do,
the demo previews the policy's decisions and issues nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from retentio.clock import FixedClock
from retentio.offers import (
    REPLENISHMENT_DUE,
    DueOccasion,
    OccasionSettings,
    OfferDecision,
    PolicySettings,
    Recommendation,
    RecsCache,
    RecsConfig,
    do_occasion_sweep,
    do_train_recs,
    preview_offer,
    read_announced,
    recommend,
    waiting_kinds,
)
from retentio.schedule import Registry, Runner, SqlQueue

# Decisions previewed for the report: the latest occasions, enough to show the policy's spread.
PREVIEWED = 400
SHOWN = 6  # recommendations shown for the example customer


def offers_day_hook(settings: OccasionSettings, zone: ZoneInfo) -> Callable[[Engine, datetime], None]:
    """A day hook: the waits whose window closed by ``now``, then the daily sweep."""
    registry = Registry(waiting_kinds(settings))

    def end_of_day(engine: Engine, now: datetime) -> None:
        Runner(SqlQueue(engine), registry, FixedClock(now)).run_all_due()
        with engine.begin() as connection:
            do_occasion_sweep(connection, settings, zone, now)

    return end_of_day


@dataclass(frozen=True, slots=True)
class OffersSummary:
    announced: Counter[str]  # occasion -> how many were announced
    offered: Counter[tuple[str, str]]  # (occasion, "10 % off") -> how many the policy would give
    example: dict[str, OfferDecision]  # occasion -> one decision with its reasons
    recommended: tuple[str, tuple[Recommendation, ...]] | None = None  # a customer's email list

    def as_json(self) -> dict[str, object]:
        return {
            "announced": dict(self.announced),
            "would_give": [
                {"occasion": occasion, "offer": offer, "customers": count}
                for (occasion, offer), count in sorted(self.offered.items())
            ],
            "recommended": None
            if self.recommended is None
            else {
                "customer_id": self.recommended[0],
                "items": [{"sku": r.sku, "kind": r.kind, "reason": r.reason} for r in self.recommended[1]],
            },
        }


def offers_summary(
    engine: Engine, policy: PolicySettings, recs: RecsConfig, since: datetime, now: datetime
) -> OffersSummary:
    do_train_recs(engine, recs, now)
    loaded = RecsCache(recheck_seconds=0).get(engine)
    with engine.connect() as connection:
        announced = read_announced(connection, since, now)
        latest = _latest_per_customer(announced)[-PREVIEWED:]
        decisions = [
            preview_offer(connection, policy, occasion.customer_id, _policy_occasion(occasion), now)
            for occasion in latest
        ]
        recommended = None
        if latest:  # the customer with the latest occasion: the one a journey would write to next
            customer_id = latest[-1].customer_id
            listed = recommend(connection, loaded, customer_id, "email", [], SHOWN, recs.rules, now)
            recommended = (customer_id, tuple(listed))
    offered: Counter[tuple[str, str]] = Counter()
    example: dict[str, OfferDecision] = {}
    for decision in decisions:
        offered[decision.occasion, decision.offer_text] += 1
        if decision.offer != "nothing" or decision.occasion not in example:
            example[decision.occasion] = decision
    return OffersSummary(Counter(_policy_occasion(o) for o in announced), offered, example, recommended)


def print_offers(summary: OffersSummary, console: Console) -> None:
    if not summary.announced:
        return
    table = Table(title="Offers that came due (journeys act on them: issue 13)")
    table.add_column("occasion")
    table.add_column("announced", justify="right")
    table.add_column("the policy would give (latest occasion per customer)")
    for occasion, count in summary.announced.most_common():
        given = sorted(
            ((text, n) for (name, text), n in summary.offered.items() if name == occasion),
            key=lambda pair: -pair[1],
        )
        table.add_row(occasion, f"{count:,}", ", ".join(f"{text} × {n}" for text, n in given) or "—")
    console.print(table)
    for occasion, decision in sorted(summary.example.items()):
        reasons = "; ".join(decision.reasons)
        console.print(f"  {occasion}, customer {decision.customer_id}: {decision.offer_text} — {reasons}")
    if summary.recommended is not None:
        customer_id, listed = summary.recommended
        recs = Table(
            title=f"Recommendations for {customer_id} in an email (retentio recs show {customer_id})"
        )
        recs.add_column("product")
        recs.add_column("recommender")
        recs.add_column("why")
        for item in listed:
            recs.add_row(f"{item.sku} {item.name}", item.kind, item.reason)
        console.print(recs)


def _latest_per_customer(announced: Sequence[DueOccasion]) -> list[DueOccasion]:
    latest: dict[str, DueOccasion] = {}
    for occasion in announced:  # oldest first: a customer's later occasion moves them to the end
        latest.pop(occasion.customer_id, None)
        latest[occasion.customer_id] = occasion
    return list(latest.values())


def _policy_occasion(occasion: DueOccasion) -> str:
    if occasion.type == REPLENISHMENT_DUE:
        return "replenishment"
    return str(occasion.properties.get("occasion", ""))
