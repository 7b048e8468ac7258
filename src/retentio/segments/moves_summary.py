"""How many customers moved between lifecycle stages: read back from the move events in the log."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Connection, select

from retentio.events import events

NEW_TO_THE_BASE = "new to the base"  # the "from" of a customer's first lifecycle stage


def lifecycle_moves(connection: Connection) -> dict[str, int]:
    """Counts per "from → to" of the lifecycle moves recorded so far, most frequent first."""
    counts: Counter[str] = Counter()
    rows = connection.execute(select(events.c.properties).where(events.c.type == "segment_entered"))
    for (properties,) in rows:
        if properties.get("family") == "lifecycle":
            counts[f"{properties.get('from') or NEW_TO_THE_BASE} → {properties.get('to')}"] += 1
    return dict(counts.most_common())
