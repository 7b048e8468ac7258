"""Loyalty (LOY-1..LOY-7): the points ledger now (``loyalty.ledger``); programmes, tiers,
referrals, coupons, gift cards and checkout build on it.

This package is the area's facade: other areas import these names from ``retentio.loyalty``, never
its modules (``lint-imports`` checks it). Each name loads its module on first use
(``retentio.facade``). Changes (``do_accrue``, ``do_redeem``, ``do_reverse``, ``do_adjust``) run
in the caller's transaction; reads are ``get_balance`` and ``list_entries``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retentio.facade import load_on_use

if TYPE_CHECKING:
    from retentio.loyalty.ledger.errors import (
        InvalidPoints,
        LedgerError,
        NotEnoughPoints,
        UnknownCustomer,
        UnknownEntry,
    )
    from retentio.loyalty.ledger.model import Balance, DebtPolicy, Entry, EntryKind, Posted
    from retentio.loyalty.ledger.nightly import NightlyResult, do_nightly
    from retentio.loyalty.ledger.reads import get_balance, list_entries
    from retentio.loyalty.ledger.rebuild import do_rebuild_balances
    from retentio.loyalty.ledger.service import do_accrue, do_adjust, do_redeem, do_reverse
    from retentio.loyalty.ledger.upkeep import ledger_kinds, start_ledger_upkeep

__all__ = [
    "Balance",
    "DebtPolicy",
    "Entry",
    "EntryKind",
    "InvalidPoints",
    "LedgerError",
    "NightlyResult",
    "NotEnoughPoints",
    "Posted",
    "UnknownCustomer",
    "UnknownEntry",
    "do_accrue",
    "do_adjust",
    "do_nightly",
    "do_rebuild_balances",
    "do_redeem",
    "do_reverse",
    "get_balance",
    "ledger_kinds",
    "list_entries",
    "start_ledger_upkeep",
]

_EXPORTS = {
    "retentio.loyalty.ledger.errors": [
        "InvalidPoints",
        "LedgerError",
        "NotEnoughPoints",
        "UnknownCustomer",
        "UnknownEntry",
    ],
    "retentio.loyalty.ledger.model": ["Balance", "DebtPolicy", "Entry", "EntryKind", "Posted"],
    "retentio.loyalty.ledger.nightly": ["NightlyResult", "do_nightly"],
    "retentio.loyalty.ledger.reads": ["get_balance", "list_entries"],
    "retentio.loyalty.ledger.rebuild": ["do_rebuild_balances"],
    "retentio.loyalty.ledger.service": ["do_accrue", "do_adjust", "do_redeem", "do_reverse"],
    "retentio.loyalty.ledger.upkeep": ["ledger_kinds", "start_ledger_upkeep"],
}
__getattr__ = load_on_use(__name__, _EXPORTS)
