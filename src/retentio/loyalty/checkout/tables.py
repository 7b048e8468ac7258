"""Checkout reservations: what one cart holds (coupon uses, points, gift card amounts) until the
order commits it, or a cancellation or the timeout releases it. The holds themselves live with
their owners (coupon uses, ledger redemptions, gift card holds); a reservation names them."""

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime, json_type

_ID = BigInteger().with_variant(Integer(), "sqlite")

checkout_reservations = Table(
    "checkout_reservations",
    METADATA,
    Column("id", _ID, primary_key=True),
    # The shop's key for this reservation (its cart and attempt): the same key reserves once.
    Column("request_key", String(200), nullable=False, unique=True),
    Column("fingerprint", String(64), nullable=False),  # the request's digest: a key reused for another cart
    Column("cart_id", String(128), nullable=False),
    Column("customer_id", String(128)),
    Column("programme", String(64)),
    Column("currency", String(3), nullable=False),
    Column("state", String(16), nullable=False),  # reserved, committed, released, refunded
    Column("order_id", String(128)),
    Column("points", BigInteger, nullable=False),  # redeemed with source checkout:<id>
    Column("coupon_uses", json_type(), nullable=False),  # the coupon reservations' ids
    Column("gift_card_holds", json_type(), nullable=False),  # the holds' ids
    Column("calculation", json_type(), nullable=False),  # the answer it was made from
    Column("reserved_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime),
    Column("end_reason", String(32)),  # committed, cancelled, timed_out, released, refunded
    Index("ix_checkout_reservations_order_id", "order_id"),
)
