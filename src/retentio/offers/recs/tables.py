"""Tables owned by the recommenders: the trained model versions and their arrays.

The arrays live in the store (``.npy`` bytes in parts of at most 32 MB), not in files beside it: every
process that serves (the API, workers on other hosts) already reaches the store, PostgreSQL
deployments have no shared disk, and a version turns current in the same transaction that retires
the previous one, so a reader sees one complete version or the other."""

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
)

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime, json_type

recommendation_models = Table(
    "recommendation_models",
    METADATA,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("kind", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("trained_at", UtcDateTime, nullable=False),
    Column("settings_digest", String(64), nullable=False),
    Column("sizes", json_type(), nullable=False, default=dict),
    # building → current → retired; a building version never finished is never read
    Column("status", String(16), nullable=False),
    UniqueConstraint("kind", "version", name="uq_recommendation_models_kind_version"),
    Index("ix_recommendation_models_kind_status", "kind", "status"),
)

recommendation_model_parts = Table(
    "recommendation_model_parts",
    METADATA,
    Column(
        "model_id",
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("recommendation_models.id"),
        primary_key=True,
    ),
    Column("name", String(128), primary_key=True),
    Column("part", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)
