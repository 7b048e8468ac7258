"""The meaning of each leaf condition: known fields and event types, operators that fit the type,
values of the right type, bounded windows, known built-in segment names (pure)."""

from __future__ import annotations

import difflib
import re

from retentio.segments.custom.catalogue import (
    FIELDS,
    OPEN_FAMILIES,
    PREDICTIONS,
    STANDING_NAMES,
    FieldSpec,
    Kind,
    declared_property_kind,
    field_names,
    known_event_type,
    lookup_field,
)
from retentio.segments.custom.errors import RuleError
from retentio.segments.custom.model import (
    Bound,
    EventCondition,
    EventQuery,
    FieldCondition,
    LadderCondition,
    LifecycleCondition,
    PredictionCondition,
    PropertyFilter,
    RfmCondition,
    Rule,
    SegmentCondition,
    standing_of,
)
from retentio.segments.custom.values import check_condition

MAX_WINDOW_DAYS = 730
MAX_FILTERS = 10
SEGMENT_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")
_PROPERTY_PATH = re.compile(r"^[A-Za-z0-9_\-]{1,64}(\.[A-Za-z0-9_\-]{1,64}){0,2}$")


def check_leaf(leaf: Rule, path: str) -> list[RuleError]:
    if isinstance(leaf, FieldCondition):
        return _check_field(leaf, path)
    if isinstance(leaf, EventCondition):
        return _check_event(leaf.event, f"{path}.event")
    if isinstance(leaf, SegmentCondition):
        return _check_segment_name(leaf.segment, f"{path}.segment")
    if isinstance(leaf, RfmCondition | LifecycleCondition | LadderCondition):
        return _check_standing(leaf, path)
    if isinstance(leaf, PredictionCondition):
        return _check_prediction(leaf, path)
    return []


def _check_field(leaf: FieldCondition, path: str) -> list[RuleError]:
    spec = lookup_field(leaf.field)
    if isinstance(spec, str):
        return [RuleError(f"{path}.field", spec + _suggestion(leaf.field, field_names()))]
    return _condition(spec, leaf.op, leaf.value, path, leaf.field)


def _condition(spec: FieldSpec, op: str, value: object, path: str, subject: str) -> list[RuleError]:
    problems = check_condition(spec.kind, spec.nullable, op, value, subject)
    return [RuleError(path + suffix, message) for suffix, message in problems]


def _check_event(query: EventQuery, path: str) -> list[RuleError]:
    if not known_event_type(query.type):
        message = f"unknown event type {query.type!r}; custom types start with 'custom.'"
        return [RuleError(f"{path}.type", message)]
    errors = _check_window(query, f"{path}.window")
    if len(query.where) > MAX_FILTERS:
        errors.append(RuleError(f"{path}.where", f"at most {MAX_FILTERS} property filters"))
    for index, condition in enumerate(query.where):
        errors.extend(_check_filter(query.type, condition, f"{path}.where[{index}]"))
    return errors + _check_aggregate(query, path)


def _check_window(query: EventQuery, path: str) -> list[RuleError]:
    window = query.window
    parts = [part for part in (window.days, window.hours) if part is not None]
    if not parts:
        return [RuleError(path, 'give {"days": N} or {"hours": N}; unbounded windows are refused')]
    if any(part < 0 for part in parts) or window.total_hours <= 0:
        return [RuleError(path, "the window must be longer than zero")]
    if window.total_hours > MAX_WINDOW_DAYS * 24:
        return [RuleError(path, f"at most {MAX_WINDOW_DAYS} days back")]
    return []


def _check_filter(event_type: str, condition: PropertyFilter, path: str) -> list[RuleError]:
    if not _PROPERTY_PATH.match(condition.property):
        message = "a property name (letters, digits, _ and -), up to 3 levels with '.'"
        return [RuleError(f"{path}.property", message)]
    declared = declared_property_kind(event_type, condition.property)
    if declared is Kind.JSON:
        return [RuleError(f"{path}.property", f"{condition.property!r} of {event_type} is a list or object")]
    kind = Kind.JSON if declared is None or declared is Kind.NUMBER else declared
    spec = FieldSpec(condition.property, kind, True, "")
    errors = _condition(spec, condition.op, condition.value, path, f"property {condition.property!r}")
    if declared is Kind.NUMBER and not errors and condition.op != "is_null":
        errors = _condition(FieldSpec("", Kind.NUMBER, True, ""), condition.op, condition.value, path,
                            f"property {condition.property!r} of {event_type}")  # fmt: skip
    return errors


def _check_aggregate(query: EventQuery, path: str) -> list[RuleError]:
    if query.sum is None:
        if query.value is not None:
            message = "'value' goes with 'sum'; to compare a number of events use 'count'"
            return [RuleError(f"{path}.value", message)]
        return _check_bound(query.count, f"{path}.count", counting=True) if query.count is not None else []
    errors = []
    if query.count is not None:
        errors.append(RuleError(f"{path}.count", "give either 'count' or 'sum' with 'value', not both"))
    if not _PROPERTY_PATH.match(query.sum):
        errors.append(RuleError(f"{path}.sum", "a property name (letters, digits, _ and -)"))
    elif declared_property_kind(query.type, query.sum) not in (None, Kind.NUMBER):
        errors.append(RuleError(f"{path}.sum", f"{query.sum!r} of {query.type} is not a number"))
    if query.value is None:
        errors.append(RuleError(f"{path}.value", "required with 'sum', e.g. {\">=\": 5000}"))
    else:
        errors.extend(_check_bound(query.value, f"{path}.value", counting=False))
    return errors


def _check_bound(bound: Bound, path: str, counting: bool) -> list[RuleError]:
    if not 1 <= len(bound) <= 2:
        return [RuleError(path, 'one or two comparisons, e.g. {">=": 3} or {">=": 1, "<": 5}')]
    errors = []
    for comparator, number in bound.items():
        if counting and (not isinstance(number, int) or number < 0):
            errors.append(RuleError(f'{path}["{comparator}"]', "a count is a whole number, 0 or more"))
        elif abs(number) > 1e15:
            errors.append(RuleError(f'{path}["{comparator}"]', "out of range"))
    return errors


def _check_segment_name(name: str, path: str) -> list[RuleError]:
    if SEGMENT_NAME.match(name):
        return []
    return [RuleError(path, "a segment name: lower-case letters, digits, _ and -, at most 64")]


def _check_standing(leaf: RfmCondition | LifecycleCondition | LadderCondition, path: str) -> list[RuleError]:
    family, names = standing_of(leaf)
    known = STANDING_NAMES[family]
    errors = []
    if not names:
        errors.append(RuleError(f"{path}.{family}", "give at least one name"))
    for name in names:
        if name in known or (family in OPEN_FAMILIES and _custom_name(name, known)):
            continue
        message = f"unknown {family} segment {name!r}; one of: {', '.join(known)}"
        errors.append(RuleError(f"{path}.{family}", message + _suggestion(name, list(known))))
    return errors


def _custom_name(name: str, known: tuple[str, ...]) -> bool:
    """A name of the shop's own RFM table: plain, and not a near miss of a default name."""
    return 0 < len(name) <= 64 and not difflib.get_close_matches(name, known, n=1, cutoff=0.75)


def _check_prediction(leaf: PredictionCondition, path: str) -> list[RuleError]:
    spec = PREDICTIONS.get(leaf.prediction)
    if spec is None:
        names = ", ".join(PREDICTIONS)
        return [RuleError(f"{path}.prediction", f"unknown prediction {leaf.prediction!r}; one of: {names}")]
    return _condition(spec, leaf.op, leaf.value, path, leaf.prediction)


def _suggestion(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


__all__ = ["FIELDS", "check_leaf"]
