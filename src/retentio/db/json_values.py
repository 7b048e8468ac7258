"""What a text or JSON column can hold: the store encodes JSON with orjson, whose integers are 64-bit
and which writes NaN as null; PostgreSQL stores no NUL character in text or jsonb (SQLite would, so
both refuse it alike); and a free object (attributes) is kept to a size a row and an answer can
carry."""

from __future__ import annotations

import json
import math
import re
from typing import Annotated, Any

import orjson
from pydantic import AfterValidator

MAX_OBJECT_BYTES = 64 * 1024  # as event properties
NUL_MESSAGE = "contains a NUL character (\\u0000)"
# orjson writes a NUL as \u0000: an odd run of backslashes before "u0000" is that escape, an even run
# is literal backslashes followed by the text "u0000".
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
# An integer beyond 64 bits (from -2**63 to 2**64 - 1) has at least 19 digits.
_LONG_DIGIT_RUN = b"0" * 19


def loads_exact(data: bytes) -> Any:
    """``orjson.loads``, except that an integer beyond 64 bits stays an ``int``: orjson reads it as a
    float, silently changing it, where it should be refused by name (``encode`` does). Such a body
    (or one merely holding a long run of digits, in a text say) is read a second time with the
    standard library; the common one costs a scan for the run, well under the parse itself."""
    document = orjson.loads(data)
    if _LONG_DIGIT_RUN not in data.translate(_DIGITS_AS_ZERO):
        return document
    try:
        return json.loads(data)
    except RecursionError:  # deeper than the standard library goes, within orjson's 1024 levels
        raise orjson.JSONDecodeError("nested too deeply to read its numbers exactly", "", 0) from None


def has_nul(encoded: bytes) -> bool:
    """Whether JSON written by orjson holds a NUL character, in a key or a value at any depth."""
    return b"\\u0000" in encoded and _NUL_ESCAPE.search(encoded) is not None


def encode(value: dict[str, Any]) -> bytes:
    """``value`` as stored JSON; ``ValueError`` with a reason when it cannot be stored."""
    try:
        return orjson.dumps(value)
    except TypeError as error:
        raise ValueError(f"cannot be stored: {error} (send such numbers as strings)") from None


def storable(value: dict[str, Any]) -> dict[str, Any]:
    """Refuse, with a reason, a JSON object the store could not encode (an integer beyond 64 bits),
    one holding a NUL character, or one over ``MAX_OBJECT_BYTES``."""
    encoded = encode(value)
    if len(encoded) > MAX_OBJECT_BYTES:
        raise ValueError(f"larger than {MAX_OBJECT_BYTES} bytes as JSON ({len(encoded)} bytes)")
    if has_nul(encoded):
        raise ValueError(NUL_MESSAGE)
    # orjson writes NaN and ±Infinity (which Python's JSON reader takes) as null, silently
    if b"null" in encoded and _holds_non_finite(value):
        raise ValueError("holds a number that is not finite (NaN or Infinity)")
    return value


def _holds_non_finite(value: Any) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return True
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def refuse_nul(value: Any) -> Any:
    """For a model's fields (``field_validator("*")``): a text, or a list of texts, holding a NUL
    character is refused; other values pass (JSON objects are checked by ``storable``)."""
    texts = value if isinstance(value, list) else (value,)
    if any(isinstance(text, str) and "\x00" in text for text in texts):
        raise ValueError(NUL_MESSAGE)
    return value


StorableObject = Annotated[dict[str, Any], AfterValidator(storable)]
