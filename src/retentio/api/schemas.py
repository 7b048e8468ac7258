"""What goes over the wire: request bodies the API reads itself, and every answer's shape.

Customer and product bodies are the areas' own input models (``CustomerUpsert``, ``ProductUpsert``);
this module adds only what is particular to HTTP. Money stays ``Decimal`` and leaves as a string.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict

from retentio.catalog import ProductUpsert
from retentio.customers import CustomerRecord, PushDevice
from retentio.events import Envelope, FieldError, Id
from retentio.ingest import IngestResult

# Ids in paths: PostgreSQL stores no NUL character, so one is refused as a wrong field up front.
NO_NUL = r"^[^\x00]+$"
# The customer of a route's path, one definition for every route (a blank or NUL id is a 422).
CustomerId = Annotated[
    str, Path(min_length=1, max_length=128, pattern=NO_NUL, description="Your id for the customer.")
]


class FieldErrorPublic(BaseModel):
    field: str
    message: str

    @classmethod
    def of(cls, error: FieldError) -> FieldErrorPublic:
        return cls(field=error.field, message=error.message)


class ErrorResponse(BaseModel):
    """Every 4xx except validation: one sentence saying what is wrong."""

    detail: str


class ValidationErrorResponse(BaseModel):
    """422: each wrong field by name (a dotted path into the body, or the parameter's name)."""

    detail: list[FieldErrorPublic]


class RejectedEvent(BaseModel):
    index: int
    event_id: str | None
    errors: list[FieldErrorPublic]


class IngestResponse(BaseModel):
    accepted: int
    duplicates: int
    rejected: list[RejectedEvent]

    @classmethod
    def of(cls, result: IngestResult) -> IngestResponse:
        rejected = [
            RejectedEvent(
                index=rejection.index,
                event_id=rejection.event_id,
                errors=[FieldErrorPublic.of(error) for error in rejection.errors],
            )
            for rejection in result.rejected
        ]
        return cls(accepted=result.accepted, duplicates=result.duplicates, rejected=rejected)


class ConsentChangePublic(BaseModel):
    channel: str
    granted: bool
    source: str
    changed_at: str


class CustomerView(BaseModel):
    """A customer's record, the aggregates of its behaviour and its consent history."""

    customer: CustomerRecord
    profile: dict[str, Any]
    consent_history: list[ConsentChangePublic]


class PushDevicePublic(BaseModel):
    """A device as registered: ``token`` is the app's token or the web push endpoint."""

    id: int
    customer_id: str
    platform: str
    token: str
    app_id: str | None
    device_id: str | None
    created_at: datetime
    last_seen_at: datetime

    @classmethod
    def of(cls, device: PushDevice) -> PushDevicePublic:
        return cls(
            id=device.id,
            customer_id=device.customer_id,
            platform=device.platform,
            token=device.token,
            app_id=device.app_id,
            device_id=device.device_ref,
            created_at=device.created_at,
            last_seen_at=device.last_seen_at,
        )


class ProductCreate(ProductUpsert):
    """One item of the bulk products body: a product with its SKU."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    sku: Id


class RejectedProduct(BaseModel):
    index: int
    sku: str | None
    errors: list[FieldErrorPublic]


class BulkProductsResponse(BaseModel):
    accepted: int
    rejected: list[RejectedProduct]


class ConsumerLagPublic(BaseModel):
    consumer: str
    events_behind: int
    seconds_behind: float  # since the oldest event it has still to read was received


class HealthPublic(BaseModel):
    status: str
    database: str
    schema_revision: str | None
    consumers: list[ConsumerLagPublic] = []


def batch_body_schema(item: type[BaseModel], key: str, max_items: int) -> dict[str, Any]:
    """OpenAPI for a body the route parses itself: an array of ``item`` or ``{key: [...]}``."""
    array = {"type": "array", "items": item.model_json_schema(), "maxItems": max_items}
    wrapped = {"type": "object", "properties": {key: array}, "required": [key]}
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"anyOf": [array, wrapped]}}},
        }
    }


def events_body_schema(max_items: int) -> dict[str, Any]:
    return batch_body_schema(Envelope, "events", max_items)
