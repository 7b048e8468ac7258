"""Tables owned by the orders area: orders and their lines, derived from order events."""

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime, json_type

orders = Table(
    "orders",
    METADATA,
    Column("order_id", String(128), primary_key=True),
    Column("customer_id", String(128), ForeignKey("customers.customer_id")),
    Column("anonymous_id", String(128), index=True),
    # NULL until the order_placed event arrives: payment or cancellation may come first.
    Column("placed_at", UtcDateTime),
    Column("currency", String(3)),
    Column("total_minor", BigInteger, nullable=False, default=0),
    Column("discount_minor", BigInteger, nullable=False, default=0),
    Column("coupon", String(128)),
    Column("paid_at", UtcDateTime),
    Column("cancelled_at", UtcDateTime),
    Column("returned_minor", BigInteger, nullable=False, default=0),
    # Every return as sent ([sku, quantity, price_minor] and the line_no it names, if any): a return
    # may arrive before its order.
    Column("returns", json_type(), nullable=False, default=list),
    Column("status", String(20), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_orders_customer_placed", "customer_id", "placed_at"),
    Index("ix_orders_placed_at", "placed_at"),
)

order_lines = Table(
    "order_lines",
    METADATA,
    Column("order_id", String(128), ForeignKey("orders.order_id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku", String(128), nullable=False, index=True),
    Column("quantity", Integer, nullable=False),
    Column("price_minor", BigInteger, nullable=False),
    Column("returned_quantity", Integer, nullable=False, default=0),
)
