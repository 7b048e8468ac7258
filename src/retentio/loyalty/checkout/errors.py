"""The checkout's refusals: each names the field and the rule, and nothing was written."""

from __future__ import annotations

from collections.abc import Sequence

from retentio.loyalty.checkout.model import Refused


class CheckoutError(ValueError):
    """A request the checkout refuses. ``field`` names the input (``codes[1]``, ``points``,
    ``cart.currency``), ``rule`` the rule it breaks (``expired``, ``max_share``, ``balance``…)."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.rule = rule
        self.message = message


class CheckoutNotFound(CheckoutError):
    def __init__(self, reservation_id: int) -> None:
        super().__init__("reservation", "not_found", f"no checkout reservation {reservation_id}")


class CheckoutConflict(CheckoutError):
    """The reservation is not in a state that allows the action (committed, released, timed out)."""


class CodesRefused(CheckoutError):
    """A reservation refused because an offered code or gift card does not apply: the first one's
    field and rule, and every refusal of the calculation in ``refused``."""

    def __init__(self, refused: Sequence[Refused]) -> None:
        first = refused[0]
        super().__init__(first.field, first.reason, f"{first.code!r}: {first.message}")
        self.refused = tuple(refused)
