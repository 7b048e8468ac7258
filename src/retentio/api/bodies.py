"""Request bodies the API reads itself: batches, where one bad item must not fail the others.

The body is read as bytes (capped) on the event loop, then parsed with orjson and validated item by
item in a worker thread, so that broken JSON is a clear 400, an oversized body or batch a 413, and a
bad item a named rejection.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import orjson
from fastapi import HTTPException, Request, status
from pydantic import BaseModel, ValidationError

from retentio.api.schemas import FieldErrorPublic
from retentio.db.json_values import loads_exact

MAX_BODY_BYTES = 64 * 1024 * 1024
Item = TypeVar("Item", bound=BaseModel)


async def read_body(request: Request, max_bytes: int = MAX_BODY_BYTES) -> bytes:
    """The raw body; 413 past ``max_bytes`` (checked while reading, before it is all in memory)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise body_too_large(max_bytes)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise body_too_large(max_bytes)
    return bytes(body)


def parse_json(body: bytes) -> object:
    """The parsed body; 400 naming the reason when it is not JSON (or not UTF-8)."""
    try:
        return loads_exact(body)
    except orjson.JSONDecodeError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"body is not valid JSON: {error}") from None


def batch_items(document: object, key: str, max_items: int) -> list[object]:
    """The items of ``[...]`` or ``{key: [...]}``; 422 for another shape, 413 over ``max_items``."""
    items = document.get(key) if isinstance(document, dict) and len(document) == 1 else document
    if not isinstance(items, list):
        message = f"expected a JSON array, or an object {{{key!r}: [...]}}"
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [{"field": key, "message": message}])
    if len(items) > max_items:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"a batch holds at most {max_items} items, got {len(items)}",
        )
    return items


def validate_each(
    model: type[Item], items: Sequence[object]
) -> tuple[list[tuple[int, Item]], list[tuple[int, list[FieldErrorPublic]]]]:
    """Each item validated alone: (index, model) for the good ones, (index, errors) for the rest."""
    valid: list[tuple[int, Item]] = []
    invalid: list[tuple[int, list[FieldErrorPublic]]] = []
    for index, item in enumerate(items):
        try:
            valid.append((index, model.model_validate(item)))
        except ValidationError as error:
            details = error.errors(include_url=False, include_input=False)
            invalid.append((index, field_errors(details, whole="")))
    return valid, invalid


def field_errors(details: Sequence[Any], skip: int = 0, whole: str = "body") -> list[FieldErrorPublic]:
    """pydantic's error list → ``[{field, message}]``, the field a dotted path (``items.0.price``),
    or ``whole`` when the error is about the value as a whole."""
    errors = []
    for detail in details:
        path = ".".join(str(part) for part in detail["loc"][skip:])
        errors.append(FieldErrorPublic(field=path or whole, message=str(detail["msg"])))
    return errors


def body_too_large(max_bytes: int) -> HTTPException:
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE, f"the body is larger than {max_bytes // (1024 * 1024)} MiB"
    )
