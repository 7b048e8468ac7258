from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retentio.messaging.channels.phones import InvalidPhone, normalise_phone

national = st.from_regex(r"9[0-9]{9}", fullmatch=True)  # a Russian mobile's ten digits


@pytest.mark.parametrize(
    "typed",
    [
        "+7 (916) 123-45-67",
        "+79161234567",
        "79161234567",
        "8 916 123 45 67",
        "8(916)123-45-67",
        "89161234567",
        "916 123-45-67",
        "9161234567",
        " +7\u00a0916\u00a0123\u00a045\u00a067 ",
        "7.916.123.45.67",
    ],
)
def test_russian_habits_give_one_number(typed: str) -> None:
    assert normalise_phone(typed) == "79161234567"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+44 20 7946 0958", "442079460958"),
        ("+1 (201) 555-0123", "12015550123"),
        ("380441234567", "380441234567"),
        ("+372 5123 4567", "37251234567"),
    ],
)
def test_numbers_from_abroad_keep_their_country_code(typed: str, expected: str) -> None:
    assert normalise_phone(typed) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "no digits"),
        ("  () - ", "no digits"),
        ("+7 916 CALL-ME", "characters a phone number cannot have: 'CALME'"),
        ("8-916-123-45-6x", "'x'"),
        ("+7 916 123 45 67 ext 2", "'ext'"),
        ("++79161234567", "'+'"),
        ("7916+1234567", "'+'"),
        ("+7 916 123 45 6", "a +7 number has 11 digits, this one has 10"),
        ("+7 916 123 45 678", "a +7 number has 11 digits, this one has 12"),
        ("8 916 123 45 6", "starting with 8 needs 11 digits, it has 10"),
        ("495 123 45 67", "write a number from abroad with + and its country code"),
        ("123", "too short"),
        ("+123 45", "too short for a phone number (5 digits)"),
        ("+0 123 456 789", "no country code starts with 0"),
        ("+1234567890123456", "too long for a phone number (16 digits"),
    ],
)
def test_what_is_not_a_phone_is_refused_with_the_reason(typed: str, reason: str) -> None:
    with pytest.raises(InvalidPhone, match=re.escape(reason)):
        normalise_phone(typed)


spellings = st.sampled_from(["+7 ({a}) {b}-{c}-{d}", "8{a}{b}{c}{d}", "7 {a} {b} {c} {d}", "{a}{b}{c}{d}"])


@given(national, spellings)
def test_every_russian_spelling_of_a_mobile_is_the_same_number(digits: str, pattern: str) -> None:
    typed = pattern.format(a=digits[:3], b=digits[3:6], c=digits[6:8], d=digits[8:])
    assert normalise_phone(typed) == "7" + digits


@given(st.text(max_size=30))
def test_any_text_gives_e164_digits_or_a_reason_and_a_number_stays_itself(text: str) -> None:
    try:
        number = normalise_phone(text)
    except InvalidPhone as refused:
        reason = str(refused)
    else:
        reason = ""
    if reason:
        assert reason.startswith(repr(text))
        return
    assert number.isascii() and number.isdigit() and 8 <= len(number) <= 15
    assert number[0] != "0"
    assert normalise_phone(number) == number
    assert normalise_phone("+" + number) == number
