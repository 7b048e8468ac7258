"""A checked rule to ONE parametrised SQL query selecting the ids of the customers who match.

Leaves become two-valued tests; event conditions become grouped subqueries joined to customers
(inner-joined where the rule cannot hold without a matching event, outer-joined otherwise), or, when
only a few given customers are evaluated, correlated subqueries over each one's own events.
Merged-away customers never match. Nothing from the rule is ever written into the SQL text: every
value, key and name is a bound parameter.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Subquery, and_, exists, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from retentio.customers import customer_predictions, customers
from retentio.customers import customer_profiles as profiles
from retentio.segments.custom.catalogue import PREDICTIONS, lookup_field
from retentio.segments.custom.model import (
    AllOf,
    AnyOf,
    EventCondition,
    FieldCondition,
    LadderCondition,
    LifecycleCondition,
    NotOf,
    PredictionCondition,
    RfmCondition,
    Rule,
    SegmentCondition,
    standing_of,
)
from retentio.segments.custom.sql_compare import Test, compare
from retentio.segments.custom.sql_context import SqlContext
from retentio.segments.custom.sql_events import event_aggregate, own_events_total, total_test, zero_passes
from retentio.segments.custom.sql_fields import field_test
from retentio.segments.custom.tables import custom_segment_members as members
from retentio.segments.custom.values import to_python
from retentio.segments.tables import customer_standing as standing

STANDING_COLUMNS = {"rfm": "rfm_segment", "lifecycle": "lifecycle", "ladder": "ladder"}


class Uncompilable(ValueError):
    """A checked rule that refers to a segment this store does not have."""


def compile_rule(rule: Rule, context: SqlContext) -> Select[Any]:
    builder = _Builder(context)
    test = builder.test(rule, required=True)
    source: Any = customers
    conditions = [customers.c.merged_into.is_(None), test]
    if context.only is not None:
        source, limits = context.only.restrict(customers, customers.c.customer_id)
        conditions.extend(limits)
    if builder.needs_profile:
        source = source.outerjoin(profiles, profiles.c.customer_id == customers.c.customer_id)
    if builder.needs_standing:
        source = source.outerjoin(standing, standing.c.customer_id == customers.c.customer_id)
    for aggregate, inner in builder.aggregates:
        source = source.join(aggregate, aggregate.c.customer_id == customers.c.customer_id, isouter=not inner)
    return select(customers.c.customer_id).select_from(source).where(*conditions)


class _Builder:
    def __init__(self, context: SqlContext) -> None:
        self.context = context
        self.needs_profile = False
        self.needs_standing = False
        self.aggregates: list[tuple[Subquery, bool]] = []

    def test(self, rule: Rule, required: bool) -> Test:
        """``required``: the whole rule fails when this node fails (it sits under ``all`` only)."""
        if isinstance(rule, AllOf):
            return and_(*(self.test(child, required) for child in rule.all))
        if isinstance(rule, AnyOf):
            return or_(*(self.test(child, False) for child in rule.any))
        if isinstance(rule, NotOf):
            return not_(self.test(rule.not_, False))
        if isinstance(rule, EventCondition):
            return self._event(rule, required)
        return self._leaf(rule)

    def _leaf(self, rule: Rule) -> Test:
        if isinstance(rule, FieldCondition):
            spec = lookup_field(rule.field)
            assert not isinstance(spec, str), spec
            self.needs_profile |= spec.name.startswith("profile.")
            self.needs_standing |= spec.name.startswith("standing.")
            return field_test(spec, rule.op, rule.value, self.context)
        if isinstance(rule, SegmentCondition):
            return _member_of(self._segment_id(rule.segment))
        if isinstance(rule, RfmCondition | LifecycleCondition | LadderCondition):
            return _standing(rule)
        if isinstance(rule, PredictionCondition):
            return self._prediction(rule)
        raise AssertionError(f"unexpected node {rule!r}")

    def _event(self, rule: EventCondition, required: bool) -> Test:
        if self.context.only is not None:
            return total_test(rule.event, own_events_total(rule.event, self.context), self.context.dialect)
        aggregate = event_aggregate(rule.event, self.context, f"event_{len(self.aggregates) + 1}")
        self.aggregates.append((aggregate, required and not zero_passes(rule.event)))
        return total_test(rule.event, aggregate.c.total, self.context.dialect)

    def _segment_id(self, name: str) -> int:
        if name not in self.context.segment_ids:
            raise Uncompilable(f"no segment named {name!r}")
        return self.context.segment_ids[name]

    def _prediction(self, rule: PredictionCondition) -> Test:
        spec = PREDICTIONS[rule.prediction]
        column: ColumnElement[Any] = customer_predictions.c[rule.prediction]
        raw = rule.value
        value = raw if rule.op == "is_null" else _plain_values(spec.kind, raw)
        return exists().where(
            customer_predictions.c.customer_id == customers.c.customer_id,
            compare(column, rule.op, value, self.context.dialect),
        )


def _plain_values(kind: Any, raw: Any) -> Any:
    if isinstance(raw, list):
        return [float(to_python(kind, item)) for item in raw]
    return float(to_python(kind, raw))


def _member_of(segment_id: int) -> Test:
    return exists().where(
        members.c.segment_id == segment_id, members.c.customer_id == customers.c.customer_id
    )


def _standing(rule: RfmCondition | LifecycleCondition | LadderCondition) -> Test:
    """Where the built-in families put the customer (no standing computed yet: no match)."""
    family, names = standing_of(rule)
    column = standing.c[STANDING_COLUMNS[family]]
    return exists().where(standing.c.customer_id == customers.c.customer_id, column.in_(names))
