"""The ledger's decisions as functions over plain data: which lots a redemption takes, how much a
return takes back and from where, what a new accrual pays of a debt. No I/O, no clock."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from retentio.loyalty.ledger.errors import InvalidPoints, NotEnoughPoints
from retentio.loyalty.ledger.model import DebtPolicy, LotRow


@dataclass(frozen=True, slots=True)
class Lot:
    id: int
    remaining: int
    expires_at: datetime | None


Take = tuple[int, int]  # (lot id, points)


def soonest_first(lots: Sequence[Lot]) -> list[Lot]:
    """Lots that expire first are spent first; lots that never expire last; older lots first on a tie."""
    return sorted(lots, key=lambda lot: (lot.expires_at is None, lot.expires_at or datetime.min, lot.id))


def take_points(lots: Sequence[Lot], points: int) -> list[Take]:
    """The lots ``points`` come from, soonest-expiring first; never more than a lot has left."""
    if points <= 0:
        raise InvalidPoints("points", f"must be positive, not {points}")
    available = sum(lot.remaining for lot in lots)
    if points > available:
        raise NotEnoughPoints(points, available)
    return take_up_to(lots, points)


def take_up_to(lots: Sequence[Lot], points: int) -> list[Take]:
    """As many of ``points`` as the lots hold, soonest-expiring first."""
    takes: list[Take] = []
    left = points
    for lot in soonest_first(lots):
        if left == 0:
            break
        taken = min(lot.remaining, left)
        if taken > 0:
            takes.append((lot.id, taken))
            left -= taken
    return takes


def points_to_return(amount: int, returned: int, share: Fraction) -> int:
    """The points a return of ``share`` of an order takes back from its accrual of ``amount``, of
    which ``returned`` were taken back before: shares add up, rounded half up on the running
    total so that returning an order in parts takes back exactly what returning it whole would."""
    if not 0 < share <= 1:
        raise InvalidPoints("share", f"must be above 0 and at most 1, not {share}")
    returned_share = Fraction(returned, amount) if amount else Fraction(0)
    total_share = min(Fraction(1), returned_share + share)
    target = int(total_share * amount + Fraction(1, 2))
    return max(0, target - returned)


@dataclass(frozen=True, slots=True)
class ReturnSplit:
    """Where a return's points come from: the lot itself, then the customer's other available lots,
    then (what was already spent) a debt or a written-off shortfall, by the programme's policy."""

    from_lot: int
    from_others: list[Take]
    debt: int
    shortfall: int


def split_return(points: int, lot_remaining: int, others: Sequence[Lot], policy: DebtPolicy) -> ReturnSplit:
    from_lot = min(points, lot_remaining)
    from_others = take_up_to(others, points - from_lot)
    rest = points - from_lot - sum(taken for _, taken in from_others)
    if policy is DebtPolicy.DEBT:
        return ReturnSplit(from_lot, from_others, rest, 0)
    return ReturnSplit(from_lot, from_others, 0, rest)


def repayment(debt: int, accrued: int) -> int:
    """What a new accrual pays of the customer's debt: all it can, before it counts as points."""
    return min(debt, accrued)


@dataclass(frozen=True, slots=True)
class Due:
    """What time alone did to a customer's lots: activations (lot, points) and expiries (lot,
    points, points the lot had expired before), and the lots as they are after them."""

    activations: list[Take]
    expiries: list[tuple[int, int, int]]
    lots: list[LotRow]


def due_at(lots: Sequence[LotRow], now: datetime) -> Due:
    """Pending lots whose time came become available; available lots past their expiry lose what is
    left of them (and only that: what redemptions took stays taken)."""
    activations: list[Take] = []
    expiries: list[tuple[int, int, int]] = []
    after: list[LotRow] = []
    for lot in lots:
        if not lot.activated and lot.active_at <= now:
            activations.append((lot.id, lot.remaining))
            lot = dataclasses.replace(lot, activated=True)
        if lot.activated and lot.remaining > 0 and lot.expires_at is not None and lot.expires_at <= now:
            expiries.append((lot.id, lot.remaining, lot.expired))
            lot = dataclasses.replace(lot, remaining=0, expired=lot.expired + lot.remaining)
        after.append(lot)
    return Due(activations, expiries, after)


def spendable(lots: Sequence[LotRow]) -> list[Lot]:
    return [Lot(lot.id, lot.remaining, lot.expires_at) for lot in lots if lot.activated and lot.remaining > 0]
