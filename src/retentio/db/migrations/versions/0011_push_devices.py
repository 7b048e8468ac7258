"""push devices: a table of each customer's app tokens and web push subscriptions, and of the devices
each push message went to; the tokens kept in customers.push_tokens move into it

Until now a customer's ``push_tokens`` was a JSON list: app tokens, and web push subscriptions as
their JSON text (told apart as the sender did: a text starting with ``{``). Each becomes a device:
a subscription with its endpoint and keys (platform ``web``), any other text an app token (platform
``fcm``: the list never said which provider; the push channel sends app tokens through whichever is
configured). A token the suppressions list holds as dead is moved as a removed device; an entry that
starts as JSON but is no subscription is moved as removed too ("not a web push subscription"), so
nothing is lost. A record merged away gives its tokens to the survivor (the survivor's own first).
``push_tokens`` stays, rewritten as the live devices' addresses (the segment rules read it).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 21:45:00
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from retentio.db.types import UtcDateTime, json_type

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOT_A_SUBSCRIPTION = "not a web push subscription (moved from push_tokens)"


def upgrade() -> None:
    op.create_table(
        "push_devices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("p256dh", sa.String(length=255), nullable=True),
        sa.Column("auth", sa.String(length=255), nullable=True),
        sa.Column("app_id", sa.String(length=255), nullable=True),
        sa.Column("device_ref", sa.String(length=255), nullable=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("removed_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.customer_id"],
            name=op.f("fk_push_devices_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_devices")),
        sa.UniqueConstraint("platform", "token", name=op.f("uq_push_devices_platform_token")),
    )
    op.create_index("ix_push_devices_customer_id", "push_devices", ["customer_id"])
    op.create_table(
        "push_sends",
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=1000), nullable=False),
        sa.Column("sent_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("message_id", "device_id", name=op.f("pk_push_sends")),
    )
    op.create_index("ix_push_sends_provider_id", "push_sends", ["provider_id"])
    _move_tokens(op.get_bind())


def downgrade() -> None:
    # push_tokens already holds the live devices' addresses, as the old code read them.
    op.drop_index("ix_push_sends_provider_id", table_name="push_sends")
    op.drop_table("push_sends")
    op.drop_index("ix_push_devices_customer_id", table_name="push_devices")
    op.drop_table("push_devices")


_customers = sa.table(
    "customers",
    sa.column("customer_id", sa.String()),
    sa.column("push_tokens", json_type()),
    sa.column("merged_into", sa.String()),
    sa.column("updated_at", UtcDateTime()),
)
_suppressions = sa.table(
    "suppressions",
    sa.column("channel", sa.String()),
    sa.column("address", sa.String()),
    sa.column("detail"),
    sa.column("created_at", UtcDateTime()),
)
_devices = sa.table(
    "push_devices",
    *(
        sa.column(name)
        for name in ("customer_id", "platform", "token", "p256dh", "auth", "created_at", "last_seen_at")
    ),
    sa.column("removed_at", UtcDateTime()),
    sa.column("removed_reason"),
)


def _move_tokens(connection: sa.Connection) -> None:
    dead = {
        (row.channel, row.address.strip()): (row.detail or "dead_token", row.created_at)
        for row in connection.execute(
            sa.select(_suppressions).where(_suppressions.c.channel.in_(["push", "web_push"]))
        )
    }
    rows: list[dict[str, Any]] = []
    live: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()
    # Survivors first, then records merged away (a pointer to the survivor): their tokens are the
    # survivor's, as a merge moves devices now.
    merged_last = sa.case((_customers.c.merged_into.is_(None), 0), else_=1)
    query = sa.select(_customers).order_by(merged_last, _customers.c.customer_id)
    for customer in connection.execute(query):
        tokens = customer.push_tokens if isinstance(customer.push_tokens, list) else []
        if not tokens:
            continue
        owner = customer.merged_into or customer.customer_id
        live.setdefault(customer.customer_id, [])
        live.setdefault(owner, [])
        for token in tokens:
            if not isinstance(token, str) or not token.strip():
                continue
            device = _device(token)
            if (device["platform"], device["token"]) in seen:
                continue  # one device: the first customer keeps it
            seen.add((device["platform"], device["token"]))
            channel = "web_push" if device["platform"] == "web" else "push"
            stamp = customer.updated_at
            # Removed when the suppressions list has it dead (since then), or when it is unusable.
            reason, removed_at = dead.get((channel, token.strip()), (device.pop("reason", None), stamp))
            rows.append(
                {
                    **device,
                    "customer_id": owner,
                    "created_at": stamp,
                    "last_seen_at": stamp,
                    "removed_at": removed_at if reason else None,
                    "removed_reason": reason,
                }
            )
            if not reason:
                live[owner].append(_address(device))
    if rows:
        connection.execute(sa.insert(_devices), rows)
    for customer_id, addresses in live.items():
        connection.execute(
            sa.update(_customers).where(_customers.c.customer_id == customer_id).values(push_tokens=addresses)
        )


def _device(token: str) -> dict[str, Any]:
    """As the sender told them apart: a text starting with ``{`` is a web push subscription."""
    if not token.lstrip().startswith("{"):
        return {"platform": "fcm", "token": token.strip(), "p256dh": None, "auth": None}
    try:
        subscription = json.loads(token)
        endpoint, keys = subscription["endpoint"], subscription["keys"]
        p256dh, auth = keys["p256dh"], keys["auth"]
        if not all(isinstance(part, str) and part for part in (endpoint, p256dh, auth)):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return {
            "platform": "web",
            "token": token,
            "p256dh": None,
            "auth": None,
            "reason": _NOT_A_SUBSCRIPTION,
        }
    return {"platform": "web", "token": endpoint, "p256dh": p256dh, "auth": auth}


def _address(device: dict[str, Any]) -> str:
    if device["platform"] != "web":
        return str(device["token"])
    keys = {"p256dh": device["p256dh"], "auth": device["auth"]}
    return json.dumps({"endpoint": device["token"], "keys": keys}, separators=(",", ":"))
