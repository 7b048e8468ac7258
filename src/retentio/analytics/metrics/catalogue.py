"""The metric catalogue (ANA-1, ANA-2, ANA-4, ANA-5, ANA-8): every figure with its name, a plain
definition to show next to it, its formula, its unit and how it is computed from the base's facts.

A figure that is undefined for the data (nothing to divide by) is ``None``, never an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar

from retentio.analytics.clv_formulas import clv_from_revenue_and_lifetime, clv_retention_textbook
from retentio.analytics.metrics.base import BaseFacts
from retentio.types.money import from_minor

_HUNDRED = Decimal(100)


class Unit(StrEnum):
    PERCENT = "percent"
    RATIO = "ratio"
    MONEY = "money"
    COUNT = "count"
    PER_CUSTOMER = "orders per customer"


# What a metric is computed of: the base's facts here, another area's facts for its own figures
# (the loyalty programme's), so every figure reads and prints the same way.
Facts = TypeVar("Facts")


@dataclass(frozen=True, slots=True)
class Metric(Generic[Facts]):
    key: str
    name: str
    name_ru: str
    definition: str
    formula: str
    unit: Unit
    compute: Callable[[Facts], Decimal | None]


def _share(part: int, whole: int) -> Decimal | None:
    return Decimal(part) * _HUNDRED / Decimal(whole) if whole else None


def _ratio(part: int, whole: int) -> Decimal | None:
    return Decimal(part) / Decimal(whole) if whole else None


def retention_rate(facts: BaseFacts) -> Decimal | None:
    return _share(facts.customers_at_end - facts.new_customers, facts.customers_at_start)


def churn_rate(facts: BaseFacts) -> Decimal | None:
    return _share(facts.lost_customers, facts.customers_at_start)


def repeat_purchase_rate(facts: BaseFacts) -> Decimal | None:
    return _share(facts.repeat_customers, facts.active_customers)


def purchase_frequency(facts: BaseFacts) -> Decimal | None:
    return _ratio(facts.orders, facts.active_customers)


def average_order_value(facts: BaseFacts) -> Decimal | None:
    revenue = from_minor(facts.revenue_minor, facts.currency)
    return revenue / facts.money_orders if facts.money_orders else None


def customer_activity_coefficient(facts: BaseFacts) -> Decimal | None:
    return _ratio(facts.active_customer_days, facts.active_customers * facts.days)


def dau_mau(facts: BaseFacts) -> Decimal | None:
    return _share(facts.active_customer_days, facts.monthly_active_customer_days)


def revenue_per_customer(facts: BaseFacts) -> Decimal | None:
    revenue = from_minor(facts.revenue_minor, facts.currency)
    return revenue / facts.money_customers if facts.money_customers else None


def expected_lifetime(facts: BaseFacts) -> Decimal | None:
    """Periods a customer stays, 1 / churn share = S / |S \\ E|; None when nobody left (or no S)."""
    return _ratio(facts.customers_at_start, facts.lost_customers)


def clv_simple(facts: BaseFacts) -> Decimal | None:
    revenue, lifetime = revenue_per_customer(facts), expected_lifetime(facts)
    if revenue is None or lifetime is None:
        return None
    return clv_from_revenue_and_lifetime(max(revenue, Decimal(0)), lifetime)


def clv_margin(facts: BaseFacts) -> Decimal | None:
    revenue = revenue_per_customer(facts)
    retained = _ratio(facts.customers_at_start - facts.lost_customers, facts.customers_at_start)
    if revenue is None or retained is None or facts.margin_share is None:
        return None
    if retained == 1 and facts.discount_rate == 0:
        return None  # nobody ever leaves and the future is not discounted: no finite value
    return clv_retention_textbook(revenue * facts.margin_share, retained, facts.discount_rate)


def _count(read: Callable[[BaseFacts], int]) -> Callable[[BaseFacts], Decimal | None]:
    return lambda facts: Decimal(read(facts))


def _revenue(facts: BaseFacts) -> Decimal | None:
    return from_minor(facts.revenue_minor, facts.currency)


IN_BASE = "in the base = a non-cancelled order in the base window (365 days by default) before that moment"

CATALOGUE: tuple[Metric[BaseFacts], ...] = (
    Metric("retention_rate", "Retention rate", "Уровень удержания",
           "Customers in the base at the end, less the new ones, per 100 in the base at the start "
           f"({IN_BASE}).",
           "(E − N) / S × 100", Unit.PERCENT, retention_rate),
    Metric("churn_rate", "Churn rate", "Отток",
           "Share of the customers in the base at the start who are no longer in it at the end.",
           "|S \\ E| / S × 100", Unit.PERCENT, churn_rate),
    Metric("repeat_purchase_rate", "Repeat purchase rate", "Уровень повторных покупок",
           "Among customers who ordered in the period, the share who ordered at least twice.",
           "customers with ≥ 2 orders / customers with ≥ 1 order × 100", Unit.PERCENT, repeat_purchase_rate),
    Metric("purchase_frequency", "Purchase frequency", "Частота покупок",
           "Orders in the period per customer who ordered in it.",
           "orders / customers with ≥ 1 order", Unit.PER_CUSTOMER, purchase_frequency),
    Metric("average_order_value", "Average order value", "Средний чек",
           "Revenue per order in the period: cancelled orders left out, returns deducted.",
           "Σ (total − returned) / orders", Unit.MONEY, average_order_value),
    Metric("customer_activity_coefficient", "Customer activity coefficient", "Коэффициент активности клиента",
           "Average share of the period's days on which a customer who ordered in it placed an order.",
           "Σ active days / (customers with ≥ 1 order × days in period)", Unit.RATIO,
           customer_activity_coefficient),
    Metric("dau_mau", "DAU/MAU", "Вовлечённость (DAU/MAU)",
           "Average daily buyers per 100 buyers of the last 30 days (active = placed an order that day).",
           "mean DAU / mean MAU × 100", Unit.PERCENT, dau_mau),
    Metric("clv_simple", "CLV (revenue × lifetime)", "CLV (доход × срок жизни)",
           "Revenue per buying customer in the period times the expected lifetime in periods (1 / churn).",
           "revenue per customer × 100 / churn rate", Unit.MONEY, clv_simple),
    Metric("clv_margin", "CLV (margin, discounted)", "CLV (маржа, с дисконтом)",
           "Margin per customer per period, retained at 1 − churn each period and discounted at d.",
           "m · r / (1 + d − r), m = revenue per customer × margin share, r = 1 − churn", Unit.MONEY,
           clv_margin),
    Metric("customers_at_start", "Customers at the start (S)", "Клиентов на начало периода",
           f"Customers in the base at the start of the period ({IN_BASE}).",
           "S", Unit.COUNT, _count(lambda facts: facts.customers_at_start)),
    Metric("customers_at_end", "Customers at the end (E)", "Клиентов на конец периода",
           "Customers in the base at the end of the period.", "E", Unit.COUNT,
           _count(lambda facts: facts.customers_at_end)),
    Metric("new_customers", "New customers (N)", "Новых клиентов",
           "Customers whose first-ever non-cancelled order is in the period.", "N", Unit.COUNT,
           _count(lambda facts: facts.new_customers)),
    Metric("active_customers", "Customers who ordered", "Покупателей за период",
           "Customers with at least one non-cancelled order in the period.", "count", Unit.COUNT,
           _count(lambda facts: facts.active_customers)),
    Metric("orders", "Orders", "Заказов", "Non-cancelled orders placed in the period.", "count",
           Unit.COUNT, _count(lambda facts: facts.orders)),
    Metric("revenue", "Revenue", "Выручка", "Order totals in the period, returns deducted.",
           "Σ (total − returned)", Unit.MONEY, _revenue),
)  # fmt: skip

METRICS: dict[str, Metric[BaseFacts]] = {metric.key: metric for metric in CATALOGUE}
