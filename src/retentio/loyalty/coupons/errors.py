"""The coupons' errors: each names the field or the rule it is about."""

from __future__ import annotations


class CouponError(ValueError):
    """Bad input or a refused action; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InvalidCode(CouponError):
    pass


class InvalidPool(CouponError):
    pass


class PoolNotFound(CouponError):
    def __init__(self, pool: int | str) -> None:
        super().__init__("pool", f"no coupon pool {pool!r}")


class UnknownCode(CouponError):
    def __init__(self) -> None:
        super().__init__("code", "no such code")


class CouponRefused(CouponError):
    """A code that exists but does not apply: ``reason`` is one of ``Reason``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__("code", message)
        self.reason = reason


class ReservationNotFound(CouponError):
    def __init__(self, reservation_id: int) -> None:
        super().__init__("reservation", f"no coupon reservation {reservation_id}")


class ReservationEnded(CouponError):
    """Committing a reservation that was released or timed out."""
