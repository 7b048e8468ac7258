"""The coupons' tables: pools (the definition every code of the pool carries), codes, uses (each
reserved for a cart, then committed with its order or released), and failed validations (the
guessing limit counts them). Money is in minor units, as everywhere in the store."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    false,
    text,
)

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime, json_type

_ID = BigInteger().with_variant(Integer(), "sqlite")

coupon_pools = Table(
    "coupon_pools",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("prefix", String(12), nullable=False, server_default=""),
    Column("code_length", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("percent_off", Numeric(5, 2)),
    Column("amount_off", BigInteger),
    Column("free_shipping", Boolean, nullable=False, server_default=false()),
    Column("uses_per_code", Integer),
    Column("uses_per_customer", Integer),
    Column("valid_from", UtcDateTime),
    Column("valid_until", UtcDateTime),
    Column("minimum_order", BigInteger),
    Column("skus", json_type(), nullable=False),
    Column("categories", json_type(), nullable=False),
    Column("segments", json_type(), nullable=False),
    Column("exclusive", Boolean, nullable=False, server_default=false()),
    Column("stack_group", String(64), nullable=False, server_default="default"),
    Column("created_at", UtcDateTime, nullable=False),
    # An automatic promotion: no codes, applied at checkout to every cart its rules allow.
    Column("automatic", Boolean, nullable=False, server_default=false()),
)

coupons = Table(
    "coupons",
    METADATA,
    Column("id", _ID, primary_key=True),
    # No foreign key: PostgreSQL checks one row by one, and those checks were 8 of the 14 s a
    # million codes took to COPY (load 6). Codes are written only by ``pools`` after their pool, and
    # pools are never deleted.
    Column("pool_id", Integer, nullable=False),
    # The normalised code (no dashes): the unique index is what keeps two pools from sharing a code.
    Column("code", String(44), nullable=False, unique=True),
    Column("customer_id", String(128)),  # a personal code
    # Reserved and committed uses, changed only by conditional UPDATEs (``redeem``).
    Column("uses", Integer, nullable=False, server_default=text("0")),
    Column("issue_key", String(200)),  # a personal code's source: issued once
    CheckConstraint("uses >= 0", name="uses_not_negative"),
    Index("ix_coupons_pool_id", "pool_id"),
    # Partial: a pool's million bulk codes have no issue key and cost this index nothing.
    Index(
        "uq_coupons_issue_key",
        "issue_key",
        unique=True,
        sqlite_where=text("issue_key IS NOT NULL"),
        postgresql_where=text("issue_key IS NOT NULL"),
    ),
)

coupon_uses = Table(
    "coupon_uses",
    METADATA,
    Column("id", _ID, primary_key=True),
    Column("coupon_id", BigInteger, ForeignKey("coupons.id"), nullable=False),
    Column("pool_id", Integer, nullable=False),
    Column("customer_id", String(128)),
    Column("cart_id", String(128), nullable=False),
    Column("state", String(16), nullable=False),  # reserved, committed, released
    Column("order_id", String(128)),
    Column("reserved_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime),  # committed or released
    Column("end_reason", String(32)),  # committed, cancelled, timed_out, refunded
    UniqueConstraint("coupon_id", "cart_id", name="uq_coupon_uses_coupon_cart"),
    Index("ix_coupon_uses_pool_customer", "pool_id", "customer_id"),
    Index("ix_coupon_uses_state_expires", "state", "expires_at"),
)

coupon_validation_failures = Table(
    "coupon_validation_failures",
    METADATA,
    Column("id", _ID, primary_key=True),
    Column("subject", String(200), nullable=False),  # customer:<id> or ip:<address>
    Column("tried", String(64), nullable=False),
    Column("failed_at", UtcDateTime, nullable=False),
    Index("ix_coupon_validation_failures_subject", "subject", "failed_at"),
)
