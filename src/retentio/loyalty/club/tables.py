"""The club's tables: every term (what bought or earned it, and whether a cancellation or return
ended it) and the membership the live terms add up to, per programme and customer."""

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, false

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime

club_terms = Table(
    "club_terms",
    METADATA,
    Column("programme", String(64), primary_key=True),
    # order:<id> (bought), earned:<order id> (earned by buying), or the granting caller's key.
    Column("source", String(255), primary_key=True),
    Column("customer_id", String(128), nullable=False),
    Column("via", String(16), nullable=False),  # paid, earned, tier
    Column("bought_at", UtcDateTime, nullable=False),
    Column("months", Integer, nullable=False),
    # A cancelled or returned club order ends the term it bought.
    Column("ended", Boolean, nullable=False, server_default=false()),
    Column("ended_reason", String(32)),
    Index("ix_club_terms_customer", "programme", "customer_id"),
)

club_memberships = Table(
    "club_memberships",
    METADATA,
    Column("programme", String(64), primary_key=True),
    Column("customer_id", String(128), primary_key=True),
    Column("status", String(16), nullable=False),  # active, lapsed, ended
    Column("via", String(16), nullable=False),  # how the current run of terms began
    Column("started_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    # ends_at plus the grace period: a member until then, lapsed after.
    Column("lapses_at", UtcDateTime, nullable=False),
    # The ends_at a renewal reminder was sent for: a renewal moves ends_at, and the next one is sent.
    Column("reminded_for", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_club_memberships_status_ends", "status", "ends_at"),
)
