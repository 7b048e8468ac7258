"""How long an SMS is: its encoding, its length in the encoding's units, and how many parts it costs.

GSM-7 (3GPP TS 23.038) fits 160 characters in one SMS, or 153 a part once the text is split (the
rest carries the part header); the extension table's characters (``€[]{}^~|\\`` and form feed) take
two septets, an escape and the character, which never straddle two parts. A single character outside
GSM-7 (Cyrillic, ``₽``, an emoji, a no-break space) sends the whole text as UCS-2: 70 UTF-16 code units
in one SMS, 67 a part; a character beyond the BMP (most emoji) is a surrogate pair, two units, and
phones keep a pair in one part.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")


class SmsEncoding(StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


# (units in a single SMS, units a part of a split one)
_CAPACITY = {SmsEncoding.GSM7: (160, 153), SmsEncoding.UCS2: (70, 67)}


@dataclass(frozen=True, slots=True)
class SmsLength:
    encoding: SmsEncoding
    characters: int  # as a person counts them (code points)
    units: int  # septets in GSM-7, UTF-16 code units in UCS-2
    segments: int  # SMS parts billed; 0 for an empty text
    per_segment: int  # units one part holds: 160/70 when it fits in one, 153/67 when split
    remaining: int  # units still free in the last part


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def unit_weights(text: str, encoding: SmsEncoding) -> list[int]:
    """Each character's size in the encoding's units (1 or 2)."""
    if encoding is SmsEncoding.GSM7:
        return [2 if char in GSM7_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def sms_length(text: str) -> SmsLength:
    encoding = SmsEncoding.GSM7 if is_gsm7(text) else SmsEncoding.UCS2
    single, part = _CAPACITY[encoding]
    weights = unit_weights(text, encoding)
    units = sum(weights)
    if units <= single:
        segments = 1 if units else 0
        return SmsLength(encoding, len(text), units, segments, single, single - units)
    segments, used = 1, 0
    for weight in weights:  # a two-unit character that does not fit starts the next part
        if used + weight > part:
            segments, used = segments + 1, 0
        used += weight
    return SmsLength(encoding, len(text), units, segments, part, part - used)
