"""The parts of a standing the set-based path leaves to Python: the checklist's explanations of
customers whose score changed, and the personal facts of customers seen for the first time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import orjson
from sqlalchemy import Connection, or_, select

from retentio.db.batches import chunks
from retentio.db.codec import codec_for, executemany
from retentio.segments.bad_customers import assess
from retentio.segments.config import SegmentsConfig
from retentio.segments.facts import decide_facts
from retentio.segments.inputs import Signals, instant
from retentio.segments.set_stage import stage
from retentio.segments.snapshots import load_snapshots


def staged_for_python(connection: Connection) -> tuple[dict[str, datetime], dict[str, datetime]]:
    """(new rows, rows with a checklist score then or now) of the stage, with the time each was
    decided at: the explanations count what stood at that time."""
    rows = connection.execute(
        select(stage.c.customer_id, stage.c.is_new, stage.c.moved_at).where(
            or_(stage.c.is_new, stage.c.bad_score > 0, stage.c.old_bad_score > 0)
        )
    ).all()
    new = {row[0]: datetime.fromtimestamp(row[2], UTC) for row in rows if row[1]}
    scored = {row[0]: datetime.fromtimestamp(row[2], UTC) for row in rows if not row[1]}
    return new, scored


def finish_rows(
    connection: Connection,
    decided_at: Mapping[str, datetime],
    config: SegmentsConfig,
    with_facts: bool,
) -> None:
    """Write explanations (and, ``with_facts``, personal facts) of the customers of ``decided_at``."""
    codec = codec_for(connection)
    payment_days = config.signals.payment_days
    for part in chunks(sorted(decided_at)):
        snapshots = load_snapshots(connection, part)
        rows = []
        for customer_id in sorted(snapshots):
            snapshot = snapshots[customer_id]
            inputs = snapshot.inputs(snapshot.signals or Signals())
            at = instant(decided_at[customer_id]) or 0
            reasons = assess(inputs, at, config.bad_customers, payment_days).reasons
            row: tuple[object, ...] = (orjson.dumps(list(reasons)).decode(),)
            if with_facts:
                facts = decide_facts(inputs, config.facts)
                row += (
                    facts.reward_propensity,
                    facts.preferred_channel,
                    facts.preferred_hour,
                    facts.usual_interval_days,
                )
            rows.append((*row, customer_id))
        columns = ["bad_reasons"] + (
            ["reward_propensity", "preferred_channel", "preferred_hour", "usual_interval_days"]
            if with_facts
            else []
        )
        assignments = ", ".join(
            f"{name} = {codec.json_mark() if name == 'bad_reasons' else codec.mark}" for name in columns
        )
        executemany(
            connection, f"UPDATE customer_standing SET {assignments} WHERE customer_id = {codec.mark}", rows
        )
