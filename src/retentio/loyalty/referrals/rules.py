"""The fraud rules of a referral as plain data: what is known of the friend and the referrer in, the
first rule broken (a reason and a sentence) out. The reasons are stored with each refusal."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from retentio.loyalty.programmes.settings import Referral


class RefusalReason(StrEnum):
    UNKNOWN_CODE = "unknown_code"
    INVALID_CODE = "invalid_code"
    NO_FRIEND = "no_friend"
    REFERRALS_OFF = "referrals_off"
    SELF_REFERRAL = "self_referral"
    ALREADY_REFERRED = "already_referred"
    NOT_A_NEW_CUSTOMER = "not_a_new_customer"
    SAME_CONTACT = "same_contact"
    SAME_ADDRESS = "same_address"
    SAME_PAYMENT = "same_payment"
    NOT_TO_INCENTIVIZE = "not_to_incentivize"
    TOO_MANY_FRIENDS = "too_many_friends"
    FIRST_ORDER_RETURNED = "first_order_returned"


@dataclass(frozen=True, slots=True)
class Contact:
    email: str | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A friend about to be attributed to a referrer, with what the rules look at."""

    friend_id: str
    referrer_id: str
    friend: Contact
    referrer: Contact
    # Kinds of fingerprint (address, payment) seen on orders of both the friend and the referrer.
    shared_fingerprints: frozenset[str] = frozenset()
    friend_ordered_before: bool = False
    referrer_may_be_incentivized: bool = True
    friends_in_period: int = 0


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: RefusalReason
    detail: str


def why_refused(candidate: Candidate, settings: Referral) -> Refusal | None:
    """The first rule the referral breaks, or None when the friend may be attributed."""
    if candidate.friend_id == candidate.referrer_id:
        return Refusal(RefusalReason.SELF_REFERRAL, "a customer cannot refer themselves")
    if candidate.friend_ordered_before:
        return Refusal(
            RefusalReason.NOT_A_NEW_CUSTOMER, f"{candidate.friend_id!r} had ordered before the referral"
        )
    shared = shared_contact(candidate.friend, candidate.referrer)
    if shared:
        return Refusal(RefusalReason.SAME_CONTACT, f"the friend and the referrer share their {shared}")
    if "address" in candidate.shared_fingerprints:
        return Refusal(RefusalReason.SAME_ADDRESS, "the friend's order ships to an address the referrer used")
    if "payment" in candidate.shared_fingerprints:
        return Refusal(
            RefusalReason.SAME_PAYMENT, "the friend pays with a means of payment the referrer used"
        )
    if not candidate.referrer_may_be_incentivized:
        return Refusal(
            RefusalReason.NOT_TO_INCENTIVIZE,
            f"the referrer {candidate.referrer_id!r} is flagged do_not_incentivize",
        )
    if candidate.friends_in_period >= settings.max_friends:
        return Refusal(
            RefusalReason.TOO_MANY_FRIENDS,
            f"the referrer has {candidate.friends_in_period} friends within {settings.period_days} days "
            f"(at most {settings.max_friends})",
        )
    return None


def shared_contact(friend: Contact, referrer: Contact) -> str | None:
    """ "email" or "phone" when both have the same one (case, spaces and punctuation aside)."""
    if friend.email and referrer.email and _email(friend.email) == _email(referrer.email):
        return "email"
    if friend.phone and referrer.phone:
        digits = _digits(friend.phone)
        if len(digits) >= 7 and digits == _digits(referrer.phone):
            return "phone"
    return None


def _email(address: str) -> str:
    return address.strip().lower()


def _digits(phone: str) -> str:
    # The last ten digits: +7 916 … and 8 916 … are the same Russian number.
    return "".join(character for character in phone if character.isdigit())[-10:]
