"""``/v1/customers/{customer_id}/offers``: the offers a customer holds (codes still valid with their
end, points credited) and, with ``?occasion=``, what the offer policy would decide now with its
reasons — a preview that issues and logs nothing. POST issues the offer for an occasion: once per
occasion key, so a resent request returns the same decision and code."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from retentio.api.deps import ClockDep, EngineDep, ReaderDep, SettingsDep
from retentio.api.schemas import CustomerId
from retentio.customers import get_customer
from retentio.offers import (
    Occasion,
    OfferDecision,
    OfferError,
    PolicySettings,
    UnknownOccasion,
    UnknownOfferCustomer,
    current_offers,
    load_offer_policy,
    offer_once,
    preview_offer,
)


class DecisionPublic(BaseModel):
    occasion: str
    occasion_key: str | None  # None for a preview
    offer: str  # nothing, percent, free_delivery, points, gift
    size: Decimal  # percent off or points; 1 for a free delivery or a gift; 0 for nothing
    currency: str
    cost: Decimal  # what the offer is worth, what the budget counts
    code: str | None  # the personal code to show; None for points, nothing and a preview
    valid_until: datetime | None  # the code works before this instant
    reasons: list[str]
    experiment: str | None
    variant: str | None  # the experiment's arm; "holdout" gets nothing
    decided_at: datetime


class OffersPublic(BaseModel):
    customer_id: str
    offers: list[DecisionPublic]  # codes valid now, newest first
    preview: DecisionPublic | None = None  # with ?occasion=: what the policy would decide now


class OfferRequest(BaseModel):
    """Issue the policy's offer for an occasion. ``occasion_key`` names this occurrence (the cart,
    the birthday's year, the lapse): the same key decides and issues once."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    occasion: Occasion
    occasion_key: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*\S[^\x00]*$")]


@lru_cache(maxsize=4)
def _policy(path: FilePath | None) -> PolicySettings:
    return load_offer_policy(path)


def get_offers(
    customer_id: CustomerId,
    reader: ReaderDep,
    settings: SettingsDep,
    clock: ClockDep,
    occasion: Annotated[
        Occasion | None, Query(description="Preview what the policy would decide now for this occasion.")
    ] = None,
) -> OffersPublic:
    """The valid offers the customer holds, and optionally a preview of the policy's decision."""
    now, policy = clock.now(), _policy(settings.offer_policy)
    with reader.connect() as connection:
        if get_customer(connection, customer_id, now) is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no customer {customer_id!r}")
        held = current_offers(connection, customer_id, now)
        preview = None
        if occasion is not None:
            try:
                preview = preview_offer(connection, policy, customer_id, occasion, now)
            except UnknownOccasion as error:
                raise _unprocessable("occasion", str(error)) from None
    return OffersPublic(
        customer_id=customer_id,
        offers=[_public(found) for found in held],
        preview=None if preview is None else _public(preview),
    )


def post_offer(
    customer_id: CustomerId, data: OfferRequest, engine: EngineDep, settings: SettingsDep, clock: ClockDep
) -> DecisionPublic:
    """Decide and issue the offer for the occasion; the decision is logged, "nothing" included."""
    policy = _policy(settings.offer_policy)
    try:
        decision = offer_once(engine, policy, customer_id, data.occasion, data.occasion_key, clock.now())
    except UnknownOfferCustomer as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, error.message) from None
    except UnknownOccasion as error:
        raise _unprocessable("occasion", str(error)) from None
    except OfferError as error:
        raise _unprocessable(error.field, error.message) from None
    return _public(decision)


def _unprocessable(field: str, message: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [{"field": field, "message": message}])


def _public(decision: OfferDecision) -> DecisionPublic:
    return DecisionPublic(
        occasion=decision.occasion,
        occasion_key=decision.occasion_key,
        offer=decision.offer,
        size=Decimal(decision.size_text),
        currency=decision.currency,
        cost=decision.cost,
        code=decision.code,
        valid_until=decision.valid_until,
        reasons=list(decision.reasons),
        experiment=decision.experiment,
        variant=decision.variant,
        decided_at=decision.decided_at,
    )
