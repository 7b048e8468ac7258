"""Migration 0010 moves the tokens kept in ``customers.push_tokens`` into ``push_devices``: app tokens
and web push subscriptions told apart as the sender did, dead ones (suppressed) and unusable ones
moved as removed, a merged-away record's given to its survivor; the way down leaves the live tokens."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import Engine, String, column, insert, inspect, select, table, text

from retentio.db.migrate import current_revision, downgrade, head_revision, upgrade
from retentio.db.types import UtcDateTime, json_type

SUBSCRIPTION = {
    "endpoint": "https://fcm.googleapis.com/fcm/send/abc",
    "expirationTime": None,
    "keys": {"p256dh": "BNcRdreALRFX", "auth": "tBHItJI5svbp"},
}
CANONICAL = (
    '{"endpoint":"https://fcm.googleapis.com/fcm/send/abc",'
    '"keys":{"p256dh":"BNcRdreALRFX","auth":"tBHItJI5svbp"}}'
)


# The tables as 0009 left them, typed as the code of then wrote them.
OLD_CUSTOMERS = table(
    "customers",
    column("customer_id", String()),
    column("push_tokens", json_type()),
    column("attributes", json_type()),
    column("merged_into", String()),
    column("created_at", UtcDateTime()),
    column("updated_at", UtcDateTime()),
)
OLD_SUPPRESSIONS = table(
    "suppressions",
    *(column(name, String()) for name in ("channel", "address", "reason", "detail", "customer_id")),
    column("created_at", UtcDateTime()),
)


def _old_customer(
    engine: Engine, customer_id: str, tokens: list[str], at: datetime, into: str | None
) -> None:
    values = {
        "push_tokens": tokens,
        "attributes": {},
        "merged_into": into,
        "created_at": at,
        "updated_at": at,
    }
    with engine.begin() as connection:
        connection.execute(insert(OLD_CUSTOMERS).values(customer_id=customer_id, **values))


def test_the_tokens_of_the_0009_schema_become_devices(engine: Engine, now: datetime) -> None:
    # given the schema of 0009 and customers as it kept them
    downgrade(engine, "0010")
    assert "push_devices" not in inspect(engine).get_table_names()
    dead_at = now - timedelta(days=3)
    _old_customer(engine, "anna", [" phone-1", json.dumps(SUBSCRIPTION), "dead-phone"], now, None)
    _old_customer(engine, "boris", ['{"endpoint": "https://push.example/x"}'], now, None)
    _old_customer(engine, "anna-shop", ["phone-1", "tablet-9"], now, "anna")
    _old_customer(engine, "vera", [], now, None)
    with engine.begin() as connection:
        connection.execute(
            insert(OLD_SUPPRESSIONS).values(
                channel="push",
                address="dead-phone",
                reason="dead_token",
                detail="FCM HTTP 404 UNREGISTERED",
                customer_id="anna",
                created_at=dead_at,
            )
        )
    # when
    upgrade(engine)
    # then
    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as connection:
        columns = "customer_id, platform, token, p256dh, auth, removed_reason"
        devices = connection.execute(text(f"SELECT {columns} FROM push_devices ORDER BY id")).all()
        removed_at = connection.execute(
            select(column("removed_at", UtcDateTime()))
            .select_from(table("push_devices"))
            .where(text("token = 'dead-phone'"))
        ).scalar_one()
    assert [tuple(row) for row in devices] == [
        ("anna", "fcm", "phone-1", None, None, None),
        ("anna", "web", SUBSCRIPTION["endpoint"], "BNcRdreALRFX", "tBHItJI5svbp", None),
        ("anna", "fcm", "dead-phone", None, None, "FCM HTTP 404 UNREGISTERED"),
        (
            "boris",
            "web",
            '{"endpoint": "https://push.example/x"}',
            None,
            None,
            "not a web push subscription (moved from push_tokens)",
        ),
        ("anna", "fcm", "tablet-9", None, None, None),  # from the record merged into Anna's
    ]
    assert removed_at == dead_at  # dead since the suppression
    # and the records keep the live devices' addresses
    assert tokens_now(engine) == {
        "anna": ["phone-1", CANONICAL, "tablet-9"],
        "boris": [],
        "anna-shop": [],
        "vera": [],
    }
    # and the way down removes the tables, leaving the record's tokens
    downgrade(engine, "0010")
    assert "push_devices" not in inspect(engine).get_table_names()
    assert "push_sends" not in inspect(engine).get_table_names()
    assert tokens_now(engine)["anna"] == ["phone-1", CANONICAL, "tablet-9"]
    upgrade(engine)  # the database is shared with the next tests on PostgreSQL


def tokens_now(engine: Engine) -> dict[str, list[str]]:
    with engine.connect() as connection:
        query = select(OLD_CUSTOMERS.c.customer_id, OLD_CUSTOMERS.c.push_tokens)
        return {row.customer_id: row.push_tokens for row in connection.execute(query)}
