"""The checkout's due work, kind ``loyalty.checkout.expire``: each reservation puts one row in the
queue at its end (plus ``RELEASE_GRACE``), keyed by its id; running it releases the reservation if it
is still held. Exactly once: the release commits with the row's completion."""

from __future__ import annotations

from retentio.loyalty.checkout.lifecycle import release_if_expired
from retentio.loyalty.checkout.reserve import EXPIRE_KIND
from retentio.schedule import Delivery, Job, Kind


def checkout_kinds() -> list[Kind]:
    def expire(job: Job) -> str:
        released = release_if_expired(job.connection, int(job.work.key), job.now)
        return "released" if released else "ended already"

    return [Kind(EXPIRE_KIND, expire, Delivery.EXACTLY_ONCE)]
