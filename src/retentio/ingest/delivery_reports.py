"""Providers' delivery reports, however they came (a callback to the API, the worker's polling),
stored one way: as report events through ingestion, whose event ids make a report that came both
ways one event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine

from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.messaging import ChannelName, DeliveryReport, report_events


def ingest_delivery_reports(
    engine: Engine,
    channel: ChannelName,
    reports: Sequence[DeliveryReport],
    now: datetime,
    options: IngestOptions,
) -> None:
    """Reports about messages Retentio does not know are left out (a provider's account is often
    shared with other senders)."""
    if not reports:
        return
    with engine.connect() as connection:
        events, _unknown = report_events(connection, channel, list(reports), now)
    if events:
        ingest_events(engine, events, now, options)
