"""``/v1/customers/{customer_id}/push-devices``: the shop's app or site registers the device it runs
on (an FCM or RuStore token, a browser's web push subscription) and removes it at log-out; a push
message goes to each of the customer's devices."""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Query, Response, status

from retentio.api.deps import ClockDep, EngineDep
from retentio.api.schemas import CustomerId, PushDevicePublic
from retentio.customers import PushDeviceRegistration, do_register_push_device, do_unregister_push_device


def post_push_device(
    customer_id: CustomerId, device: PushDeviceRegistration, engine: EngineDep, clock: ClockDep
) -> PushDevicePublic:
    """Add the device, or refresh it; a token another customer had moves to this one (the app's
    user logged in as someone else). An unknown customer is created."""
    with engine.begin() as connection:
        return PushDevicePublic.of(do_register_push_device(connection, customer_id, device, clock.now()))


def delete_push_device(
    customer_id: CustomerId,
    engine: EngineDep,
    clock: ClockDep,
    token: Annotated[
        str, Query(min_length=1, max_length=4096, description="The app's token, or the web push endpoint.")
    ],
) -> Response:
    """Remove the device: no push goes to it any more."""
    with engine.begin() as connection:
        removed = do_unregister_push_device(connection, customer_id, token, clock.now())
    if not removed:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"customer {customer_id!r} has no live device {token[:80]!r}"
        )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
