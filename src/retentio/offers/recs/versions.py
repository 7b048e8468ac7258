"""Model versions in the store: a new version is written part by part while marked ``building``, then
made current in one transaction that retires the one before; readers load only the current one.
A refresh that dies halfway leaves a ``building`` row that is never read and is pruned later.

``RETENTIO_RECS_DIE_AFTER_PARTS=n`` makes the writing process kill itself (SIGKILL) after its n-th
part: the test of a refresh killed halfway uses it, as an operator could to rehearse one."""

from __future__ import annotations

import io
import os
import signal
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from retentio.offers.recs.tables import recommendation_model_parts, recommendation_models
from retentio.offers.recs.trained import Arrays

PART_BYTES = 32 * 1024 * 1024
KEEP_VERSIONS = 3
STALE_BUILD = timedelta(days=1)  # a build this old is one that died
DIE_AFTER_PARTS = "RETENTIO_RECS_DIE_AFTER_PARTS"


@dataclass(frozen=True, slots=True)
class ModelVersion:
    id: int
    kind: str
    version: int
    trained_at: datetime
    settings_digest: str
    sizes: dict[str, int]
    status: str


def do_save_version(
    engine: Engine,
    kind: str,
    arrays: Arrays,
    trained_at: datetime,
    digest: str,
    sizes: dict[str, int],
    keep: int = KEEP_VERSIONS,
) -> ModelVersion:
    """Write every array, then make the version current; returns it as current."""
    with engine.begin() as connection:
        latest = connection.execute(
            select(func.max(recommendation_models.c.version)).where(recommendation_models.c.kind == kind)
        ).scalar_one_or_none()
        version = (latest or 0) + 1
        model_id = connection.execute(
            insert(recommendation_models)
            .values(
                kind=kind,
                version=version,
                trained_at=trained_at,
                settings_digest=digest,
                sizes=sizes,
                status="building",
            )
            .returning(recommendation_models.c.id)
        ).scalar_one()
    written = 0
    die_after = int(os.environ.get(DIE_AFTER_PARTS, "0") or 0)
    for name, array in arrays.items():
        data = _npy(array)
        for part, start in enumerate(range(0, max(len(data), 1), PART_BYTES)):
            with engine.begin() as connection:  # short transactions: SQLite's one writer is not held up
                connection.execute(
                    insert(recommendation_model_parts).values(
                        model_id=model_id, name=name, part=part, data=data[start : start + PART_BYTES]
                    )
                )
            written += 1
            if die_after and written >= die_after:
                os.kill(os.getpid(), signal.SIGKILL)
    with engine.begin() as connection:
        connection.execute(
            update(recommendation_models)
            .where(recommendation_models.c.kind == kind, recommendation_models.c.status == "current")
            .values(status="retired")
        )
        connection.execute(
            update(recommendation_models)
            .where(recommendation_models.c.id == model_id)
            .values(status="current")
        )
    with engine.begin() as connection:
        do_prune(connection, kind, trained_at, keep)
    return ModelVersion(model_id, kind, version, trained_at, digest, sizes, "current")


def do_prune(connection: Connection, kind: str, now: datetime, keep: int = KEEP_VERSIONS) -> int:
    """Drop retired versions beyond the newest ``keep`` (the current one counts) and builds that died."""
    rows = connection.execute(
        select(recommendation_models.c.id, recommendation_models.c.status, recommendation_models.c.trained_at)
        .where(recommendation_models.c.kind == kind)
        .order_by(recommendation_models.c.version.desc())
    ).all()
    finished = [row.id for row in rows if row.status in ("current", "retired")]
    dead = [row.id for row in rows if row.status == "building" and row.trained_at < now - STALE_BUILD]
    current = {row.id for row in rows if row.status == "current"}
    doomed = [i for i in finished[keep:] if i not in current] + dead
    if doomed:
        connection.execute(
            delete(recommendation_model_parts).where(recommendation_model_parts.c.model_id.in_(doomed))
        )
        connection.execute(delete(recommendation_models).where(recommendation_models.c.id.in_(doomed)))
    return len(doomed)


def current_version(connection: Connection, kind: str) -> ModelVersion | None:
    row = connection.execute(
        select(recommendation_models).where(
            recommendation_models.c.kind == kind, recommendation_models.c.status == "current"
        )
    ).first()
    if row is None:
        return None
    return ModelVersion(
        row.id, row.kind, row.version, row.trained_at, row.settings_digest, dict(row.sizes), row.status
    )


def current_id(connection: Connection, kind: str) -> tuple[int, int] | None:
    """The current version's id and number: the cheap check a serving process makes before reusing
    its copy."""
    row = connection.execute(
        select(recommendation_models.c.id, recommendation_models.c.version).where(
            recommendation_models.c.kind == kind, recommendation_models.c.status == "current"
        )
    ).first()
    return None if row is None else (int(row.id), int(row.version))


def load_arrays(connection: Connection, model_id: int) -> Arrays:
    chunks: dict[str, list[bytes]] = {}
    result = connection.execute(
        select(recommendation_model_parts.c.name, recommendation_model_parts.c.data)
        .where(recommendation_model_parts.c.model_id == model_id)
        .order_by(recommendation_model_parts.c.name, recommendation_model_parts.c.part)
    )
    for name, data in result:
        chunks.setdefault(name, []).append(bytes(data))
    return {name: np.load(io.BytesIO(b"".join(parts)), allow_pickle=False) for name, parts in chunks.items()}


def list_versions(connection: Connection, kind: str) -> list[ModelVersion]:
    rows = connection.execute(
        select(recommendation_models)
        .where(recommendation_models.c.kind == kind)
        .order_by(recommendation_models.c.version.desc())
    ).all()
    return [
        ModelVersion(r.id, r.kind, r.version, r.trained_at, r.settings_digest, dict(r.sizes), r.status)
        for r in rows
    ]


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()
