"""The typed input and output of the catalogue (CDP-2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from retentio.db.json_values import StorableObject, refuse_nul
from retentio.events import Currency, Id

Text = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class ProductUpsert(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Text
    category: Annotated[str, StringConstraints(max_length=200)] | None = None
    brand: Annotated[str, StringConstraints(max_length=200)] | None = None
    price: Annotated[Decimal, Field(ge=0, le=Decimal("1e12"), decimal_places=4)] | None = None
    currency: Currency | None = None
    # The share of the price the shop keeps: 0.35 is 35 %.
    margin: Annotated[Decimal, Field(ge=0, le=1, decimal_places=4)] | None = None
    premium_variant_of: Id | None = None
    complements: Annotated[list[Id], Field(max_length=200)] = []
    consumption_days: Annotated[int, Field(gt=0, le=3650)] | None = None
    attributes: Annotated[StorableObject, Field(max_length=200)] = {}

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class ProductRecord(ProductUpsert):
    sku: Id
