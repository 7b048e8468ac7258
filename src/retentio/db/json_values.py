"""What a JSON column can hold: the store encodes with orjson, whose integers are 64-bit."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from pydantic import AfterValidator


def storable(value: dict[str, Any]) -> dict[str, Any]:
    """Refuse, with a reason, a JSON object the store could not encode (an integer beyond 64 bits)."""
    try:
        orjson.dumps(value)
    except TypeError as error:
        raise ValueError(f"cannot be stored: {error} (send such numbers as strings)") from None
    return value


StorableObject = Annotated[dict[str, Any], AfterValidator(storable)]
