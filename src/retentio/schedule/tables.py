"""The last local date each scheduled job ran: what makes a run once a day survive restarts."""

from sqlalchemy import Column, Date, String, Table

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime

scheduled_runs = Table(
    "scheduled_runs",
    METADATA,
    Column("job", String(64), primary_key=True),
    Column("last_date", Date, nullable=False),
    Column("last_run_at", UtcDateTime, nullable=False),
)
