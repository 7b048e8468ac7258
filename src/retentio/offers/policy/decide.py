"""The offer policy's decision (OFF-9): a pure function of the settings, what is known about the
customer, the occasion, the budget spent and the time. It never raises for a customer; it answers
nothing when no offer is worth its cost, and every answer carries its reasons.

The bounds, in the order they are applied: the bad-customer flag (never an incentive), the budget,
P(alive) (a customer taken as gone gets only a small win-back), the expected value (a cap on the
discount by value band, and on any offer's cost as a share of the value), the margin floor, then the
kind that moves this customer (a discount-seeker a discount, a novelty-seeker a gift or points), and
the first purchase (the second order is the one to win)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_FLOOR, Decimal

from retentio.offers.policy.model import NOTHING, BudgetState, CustomerOfferFacts, Decision, Kind, Offer
from retentio.offers.policy.settings import OccasionRule, PolicySettings, Variant
from retentio.offers.policy.wording import money, percent, size

_UNLIMITED = Decimal("1e18")


class UnknownOccasion(ValueError):
    def __init__(self, occasion: str, known: tuple[str, ...]) -> None:
        super().__init__(f"unknown occasion {occasion!r}: the policy knows {', '.join(known)}")
        self.occasion = occasion


@dataclass(frozen=True, slots=True)
class _Bounds:
    """What any offer for this customer may cost, and the largest discount."""

    remaining: Decimal  # budget left in the period
    allowance: Decimal  # value_share of the expected value
    max_percent: Decimal
    check: Decimal  # the basket a discount applies to


def decide(
    settings: PolicySettings,
    facts: CustomerOfferFacts,
    occasion: str,
    budget: BudgetState,
    now: datetime,
    arm: Variant | None = None,
) -> Decision:
    rule = settings.rule(occasion)
    if rule is None:
        raise UnknownOccasion(occasion, tuple(settings.occasions))
    reasons: list[str] = []
    if facts.do_not_incentivize or facts.bad_customer:
        flag = "do_not_incentivize" if facts.do_not_incentivize else "a bad customer"
        return Decision(NOTHING, (f"flagged {flag} → never an incentive",))
    bounds = _bounds(settings, rule, facts, occasion, budget, reasons)
    if bounds is None:
        return Decision(NOTHING, tuple(reasons))
    kinds = _kinds(rule, facts, reasons) if arm is None or arm.kind is None else (arm.kind,)
    for kind in kinds:
        offer = _sized(settings, rule, kind, bounds, now, arm, reasons)
        if offer is not None:
            return Decision(offer, tuple(reasons))
    reasons.append("no kind of offer fits these bounds → nothing")
    return Decision(NOTHING, tuple(reasons))


def _bounds(
    settings: PolicySettings,
    rule: OccasionRule,
    facts: CustomerOfferFacts,
    occasion: str,
    budget: BudgetState,
    reasons: list[str],
) -> _Bounds | None:
    currency = settings.currency
    remaining = _remaining(settings, rule, occasion, budget, reasons)
    if remaining <= 0:
        return None
    if occasion == "win_back" and not _lapsed(settings, facts, reasons):
        return None
    max_percent = rule.max_percent if facts.reward_propensity == "discount_seeker" else rule.percent
    if facts.p_alive is not None and Decimal(str(facts.p_alive)) < settings.min_p_alive:
        alive = f"P(alive) {facts.p_alive:.2f} below {settings.min_p_alive}"
        if occasion != "win_back":
            reasons.append(f"{alive} → taken as gone, nothing")
            return None
        max_percent = min(max_percent, settings.win_back_max_percent_when_gone)
        reasons.append(f"{alive} → a last try, discount capped at {size(max_percent)} %")
    if facts.expected_value is not None:
        value = facts.expected_value
        source = f"expected value {money(value, currency)} over 12 months"
    else:
        value = facts.revenue
        source = f"no CLV prediction; revenue brought {money(value, currency)}"
    cap = settings.value_cap(value)
    if cap < max_percent:
        max_percent = cap
        reasons.append(f"{source} → discount capped at {size(cap)} %")
    allowance = (max(value, Decimal(0)) * settings.value_share).quantize(Decimal("0.01"), ROUND_FLOOR)
    reasons.append(f"{source} → an offer may cost up to {money(allowance, currency)}")
    if facts.margin is not None:
        room = ((facts.margin - settings.margin_floor) * 100).to_integral_value(ROUND_FLOOR)
        if room < max_percent:
            max_percent = max(room, Decimal(0))
            reasons.append(
                f"margin {percent(facts.margin)} with a floor of {percent(settings.margin_floor)}"
                f" → discount capped at {size(max_percent)} %"
            )
    check = facts.average_check or settings.default_check
    return _Bounds(remaining, allowance, max_percent, check)


def _lapsed(settings: PolicySettings, facts: CustomerOfferFacts, reasons: list[str]) -> bool:
    """Whether a win-back is due: a customer still within their usual rhythm would come back anyway."""
    since, usual = facts.days_since_last_order, facts.usual_interval_days
    if since is None or usual is None:
        return True
    due = usual * float(settings.win_back_min_lapse)
    if since >= due:
        return True
    reasons.append(
        f"{since:.0f} days since the last order, usually {usual:.0f}: not lapsed before {due:.0f} → nothing"
    )
    return False


def _remaining(
    settings: PolicySettings, rule: OccasionRule, occasion: str, budget: BudgetState, reasons: list[str]
) -> Decimal:
    currency = settings.currency
    left = _UNLIMITED
    if rule.budget is not None:
        left = rule.budget - budget.occasion_spent
        if left <= 0:
            spent = f"{money(budget.occasion_spent, currency)} of {money(rule.budget, currency)}"
            reasons.append(f"the {occasion} budget for {budget.period} is spent ({spent}) → nothing")
            return left
    overall = settings.budget.overall
    if overall is not None:
        if overall - budget.overall_spent <= 0:
            spent = f"{money(budget.overall_spent, currency)} of {money(overall, currency)}"
            reasons.append(f"the overall budget for {budget.period} is spent ({spent}) → nothing")
            return overall - budget.overall_spent
        left = min(left, overall - budget.overall_spent)
    return left


def _kinds(rule: OccasionRule, facts: CustomerOfferFacts, reasons: list[str]) -> Iterator[Kind]:
    """The occasion's kinds, the one that moves this customer first."""
    preferred: tuple[Kind, ...] = ()
    if facts.reward_propensity == "discount_seeker":
        preferred = ("percent",)
        reasons.append("a discount-seeker → a discount first")
    elif facts.reward_propensity == "novelty_seeker":
        preferred = ("gift", "points")
        reasons.append("a novelty-seeker → a gift or points first")
    elif facts.orders <= 1:
        preferred = ("percent",)
        orders = "no order" if facts.orders == 0 else "1 order"
        reasons.append(f"{orders} so far → the next order is the one to win, a discount first")
    seen: set[Kind] = set()
    for kind in (*(kind for kind in preferred if kind in rule.kinds), *rule.kinds):
        if kind not in seen:
            seen.add(kind)
            yield kind


def _sized(
    settings: PolicySettings,
    rule: OccasionRule,
    kind: Kind,
    bounds: _Bounds,
    now: datetime,
    arm: Variant | None,
    reasons: list[str],
) -> Offer | None:
    currency = settings.currency
    until = valid_until(now, rule.validity_days)
    affordable = min(bounds.allowance, bounds.remaining)
    if kind == "percent":
        wanted = bounds.max_percent if arm is None or arm.size is None else min(arm.size, bounds.max_percent)
        by_cost = (affordable * 100 / bounds.check).to_integral_value(ROUND_FLOOR)
        chosen = min(wanted.to_integral_value(ROUND_FLOOR), by_cost)
        if chosen < settings.min_percent:
            reasons.append(
                f"a discount would be {size(chosen)} % on an average check of"
                f" {money(bounds.check, currency)}, below the {size(settings.min_percent)} % worth offering"
            )
            return None
        cost = (bounds.check * chosen / 100).quantize(Decimal("0.01"))
        reasons.append(
            f"{size(chosen)} % on an average check of {money(bounds.check, currency)}"
            f" ≈ {money(cost, currency)}"
        )
        return Offer("percent", chosen, cost, until)
    if kind == "points":
        wanted_points = Decimal(rule.points if arm is None or arm.size is None else int(arm.size))
        points = min(wanted_points, (affordable / settings.point_value).to_integral_value(ROUND_FLOOR))
        if points < 1:
            reasons.append(f"points: not even one fits {money(affordable, currency)}")
            return None
        cost = points * settings.point_value
        reasons.append(f"{size(points)} points ≈ {money(cost, currency)}")
        return Offer("points", points, cost, None)
    cost = settings.free_delivery_cost if kind == "free_delivery" else settings.gift_cost
    label = "a free delivery" if kind == "free_delivery" else "a gift"
    if cost > affordable:
        reasons.append(f"{label} costs {money(cost, currency)}, more than {money(affordable, currency)}")
        return None
    reasons.append(f"{label} ≈ {money(cost, currency)}")
    return Offer(kind, Decimal(1), cost, until)


def valid_until(now: datetime, days: int) -> datetime:
    """The end of the UTC day ``days`` after ``now``: codes issued the same day expire together,
    which is what lets one pool serve them (a pool carries the validity, not a code)."""
    last_day = now.astimezone(UTC).date() + timedelta(days=days)
    return datetime.combine(last_day + timedelta(days=1), time(0), UTC)
