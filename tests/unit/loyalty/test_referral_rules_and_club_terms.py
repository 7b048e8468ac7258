"""The pure parts: the order of the fraud rules, contacts compared as people write them, and how
club terms add up (a renewal before the lapse continues from the end; month ends are kept)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from retentio.loyalty.club.terms import Term, add_months, standing
from retentio.loyalty.programmes.settings import Referral
from retentio.loyalty.referrals.rules import Candidate, Contact, RefusalReason, shared_contact, why_refused

SETTINGS = Referral(friend_points=10, max_friends=2)
NOBODY = Contact(None, None)
AT = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)


def candidate(**changes: object) -> Candidate:
    values: dict[str, object] = {
        "friend_id": "bob",
        "referrer_id": "ann",
        "friend": NOBODY,
        "referrer": NOBODY,
    }
    return Candidate(**{**values, **changes})  # type: ignore[arg-type]


def test_a_clean_referral_passes() -> None:
    assert why_refused(candidate(friends_in_period=1), SETTINGS) is None


def test_the_first_rule_broken_is_the_reason() -> None:
    both = candidate(friend=Contact("a@x.ru", None), referrer=Contact("A@X.RU ", None), friends_in_period=5)
    refusal = why_refused(both, SETTINGS)
    assert refusal is not None and refusal.reason is RefusalReason.SAME_CONTACT
    refusal = why_refused(candidate(friends_in_period=2), SETTINGS)
    assert refusal is not None and refusal.reason is RefusalReason.TOO_MANY_FRIENDS
    refusal = why_refused(candidate(referrer_id="bob", friend_ordered_before=True), SETTINGS)
    assert refusal is not None and refusal.reason is RefusalReason.SELF_REFERRAL


def test_phones_are_compared_by_their_last_ten_digits() -> None:
    assert shared_contact(Contact(None, "+7 (916) 123-45-67"), Contact(None, "8 916 1234567")) == "phone"
    assert shared_contact(Contact(None, "+7 916 123-45-67"), Contact(None, "+7 916 123-45-68")) is None
    assert shared_contact(Contact(None, "12-34"), Contact(None, "1234")) is None  # too short to tell


def test_month_ends_are_kept() -> None:
    assert add_months(AT, 1) == datetime(2026, 2, 28, 10, 0, tzinfo=UTC)
    assert add_months(AT, 12) == datetime(2027, 1, 31, 10, 0, tzinfo=UTC)


def test_a_renewal_before_the_lapse_continues_from_the_end_and_a_late_one_starts_afresh() -> None:
    first = Term("order:1", "paid", AT, 12)
    end = add_months(AT, 12)
    early = standing([first, Term("order:2", "paid", end - timedelta(days=10), 12)], grace_days=7)
    assert early is not None and (early.started_at, early.ends_at) == (AT, add_months(AT, 24))
    late_at = end + timedelta(days=8)
    late = standing([first, Term("order:2", "paid", late_at, 12)], grace_days=7)
    assert late is not None and (late.started_at, late.ends_at) == (late_at, add_months(late_at, 12))
    ended = standing([Term("order:1", "paid", AT, 12, ended=True)], grace_days=7)
    assert ended is None
