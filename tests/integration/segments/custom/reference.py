"""A plain-Python evaluator of the rule language over rows read back from the store: the
specification the SQL compiler is checked against (for the subset of fields the property test uses)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from retentio.customers.tables import customer_profiles, customers
from retentio.events.tables import events
from retentio.segments.custom.model import (
    AllOf,
    AnyOf,
    EventCondition,
    EventQuery,
    FieldCondition,
    NotOf,
    PropertyFilter,
    Rule,
    SegmentCondition,
)
from retentio.types.money import to_minor

_NUMBER = re.compile(r"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$")


@dataclass(frozen=True)
class Store:
    customers: dict[str, dict[str, Any]]
    profiles: dict[str, dict[str, Any]]
    events: dict[str, list[tuple[str, datetime, dict[str, Any]]]]


def read_store(connection: Connection) -> Store:
    people = {row["customer_id"]: dict(row) for row in connection.execute(select(customers)).mappings()}
    profiles = {
        row["customer_id"]: dict(row) for row in connection.execute(select(customer_profiles)).mappings()
    }
    by_customer: dict[str, list[tuple[str, datetime, dict[str, Any]]]] = {}
    statement = select(events.c.customer_id, events.c.type, events.c.occurred_at, events.c.properties)
    for customer_id, type_, at, properties in connection.execute(
        statement.where(events.c.customer_id.is_not(None))
    ):
        by_customer.setdefault(customer_id, []).append((type_, at, properties))
    return Store(people, profiles, by_customer)


def evaluate(rule: Rule, store: Store, now: datetime, segments: dict[str, set[str]]) -> set[str]:
    alive = [cid for cid, row in store.customers.items() if row["merged_into"] is None]
    return {cid for cid in alive if _holds(rule, cid, store, now, segments)}


def _holds(rule: Rule, cid: str, store: Store, now: datetime, segments: dict[str, set[str]]) -> bool:
    if isinstance(rule, AllOf):
        return all(_holds(child, cid, store, now, segments) for child in rule.all)
    if isinstance(rule, AnyOf):
        return any(_holds(child, cid, store, now, segments) for child in rule.any)
    if isinstance(rule, NotOf):
        return not _holds(rule.not_, cid, store, now, segments)
    if isinstance(rule, SegmentCondition):
        return cid in segments[rule.segment]
    if isinstance(rule, FieldCondition):
        return _field(rule, cid, store, now)
    if isinstance(rule, EventCondition):
        return _event(rule.event, store.events.get(cid, []), now)
    raise NotImplementedError(rule)


def _field(rule: FieldCondition, cid: str, store: Store, now: datetime) -> bool:
    profile = store.profiles.get(cid, {})
    person = store.customers[cid]
    value: Any
    target: Any = rule.value
    if rule.field in ("profile.orders", "profile.events"):
        value = profile.get(rule.field.split(".")[1]) or 0
    elif rule.field == "profile.revenue":
        value = profile.get("revenue_minor") or 0
        target = [_minor(v) for v in target] if isinstance(target, list) else _minor(target)
    elif rule.field == "profile.days_since_last_order":
        last = profile.get("last_order_at")
        value = None if last is None else math.floor((now - last) / timedelta(days=1))
    elif rule.field == "customer.locale":
        value = person["locale"]
    elif rule.field.startswith("customer.attributes."):
        value = person["attributes"].get(rule.field.split(".", 2)[2])
        if rule.op != "is_null" and not isinstance(value, str):
            value = None
    else:
        raise NotImplementedError(rule.field)
    return compare(value, rule.op, target)


def _event(query: EventQuery, history: list[tuple[str, datetime, dict[str, Any]]], now: datetime) -> bool:
    since = now - timedelta(hours=query.window.total_hours)
    chosen = [
        properties
        for type_, at, properties in history
        if type_ == query.type and since < at <= now and all(_filter(f, properties) for f in query.where)
    ]
    total: Decimal
    if query.sum is None:
        total = Decimal(len(chosen))
    else:
        amounts = [_number(properties.get(query.sum)) for properties in chosen]
        total = sum((Decimal(str(a)) for a in amounts if a is not None), Decimal(0))
    return all(compare(total, op, Decimal(str(bound))) for op, bound in query.bound.items())


def _filter(condition: PropertyFilter, properties: dict[str, Any]) -> bool:
    raw = properties.get(condition.property)
    if condition.op == "is_null":
        return (raw is None) == (condition.value in (None, True))
    sample = condition.value[0] if isinstance(condition.value, list) else condition.value
    value = _number(raw) if isinstance(sample, int | float) else (raw if isinstance(raw, str) else None)
    return compare(value, condition.op, condition.value)


def compare(value: Any, op: str, target: Any) -> bool:
    """A comparison on a missing value is false (``is_null`` aside)."""
    if op == "is_null":
        return (value is None) == (target in (None, True))
    if value is None:
        return False
    tests = {
        "=": lambda: value == target,
        "!=": lambda: value != target,
        "<": lambda: value < target,
        "<=": lambda: value <= target,
        ">": lambda: value > target,
        ">=": lambda: value >= target,
        "in": lambda: value in target,
        "not_in": lambda: value not in target,
        "between": lambda: target[0] <= value <= target[1],
    }
    return bool(tests[op]())


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    if isinstance(raw, str) and _NUMBER.match(raw):
        return float(raw)
    return None


def _minor(value: Any) -> int:
    return to_minor(Decimal(str(value)), "RUB")
