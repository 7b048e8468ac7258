"""referrals (codes, attributions, refusals, fingerprints) and the membership club (terms, memberships)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 00:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retentio.db.types import UtcDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "referral_codes",
        sa.Column("programme", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("code", sa.String(length=44), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("programme", "customer_id", name=op.f("pk_referral_codes")),
        sa.UniqueConstraint("programme", "code", name=op.f("uq_referral_codes_programme_code")),
    )
    op.create_table(
        "referrals",
        sa.Column("programme", sa.String(length=64), nullable=False),
        sa.Column("friend_id", sa.String(length=128), nullable=False),
        sa.Column("referrer_id", sa.String(length=128), nullable=False),
        sa.Column("code", sa.String(length=44), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("attributed_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=True),
        sa.Column("paid_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("window_closes_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("rewarded_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("referrer_points", sa.BigInteger(), nullable=False),
        sa.Column("friend_points", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("programme", "friend_id", name=op.f("pk_referrals")),
    )
    op.create_index("ix_referrals_referrer", "referrals", ["programme", "referrer_id", "attributed_at"])
    op.create_index("ix_referrals_status_window", "referrals", ["status", "window_closes_at"])
    op.create_table(
        "referral_refusals",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("programme", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("code", sa.String(length=44), nullable=True),
        sa.Column("referrer_id", sa.String(length=128), nullable=True),
        sa.Column("friend_id", sa.String(length=128), nullable=True),
        sa.Column("order_id", sa.String(length=128), nullable=True),
        sa.Column("refused_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_refusals")),
        sa.UniqueConstraint("programme", "source", name=op.f("uq_referral_refusals_programme_source")),
    )
    op.create_index("ix_referral_refusals_refused_at", "referral_refusals", ["refused_at"])
    op.create_table(
        "referral_fingerprints",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("first_seen_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "value", "customer_id", name=op.f("pk_referral_fingerprints")),
    )
    op.create_index("ix_referral_fingerprints_customer", "referral_fingerprints", ["customer_id"])
    op.create_table(
        "club_terms",
        sa.Column("programme", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("bought_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("ended", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("ended_reason", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("programme", "source", name=op.f("pk_club_terms")),
    )
    op.create_index("ix_club_terms_customer", "club_terms", ["programme", "customer_id"])
    op.create_table(
        "club_memberships",
        sa.Column("programme", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("started_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("lapses_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("reminded_for", UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("programme", "customer_id", name=op.f("pk_club_memberships")),
    )
    op.create_index("ix_club_memberships_status_ends", "club_memberships", ["status", "ends_at"])


def downgrade() -> None:
    op.drop_index("ix_club_memberships_status_ends", table_name="club_memberships")
    op.drop_table("club_memberships")
    op.drop_index("ix_club_terms_customer", table_name="club_terms")
    op.drop_table("club_terms")
    op.drop_index("ix_referral_fingerprints_customer", table_name="referral_fingerprints")
    op.drop_table("referral_fingerprints")
    op.drop_index("ix_referral_refusals_refused_at", table_name="referral_refusals")
    op.drop_table("referral_refusals")
    op.drop_index("ix_referrals_status_window", table_name="referrals")
    op.drop_index("ix_referrals_referrer", table_name="referrals")
    op.drop_table("referrals")
    op.drop_table("referral_codes")
