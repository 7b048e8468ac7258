"""interest times (last content, product and cart activity) move from customer_signals to the profile

The ingest path already folds every event into the profile; keeping these three times there means a
customer who only browses needs no signals row at all, and the custom segments can offer them as
profile fields. Values are carried over; ``DROP COLUMN`` needs SQLite 3.35 or newer.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retentio.db.types import UtcDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMES = ("last_content_at", "last_browse_at", "last_cart_at")


def upgrade() -> None:
    for name in TIMES:
        op.add_column("customer_profiles", sa.Column(name, UtcDateTime(timezone=True), nullable=True))
    _copy("customer_profiles", "customer_signals")
    for name in TIMES:
        op.execute(f"ALTER TABLE customer_signals DROP COLUMN {name}")


def downgrade() -> None:
    for name in TIMES:
        op.add_column("customer_signals", sa.Column(name, UtcDateTime(timezone=True), nullable=True))
    # Customers who only browsed have no signals row yet: give them one so no time is lost.
    op.execute(
        "INSERT INTO customer_signals (customer_id, complaints, negative_feedback, discounted_orders,"
        " coupon_codes, late_payments, unpaid_orders, updated_at)"
        " SELECT p.customer_id, 0, 0, 0, 0, 0, 0, p.updated_at FROM customer_profiles p"
        " WHERE NOT EXISTS (SELECT 1 FROM customer_signals s WHERE s.customer_id = p.customer_id)"
        " AND (p.last_content_at IS NOT NULL OR p.last_browse_at IS NOT NULL OR p.last_cart_at IS NOT NULL)"
    )
    _copy("customer_signals", "customer_profiles")
    for name in TIMES:
        op.execute(f"ALTER TABLE customer_profiles DROP COLUMN {name}")


def _copy(target: str, source: str) -> None:
    assignments = ", ".join(
        f"{name} = (SELECT s.{name} FROM {source} s WHERE s.customer_id = {target}.customer_id)"
        for name in TIMES
    )
    op.execute(f"UPDATE {target} SET {assignments}")
