"""Compiling never puts a rule's values into the SQL text: they are all bound parameters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from retentio.db.schema import METADATA  # noqa: F401  (registers every table)
from retentio.segments.custom.compile import compile_rule
from retentio.segments.custom.parse import parse_rule
from retentio.segments.custom.sql_context import CustomerIds, SqlContext

NOW = datetime(2026, 6, 1, tzinfo=UTC)
EVIL = "x'); DROP TABLE customers; --"


def _rule() -> object:
    return {
        "all": [
            {"field": "customer.locale", "op": "=", "value": EVIL},
            {"field": "customer.email", "op": "contains", "value": EVIL},
            {"field": "customer.attributes.tier", "op": "in", "value": [EVIL, "gold"]},
            {"field": "profile.category_purchases.кофе зерно", "op": ">=", "value": 2},
            {
                "event": {
                    "type": "custom.evil",
                    "where": [{"property": "note", "op": "=", "value": EVIL}],
                    "window": {"days": 7},
                    "count": {">=": 3},
                }
            },
            {"not": {"segment": "vip"}},
        ]
    }


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
def test_no_value_of_the_rule_appears_in_the_sql_text(dialect: object) -> None:
    # given
    name = dialect.name  # type: ignore[attr-defined]
    context = SqlContext(NOW, name, "RUB", {"vip": 7}, CustomerIds(["c1", EVIL], name))
    # when
    compiled = compile_rule(parse_rule(_rule()), context).compile(dialect=dialect)  # type: ignore[arg-type]
    # then
    text = str(compiled)
    assert EVIL not in text
    assert "DROP" not in text
    assert "кофе" not in text
    assert "custom.evil" not in text
    assert EVIL in str(compiled.params.values())


def test_money_is_compared_in_minor_units_of_the_store_currency() -> None:
    rule = parse_rule({"field": "profile.revenue", "op": ">=", "value": "1500.50"})
    compiled = compile_rule(rule, SqlContext(NOW, "sqlite", "RUB")).compile(dialect=sqlite.dialect())
    assert 150050 in compiled.params.values()
