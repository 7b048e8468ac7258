"""Tables owned by segments: the signals kept beside the profile, each customer's standing, and the
RFM edges of every refresh.

Signals and standing are keyed by customer alone and read by key, so on SQLite they are clustered on
it (``WITHOUT ROWID``): one B-tree per table instead of a row table plus a key index.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
)

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime, json_type

ID_LENGTH = 128

customer_signals = Table(
    "customer_signals",
    METADATA,
    Column("customer_id", String(ID_LENGTH), ForeignKey("customers.customer_id"), primary_key=True),
    Column("complaints", Integer, nullable=False, default=0),
    Column("negative_feedback", Integer, nullable=False, default=0),
    Column("discounted_orders", Integer, nullable=False, default=0),
    Column("coupon_codes", Integer, nullable=False, default=0),
    Column("margin_minor", BigInteger),
    Column("late_payments", Integer, nullable=False, default=0),
    Column("unpaid_orders", Integer, nullable=False, default=0),
    Column("unpaid_oldest_at", UtcDateTime),
    Column("unpaid_newest_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
    sqlite_with_rowid=False,
)

customer_standing = Table(
    "customer_standing",
    METADATA,
    Column("customer_id", String(ID_LENGTH), ForeignKey("customers.customer_id"), primary_key=True),
    Column("rfm_recency", SmallInteger),
    Column("rfm_frequency", SmallInteger),
    Column("rfm_monetary", SmallInteger),
    Column("rfm_segment", String(64)),
    Column("lifecycle", String(16), nullable=False),
    Column("lifecycle_since", UtcDateTime),
    Column("ladder", String(16), nullable=False),
    Column("ladder_since", UtcDateTime),
    Column("bad_score", SmallInteger, nullable=False),
    Column("bad_customer", Boolean, nullable=False),
    Column("bad_reasons", json_type(), nullable=False),
    Column("do_not_incentivize", Boolean, nullable=False),
    Column("reward_propensity", String(16)),  # NULL until the personal facts are computed
    Column("preferred_channel", String(16)),
    Column("preferred_hour", SmallInteger),
    Column("usual_interval_days", Float),
    # When the standing may next change with no new event: the sweep's work list.
    Column("next_due_at", UtcDateTime),
    Column("computed_at", UtcDateTime, nullable=False),
    Index("ix_customer_standing_next_due_at", "next_due_at"),
    sqlite_with_rowid=False,
)

rfm_thresholds = Table(
    "rfm_thresholds",
    METADATA,
    Column("computed_at", UtcDateTime, primary_key=True),
    Column("buyers", Integer, nullable=False),
    # Four edges each: last-order instants (epoch seconds), orders, net revenue in minor units.
    Column("recency_edges", json_type(), nullable=False),
    Column("frequency_edges", json_type(), nullable=False),
    Column("monetary_edges", json_type(), nullable=False),
    # The settings the standing was decided with: a refresh under other settings re-decides everyone.
    Column("config_digest", String(64), nullable=False),
)
