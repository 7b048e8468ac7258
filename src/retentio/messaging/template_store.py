"""Templates kept in the database: saved only when they compile (every problem named at once), read
back compiled, and cached per worker by name and version (the time it was last changed)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from retentio.db.batches import upsert
from retentio.messaging.tables import message_templates
from retentio.messaging.templates import (
    CompiledTemplate,
    Template,
    compile_template,
    template_from_dict,
    template_to_dict,
)


def save_template(connection: Connection, definition: Mapping[str, Any], now: datetime) -> Template:
    """Create or replace the template ``definition`` names; ``TemplateInvalid`` when it does not
    compile, and nothing is stored."""
    template = template_from_dict(definition)
    compile_template(template)
    existing = connection.execute(
        select(message_templates.c.created_at).where(message_templates.c.name == template.name)
    ).scalar_one_or_none()
    row = {
        "name": template.name,
        "definition": template_to_dict(template),
        "created_at": existing or now,
        "updated_at": now,
    }
    upsert(connection, message_templates, [row])
    return template


def load_template(connection: Connection, name: str) -> Template | None:
    row = connection.execute(
        select(message_templates.c.definition).where(message_templates.c.name == name)
    ).scalar_one_or_none()
    return None if row is None else template_from_dict(row)


def template_names(connection: Connection) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(message_templates.c.name, message_templates.c.updated_at).order_by(message_templates.c.name)
    )
    return [{"name": row.name, "updated_at": row.updated_at.isoformat()} for row in rows]


def delete_template(connection: Connection, name: str) -> bool:
    return bool(
        connection.execute(delete(message_templates).where(message_templates.c.name == name)).rowcount
    )


class CompiledTemplates:
    """Compiled templates by name for one worker, recompiled when a template changes."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[datetime, CompiledTemplate]] = {}

    def load(self, connection: Connection, names: Iterable[str]) -> dict[str, CompiledTemplate]:
        """The compiled templates found among ``names`` (a template saved before it compiled is left out
        by ``save_template``, so every stored one compiles)."""
        wanted = sorted(set(names))
        rows = connection.execute(
            select(message_templates.c.name, message_templates.c.updated_at).where(
                message_templates.c.name.in_(wanted)
            )
        ).all()
        stale = [row.name for row in rows if self._cache.get(row.name, (None,))[0] != row.updated_at]
        if stale:
            fresh = connection.execute(select(message_templates).where(message_templates.c.name.in_(stale)))
            for row in fresh:
                self._cache[row.name] = (row.updated_at, compile_template(template_from_dict(row.definition)))
        return {row.name: self._cache[row.name][1] for row in rows}
