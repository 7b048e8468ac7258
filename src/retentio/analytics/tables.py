"""Tables owned by analytics: what the CLV models predict per customer.

Custom segments read ``customer_predictions`` in their prediction conditions; ``retentio models fit``
rewrites it whole.
"""

from sqlalchemy import Column, Float, ForeignKey, String, Table

from retentio.customers.tables import ID_LENGTH
from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime

customer_predictions = Table(
    "customer_predictions",
    METADATA,
    Column("customer_id", String(ID_LENGTH), ForeignKey("customers.customer_id"), primary_key=True),
    Column("p_alive", Float),
    # A fixed horizon, so that a segment rule can name the figure; the CLI prints any other horizon.
    Column("expected_purchases_90d", Float),
    Column("predicted_clv", Float),  # an estimate in the store's currency, not a ledger amount
    Column("computed_at", UtcDateTime, nullable=False),
)
