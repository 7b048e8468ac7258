"""A calculation as a JSON document (money as decimal strings): what the API answers and what a
reservation stores of the answer it was made from."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from retentio.loyalty.checkout.model import Calculation


def as_document(calculation: Calculation) -> dict[str, Any]:
    document = _plain(dataclasses.asdict(calculation))
    document["refused"] = [
        {**refused, "field": item.field}
        for refused, item in zip(document["refused"], calculation.refused, strict=True)
    ]
    assert isinstance(document, dict)
    return document


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
