"""Phone numbers as people type them, turned into E.164 digits (``79161234567``, no ``+``).

Russian habits are understood: ``+7 (916) 123-45-67``, ``8 916 123 45 67``, ``89161234567`` and a bare
mobile ``9161234567`` all give ``79161234567``. Other countries must come with their code
(``+44 20 7946 0958``, or the digits without ``+``). Anything else is refused with the reason, so
the channel can record the contact as unreachable instead of paying for an SMS that cannot arrive.
"""

from __future__ import annotations

SEPARATORS = frozenset(" ()-.\t\u00a0")
E164_MAX_DIGITS = 15  # ITU-T E.164: country code and national number together
INTERNATIONAL_MIN_DIGITS = 8  # the shortest numbers in use (small island states) with their code
RUSSIAN_DIGITS = 11  # 7 and a ten-digit national number (Kazakhstan shares +7 and the length)


class InvalidPhone(ValueError):
    """The text is not a phone number an SMS can go to; the message says why."""


def normalise_phone(text: str) -> str:
    digits, had_plus = _digits_of(text)
    if had_plus:
        return _international(text, digits)
    if len(digits) == RUSSIAN_DIGITS and digits[0] in "78":
        return "7" + digits[1:]  # 8 is the Russian trunk prefix for +7
    if len(digits) == RUSSIAN_DIGITS - 1 and digits[0] == "9":
        return "7" + digits  # a Russian mobile written without the country code
    if digits[0] == "8":
        raise InvalidPhone(f"{text!r}: a number starting with 8 needs 11 digits, it has {len(digits)}")
    if len(digits) < RUSSIAN_DIGITS:
        # "4951234567" is a Moscow number without its code, or +49 without the plus: refuse to guess
        raise InvalidPhone(f"{text!r} is too short: write a number from abroad with + and its country code")
    return _international(text, digits)


def _digits_of(text: str) -> tuple[str, bool]:
    stripped = text.strip()
    had_plus = stripped.startswith("+")
    kept = [char for char in stripped.removeprefix("+") if char not in SEPARATORS]
    wrong = dict.fromkeys(char for char in kept if not ("0" <= char <= "9"))  # in the order typed
    if wrong:
        shown = "".join(wrong)
        raise InvalidPhone(f"{text!r} has characters a phone number cannot have: {shown!r}")
    if not kept:
        raise InvalidPhone(f"{text!r} has no digits")
    return "".join(kept), had_plus


def _international(text: str, digits: str) -> str:
    if digits[0] == "0":
        raise InvalidPhone(f"{text!r}: no country code starts with 0")
    if digits[0] == "7" and len(digits) != RUSSIAN_DIGITS:
        raise InvalidPhone(f"{text!r}: a +7 number has 11 digits, this one has {len(digits)}")
    if len(digits) < INTERNATIONAL_MIN_DIGITS:
        raise InvalidPhone(f"{text!r} is too short for a phone number ({len(digits)} digits)")
    if len(digits) > E164_MAX_DIGITS:
        raise InvalidPhone(f"{text!r} is too long for a phone number ({len(digits)} digits, E.164 allows 15)")
    return digits
