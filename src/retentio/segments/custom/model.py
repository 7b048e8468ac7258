"""The rule language as typed, frozen models: what a parsed and checked rule is made of.

A rule is a tree. Inner nodes combine (``all``, ``any``, ``not``); leaves test one thing about a
customer: a profile or customer field, an event count or sum in a time window, membership of another
segment or of a built-in family (RFM, lifecycle, ladder), or a predicted value. The models keep the
values as written (JSON scalars), so a rule dumps back to the language unchanged.
"""

from __future__ import annotations

from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

Operator = Literal["=", "!=", "<", "<=", ">", ">=", "in", "not_in", "contains", "is_null", "between"]
Comparator = Literal["=", "!=", "<", "<=", ">", ">="]
Scalar = StrictBool | StrictInt | StrictFloat | StrictStr
Value = Scalar | list[Scalar] | None
Number = StrictInt | StrictFloat
Bound = dict[Comparator, Number]


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FieldCondition(_Node):
    """``{"field": "profile.orders", "op": ">=", "value": 3}``"""

    field: StrictStr
    op: Operator
    value: Value = None


class PropertyFilter(_Node):
    """One filter on an event's properties: ``{"property": "category", "op": "=", "value": "coffee"}``"""

    property: StrictStr
    op: Operator
    value: Value = None


class Window(_Node):
    """How far back an event condition looks from "now": ``{"days": 7}`` or ``{"hours": 12}``."""

    days: StrictInt | None = None
    hours: StrictInt | None = None

    @property
    def total_hours(self) -> int:
        return (self.days or 0) * 24 + (self.hours or 0)


class EventQuery(_Node):
    type: StrictStr
    where: tuple[PropertyFilter, ...] = ()
    window: Window
    count: Bound | None = None
    sum: StrictStr | None = None
    value: Bound | None = None

    @property
    def bound(self) -> Bound:
        """What the aggregate is compared with: the count (default "at least one") or the sum."""
        if self.sum is not None:
            return self.value or {}
        return self.count if self.count is not None else {">=": 1}


class EventCondition(_Node):
    """``{"event": {"type": "product_viewed", "window": {"days": 7}, "count": {">=": 3}}}``"""

    event: EventQuery


class SegmentCondition(_Node):
    """Membership of another custom segment: ``{"segment": "vip"}``."""

    segment: StrictStr


Names = StrictStr | tuple[StrictStr, ...]


class RfmCondition(_Node):
    rfm: Names


class LifecycleCondition(_Node):
    lifecycle: Names


class LadderCondition(_Node):
    ladder: Names


StandingCondition = RfmCondition | LifecycleCondition | LadderCondition


class PredictionCondition(_Node):
    """``{"prediction": "p_alive", "op": "<", "value": 0.3}``"""

    prediction: StrictStr
    op: Operator
    value: Value = None


class AllOf(_Node):
    all: tuple[Rule, ...]


class AnyOf(_Node):
    any: tuple[Rule, ...]


class NotOf(_Node):
    not_: Rule = Field(alias="not")


Rule = Union[  # noqa: UP007  (a recursive alias needs the Union form)
    AllOf,
    AnyOf,
    NotOf,
    FieldCondition,
    EventCondition,
    SegmentCondition,
    RfmCondition,
    LifecycleCondition,
    LadderCondition,
    PredictionCondition,
]

for _model in (AllOf, AnyOf, NotOf):
    _model.model_rebuild()


def standing_of(condition: StandingCondition) -> tuple[str, tuple[str, ...]]:
    """The family and the accepted names of a built-in segment condition."""
    family, names = next(iter(condition.model_dump().items()))
    return family, (names,) if isinstance(names, str) else tuple(names)


def to_document(rule: Rule) -> dict[str, Any]:
    """The rule in the language again (JSON-ready), as stored and shown."""
    document: dict[str, Any] = rule.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return document


def children(rule: Rule) -> tuple[Rule, ...]:
    if isinstance(rule, AllOf):
        return rule.all
    if isinstance(rule, AnyOf):
        return rule.any
    if isinstance(rule, NotOf):
        return (rule.not_,)
    return ()


def walk(rule: Rule) -> list[Rule]:
    """Every node of the tree, parents before children."""
    nodes = [rule]
    for child in children(rule):
        nodes.extend(walk(child))
    return nodes


def referenced_segments(rule: Rule) -> frozenset[str]:
    return frozenset(node.segment for node in walk(rule) if isinstance(node, SegmentCondition))


def leaves_with_paths(rule: Rule, path: str = "rule") -> list[tuple[str, Rule]]:
    """Every leaf with its path in the language (``rule.all[1].not``)."""
    if isinstance(rule, AllOf | AnyOf):
        kind = "all" if isinstance(rule, AllOf) else "any"
        return [
            leaf
            for index, child in enumerate(children(rule))
            for leaf in leaves_with_paths(child, f"{path}.{kind}[{index}]")
        ]
    if isinstance(rule, NotOf):
        return leaves_with_paths(rule.not_, f"{path}.not")
    return [(path, rule)]
