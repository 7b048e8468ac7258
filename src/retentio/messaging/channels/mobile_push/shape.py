"""The FCM HTTP v1 ``messages:send`` shape both providers speak: the request body, and the answer
read into a ``SendResult``.

An error answer is ``{"error": {"code", "message", "status", "details": [...]}}``; a detail of type
``google.firebase.fcm.v1.FcmError`` carries FCM's ``errorCode`` (UNREGISTERED, INVALID_ARGUMENT,
SENDER_ID_MISMATCH, QUOTA_EXCEEDED, UNAVAILABLE, INTERNAL, THIRD_PARTY_AUTH_ERROR), one of type
``google.rpc.BadRequest`` names the invalid fields (firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from retentio.messaging.channels.port import Outgoing, SendResult
from retentio.messaging.content import PushBody

# errorCode values that say the device token is dead or not this app's: the engine drops it.
_DEAD_TOKEN_CODES = {"UNREGISTERED", "SENDER_ID_MISMATCH"}
_BUSY_CODES = {"QUOTA_EXCEEDED", "UNAVAILABLE", "INTERNAL"}


@dataclass(frozen=True, slots=True)
class PushError:
    """The parts of an error answer the classification needs."""

    http_status: int
    status: str = ""  # google.rpc status: INVALID_ARGUMENT, NOT_FOUND, UNAUTHENTICATED...
    message: str = ""
    error_code: str = ""  # FcmError's errorCode, when given
    invalid_fields: tuple[str, ...] = ()

    @classmethod
    def read(cls, http_status: int, data: dict[str, Any] | None) -> PushError:
        error = data.get("error") if data else None
        if not isinstance(error, dict):
            return cls(http_status)
        error_code, fields = "", []
        for detail in error.get("details") or []:
            if not isinstance(detail, dict):
                continue
            if isinstance(detail.get("errorCode"), str):
                error_code = detail["errorCode"]
            for violation in detail.get("fieldViolations") or []:
                if isinstance(violation, dict) and isinstance(violation.get("field"), str):
                    fields.append(violation["field"])
        return cls(
            http_status,
            str(error.get("status", "")),
            str(error.get("message", "")),
            error_code,
            tuple(fields),
        )

    @property
    def words(self) -> str:
        code = self.error_code or self.status
        return f"HTTP {self.http_status} {code}: {self.message}".rstrip(": ")

    @property
    def is_about_the_token(self) -> bool:
        if self.error_code in _DEAD_TOKEN_CODES:
            return True
        # FCM's "The registration token is not a valid FCM registration token": INVALID_ARGUMENT in
        # an FcmError detail, or a BadRequest naming message.token; other invalid fields are the message's.
        return (
            self.error_code == "INVALID_ARGUMENT" and not self.invalid_fields
        ) or "message.token" in self.invalid_fields

    @property
    def is_third_party_auth(self) -> bool:
        return self.error_code == "THIRD_PARTY_AUTH_ERROR"


def request_body(
    outgoing: Outgoing, body: PushBody, ttl_seconds: int | None, validate_only: bool = False
) -> dict[str, Any]:
    notification = {"title": body.title, "body": body.body}
    if body.image_url:
        notification["image"] = body.image_url
    # Data values must be strings; the app opens ``url`` when the notification is tapped.
    data = {"message_id": outgoing.message_id, "kind": str(outgoing.kind)}
    if body.url:
        data["url"] = body.url
    message: dict[str, Any] = {
        "token": outgoing.recipient.strip(),
        "notification": notification,
        "data": data,
    }
    if ttl_seconds is not None:
        message["android"] = {"ttl": f"{ttl_seconds}s"}
    request: dict[str, Any] = {"message": message}
    if validate_only:
        request["validate_only"] = True
    return request


def read_error(
    provider: str,
    error: PushError,
    retry_after: float | None,
    dead_token_statuses: Collection[int],
    credentials_setting: str,
    fresh_token_tried: bool,
) -> SendResult:
    """Classify an error answer (a 401 after a fresh token is retried: the token URI may be ahead of
    FCM; a 401 with a fixed service token is a wrong setting)."""
    reason = f"{provider} {error.words}"
    status = error.http_status
    if error.is_about_the_token or status in dead_token_statuses:
        return SendResult.unreachable(reason)
    if status == 429 or status >= 500 or error.error_code in _BUSY_CODES:
        return SendResult.retry(reason, retry_after)
    if error.is_third_party_auth:
        return SendResult.failed(f"{reason} (the APNs or web push credentials in the {provider} project)")
    if status == 401 and fresh_token_tried:
        return SendResult.retry(f"{reason} (even with a fresh token from {credentials_setting})")
    if status in (401, 403):
        return SendResult.failed(f"{reason} (check {credentials_setting})")
    return SendResult.failed(reason)
