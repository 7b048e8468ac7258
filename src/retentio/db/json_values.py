"""What a text or JSON column can hold: the store encodes JSON with orjson, whose integers are 64-bit;
PostgreSQL stores no NUL character in text or jsonb (SQLite would, so both refuse it alike); and a
free object (attributes) is kept to a size a row and an answer can carry."""

from __future__ import annotations

import re
from typing import Annotated, Any

import orjson
from pydantic import AfterValidator

MAX_OBJECT_BYTES = 64 * 1024  # as event properties
NUL_MESSAGE = "contains a NUL character (\\u0000)"
# orjson writes a NUL as \u0000: an odd run of backslashes before "u0000" is that escape, an even run
# is literal backslashes followed by the text "u0000".
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


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
    return value


def refuse_nul(value: Any) -> Any:
    """For a model's fields (``field_validator("*")``): a text, or a list of texts, holding a NUL
    character is refused; other values pass (JSON objects are checked by ``storable``)."""
    texts = value if isinstance(value, list) else (value,)
    if any(isinstance(text, str) and "\x00" in text for text in texts):
        raise ValueError(NUL_MESSAGE)
    return value


StorableObject = Annotated[dict[str, Any], AfterValidator(storable)]
