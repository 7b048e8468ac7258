"""The ledger's changes, each in the caller's transaction: lock the balance row, return the earlier
result if the source was seen before, catch up what time did to the lots, decide (``decide``), then
write the entries, the lot changes and the balance together. A refusal is raised before any write.

Lock order, everywhere: balance rows in primary-key order first, then lots in id order (only under
their balance's lock), so two changes never wait on each other crosswise."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from sqlalchemy import Connection

from retentio.loyalty.ledger import store
from retentio.loyalty.ledger.announce import EARNED, REDEEMED, announce
from retentio.loyalty.ledger.catchup import SYSTEM_ACTOR, Change, catch_up, expire
from retentio.loyalty.ledger.checks import check_account, check_points, check_source, check_times
from retentio.loyalty.ledger.decide import (
    Lot,
    due_at,
    points_to_return,
    repayment,
    spendable,
    split_return,
    take_points,
    take_up_to,
)
from retentio.loyalty.ledger.errors import LedgerError, UnknownEntry
from retentio.loyalty.ledger.fast import accrue_at_once, redeem_at_once
from retentio.loyalty.ledger.model import Balance, DebtPolicy, Entry, EntryKind, LotRow, Posted
from retentio.loyalty.ledger.store import Account, NewEntry
from retentio.loyalty.ledger.transfer import absorb


def do_accrue(
    connection: Connection,
    programme: str,
    customer_id: str,
    points: int,
    source: str,
    now: datetime,
    *,
    active_at: datetime | None = None,
    expires_at: datetime | None = None,
    actor: str = SYSTEM_ACTOR,
    reason: str = "",
) -> Posted:
    """Credit ``points`` as a new lot, pending until ``active_at`` (an order's return window) and
    lost at ``expires_at``; a debt is paid from it first. The same ``source`` credits once."""
    check_account(programme, customer_id)
    check_points(points)
    check_source(source, actor, reason)
    active = check_times(now, active_at, expires_at)
    account = Account(programme, customer_id)
    at_once = accrue_at_once(connection, account, points, source, now, active, expires_at, actor, reason)
    if at_once is not None:
        return at_once
    return _credit(
        connection,
        account,
        EntryKind.ACCRUAL,
        points,
        source,
        now,
        active,
        expires_at,
        actor,
        reason,
    )


def do_redeem(
    connection: Connection,
    programme: str,
    customer_id: str,
    points: int,
    source: str,
    now: datetime,
    *,
    actor: str = SYSTEM_ACTOR,
    reason: str = "",
) -> Posted:
    """Spend ``points`` from the soonest-expiring available lots (``NotEnoughPoints`` beyond them)."""
    check_account(programme, customer_id)
    check_points(points)
    check_source(source, actor, reason)
    check_times(now, None, None)
    account = Account(programme, customer_id)
    at_once = redeem_at_once(connection, account, points, source, now, actor, reason)
    if at_once is not None:
        return at_once
    return _debit(connection, account, EntryKind.REDEMPTION, points, source, now, actor, reason)


def do_adjust(
    connection: Connection,
    programme: str,
    customer_id: str,
    points: int,
    source: str,
    now: datetime,
    *,
    actor: str,
    reason: str,
    expires_at: datetime | None = None,
) -> Posted:
    """A manual change with who and why: a positive one is a lot available at once, a negative one
    takes points like a redemption and never more than the customer has."""
    check_account(programme, customer_id)
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        raise LedgerError("points", f"must be a whole number of points other than 0, not {points!r}")
    check_source(source, actor, reason)
    if not reason.strip():
        raise LedgerError("reason", "an adjustment says why it was made")
    account = Account(programme, customer_id)
    if points > 0:
        active = check_times(now, None, expires_at)
        return _credit(
            connection, account, EntryKind.ADJUSTMENT, points, source, now, active, expires_at, actor, reason
        )
    check_times(now, None, None)
    return _debit(connection, account, EntryKind.ADJUSTMENT, -points, source, now, actor, reason)


def do_reverse(
    connection: Connection,
    programme: str,
    customer_id: str,
    of: tuple[EntryKind, str],
    source: str,
    now: datetime,
    *,
    share: Fraction = Fraction(1),
    policy: DebtPolicy = DebtPolicy.DEBT,
    actor: str = SYSTEM_ACTOR,
    reason: str = "",
) -> Posted:
    """Undo an entry named by (kind, source). An accrual (an order cancelled or returned in part):
    ``share`` of its points, taken from its lot, then from the other available lots, then as the
    ``policy`` says. A redemption (a cancelled checkout): whole, back into exactly the lots it used."""
    check_account(programme, customer_id)
    check_source(source, actor, reason)
    check_times(now, None, None)
    kind, of_source = of
    if kind not in (EntryKind.ACCRUAL, EntryKind.REDEMPTION):
        raise LedgerError("of", f"only accruals and redemptions are reversed, not a {kind.value}")
    if kind is EntryKind.REDEMPTION and share != 1:
        raise LedgerError("share", "a redemption is reversed whole")
    survivor, absorbed = store.merged_accounts(connection, customer_id)
    if absorbed:
        return _reverse_for_merged(
            connection, programme, survivor, absorbed, of, source, now, share, policy, actor, reason
        )
    account = Account(programme, customer_id)
    balance = store.lock_balance(connection, account, now)
    repeated = store.find_entry(connection, account, EntryKind.REVERSAL, source)
    if repeated is not None:
        return Posted(repeated, True, balance)
    target = store.find_entry(connection, account, kind, of_source)
    if target is None:
        raise UnknownEntry("of", f"no {kind.value} {of_source!r} for {customer_id!r} in {programme!r}")
    if kind is EntryKind.ACCRUAL:
        lot = store.lot_by_id(connection, target.id)
        return _return_accrual(
            connection, account, balance, target, lot, [lot.id], share, policy, source, now, actor, reason
        )
    return _cancel_redemption(connection, account, balance, target, source, now, actor, reason)


def _reverse_for_merged(
    connection: Connection,
    programme: str,
    survivor: str,
    absorbed: list[str],
    of: tuple[EntryKind, str],
    source: str,
    now: datetime,
    share: Fraction,
    policy: DebtPolicy,
    actor: str,
    reason: str,
) -> Posted:
    """A reversal for a customer who absorbed others (or was absorbed): the entry it names may be an
    absorbed customer's. Whatever the merges left on the absorbed accounts moves to the survivor
    first (as ``loyalty.merges`` does when it reads the merge), so the return takes back the order's
    points from the lots they moved to, and its debt is the survivor's."""
    people = sorted([survivor, *absorbed])
    survivor_account = Account(programme, survivor)
    holding: list[str] = []  # the absorbed customers who have a balance in this programme
    for who in people:  # primary-key order, as every change takes balance rows
        if who == survivor:
            store.lock_balance(connection, survivor_account, now)
        elif store.lock_balance_if_any(connection, Account(programme, who)) is not None:
            holding.append(who)
    for who in holding:
        absorb(connection, programme, who, survivor, now)
    kind, of_source = of
    repeated = store.find_entry_of_any(connection, programme, people, EntryKind.REVERSAL, source)
    if repeated is not None:
        return Posted(repeated, True, store.lock_balance(connection, survivor_account, now))
    target = store.find_entry_of_any(connection, programme, people, kind, of_source)
    if target is None:
        raise UnknownEntry("of", f"no {kind.value} {of_source!r} for {survivor!r} in {programme!r}")
    if kind is EntryKind.ACCRUAL:
        lot = store.lot_by_id(connection, target.id)
        own = [lot.id] if target.customer_id == survivor else []
        own += [moved.id for moved in store.lots_moved_from(connection, [lot.id], survivor)]
        balance = store.lock_balance(connection, survivor_account, now)
        return _return_accrual(
            connection, survivor_account, balance, target, lot, own, share, policy, source, now, actor, reason
        )
    holder = Account(programme, target.customer_id)
    posted = _cancel_redemption(
        connection, holder, store.lock_balance(connection, holder, now), target, source, now, actor, reason
    )
    if holder.customer_id == survivor:
        return posted
    # The points came back to the absorbed customer's lots: they move on to the survivor at once.
    absorb(connection, programme, holder.customer_id, survivor, now)
    return Posted(posted.entry, False, store.lock_balance(connection, survivor_account, now))


def _credit(
    connection: Connection,
    account: Account,
    kind: EntryKind,
    points: int,
    source: str,
    now: datetime,
    active: datetime,
    expires_at: datetime | None,
    actor: str,
    reason: str,
) -> Posted:
    balance = store.lock_balance(connection, account, now)
    repeated = store.find_entry(connection, account, kind, source)
    if repeated is not None:
        return Posted(repeated, True, balance)
    pending = active > now
    change = Change()
    credit = Balance(0, points, 0) if pending else Balance(points, 0, 0)
    entry = store.add_entry(connection, account, NewEntry(kind, source, credit, now, actor, reason))
    change.add(credit)
    store.add_lot(connection, account, entry.id, points, active, not pending, expires_at)
    paid = repayment(balance.debt, points)
    if paid:
        # The debt a return left is paid before these points count, from this very lot.
        paying = Balance(0, -paid, -paid) if pending else Balance(-paid, 0, -paid)
        paid_entry = store.add_entry(
            connection, account, NewEntry(EntryKind.REPAYMENT, source, paying, now, actor, "debt paid first")
        )
        store.use_lots(connection, paid_entry.id, [(entry.id, paid)])
        change.add(paying)
    store.change_balance(connection, account, change.on(Balance(0, 0, 0)), now)
    announce(connection, EARNED, entry, points, now)
    return Posted(entry, False, change.on(balance))


def _debit(
    connection: Connection,
    account: Account,
    kind: EntryKind,
    points: int,
    source: str,
    now: datetime,
    actor: str,
    reason: str,
) -> Posted:
    balance = store.lock_balance(connection, account, now)
    repeated = store.find_entry(connection, account, kind, source)
    if repeated is not None:
        return Posted(repeated, True, balance)
    due = due_at(store.open_lots(connection, account), now)
    takes = take_points(spendable(due.lots), points)  # refuses before anything is written
    change = catch_up(connection, account, due, now)
    debit = Balance(-points, 0, 0)
    entry = store.add_entry(connection, account, NewEntry(kind, source, debit, now, actor, reason))
    store.use_lots(connection, entry.id, takes)
    change.add(debit)
    store.change_balance(connection, account, change.on(Balance(0, 0, 0)), now)
    if kind is EntryKind.REDEMPTION:
        announce(connection, REDEEMED, entry, points, now)
    return Posted(entry, False, change.on(balance))


def _return_accrual(
    connection: Connection,
    account: Account,
    balance: Balance,
    accrual: Entry,
    lot: LotRow,
    own_ids: list[int],
    share: Fraction,
    policy: DebtPolicy,
    source: str,
    now: datetime,
    actor: str,
    reason: str,
) -> Posted:
    """Take back ``share`` of the accrual's ``lot``: from the lots now holding its points
    (``own_ids``: the lot itself, or where a merge moved it), then the other available lots, then as
    the policy says."""
    due = due_at(store.open_lots(connection, account), now)
    current = {open_lot.id: open_lot for open_lot in due.lots}
    own = [current.get(lot_id) or store.lot_by_id(connection, lot_id) for lot_id in own_ids]
    points = points_to_return(lot.amount, lot.returned, share)
    others = [other for other in spendable(due.lots) if other.id not in own_ids]
    split = split_return(points, sum(held.remaining for held in own), others, policy)
    change = catch_up(connection, account, due, now)
    from_own = take_up_to([Lot(held.id, held.remaining, held.expires_at) for held in own], split.from_lot)
    activated = {held.id for held in own if held.activated}
    from_available = sum(points for lot_id, points in from_own if lot_id in activated)
    taken = sum(points for _, points in split.from_others)
    reversal = Balance(-from_available - taken, -(split.from_lot - from_available), 0)
    entry = store.add_entry(
        connection,
        account,
        NewEntry(
            EntryKind.REVERSAL,
            source,
            reversal,
            now,
            actor,
            reason,
            shortfall=split.shortfall,
            reverses=accrual.id,
        ),
    )
    store.use_lots(connection, entry.id, from_own + split.from_others)
    store.mark_returned(connection, lot.id, points)
    change.add(reversal)
    if split.debt:
        debt = Balance(0, 0, split.debt)
        store.add_entry(
            connection,
            account,
            NewEntry(EntryKind.DEBT, source, debt, now, actor, "points already spent", reverses=accrual.id),
        )
        change.add(debt)
    store.change_balance(connection, account, change.on(Balance(0, 0, 0)), now)
    return Posted(entry, False, change.on(balance))


def _cancel_redemption(
    connection: Connection,
    account: Account,
    balance: Balance,
    redemption: Entry,
    source: str,
    now: datetime,
    actor: str,
    reason: str,
) -> Posted:
    earlier = store.reversal_of(connection, account, redemption.id)
    if earlier is not None:
        raise LedgerError(
            "of", f"the redemption {redemption.source!r} was reversed already by {earlier.source!r}"
        )
    due = due_at(store.open_lots(connection, account), now)
    change = catch_up(connection, account, due, now)
    uses = store.uses_of(connection, redemption.id)
    restored = sum(points for _, points in uses)
    restoring = Balance(restored, 0, 0)
    entry = store.add_entry(
        connection,
        account,
        NewEntry(EntryKind.REVERSAL, source, restoring, now, actor, reason, reverses=redemption.id),
    )
    store.use_lots(connection, entry.id, [(lot_id, -points) for lot_id, points in uses])
    change.add(restoring)
    # Points given back to a lot past its expiry expire again at once: only what is left of it.
    live: list[Lot] = []
    for lot_id, _ in uses:
        lot = store.lot_by_id(connection, lot_id)
        if lot.expires_at is not None and lot.expires_at <= now and lot.remaining > 0:
            change.add(expire(connection, account, lot.id, lot.remaining, lot.expired, now))
        elif lot.remaining > 0:
            live.append(Lot(lot.id, lot.remaining, lot.expires_at))
    # While a debt is owed, points coming back pay it first, as new points do: an order returned
    # after its points were spent must not get them back through the cancelled checkout.
    owed = change.on(balance).debt
    paid_from: dict[int, int] = {}
    if owed and live:
        takes = take_up_to(live, owed)
        paid_from = dict(takes)
        paid = sum(points for _, points in takes)
        paying = Balance(-paid, 0, -paid)
        paid_entry = store.add_entry(
            connection, account, NewEntry(EntryKind.REPAYMENT, source, paying, now, actor, "debt paid first")
        )
        store.use_lots(connection, paid_entry.id, takes)
        change.add(paying)
    # Under the block policy a return wrote off what it could not take back from a spent lot; when
    # those very points come back to the lot, the return takes them now.
    for restored_lot in live:
        written_off = store.unsettled_shortfall(connection, account, restored_lot.id)
        recovered = min(written_off, restored_lot.remaining - paid_from.get(restored_lot.id, 0))
        if recovered > 0:
            taking = Balance(-recovered, 0, 0)
            recovery = NewEntry(
                EntryKind.REPAYMENT,
                f"{source}#{restored_lot.id}",
                taking,
                now,
                actor,
                "shortfall recovered",
                reverses=restored_lot.id,
            )
            store.use_lots(
                connection, store.add_entry(connection, account, recovery).id, [(restored_lot.id, recovered)]
            )
            change.add(taking)
    store.change_balance(connection, account, change.on(Balance(0, 0, 0)), now)
    return Posted(entry, False, change.on(balance))
