"""The occasions' tables: the repurchase interval of each product (from the catalogue or learned by
the daily sweep), and the carts and views waiting to become an offer if no order follows."""

from sqlalchemy import Column, Float, Index, Integer, String, Table

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime, json_type

replenishment_intervals = Table(
    "replenishment_intervals",
    METADATA,
    Column("sku", String(128), primary_key=True),
    # Days one unit of the product lasts: a purchase of quantity q runs out q times this later.
    Column("interval_days", Float, nullable=False),
    Column("source", String(16), nullable=False),  # catalogue, learned
    # Repeat purchases the learned median came from (0 for the catalogue's own figure).
    Column("observations", Integer, nullable=False),
    Column("computed_at", UtcDateTime, nullable=False),
)

# One row per customer and occasion (cart, viewed) while it waits for its window to pass.
pending_occasions = Table(
    "pending_occasions",
    METADATA,
    Column("customer_id", String(128), primary_key=True),
    Column("occasion", String(16), primary_key=True),
    Column("skus", json_type(), nullable=False),
    # The first activity of this wait (an order after it cancels), the latest one, and when the
    # window after the latest one ends.
    Column("since", UtcDateTime, nullable=False),
    Column("last_at", UtcDateTime, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Index("ix_pending_occasions_due", "due_at"),
)
