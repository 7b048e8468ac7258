"""The referrals' tables: each customer's code, each friend's attribution and its progress, the
refusals with their reasons, and the address and payment fingerprints seen on customers' orders."""

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, UniqueConstraint

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime

ID_LENGTH = 128
PROGRAMME_LENGTH = 64
CODE_LENGTH = 44
FINGERPRINT_LENGTH = 128

referral_codes = Table(
    "referral_codes",
    METADATA,
    Column("programme", String(PROGRAMME_LENGTH), primary_key=True),
    Column("customer_id", String(ID_LENGTH), primary_key=True),
    # Normalised (no dashes); shown grouped by four.
    Column("code", String(CODE_LENGTH), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("programme", "code"),
)

referrals = Table(
    "referrals",
    METADATA,
    Column("programme", String(PROGRAMME_LENGTH), primary_key=True),
    # A friend is referred once per programme, by whoever's code came first.
    Column("friend_id", String(ID_LENGTH), primary_key=True),
    Column("referrer_id", String(ID_LENGTH), nullable=False),
    Column("code", String(CODE_LENGTH), nullable=False),
    Column("event_id", String(ID_LENGTH), nullable=False),
    Column("attributed_at", UtcDateTime, nullable=False),
    # waiting (no paid order yet) → paid (the return window runs) → rewarded; or returned (the first
    # paid order was cancelled or returned), refused (a rule at reward time), history (backfilled).
    Column("status", String(16), nullable=False),
    Column("order_id", String(ID_LENGTH)),
    Column("paid_at", UtcDateTime),
    Column("window_closes_at", UtcDateTime),
    Column("rewarded_at", UtcDateTime),
    Column("referrer_points", BigInteger, nullable=False, default=0),
    Column("friend_points", BigInteger, nullable=False, default=0),
    Index("ix_referrals_referrer", "programme", "referrer_id", "attributed_at"),
    Index("ix_referrals_status_window", "status", "window_closes_at"),
)

referral_refusals = Table(
    "referral_refusals",
    METADATA,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("programme", String(PROGRAMME_LENGTH), nullable=False),
    # The event refused (its id), or ``order:<id>`` for a refusal at the window's close.
    Column("source", String(255), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("detail", String(500), nullable=False),
    Column("code", String(CODE_LENGTH)),
    Column("referrer_id", String(ID_LENGTH)),
    Column("friend_id", String(ID_LENGTH)),
    Column("order_id", String(ID_LENGTH)),
    Column("refused_at", UtcDateTime, nullable=False),
    UniqueConstraint("programme", "source"),
    Index("ix_referral_refusals_refused_at", "refused_at"),
)

referral_fingerprints = Table(
    "referral_fingerprints",
    METADATA,
    # address or payment: the shop's hash of a shipping address or a payment instrument.
    Column("kind", String(16), primary_key=True),
    Column("value", String(FINGERPRINT_LENGTH), primary_key=True),
    Column("customer_id", String(ID_LENGTH), primary_key=True),
    Column("first_seen_at", UtcDateTime, nullable=False),
    # The rules look up one customer's fingerprints, then who else has them.
    Index("ix_referral_fingerprints_customer", "customer_id"),
)
