"""API keys: stored as SHA-256 digests with their scopes; the key itself is shown once."""

from sqlalchemy import Column, Integer, String, Table

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime

api_keys = Table(
    "api_keys",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("scopes", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
)
