"""Field conditions (``{"field": ..., "op": ..., "value": ...}``) as SQL tests over ``customers``,
``customer_profiles`` and ``customer_standing`` (both outer-joined: a customer without a profile has
zero orders; one without a standing has no scores and is not flagged)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, case, func
from sqlalchemy.sql.elements import ColumnElement

from retentio.customers import customer_profiles as profiles
from retentio.customers import customers
from retentio.segments.custom.catalogue import FieldSpec, Kind
from retentio.segments.custom.sql_compare import Test, boolean, compare, compare_json, days_since, ratio
from retentio.segments.custom.sql_context import SqlContext
from retentio.segments.custom.sql_json import (
    json_array_length,
    json_number,
)
from retentio.segments.custom.values import json_kind, to_python
from retentio.segments.tables import customer_standing as standing
from retentio.types.money import to_minor

Handler = Callable[[str, Any, SqlContext], Test]


def field_test(spec: FieldSpec, op: str, raw: Any, context: SqlContext) -> Test:
    value = _bind_values(spec, op, raw, context)
    if spec.key is not None:
        return _PREFIXED[spec.name[: -len(spec.key)]](spec.key, op, value, context)
    return _HANDLERS[spec.name](op, value, context)


def _bind_values(spec: FieldSpec, op: str, raw: Any, context: SqlContext) -> Any:
    if op == "is_null":
        return raw
    kind = json_kind(raw) if spec.kind is Kind.JSON else spec.kind

    def one(item: Any) -> Any:
        value = to_python(kind, item)
        return to_minor(value, context.currency) if kind is Kind.MONEY else value

    return [one(item) for item in raw] if isinstance(raw, list) else one(raw)


def _column(column: ColumnElement[Any], nullable: bool = True) -> Handler:
    return lambda op, value, context: compare(column, op, value, context.dialect, guard=nullable)


def _count(column: ColumnElement[Any]) -> Handler:
    return _column(func.coalesce(column, 0), nullable=False)


def _days(column: ColumnElement[Any]) -> Handler:
    return lambda op, value, context: days_since(column, op, value, context.now)


def _fact(test: Callable[[SqlContext], Test]) -> Handler:
    return lambda op, value, context: boolean(test(context), op, value)


def _filled(column: ColumnElement[Any]) -> Callable[[SqlContext], Test]:
    return lambda context: and_(column.is_not(None), column != "")


def _has_push(context: SqlContext) -> Test:
    tokens = customers.c.push_tokens
    if context.dialect == "postgresql":  # CASE: jsonb_array_length fails on a non-array
        is_array = func.jsonb_typeof(tokens) == "array"
        return case((is_array, json_array_length(tokens, context.dialect) > 0), else_=False)
    return json_array_length(tokens, context.dialect) > 0


def _orders() -> ColumnElement[Any]:
    return func.coalesce(profiles.c.orders, 0)


_HANDLERS: dict[str, Handler] = {
    "customer.email": _column(customers.c.email),
    "customer.phone": _column(customers.c.phone),
    "customer.has_email": _fact(_filled(customers.c.email)),
    "customer.has_phone": _fact(_filled(customers.c.phone)),
    "customer.has_push": _fact(_has_push),
    "customer.has_telegram": _fact(_filled(customers.c.telegram_id)),
    "customer.has_viber": _fact(_filled(customers.c.viber_id)),
    "customer.locale": _column(customers.c.locale),
    "customer.timezone": _column(customers.c.timezone),
    "customer.birthday_month": _column(func.extract("month", customers.c.birthday)),
    "customer.created_at": _column(customers.c.created_at, nullable=False),
    "customer.days_since_created": _days(customers.c.created_at),
    "profile.orders": _count(profiles.c.orders),
    "profile.revenue": _count(profiles.c.revenue_minor),
    "profile.average_check": lambda op, value, context: ratio(
        func.coalesce(profiles.c.revenue_minor, 0), _orders(), op, value, context.dialect
    ),
    "profile.first_order_at": _column(profiles.c.first_order_at),
    "profile.last_order_at": _column(profiles.c.last_order_at),
    "profile.days_since_first_order": _days(profiles.c.first_order_at),
    "profile.days_since_last_order": _days(profiles.c.last_order_at),
    "profile.cancellations": _count(profiles.c.cancellations),
    "profile.returns": _count(profiles.c.returns),
    "profile.returned": _count(profiles.c.returned_minor),
    "profile.coupon_share": lambda op, value, context: ratio(
        func.coalesce(profiles.c.coupon_orders, 0), _orders(), op, value, context.dialect
    ),
    "profile.events": _count(profiles.c.events),
    "profile.last_activity_at": _column(profiles.c.last_event_at),
    "profile.days_since_last_activity": _days(profiles.c.last_event_at),
    "profile.last_content_view_at": _column(profiles.c.last_content_at),
    "profile.last_product_view_at": _column(profiles.c.last_browse_at),
    "profile.last_cart_at": _column(profiles.c.last_cart_at),
    "profile.days_since_content_view": _days(profiles.c.last_content_at),
    "profile.days_since_product_view": _days(profiles.c.last_browse_at),
    "profile.days_since_cart": _days(profiles.c.last_cart_at),
    "standing.rfm_recency": _column(standing.c.rfm_recency),
    "standing.rfm_frequency": _column(standing.c.rfm_frequency),
    "standing.rfm_monetary": _column(standing.c.rfm_monetary),
    "standing.bad_customer": _fact(lambda context: func.coalesce(standing.c.bad_customer, False)),
    "standing.do_not_incentivize": _fact(lambda context: func.coalesce(standing.c.do_not_incentivize, False)),
    "standing.reward_propensity": _column(standing.c.reward_propensity),
    "standing.preferred_channel": _column(standing.c.preferred_channel),
    "standing.usual_interval_days": _column(standing.c.usual_interval_days),
}


def _attribute(key: str, op: str, value: Any, context: SqlContext) -> Test:
    return compare_json(customers.c.attributes, (key,), op, value, context.dialect)


def _channel_time(key: str, op: str, value: Any, context: SqlContext) -> Test:
    moment = profiles.c.channel_activity[(key,)].as_string()
    if isinstance(value, list):
        value = [item.isoformat() for item in value]
    elif value is not None and not isinstance(value, bool):
        value = value.isoformat()
    return compare(moment, op, value, context.dialect)


def _channel_days(key: str, op: str, value: Any, context: SqlContext) -> Test:
    moment = profiles.c.channel_activity[(key,)].as_string()
    return days_since(moment, op, value, context.now, point=lambda at: at.isoformat())


def _category(key: str, op: str, value: Any, context: SqlContext) -> Test:
    column = profiles.c.category_counts
    bought = func.coalesce(json_number(column, (key,), context.dialect), 0)
    return compare(bought, op, value, context.dialect, guard=False)


_PREFIXED: dict[str, Callable[[str, str, Any, SqlContext], Test]] = {
    "customer.attributes.": _attribute,
    "profile.last_activity.": _channel_time,
    "profile.days_since_activity.": _channel_days,
    "profile.category_purchases.": _category,
}
