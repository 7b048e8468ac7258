"""The log: the event envelope and types, validation, appending exactly once per ``event_id``, reading
by position, and the consumer runner that keeps each consumer's checkpoint with its effects.

This package is the area's facade: other areas import these names from ``retentio.events``, never its
modules (``lint-imports`` checks it). ``events`` is the log's table, for set-based SQL reads. Each
name loads its module on first use (``retentio.facade``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retentio.facade import load_on_use

if TYPE_CHECKING:
    from retentio.events.consumers import Consumer, DrainStalled, consumer_lags, drain, run_until_stopped
    from retentio.events.envelope import Envelope, Event, FieldError, InvalidEvent, validate_event
    from retentio.events.log import LoggedEvent
    from retentio.events.properties import (
        CUSTOM_PREFIX,
        ORDER_EVENT_TYPES,
        PROPERTY_MODELS,
        SYSTEM_EVENT_TYPES,
        Currency,
        Id,
        NpsAnswered,
        OrderPlaced,
        OrderReturned,
        ReviewSubmitted,
    )
    from retentio.events.replay import event_from_row, stream_events
    from retentio.events.store import (
        activity_of,
        all_activity,
        append_new_events,
        append_selected_events,
        reassign_events,
        selected_events_insert,
    )
    from retentio.events.tables import events, writing_transaction

__all__ = [
    "CUSTOM_PREFIX",
    "ORDER_EVENT_TYPES",
    "PROPERTY_MODELS",
    "SYSTEM_EVENT_TYPES",
    "Consumer",
    "Currency",
    "DrainStalled",
    "Envelope",
    "Event",
    "FieldError",
    "Id",
    "InvalidEvent",
    "LoggedEvent",
    "NpsAnswered",
    "OrderPlaced",
    "OrderReturned",
    "ReviewSubmitted",
    "activity_of",
    "all_activity",
    "append_new_events",
    "append_selected_events",
    "consumer_lags",
    "drain",
    "event_from_row",
    "events",
    "reassign_events",
    "run_until_stopped",
    "selected_events_insert",
    "stream_events",
    "validate_event",
    "writing_transaction",
]

_EXPORTS = {
    "retentio.events.consumers": ["DrainStalled", "Consumer", "consumer_lags", "drain", "run_until_stopped"],
    "retentio.events.envelope": ["Envelope", "Event", "FieldError", "InvalidEvent", "validate_event"],
    "retentio.events.log": ["LoggedEvent"],
    "retentio.events.properties": [
        "CUSTOM_PREFIX",
        "ORDER_EVENT_TYPES",
        "PROPERTY_MODELS",
        "SYSTEM_EVENT_TYPES",
        "Currency",
        "Id",
        "NpsAnswered",
        "OrderPlaced",
        "OrderReturned",
        "ReviewSubmitted",
    ],
    "retentio.events.replay": ["event_from_row", "stream_events"],
    "retentio.events.store": [
        "activity_of",
        "all_activity",
        "append_new_events",
        "append_selected_events",
        "reassign_events",
        "selected_events_insert",
    ],
    "retentio.events.tables": ["writing_transaction", "events"],
}
__getattr__ = load_on_use(__name__, _EXPORTS)
