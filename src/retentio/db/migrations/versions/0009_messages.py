"""messages: templates, messages asked for and where they stand, suppressions, secrets, on-site inbox

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retentio.db.types import UtcDateTime, json_type

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message_templates",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("definition", json_type(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_message_templates")),
    )
    op.create_table(
        "messages",
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("template", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("channels", json_type(), nullable=False),
        sa.Column("until_seen", sa.Boolean(), nullable=False),
        sa.Column("deliver_within_seconds", sa.Integer(), nullable=False),
        sa.Column("seen_within_seconds", sa.Integer(), nullable=False),
        sa.Column("variables", json_type(), nullable=False),
        sa.Column("requested_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("due_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("valid_until", UtcDateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("provider_id", sa.String(length=255), nullable=True),
        sa.Column("consent_change_id", sa.Integer(), nullable=True),
        sa.Column("steps", json_type(), nullable=False),
        sa.Column("sent_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_messages")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_messages_idempotency_key")),
    )
    op.create_index("ix_messages_customer_requested", "messages", ["customer_id", "requested_at"])
    op.create_index("ix_messages_provider_id", "messages", ["provider_id"])
    op.create_table(
        "suppressions",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=512), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("customer_id", sa.String(length=128), nullable=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "address", name=op.f("pk_suppressions")),
    )
    op.create_table(
        "messaging_secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_messaging_secrets")),
    )
    op.create_table(
        "onsite_messages",
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("image_url", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("seen_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("dismissed_at", UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_onsite_messages")),
    )
    op.create_index(
        "ix_onsite_messages_customer_id_created_at", "onsite_messages", ["customer_id", "created_at"]
    )
    # No message was sent before this revision, so no event already logged reports on one: the
    # messages consumer starts at the end of the log instead of reading all of it once.
    op.execute(
        "INSERT INTO consumer_checkpoints (consumer, tx, event_row, updated_at) "
        "SELECT 'messages', tx, id, received_at FROM events ORDER BY tx DESC, id DESC LIMIT 1"
    )


def downgrade() -> None:
    op.execute("DELETE FROM consumer_checkpoints WHERE consumer = 'messages'")
    op.drop_index("ix_onsite_messages_customer_id_created_at", table_name="onsite_messages")
    op.drop_table("onsite_messages")
    op.drop_table("messaging_secrets")
    op.drop_table("suppressions")
    op.drop_index("ix_messages_provider_id", table_name="messages")
    op.drop_index("ix_messages_customer_requested", table_name="messages")
    op.drop_table("messages")
    op.drop_table("message_templates")
