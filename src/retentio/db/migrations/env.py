"""Alembic environment: runs on the connection handed in by ``retentio.db.migrate``."""

from alembic import context
from sqlalchemy import Connection

from retentio.db.schema import METADATA


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=METADATA,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `retentio db upgrade`; it supplies the connection")
_run(connection)
