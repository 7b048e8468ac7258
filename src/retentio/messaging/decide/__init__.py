"""Messaging's pure decisions (COM-6, COM-7, COM-8): which channels, in which order, at what time,
within which caps, and what a cascade does next. No I/O, no database, no clock: the engine passes
the facts and ``now``, and records what comes back.

- ``decide``: one message for one customer → ``SendNow`` | ``Wait`` | ``NotSent``.
- ``choose_channels``: the channels that can reach the customer, in the order to try, and why the
  others cannot.
- ``send_time``: quiet hours, best hour and validity.
- ``allowed_from`` / ``room_left``: the caps.
- ``split_by_priority``: which competing messages take the caps' last room.
- ``next_in_cascade`` / ``final_outcome``: a cascade's progress after a step went out.
"""

from retentio.messaging.decide.caps import allowed_from, counted_sends, room_left
from retentio.messaging.decide.cascade import (
    Attempt,
    Awaiting,
    Finished,
    MoveOn,
    MoveOnReason,
    Outcome,
    Progress,
    WaitFor,
    final_outcome,
    next_in_cascade,
)
from retentio.messaging.decide.channels import ChannelChoice, Usable, choose_channels
from retentio.messaging.decide.customer import (
    Consent,
    ConsentState,
    Contacts,
    Customer,
    Sent,
    Suppression,
)
from retentio.messaging.decide.decision import (
    Decision,
    Note,
    NotSent,
    Reason,
    SendNow,
    Skipped,
    Wait,
    WaitReason,
)
from retentio.messaging.decide.message import Channels, Message, Step
from retentio.messaging.decide.priority import Split, split_by_priority
from retentio.messaging.decide.rules import CalendarDays, Cap, QuietHours, Rolling, SendingRules
from retentio.messaging.decide.send_or_wait import decide
from retentio.messaging.decide.timing import SendTime, send_time

__all__ = [
    "Attempt",
    "Awaiting",
    "CalendarDays",
    "Cap",
    "ChannelChoice",
    "Channels",
    "Consent",
    "ConsentState",
    "Contacts",
    "Customer",
    "Decision",
    "Finished",
    "Message",
    "MoveOn",
    "MoveOnReason",
    "NotSent",
    "Note",
    "Outcome",
    "Progress",
    "QuietHours",
    "Reason",
    "Rolling",
    "SendNow",
    "SendTime",
    "SendingRules",
    "Sent",
    "Skipped",
    "Split",
    "Step",
    "Suppression",
    "Usable",
    "Wait",
    "WaitFor",
    "WaitReason",
    "allowed_from",
    "choose_channels",
    "counted_sends",
    "decide",
    "final_outcome",
    "next_in_cascade",
    "room_left",
    "send_time",
    "split_by_priority",
]
