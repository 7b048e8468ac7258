"""The gift cards' errors: each names the field or the rule it is about."""

from __future__ import annotations


class GiftCardError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class GiftCardNotFound(GiftCardError):
    def __init__(self) -> None:
        super().__init__("code", "no such gift card")


class WrongCurrency(GiftCardError):
    def __init__(self, card_currency: str, given: str) -> None:
        super().__init__("currency", f"the card holds {card_currency}; it cannot pay or take {given}")


class InsufficientBalance(GiftCardError):
    def __init__(self, balance: str, asked: str) -> None:
        super().__init__("amount", f"the card holds {balance}; {asked} is more than that")


class GiftCardExpired(GiftCardError):
    def __init__(self) -> None:
        super().__init__("code", "the gift card has expired")
