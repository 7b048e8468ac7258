"""The message being decided: its kind, priority, channels (a cascade of steps), due time and validity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from retentio.messaging.content import ChannelName, Kind


@dataclass(frozen=True, slots=True)
class Step:
    """One channel of a cascade and how long it is given.

    ``deliver_within`` (T): move on when the message is not delivered within T of being sent; without
    it, a step that went out is enough (the cascade moves on only when the provider says it failed).
    ``seen_within`` (T'): with "until seen", move on when it is not seen within T' of being sent."""

    channel: ChannelName
    deliver_within: timedelta | None = None
    seen_within: timedelta | None = None

    def __post_init__(self) -> None:
        for name in ("deliver_within", "seen_within"):
            value = getattr(self, name)
            if value is not None and value <= timedelta(0):
                raise ValueError(f"{self.channel}: {name} must be positive, not {value}")


@dataclass(frozen=True, slots=True)
class Channels:
    """The channel strategy: the steps in the sender's order, or (``auto``) the candidate steps that
    each customer's own order ranks — where they are active first (``channels.order_steps``)."""

    steps: tuple[Step, ...]
    auto: bool = False

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("a message needs at least one channel")
        names = [step.channel for step in self.steps]
        if len(set(names)) != len(names):
            raise ValueError(f"a channel appears twice in {names}: a cascade tries each channel once")

    @classmethod
    def one(cls, channel: ChannelName) -> Channels:
        return cls((Step(channel),))

    @classmethod
    def in_order(cls, *steps: Step) -> Channels:
        return cls(steps)

    @classmethod
    def chosen_per_customer(cls, *steps: Step) -> Channels:
        return cls(steps, auto=True)

    def index_of(self, channel: ChannelName) -> int:
        for index, step in enumerate(self.steps):
            if step.channel == channel:
                return index
        raise ValueError(f"{channel} is not a step of this message")


@dataclass(frozen=True, slots=True)
class Message:
    """``id`` names the message and its cascade: every send of its steps shares it, so the cascade
    counts once against the caps. ``incentive``: it carries a reward (a coupon, points), which a
    customer flagged bad must not get. ``valid_until``: after it the message is no longer worth
    sending (None: it stays valid)."""

    id: str
    kind: Kind
    channels: Channels
    due_at: datetime
    valid_until: datetime | None = None
    priority: int = 0
    until_seen: bool = False
    incentive: bool = False

    def __post_init__(self) -> None:
        for name in ("due_at", "valid_until"):
            value = getattr(self, name)
            if value is not None:
                if value.utcoffset() is None:
                    raise ValueError(f"message {self.id}: {name} has no UTC offset")
                object.__setattr__(self, name, value.astimezone(UTC))  # the decisions count in UTC
        if self.until_seen:
            blind = [str(step.channel) for step in self.channels.steps if step.seen_within is None]
            if blind:
                raise ValueError(
                    f"message {self.id} waits until seen, so each step needs seen_within (T'): {blind}"
                )
