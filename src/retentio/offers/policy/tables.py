"""The offer policy's log: every decision for a customer and an occasion, offers and "nothing"
alike, with its reasons and the experiment arm it fell in. One row per (customer, occasion, occasion
key): a retry finds the row and issues nothing twice. Money is in minor units, as everywhere."""

from sqlalchemy import BigInteger, Column, Index, Integer, Numeric, String, Table, UniqueConstraint

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime, json_type

_ID = BigInteger().with_variant(Integer(), "sqlite")

offer_decisions = Table(
    "offer_decisions",
    METADATA,
    Column("id", _ID, primary_key=True),
    Column("customer_id", String(128), nullable=False),
    Column("occasion", String(32), nullable=False),
    Column("occasion_key", String(200), nullable=False),  # the cart, the year of a birthday…
    Column("offer", String(16), nullable=False),  # nothing, percent, free_delivery, points, gift
    Column("size", Numeric(12, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("cost_minor", BigInteger, nullable=False),  # what the budget counts
    Column("code", String(64)),  # the personal code as printed; None for points and nothing
    Column("valid_until", UtcDateTime),
    Column("reasons", json_type(), nullable=False),
    Column("experiment", String(64)),
    Column("variant", String(64)),  # the arm, "holdout" for the customers kept out
    Column("decided_at", UtcDateTime, nullable=False),
    UniqueConstraint("customer_id", "occasion", "occasion_key"),
    Index("ix_offer_decisions_decided_at", "decided_at", "occasion"),
    Index("ix_offer_decisions_experiment", "experiment", "variant"),
)
