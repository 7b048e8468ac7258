"""Gift cards, their entries and holds: every change of a balance is an entry (append-only); the
balance on the card is the sum of its entries, cached so a spend is one conditional UPDATE; a hold
keeps part of it for a checkout until the order captures it or the hold is released."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    text,
)

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime

_ID = BigInteger().with_variant(Integer(), "sqlite")

gift_cards = Table(
    "gift_cards",
    METADATA,
    Column("id", _ID, primary_key=True),
    Column("code", String(44), nullable=False, unique=True),
    Column("currency", String(3), nullable=False),
    Column("balance", BigInteger, nullable=False),  # minor units; the sum of the entries
    # Minor units held by checkouts not yet committed: a spend or a new hold takes only the rest.
    Column("held", BigInteger, nullable=False, server_default=text("0")),
    Column("customer_id", String(128)),
    Column("expires_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint("balance >= 0", name="balance_not_negative"),
    CheckConstraint("held >= 0 AND held <= balance", name="held_within_balance"),
)

gift_card_entries = Table(
    "gift_card_entries",
    METADATA,
    Column("id", _ID, primary_key=True),
    Column("gift_card_id", BigInteger, ForeignKey("gift_cards.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # issued, spent, topped_up, refunded, expired
    Column("amount", BigInteger, nullable=False),  # signed, minor units
    Column("balance_after", BigInteger, nullable=False),
    # What caused it (an order, a refund, a top-up payment): the same source lands once.
    Column("source_key", String(200), nullable=False),
    Column("order_id", String(128)),
    Column("at", UtcDateTime, nullable=False),
    UniqueConstraint("gift_card_id", "source_key", name="uq_gift_card_entries_source"),
)

gift_card_holds = Table(
    "gift_card_holds",
    METADATA,
    Column("id", _ID, primary_key=True),
    Column("gift_card_id", BigInteger, ForeignKey("gift_cards.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),  # minor units
    # What holds it (a checkout reservation): the same key holds once.
    Column("hold_key", String(200), nullable=False, unique=True),
    Column("state", String(16), nullable=False),  # held, captured, released
    Column("expires_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime),
    Column("end_reason", String(32)),  # captured, cancelled, timed_out, card_expired
    CheckConstraint("amount > 0", name="amount_positive"),
    Index("ix_gift_card_holds_state_expires", "state", "expires_at"),
)
