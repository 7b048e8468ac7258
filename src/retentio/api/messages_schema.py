"""The shapes of ``/v1/messages``: a request to send, and what the API answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from retentio.api.schemas import NO_NUL, FieldErrorPublic
from retentio.clock import iso_text_only
from retentio.messaging import KEY_LENGTH, MAX_PRIORITY, ChannelName, Kind, MessageRequest

_Time = Annotated[AwareDatetime, BeforeValidator(iso_text_only)]
_Id = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=NO_NUL)]
_Channel = Literal["auto", "email", "sms", "telegram", "viber", "push", "web_push", "onsite", "outbox"]


def _auto() -> list[_Channel]:
    return ["auto"]


class MessageRequestBody(BaseModel):
    """One message to one customer. The same ``idempotency_key`` again is the same message."""

    model_config = ConfigDict(extra="forbid")

    customer_id: _Id
    template: Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]
    kind: Kind = Field(description="transactional (owed: a receipt), trigger or marketing")
    idempotency_key: Annotated[str, StringConstraints(min_length=1, max_length=KEY_LENGTH, pattern=NO_NUL)]
    priority: Annotated[int, Field(ge=0, le=MAX_PRIORITY)] = 0
    channels: Annotated[list[_Channel], Field(min_length=1, max_length=len(ChannelName))] = Field(
        default_factory=_auto,
        description="channels in order (a cascade), or ['auto'] to order them per customer",
    )
    until_seen: bool = False
    incentive: bool = Field(
        False, description="it carries a reward: not sent to a customer flagged by the bad-customer checklist"
    )
    deliver_within_seconds: Annotated[int, Field(ge=1, le=30 * 86400)] = 3600
    seen_within_seconds: Annotated[int, Field(ge=1, le=30 * 86400)] = 86400
    variables: dict[str, Any] = Field(default_factory=dict, description="what the template may use")
    due_at: _Time | None = None
    valid_until: _Time | None = None

    def to_request(self) -> MessageRequest:
        return MessageRequest(
            customer_id=self.customer_id,
            template=self.template,
            kind=self.kind,
            idempotency_key=self.idempotency_key,
            priority=self.priority,
            channels=tuple(self.channels),
            until_seen=self.until_seen,
            incentive=self.incentive,
            deliver_within=timedelta(seconds=self.deliver_within_seconds),
            seen_within=timedelta(seconds=self.seen_within_seconds),
            variables=self.variables,
            due_at=self.due_at,
            valid_until=self.valid_until,
        )


class RequestedMessage(BaseModel):
    index: int
    message_id: str
    idempotency_key: str
    created: bool  # false: this key was asked for before, and this is that message


class RefusedMessage(BaseModel):
    index: int
    idempotency_key: str | None
    errors: list[FieldErrorPublic]


class MessagesResponse(BaseModel):
    requested: list[RequestedMessage]
    refused: list[RefusedMessage]
