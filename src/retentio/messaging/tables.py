"""Messaging's tables: the templates, every message asked for with where it stands, and the
addresses that must not be written to again."""

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime, json_type

ID_LENGTH = 128

message_templates = Table(
    "message_templates",
    METADATA,
    Column("name", String(100), primary_key=True),
    # The template as ``templates.model`` reads and writes it: per-channel, per-locale bodies.
    Column("definition", json_type(), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

messages = Table(
    "messages",
    METADATA,
    # Derived from the idempotency key (``requests.message_id_for``): the same on every retry, and the
    # provider's idempotency key and the email's Message-ID.
    Column("message_id", String(64), primary_key=True),
    Column("idempotency_key", String(255), nullable=False, unique=True),
    Column("customer_id", String(ID_LENGTH), nullable=False),
    Column("template", String(100), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("priority", Integer, nullable=False),
    # The channel strategy: the channels in order, or ["auto"] (chosen per customer), and when to
    # move on to the next channel.
    Column("channels", json_type(), nullable=False),
    Column("until_seen", Boolean, nullable=False),
    Column("incentive", Boolean, nullable=False, default=False),
    Column("deliver_within_seconds", Integer, nullable=False),
    Column("seen_within_seconds", Integer, nullable=False),
    # What the template may use beyond the customer: an order, a cart, a coupon...
    Column("variables", json_type(), nullable=False),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("valid_until", UtcDateTime),
    # waiting → sending → sent → delivered → seen; or failed, not_sent, expired (``status.State``).
    Column("state", String(16), nullable=False),
    Column("reason", String(32)),  # why not sent or failed: ``status.Reason``
    Column("detail", Text),  # the provider's or the rule's own words
    Column("channel", String(16)),  # the channel of the latest step
    Column("provider_id", String(255)),
    # The consent record (consent_changes.id) the send relied on: 38-FZ art. 18 asks the sender to
    # prove prior consent.
    Column("consent_change_id", Integer),
    # Each channel tried, in order: channel, recipient, times sent/delivered/seen, outcome.
    Column("steps", json_type(), nullable=False),
    Column("sent_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_messages_customer_requested", "customer_id", "requested_at"),
    Index("ix_messages_provider_id", "provider_id"),
)

suppressions = Table(
    "suppressions",
    METADATA,
    Column("channel", String(16), primary_key=True),
    # An email address (lower case), an E.164 phone, a chat id, a device token.
    Column("address", String(512), primary_key=True),
    Column("reason", String(32), nullable=False),  # hard_bounce, complaint, blocked, dead_token, unsubscribed
    Column("detail", Text),
    Column("customer_id", String(ID_LENGTH)),
    Column("created_at", UtcDateTime, nullable=False),
)

# Secrets messaging made for itself (the link-signing key when settings give none), so every process
# on one database signs and checks links alike.
messaging_secrets = Table(
    "messaging_secrets",
    METADATA,
    Column("name", String(64), primary_key=True),
    Column("value", String(128), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

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

# Each device a push message went to and the provider's id of it (``channels.devices``): a resend
# after a crash skips the devices already here, and a provider's report names the message it is about.
push_sends = Table(
    "push_sends",
    METADATA,
    Column("message_id", String(64), primary_key=True),
    Column("device_id", Integer, primary_key=True),  # push_devices.id (customers' table)
    Column("provider_id", String(1000), nullable=False),
    Column("sent_at", UtcDateTime, nullable=False),
    Index("ix_push_sends_provider_id", "provider_id"),
)
