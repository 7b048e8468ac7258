"""The tables of earning: members and their tiers, the tier history, each order's points, the
rewards refused, and when each programme started."""

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
)

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime

ID_LENGTH = 128
PROGRAMME_LENGTH = 64
LEVEL_LENGTH = 64
TEXT_LENGTH = 255

# One row per programme and customer enrolled, with the tier as ``evaluate_tier`` left it.
loyalty_members = Table(
    "loyalty_members",
    METADATA,
    Column("programme", String(PROGRAMME_LENGTH), nullable=False),
    Column("customer_id", String(ID_LENGTH), nullable=False),
    Column("enrolled_at", UtcDateTime, nullable=False),
    # NULL when the programme has no tiers.
    Column("tier", String(LEVEL_LENGTH)),
    Column("tier_since", UtcDateTime),
    # Reviews fall on this instant's dates (the tier's start or the enrolment, by ``review_from``).
    Column("tier_anchor", UtcDateTime),
    # The tier's start or the last review it passed.
    Column("tier_confirmed_at", UtcDateTime),
    Column("next_review", UtcDateTime),
    # Short at a review: the tier is kept until then unless a purchase renews it.
    Column("grace_until", UtcDateTime),
    # When the daily work must look at the tier again: the end of the grace period or the next review.
    Column("tier_due_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("programme", "customer_id"),
    Index("ix_loyalty_members_tier_due_at", "tier_due_at"),
)

# Every tier change, as the ``tier_changed`` event it wrote says it.
loyalty_tier_changes = Table(
    "loyalty_tier_changes",
    METADATA,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("programme", String(PROGRAMME_LENGTH), nullable=False),
    Column("customer_id", String(ID_LENGTH), nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
    Column("from_tier", String(LEVEL_LENGTH)),
    Column("to_tier", String(LEVEL_LENGTH), nullable=False),
    # enrolment (the tier the history gave at enrolment), upgrade, downgrade (a review after grace).
    Column("reason", String(32), nullable=False),
    Column("event_id", String(TEXT_LENGTH), nullable=False, unique=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    Index("ix_loyalty_tier_changes_customer_id", "customer_id", "programme", "changed_at"),
)

# What each order earned in each programme, and how much of its money was taken back so far: a return
# reverses the share of the order newly returned, and a re-sent event finds nothing new to do.
loyalty_order_points = Table(
    "loyalty_order_points",
    METADATA,
    Column("programme", String(PROGRAMME_LENGTH), nullable=False),
    Column("order_id", String(ID_LENGTH), nullable=False),
    Column("customer_id", String(ID_LENGTH), nullable=False),
    Column("placed_at", UtcDateTime, nullable=False),
    Column("points", BigInteger, nullable=False),
    # What the points were counted on (the order's total), and how much of it returns took back.
    Column("total_minor", BigInteger, nullable=False),
    Column("reversed_minor", BigInteger, nullable=False),
    Column("cancelled", Integer, nullable=False),
    # Why the order earned nothing (before_programme_start, historical, ...), or NULL.
    Column("not_earned", String(64)),
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("programme", "order_id"),
    Index("ix_loyalty_order_points_customer_id", "customer_id", "programme"),
)

# Rewards not given and why (do_not_incentivize, before_programme_start): queryable, one row a source.
loyalty_refusals = Table(
    "loyalty_refusals",
    METADATA,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("programme", String(PROGRAMME_LENGTH), nullable=False),
    Column("customer_id", String(ID_LENGTH), nullable=False),
    Column("source", String(TEXT_LENGTH), nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("reason", String(64), nullable=False),
    Column("refused_at", UtcDateTime, nullable=False),
    UniqueConstraint("programme", "customer_id", "source"),
)

# When each programme started: its ``starts_at`` setting, or the first time the consumer ran it.
loyalty_programme_starts = Table(
    "loyalty_programme_starts",
    METADATA,
    Column("programme", String(PROGRAMME_LENGTH), primary_key=True),
    Column("started_at", UtcDateTime, nullable=False),
)
