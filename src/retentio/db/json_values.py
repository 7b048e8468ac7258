"""What a JSON column can hold: the store encodes with orjson, whose integers are 64-bit, and a free
object (attributes) is kept to a size a row and an answer can carry."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from pydantic import AfterValidator

MAX_OBJECT_BYTES = 64 * 1024  # as event properties


def encoded_size(value: dict[str, Any]) -> int:
    """Bytes of ``value`` as stored JSON; ``ValueError`` with a reason when it cannot be stored."""
    try:
        return len(orjson.dumps(value))
    except TypeError as error:
        raise ValueError(f"cannot be stored: {error} (send such numbers as strings)") from None


def storable(value: dict[str, Any]) -> dict[str, Any]:
    """Refuse, with a reason, a JSON object the store could not encode (an integer beyond 64 bits) or
    one over ``MAX_OBJECT_BYTES``."""
    size = encoded_size(value)
    if size > MAX_OBJECT_BYTES:
        raise ValueError(f"larger than {MAX_OBJECT_BYTES} bytes as JSON ({size} bytes)")
    return value


StorableObject = Annotated[dict[str, Any], AfterValidator(storable)]
