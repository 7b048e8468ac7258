"""events: index only the events that carry an anonymous id

Most events name a customer and no visitor; indexing their NULLs cost every insert a B-tree entry that
no query reads (lookups by ``anonymous_id = …`` imply it is not NULL, which both databases use).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 00:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PRESENT = sa.text("anonymous_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_events_anonymous_id", table_name="events")
    op.create_index(
        "ix_events_anonymous_id",
        "events",
        ["anonymous_id"],
        sqlite_where=_PRESENT,
        postgresql_where=_PRESENT,
    )


def downgrade() -> None:
    op.drop_index("ix_events_anonymous_id", table_name="events")
    op.create_index("ix_events_anonymous_id", "events", ["anonymous_id"])
