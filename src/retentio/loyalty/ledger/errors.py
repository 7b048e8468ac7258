"""The ledger's refusals: each names the field that is wrong, and nothing was written."""

from __future__ import annotations


class LedgerError(ValueError):
    """A change the ledger refuses; ``field`` names the input that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InvalidPoints(LedgerError):
    pass


class NotEnoughPoints(LedgerError):
    def __init__(self, asked: int, available: int) -> None:
        super().__init__("points", f"{asked} asked, only {available} available")
        self.asked = asked
        self.available = available


class UnknownCustomer(LedgerError):
    def __init__(self, customer_id: str) -> None:
        super().__init__("customer_id", f"no customer {customer_id!r}")


class UnknownEntry(LedgerError):
    pass
