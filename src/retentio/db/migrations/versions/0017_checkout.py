"""checkout: automatic promotions, gift card holds, checkout reservations

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retentio.db.types import UtcDateTime, json_type

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("coupon_pools", schema=None) as batch_op:
        batch_op.add_column(sa.Column("automatic", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("gift_cards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held", sa.BigInteger(), server_default=sa.text("0"), nullable=False))
        batch_op.create_check_constraint(
            op.f("ck_gift_cards_held_within_balance"), "held >= 0 AND held <= balance"
        )
    op.create_table(
        "gift_card_holds",
        sa.Column("id", _ID, nullable=False),
        sa.Column("gift_card_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("hold_key", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("expires_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_gift_card_holds_amount_positive")),
        sa.ForeignKeyConstraint(
            ["gift_card_id"], ["gift_cards.id"], name=op.f("fk_gift_card_holds_gift_card_id_gift_cards")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gift_card_holds")),
        sa.UniqueConstraint("hold_key", name=op.f("uq_gift_card_holds_hold_key")),
    )
    with op.batch_alter_table("gift_card_holds", schema=None) as batch_op:
        batch_op.create_index("ix_gift_card_holds_state_expires", ["state", "expires_at"], unique=False)
    op.create_table(
        "checkout_reservations",
        sa.Column("id", _ID, nullable=False),
        sa.Column("request_key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("cart_id", sa.String(length=128), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=True),
        sa.Column("programme", sa.String(length=64), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=True),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("coupon_uses", json_type(), nullable=False),
        sa.Column("gift_card_holds", json_type(), nullable=False),
        sa.Column("calculation", json_type(), nullable=False),
        sa.Column("reserved_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkout_reservations")),
        sa.UniqueConstraint("request_key", name=op.f("uq_checkout_reservations_request_key")),
    )
    with op.batch_alter_table("checkout_reservations", schema=None) as batch_op:
        batch_op.create_index("ix_checkout_reservations_order_id", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_table("checkout_reservations")
    op.drop_table("gift_card_holds")
    with op.batch_alter_table("gift_cards", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_gift_cards_held_within_balance"), type_="check")
        batch_op.drop_column("held")
    with op.batch_alter_table("coupon_pools", schema=None) as batch_op:
        batch_op.drop_column("automatic")
