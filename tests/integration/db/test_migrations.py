"""The migrations must produce exactly the schema the code declares."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from retentio.db.migrate import current_revision, head_revision
from retentio.db.schema import METADATA


def test_migrations_produce_the_declared_schema(engine: Engine) -> None:
    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), METADATA
        )
    assert differences == []
