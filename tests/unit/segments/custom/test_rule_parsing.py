"""The rule language: what is accepted, and how each wrong part is named by its path."""

from __future__ import annotations

import tracemalloc

import pytest

from retentio.segments.custom.errors import InvalidRule
from retentio.segments.custom.model import (
    AllOf,
    EventCondition,
    FieldCondition,
    NotOf,
    referenced_segments,
    to_document,
)
from retentio.segments.custom.parse import MAX_DEPTH, load_text, parse_definition, parse_rule

COFFEE_LAPSING = {
    "all": [
        {
            "event": {
                "type": "product_viewed",
                "where": [{"property": "category", "op": "=", "value": "coffee"}],
                "window": {"days": 7},
                "count": {">=": 3},
            }
        },
        {"event": {"type": "order_placed", "window": {"days": 30}, "count": {"=": 0}}},
    ]
}


def _errors(raw: object) -> list[tuple[str, str]]:
    with pytest.raises(InvalidRule) as caught:
        parse_rule(raw)
    return [(error.path, error.message) for error in caught.value.errors]


def test_a_rule_parses_into_typed_nodes_and_dumps_back_unchanged() -> None:
    # when
    rule = parse_rule(COFFEE_LAPSING)
    # then
    assert isinstance(rule, AllOf)
    first = rule.all[0]
    assert isinstance(first, EventCondition)
    assert first.event.window.total_hours == 7 * 24
    assert first.event.bound == {">=": 3}
    assert to_document(rule) == COFFEE_LAPSING


def test_every_kind_of_condition_is_accepted() -> None:
    rule = parse_rule(
        {
            "any": [
                {"field": "profile.orders", "op": "between", "value": [1, 3]},
                {"field": "customer.attributes.tier", "op": "in", "value": ["gold", "silver"]},
                {"field": "profile.days_since_activity.email", "op": ">=", "value": 30},
                {"field": "profile.category_purchases.coffee", "op": ">", "value": 0},
                {"field": "customer.email", "op": "is_null"},
                {"not": {"segment": "vip"}},
                {"rfm": ["Champions", "Loyal"]},
                {"lifecycle": "at_risk"},
                {"prediction": "p_alive", "op": "<", "value": 0.3},
                {
                    "event": {
                        "type": "order_placed",
                        "sum": "total",
                        "window": {"hours": 36},
                        "value": {">=": 5000, "<": 20000},
                    }
                },
                {"event": {"type": "custom.webinar_attended", "window": {"days": 730}}},
            ]
        }
    )
    assert referenced_segments(rule) == {"vip"}


def test_a_missing_count_means_at_least_one_event() -> None:
    rule = parse_rule({"event": {"type": "app_opened", "window": {"days": 1}}})
    assert isinstance(rule, EventCondition)
    assert rule.event.bound == {">=": 1}


def test_yaml_with_a_description_is_read_and_its_dates_become_iso_text() -> None:
    # given
    text = """
description: Кофеманы, которые давно не заказывали
rule:
  all:
    - field: profile.first_order_at
      op: ">="
      value: 2026-01-31
    - not:
        event: {type: order_placed, window: {days: 30}}
"""
    # when
    definition = parse_definition(load_text(text))
    # then
    assert definition.description == "Кофеманы, которые давно не заказывали"
    assert isinstance(definition.rule, AllOf)
    condition = definition.rule.all[0]
    assert isinstance(condition, FieldCondition)
    assert condition.value == "2026-01-31"
    assert isinstance(definition.rule.all[1], NotOf)


def test_json_text_is_read_as_json() -> None:
    assert parse_definition(load_text('{"segment": "vip"}')).rule == parse_rule({"segment": "vip"})


@pytest.mark.parametrize(
    ("raw", "path", "message"),
    [
        (
            {"all": [{"field": "profile.orders", "op": ">=", "value": 1}, {"event": {"type": "search"}}]},
            "rule.all[1].event.window",
            "bounded",
        ),
        ({"event": {"type": "search", "window": {}}}, "rule.event.window", "unbounded windows are refused"),
        ({"event": {"type": "search", "window": {"days": 731}}}, "rule.event.window", "at most 730 days"),
        ({"event": {"type": "search", "window": {"days": 0}}}, "rule.event.window", "longer than zero"),
        ({"field": "profile.order", "op": ">=", "value": 3}, "rule.field", "did you mean 'profile.orders'"),
        ({"field": "profile.orders", "op": ">=", "value": "3"}, "rule.value", "takes a whole number"),
        ({"field": "profile.orders", "op": ">=", "value": True}, "rule.value", "takes a whole number"),
        (
            {"field": "customer.locale", "op": "<", "value": "ru"},
            "rule.op",
            "does not apply to customer.locale",
        ),
        ({"field": "profile.orders", "op": "is_null"}, "rule.op", "always has a value"),
        ({"field": "profile.orders", "op": "in", "value": [1, "x"]}, "rule.value[1]", "whole number"),
        ({"field": "profile.orders", "op": "in", "value": []}, "rule.value", "list of 1 to 1000"),
        ({"field": "profile.revenue", "op": "between", "value": [500, 100]}, "rule.value", "above high"),
        ({"field": "profile.revenue", "op": ">=", "value": "1.23456"}, "rule.value", "4 digits"),
        ({"field": "profile.last_order_at", "op": ">", "value": "yesterday"}, "rule.value", "ISO 8601"),
        ({"field": "customer.birthday_month", "op": "=", "value": 13}, "rule.value", "1 to 12"),
        ({"field": "profile.last_activity.fax", "op": ">", "value": "2026-01-01"}, "rule.field", "channels"),
        ({"field": "customer.attributes.a b", "op": "=", "value": 1}, "rule.field", "letters, digits"),
        ({"field": "customer.attributes.tier", "op": ">", "value": "gold"}, "rule.op", "(text)"),
        (
            {"field": "customer.attributes.tier", "op": "=", "value": {"x": 1}},
            "rule.value",
            "a text, a number",
        ),
        ({"event": {"type": "product_viewd", "window": {"days": 1}}}, "rule.event.type", "custom types"),
        (
            {"event": {"type": "order_placed", "sum": "items", "window": {"days": 1}, "value": {">": 1}}},
            "rule.event.sum",
            "not a number",
        ),
        (
            {"event": {"type": "order_placed", "sum": "total", "window": {"days": 1}}},
            "rule.event.value",
            "required",
        ),
        (
            {"event": {"type": "search", "window": {"days": 1}, "count": {">=": 1.5}}},
            'rule.event.count[">="]',
            "whole",
        ),
        (
            {"event": {"type": "search", "window": {"days": 1}, "count": {">==": 1}}},
            'rule.event.count[">=="]',
            "=",
        ),
        (
            {"event": {"type": "search", "window": {"days": 1}, "value": {">": 1}}},
            "rule.event.value",
            "goes with 'sum'",
        ),
        (
            {
                "event": {
                    "type": "search",
                    "window": {"days": 1},
                    "where": [{"property": "query", "op": ">", "value": "a"}],
                }
            },
            "rule.event.where[0].op",
            "does not apply",
        ),
        (
            {
                "event": {
                    "type": "order_placed",
                    "window": {"days": 1},
                    "where": [{"property": "items", "op": "is_null"}],
                }
            },
            "rule.event.where[0].property",
            "list or object",
        ),
        ({"segment": "VIP!"}, "rule.segment", "lower-case"),
        ({"rfm": "Champion"}, "rule.rfm", "did you mean 'Champions'"),
        ({"lifecycle": ["new", "sleeping"]}, "rule.lifecycle", "unknown lifecycle segment 'sleeping'"),
        ({"prediction": "p_dead", "op": "<", "value": 0.3}, "rule.prediction", "unknown prediction"),
        ({"prediction": "p_alive", "op": "<", "value": "low"}, "rule.value", "takes a number"),
        ({"field": "profile.orders", "op": ">=", "value": 1, "extra": 2}, "rule.extra", "unknown key"),
        ({"all": [{"segment": "a"}], "any": []}, "rule", "exactly one kind; this one holds all and any"),
        ({"all": []}, "rule.all", "a list of 1 to 50"),
        ({"any": [5]}, "rule.any[0]", "expected a condition object"),
        ("vip", "rule", "expected a condition object"),
    ],
)
def test_a_wrong_rule_is_refused_with_the_path_of_the_wrong_part(
    raw: object, path: str, message: str
) -> None:
    errors = _errors(raw)
    assert any(where == path and message in text for where, text in errors), errors


def test_every_wrong_part_is_reported_at_once() -> None:
    errors = _errors(
        {
            "all": [
                {"field": "profile.orders", "op": ">=", "value": "x"},
                {"event": {"type": "search"}},
            ]
        }
    )
    assert [path for path, _ in errors] == ["rule.all[0].value", "rule.all[1].event.window"]


def test_nesting_deeper_than_the_limit_is_refused_without_walking_further() -> None:
    # given a chain of "not" one level too deep
    raw: object = {"segment": "a"}
    for _ in range(MAX_DEPTH + 1):
        raw = {"not": raw}
    # when / then
    errors = _errors(raw)
    assert errors == [("rule" + ".not" * MAX_DEPTH, f"nested deeper than {MAX_DEPTH} levels of all/any/not")]


def test_nesting_up_to_the_limit_is_accepted() -> None:
    raw: object = {"segment": "a"}
    for _ in range(MAX_DEPTH):
        raw = {"not": raw}
    assert parse_rule(raw) is not None


def test_a_rule_with_too_many_conditions_is_refused() -> None:
    many = {"any": [{"all": [{"segment": f"s{i}_{j}"} for j in range(50)]} for i in range(5)]}
    assert ("rule.any[3].all[45]", "a rule holds at most 200 conditions") in _errors(many)


def test_too_many_event_conditions_are_refused() -> None:
    conditions = [{"event": {"type": "search", "window": {"days": 1}}} for _ in range(21)]
    assert ("rule", "more than 20 event conditions") in _errors({"any": conditions})


def test_text_that_is_neither_json_nor_yaml_is_refused() -> None:
    with pytest.raises(InvalidRule, match="not valid JSON or YAML"):
        load_text('{"all": [')


def test_a_huge_rule_text_is_refused_before_parsing() -> None:
    with pytest.raises(InvalidRule, match="larger than"):
        load_text("a" * (64 * 1024 + 1))


# 342 bytes that a YAML loader expanding aliases turns into 9**9 "lol"s (gigabytes).
BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_yaml_aliases_are_refused_before_anything_expands() -> None:
    # given
    tracemalloc.start()
    # when
    try:
        with pytest.raises(InvalidRule) as caught:
            load_text(BILLION_LAUGHS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # then: refused with the reason, having used next to no memory
    assert [(error.path, error.message) for error in caught.value.errors] == [
        (
            "rule",
            "YAML anchors and aliases (&name, *name) are not allowed in a rule file;"
            " found &a at line 1, column 4",
        )
    ]
    assert peak < 1024 * 1024


def test_a_lone_yaml_alias_is_refused_too() -> None:
    with pytest.raises(InvalidRule, match=r"found \*x at line 2, column 12"):
        load_text("rule:\n  segment: *x\n")


def test_a_rule_file_with_unknown_top_level_keys_is_refused() -> None:
    with pytest.raises(InvalidRule) as caught:
        parse_definition({"rule": {"segment": "a"}, "owner": "me"})
    assert caught.value.errors[0].path == "owner"
