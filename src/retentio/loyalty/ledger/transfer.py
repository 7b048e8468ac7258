"""Points moving between two customers of one programme: a transfer (a gift to a family member, an
admin's move) and a merge's absorption of everything one customer had into the other.

Both are paired entries of kind ``transfer``: the sender's one entry takes the points from its lots
(recorded in ``loyalty_lot_uses``), and the receiver gets one entry and one new lot per lot taken,
with that lot's expiry and activation and its id as ``origin_id``. The sender's entry carries the
transfer's source; the receiver's entries carry it with ``#<sender's lot>`` after it, so a repeat
of the source moves nothing. Both balance rows are locked in primary-key order first, as every
change takes them, so two opposite transfers never deadlock.

A return of an order whose points were given away is the sender's: it takes what is left of the
order's lot, then the sender's other points, then the debt policy applies to the sender; the gift
stays with the receiver. A merge is different: the two are one person, so a return follows the
order's points to the lots the merge moved them to (``service.do_reverse``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from retentio.loyalty.ledger import store
from retentio.loyalty.ledger.catchup import SYSTEM_ACTOR, catch_up
from retentio.loyalty.ledger.checks import check_account, check_points, check_source, check_times
from retentio.loyalty.ledger.decide import due_at, spendable, take_points
from retentio.loyalty.ledger.errors import LedgerError
from retentio.loyalty.ledger.model import Balance, Entry, EntryKind, LotRow, Transfer
from retentio.loyalty.ledger.store import Account, NewEntry
from retentio.loyalty.ledger.tables import SOURCE_LENGTH

# Room in a source for the receiver's ``#<lot id>`` suffix.
TRANSFER_SOURCE_LENGTH = SOURCE_LENGTH - 24
MERGE_PREFIX = "merge:"


def do_transfer(
    connection: Connection,
    programme: str,
    from_customer: str,
    to_customer: str,
    points: int,
    source: str,
    now: datetime,
    *,
    actor: str = SYSTEM_ACTOR,
    reason: str = "",
) -> Transfer:
    """Move ``points`` of ``from_customer``'s available points, soonest-expiring first, to
    ``to_customer``, each part keeping its lot's expiry (``NotEnoughPoints`` beyond the available
    balance). The same ``source`` moves once; a repeat returns the sender's entry and no others."""
    check_account(programme, from_customer)
    if not isinstance(to_customer, str) or not to_customer.strip() or len(to_customer) > 128:
        raise LedgerError("to_customer", "must be a customer id of 1 to 128 characters")
    if to_customer == from_customer:
        raise LedgerError("to_customer", "points cannot be transferred to the customer who has them")
    check_points(points)
    check_source(source, actor, reason)
    if len(source) > TRANSFER_SOURCE_LENGTH:
        raise LedgerError("source", f"must be at most {TRANSFER_SOURCE_LENGTH} characters for a transfer")
    if source.startswith(MERGE_PREFIX):
        raise LedgerError("source", f"{MERGE_PREFIX!r} is kept for the moves of merged customers")
    check_times(now, None, None)
    sender, receiver = Account(programme, from_customer), Account(programme, to_customer)
    balances = _lock_both(connection, sender, receiver, now)
    repeated = store.find_entry(connection, sender, EntryKind.TRANSFER, source)
    if repeated is not None:
        return Transfer(repeated, (), True, balances[0], balances[1])
    due = due_at(store.open_lots(connection, sender), now)
    takes = take_points(spendable(due.lots), points)  # refuses before anything is written
    sent_change = catch_up(connection, sender, due, now)
    lots = {lot.id: lot for lot in due.lots}
    moving = [(lots[lot_id], taken) for lot_id, taken in takes]
    sent, received = _move(connection, sender, receiver, moving, 0, source, now, actor, reason)
    sent_change.add(Balance(-points, 0, 0))
    store.change_balance(connection, sender, sent_change.on(Balance(0, 0, 0)), now)
    store.change_balance(connection, receiver, Balance(points, 0, 0), now)
    return Transfer(
        sent,
        tuple(received),
        False,
        sent_change.on(balances[0]),
        Balance(balances[1].available + points, balances[1].pending, balances[1].debt),
    )


def absorb(connection: Connection, programme: str, merged_id: str, survivor_id: str, now: datetime) -> bool:
    """Move everything ``merged_id`` has in ``programme`` — available and pending lots (each with
    its activation and expiry) and debt — to ``survivor_id``; the caller holds both balance rows'
    locks. Whether anything moved: an account already emptied moves nothing, so running it again
    (the merges consumer after a return did it first) writes nothing."""
    sender, receiver = Account(programme, merged_id), Account(programme, survivor_id)
    balance = store.lock_balance_if_any(connection, sender)
    if balance is None:
        return False
    due = due_at(store.open_lots(connection, sender), now)
    sent_change = catch_up(connection, sender, due, now)
    debt = sent_change.on(balance).debt
    moving = [(lot, lot.remaining) for lot in due.lots if lot.remaining > 0]
    if not moving and not debt:
        store.change_balance(connection, sender, sent_change.on(Balance(0, 0, 0)), now)
        return False
    number = store.count_entries(connection, sender, EntryKind.TRANSFER) + 1
    source = f"{MERGE_PREFIX}{survivor_id}:{number}"
    reason = f"merged into {survivor_id}"
    _move(connection, sender, receiver, moving, debt, source, now, SYSTEM_ACTOR, reason)
    moved = _sum(moving, debt)
    sent_change.add(Balance(-moved.available, -moved.pending, -moved.debt))
    store.change_balance(connection, sender, sent_change.on(Balance(0, 0, 0)), now)
    store.change_balance(connection, receiver, moved, now)
    return True


def _lock_both(
    connection: Connection, first: Account, second: Account, now: datetime
) -> tuple[Balance, Balance]:
    """Both balances, locked in primary-key order; returned in the order asked."""
    if (first.programme, first.customer_id) < (second.programme, second.customer_id):
        one = store.lock_balance(connection, first, now)
        return one, store.lock_balance(connection, second, now)
    two = store.lock_balance(connection, second, now)
    return store.lock_balance(connection, first, now), two


def _sum(moving: Sequence[tuple[LotRow, int]], debt: int) -> Balance:
    available = sum(points for lot, points in moving if lot.activated)
    pending = sum(points for lot, points in moving if not lot.activated)
    return Balance(available, pending, debt)


def _move(
    connection: Connection,
    sender: Account,
    receiver: Account,
    moving: Sequence[tuple[LotRow, int]],
    debt: int,
    source: str,
    now: datetime,
    actor: str,
    reason: str,
) -> tuple[Entry, list[Entry]]:
    """The paired entries and the receiver's new lots; the balances are the caller's to change."""
    moved = _sum(moving, debt)
    out = Balance(-moved.available, -moved.pending, -moved.debt)
    sent = store.add_entry(connection, sender, NewEntry(EntryKind.TRANSFER, source, out, now, actor, reason))
    store.use_lots(connection, sent.id, [(lot.id, points) for lot, points in moving])
    received: list[Entry] = []
    for lot, points in moving:
        credit = Balance(points, 0, 0) if lot.activated else Balance(0, points, 0)
        entry = store.add_entry(
            connection,
            receiver,
            NewEntry(EntryKind.TRANSFER, f"{source}#{lot.id}", credit, now, actor, reason),
        )
        store.add_lot(
            connection,
            receiver,
            entry.id,
            points,
            lot.active_at,
            lot.activated,
            lot.expires_at,
            origin_id=lot.id,
        )
        received.append(entry)
    if debt:
        owed = Balance(0, 0, debt)
        received.append(
            store.add_entry(
                connection, receiver, NewEntry(EntryKind.TRANSFER, f"{source}#debt", owed, now, actor, reason)
            )
        )
    return sent, received
