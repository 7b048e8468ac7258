from __future__ import annotations

from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from retentio.messaging.templates.sms import GSM7_BASIC, GSM7_EXTENSION, SmsEncoding, is_gsm7, sms_length

ESCAPE = "\x1b"


def split_units(units: list[str], single: int, size: int, opens_a_pair: Callable[[str], bool]) -> list[str]:
    """Cut every ``size`` units, one earlier when the cut would separate a character's two units."""
    if len(units) <= single:
        return ["".join(units)] if units else []
    parts = []
    start = 0
    while start < len(units):
        end = min(start + size, len(units))
        if opens_a_pair(units[end - 1]):
            end -= 1
        parts.append("".join(units[start:end]))
        start = end
    return parts


def reference_parts(text: str) -> list[str]:
    """Split the way a modem does: encode to units, cut every 153 (67) units, never inside a
    character, and decode each part back."""
    if is_gsm7(text):
        septets = [unit for char in text for unit in ((ESCAPE, char) if char in GSM7_EXTENSION else (char,))]
        parts = split_units(septets, 160, 153, lambda unit: unit == ESCAPE)
        return [part.replace(ESCAPE, "") for part in parts]
    raw = text.encode("utf-16-le")
    # each UTF-16 unit as a one-character stand-in, so surrogate halves stay separate units
    units = [chr(int.from_bytes(raw[i : i + 2], "little")) for i in range(0, len(raw), 2)]
    parts = split_units(units, 70, 67, lambda unit: 0xD800 <= ord(unit) <= 0xDBFF)
    return [part.encode("utf-16-le", "surrogatepass").decode("utf-16-le") for part in parts]


gsm_text = st.text(alphabet=sorted(GSM7_BASIC | GSM7_EXTENSION), max_size=700)
any_text = st.text(max_size=400)
mixed_text = st.text(alphabet=st.sampled_from([*"aZ €[{", "я", "😀", "₽"]), max_size=400)


@given(st.one_of(gsm_text, any_text, mixed_text))
def test_segments_match_a_reference_splitting(text: str) -> None:
    # when
    length = sms_length(text)
    parts = reference_parts(text)
    # then
    assert "".join(parts) == text
    assert length.segments == len(parts)
    assert length.characters == len(text)


@given(gsm_text)
def test_a_gsm_text_counts_extension_characters_twice(text: str) -> None:
    length = sms_length(text)
    assert length.encoding is SmsEncoding.GSM7
    assert length.units == len(text) + sum(char in GSM7_EXTENSION for char in text)


def test_160_plain_characters_are_one_sms_and_161_are_two() -> None:
    assert sms_length("a" * 160).segments == 1
    assert sms_length("a" * 160).remaining == 0
    two = sms_length("a" * 161)
    assert (two.segments, two.per_segment, two.remaining) == (2, 153, 153 * 2 - 161)
    assert sms_length("a" * 306).segments == 2
    assert sms_length("a" * 307).segments == 3


def test_extension_characters_count_two_and_never_straddle_parts() -> None:
    assert sms_length("€" * 80).units == 160
    assert sms_length("€" * 80).segments == 1
    assert sms_length("€" * 81).segments == 2
    # 152 plain septets then a euro sign: the escape and the sign go to the second part together
    length = sms_length("a" * 152 + "€" + "a" * 10)
    assert (length.units, length.segments, length.remaining) == (164, 2, 153 - 12)


def test_cyrillic_forces_ucs2_with_70_and_67() -> None:
    assert sms_length("Привет").encoding is SmsEncoding.UCS2
    assert sms_length("я" * 70).segments == 1
    assert sms_length("я" * 71).segments == 2
    assert sms_length("я" * 134).segments == 2
    assert sms_length("я" * 135).segments == 3


def test_one_non_gsm_character_turns_a_latin_text_to_ucs2() -> None:
    assert sms_length("Your order costs 1,234.50").encoding is SmsEncoding.GSM7
    assert sms_length("Your order costs 1 234,50 ₽").encoding is SmsEncoding.UCS2
    assert sms_length("price\xa0100").encoding is SmsEncoding.UCS2  # a no-break space is not GSM-7


def test_an_emoji_is_two_utf16_units() -> None:
    length = sms_length("😀" * 35)
    assert (length.encoding, length.units, length.characters, length.segments) == (
        SmsEncoding.UCS2,
        70,
        35,
        1,
    )
    assert sms_length("😀" * 36).segments == 2
    # 66 units then an emoji: the pair is not split, it opens the second part
    split = sms_length("я" * 66 + "😀" + "я")
    assert (split.units, split.segments) == (69, 1)
    split = sms_length("я" * 66 + "😀" + "я" * 5)
    assert (split.units, split.segments, split.remaining) == (73, 2, 67 - 7)


def test_an_empty_text_is_no_sms() -> None:
    assert sms_length("").segments == 0
