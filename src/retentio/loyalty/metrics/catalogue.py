"""Every loyalty figure with its name, definition and formula, computed from ``LoyaltyFacts``.

Members are compared with the customers outside the programme over the same period; that is a
comparison, not the programme's effect: customers who join are often the better ones already. The
effect itself is measured against a holdout (the journeys' experiments)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from retentio.analytics import BaseFacts, Metric, Unit
from retentio.loyalty.metrics.facts import LoyaltyFacts
from retentio.loyalty.programmes.redemption import points_to_money
from retentio.types.money import from_minor

_HUNDRED = Decimal(100)


def _share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    return Decimal(part) * _HUNDRED / Decimal(whole) if whole else None


def _revenue(orders: BaseFacts) -> Decimal:
    return from_minor(orders.revenue_minor, orders.currency)


def _revenue_per_buyer(orders: BaseFacts) -> Decimal | None:
    return _revenue(orders) / orders.money_customers if orders.money_customers else None


def enrolment_rate(facts: LoyaltyFacts) -> Decimal | None:
    return _share(facts.members, facts.customers)


def redemption_rate(facts: LoyaltyFacts) -> Decimal | None:
    return _share(facts.redeemed, facts.net_earned) if facts.net_earned > 0 else None


def breakage_rate(facts: LoyaltyFacts) -> Decimal | None:
    return _share(facts.expired, facts.net_earned) if facts.net_earned > 0 else None


def members_repeat_rate(facts: LoyaltyFacts) -> Decimal | None:
    return _share(facts.member_orders.repeat_customers, facts.member_orders.active_customers)


def others_repeat_rate(facts: LoyaltyFacts) -> Decimal | None:
    return _share(facts.other_orders.repeat_customers, facts.other_orders.active_customers)


def programme_cost(facts: LoyaltyFacts) -> Decimal:
    return points_to_money(facts.programme, max(facts.redeemed, 0))


def programme_roi(facts: LoyaltyFacts) -> Decimal | None:
    member, other = _revenue_per_buyer(facts.member_orders), _revenue_per_buyer(facts.other_orders)
    cost = programme_cost(facts)
    if member is None or other is None or not cost:
        return None
    uplift = (member - other) * facts.member_orders.money_customers
    return (uplift - cost) * _HUNDRED / cost


def loyalty_rating(facts: LoyaltyFacts) -> Decimal | None:
    revenue = _revenue(facts.member_orders)
    return points_to_money(facts.programme, max(facts.outstanding, 0)) / revenue if revenue else None


def bonus_value(facts: LoyaltyFacts) -> Decimal | None:
    revenue = _revenue(facts.member_orders)
    earned = points_to_money(facts.programme, max(facts.net_earned, 0))
    return earned * _HUNDRED / revenue if revenue else None


def liability(facts: LoyaltyFacts) -> Decimal | None:
    return points_to_money(facts.programme, max(facts.outstanding - facts.debt, 0))


def _points(read: Callable[[LoyaltyFacts], int]) -> Callable[[LoyaltyFacts], Decimal | None]:
    return lambda facts: Decimal(read(facts))


MEMBER = "member = enrolled by the end of the period, or holding points in the programme by then"

LOYALTY_CATALOGUE: tuple[Metric[LoyaltyFacts], ...] = (
    Metric("members", "Members", "Участников программы", f"Customers in the programme ({MEMBER}).",
           "count", Unit.COUNT, lambda facts: Decimal(facts.members)),
    Metric("enrolment_rate", "Enrolment rate", "Уровень вовлечения",
           "Members per 100 customers known at the end of the period.", "members / customers × 100",
           Unit.PERCENT, enrolment_rate),
    Metric("points_earned", "Points earned", "Начислено баллов",
           "Points accrued in the period for orders and actions, less what returns and cancellations "
           "took back in it.", "Σ accruals − Σ returned", Unit.COUNT,
           _points(lambda facts: facts.net_earned)),
    Metric("points_redeemed", "Points redeemed", "Списано баллов",
           "Points spent in the period, less spends cancelled in it.", "Σ redemptions − Σ cancelled",
           Unit.COUNT, _points(lambda facts: facts.redeemed)),
    Metric("redemption_rate", "Redemption rate", "Уровень использования баллов",
           "Points spent per 100 points earned in the period.", "redeemed / earned × 100", Unit.PERCENT,
           redemption_rate),
    Metric("breakage_rate", "Breakage rate", "Доля сгоревших баллов",
           "Points that expired in the period per 100 points earned in it.", "expired / earned × 100",
           Unit.PERCENT, breakage_rate),
    Metric("members_repeat_purchase_rate", "Repeat purchase rate, members",
           "Повторные покупки участников",
           "Members with two or more orders in the period per 100 members who ordered.",
           "members with ≥ 2 orders / members with ≥ 1 × 100", Unit.PERCENT, members_repeat_rate),
    Metric("others_repeat_purchase_rate", "Repeat purchase rate, non-members",
           "Повторные покупки не участников",
           "The same for the customers outside the programme: the comparison, not the effect.",
           "others with ≥ 2 orders / others with ≥ 1 × 100", Unit.PERCENT, others_repeat_rate),
    Metric("programme_cost", "Programme cost", "Затраты на программу",
           "The money value of the points spent in the period (what the discounts paid with them cost).",
           "redeemed × point value", Unit.MONEY, programme_cost),
    Metric("programme_roi", "Programme ROI against non-members", "ROI программы относительно не участников",
           "The members' extra revenue over non-members (revenue per buying member less revenue per "
           "buying non-member, times buying members), less the cost, per 100 of the cost. Members "
           "self-select: a holdout measures the true effect.",
           "((R/b members − R/b others) × b members − cost) / cost × 100", Unit.PERCENT, programme_roi),
    Metric("loyalty_rating", "Loyalty rating", "Рейтинг лояльности",
           "The money value of the members' points at the end per unit of their purchases in the period.",
           "outstanding × point value / members' revenue", Unit.RATIO, loyalty_rating),
    Metric("bonus_value", "Bonus value", "Ценность бонусов",
           "The money value of the points earned per 100 of the members' purchases in the period "
           "(the effective cashback).", "earned × point value / members' revenue × 100", Unit.PERCENT,
           bonus_value),
    Metric("liability", "Points liability", "Обязательства по баллам",
           "What the points available and pending at the end would pay, less the points customers owe.",
           "(outstanding − debt) × point value", Unit.MONEY, liability),
)  # fmt: skip
