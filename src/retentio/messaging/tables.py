"""Tables owned by the messaging area."""

from sqlalchemy import Column, Index, String, Table, Text

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime

# The on-site inbox (COM-5's banners): what the shop's site shows a customer, one row per message.
onsite_messages = Table(
    "onsite_messages",
    METADATA,
    # Retentio's message id: a resend after a crash finds the row already there.
    Column("message_id", String(255), primary_key=True),
    # The customer's id as the customers area has it (128 characters at most there).
    Column("customer_id", String(128), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("url", Text),
    Column("image_url", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime),
    Column("seen_at", UtcDateTime),
    Column("dismissed_at", UtcDateTime),
    # The site reads one customer's newest messages.
    Index("ix_onsite_messages_customer_id_created_at", "customer_id", "created_at"),
)
