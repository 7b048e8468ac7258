"""The built-in families' part of the segments consumer: fold a batch of the log into the signals,
then re-decide every customer it touched (``segments.consumer`` runs it, then the custom rules)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, select

from retentio.customers import ProfileDraft
from retentio.db.batches import chunks
from retentio.events import ORDER_EVENT_TYPES, SYSTEM_EVENT_TYPES, Event
from retentio.orders import orders
from retentio.segments.config import SegmentsConfig
from retentio.segments.evaluate import Evaluation, evaluate_customers
from retentio.segments.inputs import CustomerInputs, Signals, instant
from retentio.segments.signals import apply_delta, event_deltas
from retentio.segments.signals_store import rebuild_signals, refresh_order_signals, save_signals
from retentio.segments.snapshots import Snapshot, load_snapshots
from retentio.segments.tables import customer_signals, customer_standing


def react(
    connection: Connection,
    fresh: Sequence[Event],
    now: datetime,
    config: SegmentsConfig,
    profiles: Mapping[str, ProfileDraft] | None = None,
    historical: frozenset[str] = frozenset(),
    cause: str = "",
) -> Evaluation:
    """Fold ``fresh`` (events not folded before) into the signals and re-decide the customers it
        touched; ``profiles`` are saved profiles the caller already holds (the rest are read from the
        store); the moves of ``historical`` customers are marked as caused by history, and every move
    carries ``cause`` (the batch's log position) in its event id."""
    activity = [event for event in fresh if event.customer_id and event.type not in SYSTEM_EVENT_TYPES]
    identified = sorted(
        {event.customer_id for event in activity if event.type == "identify" and event.customer_id}
    )
    order_owners = sorted(_order_owners(connection, fresh) - set(identified))
    latest = _latest_event_times(activity)  # every active customer, with when their move is dated
    touched = sorted(latest.keys() | set(order_owners))
    if not touched:
        return Evaluation(0, 0, ())
    snapshots = load_snapshots(connection, touched, profiles)
    _date_by_profile(latest, snapshots)
    stored = {cid: snapshot.signals for cid, snapshot in snapshots.items() if snapshot.signals is not None}
    signals = dict(stored)
    _fold_events(signals, activity, identified)
    refresh_order_signals(connection, signals, order_owners, config.signals.payment_days)
    changed = {cid: value for cid, value in signals.items() if stored.get(cid) != value}
    save_signals(connection, changed, now, stored.keys())
    # Whatever a visitor did before identifying now belongs to the customer: read it back whole.
    signals.update(rebuild_signals(connection, identified, now, config.signals.payment_days))
    return evaluate_customers(connection, snapshots, signals, now, config, latest, historical, cause)


_LAST_EVENT = CustomerInputs._fields.index("last_event_at") - 1  # in ``Snapshot.profile``
_LAST_ORDER = CustomerInputs._fields.index("last_order_at") - 1


def _date_by_profile(latest: dict[str, datetime], snapshots: Mapping[str, Snapshot]) -> None:
    """Date each move no earlier than the latest activity the profile holds.

    Ingest folds profiles as events arrive; a consumer running behind (a restart, a backlog) reads
    them past the batch it consumes, so a customer is decided as they stand now. Dated by the
    batch's own events, such a move would come before the events that caused it (an order seven
    hours later made a customer "new" at the time of their first view); dated by the profile, it
    comes at the latest event it reflects. A consumer that keeps up sees the same time either way."""
    for customer_id, at in latest.items():
        snapshot = snapshots.get(customer_id)
        if snapshot is None:
            continue
        folded = max(
            (value for value in (snapshot.profile[_LAST_EVENT], snapshot.profile[_LAST_ORDER]) if value),
            default=None,
        )
        if folded is not None and folded > (instant(at) or 0):
            latest[customer_id] = datetime.fromtimestamp(folded, UTC)


def _fold_events(signals: dict[str, Signals], activity: Sequence[Event], identified: Sequence[str]) -> None:
    skip = set(identified)
    deltas = (
        event_deltas(event for event in activity if event.customer_id not in skip)
        if skip
        else event_deltas(activity)
    )
    for customer_id, delta in deltas.items():
        signals[customer_id] = apply_delta(signals.get(customer_id, Signals()), delta)


def _order_owners(connection: Connection, fresh: Sequence[Event]) -> set[str]:
    """Customers whose orders the batch changed, including orders named only by a visitor id."""
    owners = {event.customer_id for event in fresh if event.type in ORDER_EVENT_TYPES and event.customer_id}
    order_ids = sorted(
        {str(event.properties["order_id"]) for event in fresh if event.type in ORDER_EVENT_TYPES}
    )
    for part in chunks(order_ids):
        owners.update(
            connection.execute(
                select(orders.c.customer_id).where(
                    orders.c.order_id.in_(part), orders.c.customer_id.is_not(None)
                )
            ).scalars()
        )
    return {owner for owner in owners if owner is not None}


def _latest_event_times(activity: Sequence[Event]) -> dict[str, datetime]:
    latest: dict[str, datetime] = {}
    for event in activity:
        if event.customer_id is None:
            continue
        seen = latest.get(event.customer_id)
        if seen is None or event.occurred_at > seen:
            latest[event.customer_id] = event.occurred_at
    return latest


def do_refresh_customers(
    connection: Connection,
    customer_ids: Sequence[str],
    now: datetime,
    config: SegmentsConfig,
) -> Evaluation:
    """Read these customers' signals back from the log and re-decide them: for other areas after they
    rewrite a customer's history outside the ingest path (a merge, a profile rebuild). Customers left
    without a profile (merged away) lose their signals and standing."""
    wanted = sorted(set(customer_ids))
    snapshots = load_snapshots(connection, wanted)
    gone = [customer_id for customer_id in wanted if customer_id not in snapshots]
    for part in chunks(gone):
        connection.execute(delete(customer_standing).where(customer_standing.c.customer_id.in_(part)))
        connection.execute(delete(customer_signals).where(customer_signals.c.customer_id.in_(part)))
    signals = rebuild_signals(connection, list(snapshots), now, config.signals.payment_days)
    return evaluate_customers(connection, snapshots, signals, now, config)
