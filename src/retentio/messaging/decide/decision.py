"""What a decision says: send now on this channel, wait until a moment, or not sent and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from retentio.messaging.content import ChannelName


class Reason(StrEnum):
    """Why a message was not sent (a closed list: the timeline and the reports group by it)."""

    NO_CONSENT = "no_consent"
    OPTED_OUT = "opted_out"  # consent in force, but the customer stopped this kind on this channel
    NO_CONTACT = "no_contact"
    SUPPRESSED = "suppressed"
    CAPPED = "capped"  # the caps had no room for it before its validity ended
    QUIET_HOURS_EXPIRED = "quiet_hours_expired"  # validity ended before quiet hours did
    EXPIRED = "expired"  # its validity had ended already when it was decided
    BAD_CUSTOMER_INCENTIVE = "bad_customer_incentive"  # an incentive for a customer flagged bad


class WaitReason(StrEnum):
    NOT_DUE = "not_due"
    QUIET_HOURS = "quiet_hours"
    BEST_HOUR = "best_hour"
    CAPPED = "capped"


class Note(StrEnum):
    """Something the decision assumed, worth showing next to it."""

    UNKNOWN_TIMEZONE = "unknown_timezone"  # the customer's zone is no IANA zone: the shop's was used
    FALLBACK_HOUR = "fallback_hour"  # too little history for a best hour: the shop's fallback hour


class Skipped(NamedTuple):
    """A channel of the message that could not be used for this customer, and why. (A named tuple:
    decisions build one for each such channel, and a frozen dataclass costs ten times as much.)"""

    channel: ChannelName
    reason: Reason

    def __str__(self) -> str:
        return f"{self.channel}: {self.reason}"


@dataclass(frozen=True, slots=True)
class SendNow:
    """Send on ``channel``, the message's step number ``step`` (its index in ``Channels.steps``).
    ``consent_record_id``: the consent relied on, kept with the sent message; None only for a
    transactional message or a channel that asks no consent."""

    channel: ChannelName
    step: int
    consent_record_id: int | None
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True, slots=True)
class Wait:
    """Decide again at ``until`` (the facts may have changed by then)."""

    until: datetime
    reason: WaitReason
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True, slots=True)
class NotSent:
    reason: Reason
    detail: str
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[Note, ...] = ()


Decision = SendNow | Wait | NotSent
