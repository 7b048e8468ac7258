"""The referrals' errors: each names the field it is about."""

from __future__ import annotations


class ReferralError(ValueError):
    """Bad input or a refused action; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ReferralsOff(ReferralError):
    def __init__(self, programme: str) -> None:
        super().__init__("programme", f"programme {programme!r} has no [referral] settings")
