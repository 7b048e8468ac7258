"""The event envelope and its validation: raw client input in, typed events or named errors out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import orjson
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationError,
    create_model,
)

from retentio.clock import iso_text_only
from retentio.db.json_values import NUL_MESSAGE, has_nul
from retentio.events.properties import CUSTOM_PREFIX, PROPERTY_MODELS, SYSTEM_EVENT_TYPES, Properties

MAX_PROPERTIES_BYTES = 64 * 1024
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_Id = Annotated[str, StringConstraints(min_length=1, max_length=128)]
_Type = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[a-z0-9_.]+$")]
# Bounded below by 1970 and above by "now" plus the tolerance in ``_finish``, where it turns to UTC.
_Timestamp = Annotated[AwareDatetime, BeforeValidator(iso_text_only)]


class Envelope(BaseModel):
    """What a client sends for one event (the HTTP API and the JSONL importer take the same)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: _Id
    type: _Type
    customer_id: _Id | None = None
    anonymous_id: _Id | None = None
    timestamp: _Timestamp
    properties: dict[str, Any] = {}


@dataclass(slots=True)
class Event:
    """A validated event: time in UTC, typed properties for built-in types, raw ones kept to store.

    Treated as immutable (change one with ``dataclasses.replace``) but not declared frozen: one is
    built per ingested event, and a frozen dataclass's constructor costs five times as much."""

    event_id: str
    type: str
    customer_id: str | None
    anonymous_id: str | None
    occurred_at: datetime
    properties: dict[str, Any]
    typed: Properties | None
    # The properties as JSON text, kept from validation so the store does not encode them twice.
    encoded_properties: str | None = None
    # Written by Retentio (a segment move), not sent by a client.
    derived: bool = False
    # Part of a backfill or older than the cut-off when it arrived: it updates what Retentio knows,
    # but nothing that acts on the outside world (journeys, messages) reacts to it.
    historical: bool = False


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class InvalidEvent(ValueError):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


def _typed_envelope(type_name: str, model: type[Properties]) -> type[Envelope]:
    """One model per event type, so an event is validated in a single pass, properties included."""
    required = any(field.is_required() for field in model.model_fields.values())
    default: Any = ... if required else model()
    return create_model(f"{model.__name__}Event_{type_name}", __base__=Envelope, properties=(model, default))


_TYPED_ENVELOPES: dict[str, type[Envelope]] = {
    name: _typed_envelope(name, model) for name, model in PROPERTY_MODELS.items()
}


def validate_event(raw: object, now: datetime, future_tolerance: timedelta) -> Event:
    """Turn one raw event into an ``Event`` or raise ``InvalidEvent`` naming every wrong field.

    This runs once per event on the ingest hot path, so the common case is kept to one pydantic call
    and a handful of cheap checks; anything unusual falls through to the slower, more precise ones.
    """
    if type(raw) is not dict:
        raise InvalidEvent([FieldError("", "an event must be a JSON object")])
    type_name = raw.get("type")
    model = _TYPED_ENVELOPES.get(type_name) if type(type_name) is str else None
    if model is None:
        return _validate_other(raw, type_name, now, future_tolerance)
    if type_name in SYSTEM_EVENT_TYPES:
        raise InvalidEvent([FieldError("type", f"{type_name!r} is written by Retentio itself, not sent")])
    try:
        envelope = model.model_validate(raw)
    except ValidationError as error:
        raise InvalidEvent(_field_errors(error)) from None
    return _finish(raw, envelope, now, future_tolerance)


def _validate_other(
    raw: dict[str, Any], type_name: object, now: datetime, future_tolerance: timedelta
) -> Event:
    """Custom events (``custom.*``) and unknown types, which get a precise message."""
    is_custom = _is_custom(type_name)
    try:
        envelope = Envelope.model_validate(raw)
    except ValidationError as error:
        raise InvalidEvent(_type_error(type_name, is_custom) + _field_errors(error)) from None
    if not is_custom:
        raise InvalidEvent(_type_error(type_name, is_custom))
    return _finish(raw, envelope, now, future_tolerance)


def _finish(raw: dict[str, Any], envelope: Envelope, now: datetime, future_tolerance: timedelta) -> Event:
    properties = raw.get("properties") or {}
    try:
        encoded = orjson.dumps(properties)
    except TypeError as error:  # an integer beyond 64 bits (``loads_exact`` keeps one an int)
        message = f"cannot be stored: {error} (send such numbers as strings)"
        raise InvalidEvent([FieldError("properties", message)]) from None
    if len(encoded) > MAX_PROPERTIES_BYTES:
        raise InvalidEvent([FieldError("properties", f"larger than {MAX_PROPERTIES_BYTES} bytes")])
    if has_nul(encoded):  # PostgreSQL stores none in jsonb
        raise InvalidEvent([FieldError("properties", NUL_MESSAGE)])
    customer_id, anonymous_id = envelope.customer_id, envelope.anonymous_id
    _check_subject(envelope.type, envelope.event_id, customer_id, anonymous_id)
    try:
        occurred_at = envelope.timestamp.astimezone(UTC)
    except OverflowError:  # valid with its offset, not in UTC: 9999-12-31T23:00-02:00
        message = f"{envelope.timestamp.isoformat()} is out of range"
        raise InvalidEvent([FieldError("timestamp", message)]) from None
    if occurred_at > now + future_tolerance:
        raise InvalidEvent([FieldError("timestamp", f"{envelope.timestamp.isoformat()} is in the future")])
    if occurred_at < EARLIEST:
        raise InvalidEvent([FieldError("timestamp", "is before 1970")])
    typed = envelope.properties if isinstance(envelope.properties, Properties) else None
    return Event(
        event_id=envelope.event_id,
        type=envelope.type,
        customer_id=customer_id,
        anonymous_id=anonymous_id,
        occurred_at=occurred_at,
        properties=properties,
        typed=typed,
        encoded_properties=encoded.decode(),
    )


def _is_custom(type_name: object) -> bool:
    return (
        isinstance(type_name, str)
        and type_name.startswith(CUSTOM_PREFIX)
        and len(type_name) > len(CUSTOM_PREFIX)
    )


def _type_error(type_name: object, is_custom: bool) -> list[FieldError]:
    if is_custom or not isinstance(type_name, str):
        return []
    return [FieldError("type", f"unknown event type {type_name!r}; custom types start with 'custom.'")]


def _check_subject(type_name: str, event_id: str, customer_id: str | None, anonymous_id: str | None) -> None:
    for name, value in (("event_id", event_id), ("customer_id", customer_id), ("anonymous_id", anonymous_id)):
        if value is not None and "\x00" in value:
            raise InvalidEvent([FieldError(name, "contains a NUL character")])
    if customer_id is None and anonymous_id is None:
        raise InvalidEvent([FieldError("customer_id", "give customer_id or anonymous_id")])
    if type_name == "identify" and (customer_id is None or anonymous_id is None):
        raise InvalidEvent([FieldError("anonymous_id", "identify needs both anonymous_id and customer_id")])


def _field_errors(error: ValidationError, prefix: str = "") -> list[FieldError]:
    errors = []
    for detail in error.errors(include_url=False, include_input=False):
        path = ".".join(str(part) for part in detail["loc"])
        field = f"{prefix}.{path}" if prefix and path else (prefix or path)
        errors.append(FieldError(field, detail["msg"]))
    return errors
