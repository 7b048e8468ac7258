"""What crosses the ledger's boundary: entries, balances, outcomes, and the debt policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class EntryKind(StrEnum):
    ACCRUAL = "accrual"
    ACTIVATION = "activation"
    REDEMPTION = "redemption"
    EXPIRY = "expiry"
    REVERSAL = "reversal"
    ADJUSTMENT = "adjustment"
    TRANSFER = "transfer"
    DEBT = "debt"
    REPAYMENT = "repayment"


class DebtPolicy(StrEnum):
    """What a return does with points already spent, once the lot and the available balance are
    used up: ``debt`` records a debt the next accruals pay first; ``block`` records the shortfall
    as written off. Neither lets a balance go below zero."""

    DEBT = "debt"
    BLOCK = "block"


@dataclass(frozen=True, slots=True)
class Balance:
    available: int
    pending: int
    debt: int


ZERO = Balance(0, 0, 0)


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    programme: str
    customer_id: str
    kind: EntryKind
    source: str
    available: int
    pending: int
    debt: int
    shortfall: int
    lot_id: int | None
    reverses: int | None
    occurred_at: datetime
    actor: str
    reason: str


@dataclass(frozen=True, slots=True)
class Posted:
    """What a change did: its main entry, whether it was already there (a repeat of the same source
    writes nothing), and the balance after it."""

    entry: Entry
    repeated: bool
    balance: Balance


@dataclass(frozen=True, slots=True)
class Transfer:
    """What a transfer did: the sender's entry, the receiver's (one per lot the points came from;
    none when ``repeated``), and both balances after it."""

    sent: Entry
    received: tuple[Entry, ...]
    repeated: bool
    sender: Balance
    receiver: Balance


@dataclass(frozen=True, slots=True)
class LotRow:
    """A lot as stored; its id is the id of the entry that created it (an accrual, a positive
    adjustment, a transfer in)."""

    id: int
    amount: int
    remaining: int
    returned: int
    expired: int
    active_at: datetime
    activated: bool
    expires_at: datetime | None
