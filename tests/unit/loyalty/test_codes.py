"""Codes: only the readable alphabet, enough random bits, and typed forms read back the same."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retentio.loyalty.coupons.codes import (
    ALPHABET,
    BITS_PER_SYMBOL,
    DEFAULT_RANDOM_LENGTH,
    MIN_RANDOM_LENGTH,
    check_prefix,
    display,
    normalise,
    random_part,
    random_parts,
)
from retentio.loyalty.coupons.errors import InvalidCode

symbols = st.text(alphabet=ALPHABET, min_size=MIN_RANDOM_LENGTH, max_size=24)
prefixes = st.text(alphabet=ALPHABET, max_size=6)


def test_the_alphabet_has_32_symbols_and_none_of_the_ambiguous_ones() -> None:
    assert len(set(ALPHABET)) == 32
    assert not set("0O1I") & set(ALPHABET)


def test_a_default_code_carries_at_least_48_random_bits() -> None:
    assert MIN_RANDOM_LENGTH * BITS_PER_SYMBOL >= 48
    assert len(random_part()) == DEFAULT_RANDOM_LENGTH


def test_bulk_parts_are_of_the_alphabet_the_length_and_distinct() -> None:
    parts = list(random_parts(250_000, 12))
    assert len(parts) == 250_000
    assert all(len(part) == 12 for part in parts)
    assert set("".join(parts)) <= set(ALPHABET)
    assert len(set(parts)) == len(parts)


def test_every_symbol_comes_up_about_equally_often() -> None:
    text = "".join(random_parts(20_000, 16))  # 320,000 symbols, 10,000 expected each
    counts = [text.count(symbol) for symbol in ALPHABET]
    assert min(counts) > 9_000 and max(counts) < 11_000


@given(prefixes, symbols)
def test_a_displayed_code_normalises_back_to_itself(prefix: str, rest: str) -> None:
    code = prefix + rest
    assert normalise(display(code, len(prefix))) == code


@given(symbols, st.lists(st.sampled_from([" ", "-", "  ", "\t"]), max_size=5), st.randoms())
def test_case_spaces_and_dashes_do_not_matter(code: str, separators: list[str], random: object) -> None:
    typed = list(code.lower())
    for separator in separators:
        typed.insert(random.randrange(len(typed) + 1), separator)  # type: ignore[attr-defined]
    assert normalise("".join(typed)) == code


@given(symbols, st.sampled_from("0O1Ioi"), st.integers(min_value=0))
def test_an_ambiguous_character_is_refused_by_name(code: str, ambiguous: str, at: int) -> None:
    position = at % (len(code) + 1)
    with pytest.raises(InvalidCode, match="never hold 0, O, 1 or I") as raised:
        normalise(code[:position] + ambiguous + code[position:])
    assert raised.value.field == "code"


def test_groups_of_four_after_the_prefix() -> None:
    assert display("SMMRABCDEFGHJKLM", 4) == "SMMR-ABCD-EFGH-JKLM"
    assert display("ABCDEFGHJKLM", 0) == "ABCD-EFGH-JKLM"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "empty"),
        ("  - ", "empty"),
        ("ABC$DEFGHJ", "'\\$'"),
        ("Ä" + "A" * 12, "'Ä'"),
        ("A" * 45, "at most 44"),
    ],
)
def test_bad_codes_are_refused_naming_the_problem(typed: str, message: str) -> None:
    with pytest.raises(InvalidCode, match=message):
        normalise(typed)


def test_a_prefix_with_an_ambiguous_letter_is_refused() -> None:
    with pytest.raises(InvalidCode, match="prefix holds 'I'"):
        check_prefix("WINTER")
    assert check_prefix("smmr") == "SMMR"


@pytest.mark.parametrize("length", [0, 9, 33])
def test_a_random_part_below_50_bits_or_absurdly_long_is_refused(length: int) -> None:
    with pytest.raises(InvalidCode, match="length"):
        random_part(length)
