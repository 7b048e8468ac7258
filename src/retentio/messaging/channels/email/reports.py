"""Reading what comes back by mail: bounces (RFC 3464 delivery status notifications) and complaints
(RFC 5965 abuse reports, the feedback loops of Mail.ru, Yandex, Outlook).

Both are ``multipart/report`` messages: a human-readable part, a machine-readable part
(``message/delivery-status`` or ``message/feedback-report``) and the original message or its
headers. The original's ``Message-ID`` is the provider id ``EmailChannel.send`` returned. When it
is missing (some servers return nothing of the original), the bounce address the report went to,
or its ``Original-Mail-From``, names the message (``return_path``), given the settings.

- A failed recipient with a 5.x.x status: BOUNCED (the address is dead; suppress it).
- A failed recipient with any other status: FAILED (this message did not arrive).
- Delivered, relayed or expanded (a success notice asked for by NOTIFY=SUCCESS): DELIVERED.
- Delayed: nothing yet (a warning; the final word comes later).
- An abuse report: COMPLAINED. Other feedback types (fraud, virus, not-spam): nothing.
"""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import Message
from email.parser import HeaderParser
from email.utils import parseaddr, parsedate_to_datetime

from retentio.messaging.channels.email.mime import message_id_header
from retentio.messaging.channels.email.return_path import message_id_from_bounce_address
from retentio.messaging.channels.email.settings import EmailSettings
from retentio.messaging.channels.port import DeliveryReport, ReportStatus

_DELIVERED_ACTIONS = frozenset({"delivered", "relayed", "expanded"})


def read_report(raw: bytes, settings: EmailSettings | None = None) -> list[DeliveryReport]:
    """The reports in a bounce or a complaint; ``ValueError`` saying why for any other message."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    report_type = _report_type(message)
    if report_type == "delivery-status":
        return _bounce(message, settings)
    if report_type == "feedback-report":
        return _complaint(message, settings)
    raise ValueError(
        f"not a bounce or a complaint: Content-Type {message.get_content_type()}"
        + (f" with report-type {report_type}" if report_type else "")
        + " (expected multipart/report with report-type delivery-status or feedback-report)"
    )


def _report_type(message: Message) -> str | None:
    if message.get_content_type() != "multipart/report":
        return None
    value = message.get_param("report-type")
    return value.lower() if isinstance(value, str) else None


def _bounce(message: Message, settings: EmailSettings | None) -> list[DeliveryReport]:
    blocks = _field_blocks(_part(message, "message/delivery-status"))
    if not blocks:
        raise ValueError("the delivery-status part of the bounce is empty")
    per_message, per_recipient = blocks[0], blocks[1:]
    provider_id = _provider_id(message, [_header(message, "To")], settings)
    arrived = _date(_header(per_message, "Arrival-Date"))
    reports: list[DeliveryReport] = []
    for fields in per_recipient:
        status = _header(fields, "Status")
        action = _header(fields, "Action").lower()
        if action == "failed":
            outcome = ReportStatus.BOUNCED if status.startswith("5") else ReportStatus.FAILED
        elif action in _DELIVERED_ACTIONS:
            outcome = ReportStatus.DELIVERED
        else:
            continue  # delayed: the server still tries
        reason = " ".join(f"{status} {_header(fields, 'Diagnostic-Code') or action}".split())
        recipient = _address(_header(fields, "Original-Recipient")) or _address(
            _header(fields, "Final-Recipient")
        )
        at = _date(_header(fields, "Last-Attempt-Date")) or arrived
        reports.append(DeliveryReport(provider_id, outcome, at=at, reason=reason, recipient=recipient))
    return reports


def _complaint(message: Message, settings: EmailSettings | None) -> list[DeliveryReport]:
    blocks = _field_blocks(_part(message, "message/feedback-report"))
    if not blocks:
        raise ValueError("the feedback-report part of the complaint is empty")
    report = blocks[0]
    feedback_type = _header(report, "Feedback-Type").lower()
    if feedback_type != "abuse":
        return []
    provider_id = _provider_id(message, [_header(report, "Original-Mail-From")], settings)
    original = _original(message)
    recipient = _address(_header(report, "Original-Rcpt-To")) or (
        parseaddr(_header(original, "To"))[1] or None if original is not None else None
    )
    reason = " ".join(f"feedback-type abuse; {_header(report, 'User-Agent')}".split()).rstrip("; ")
    at = _date(_header(report, "Arrival-Date"))
    return [DeliveryReport(provider_id, ReportStatus.COMPLAINED, at=at, reason=reason, recipient=recipient)]


def _part(message: Message, content_type: str) -> Message:
    for part in message.walk():
        if part.get_content_type() == content_type:
            return part
    raise ValueError(f"the report has no {content_type} part")


def _field_blocks(part: Message) -> list[Message]:
    """A message/* part's contents as the parser reads them: blocks of header-like fields."""
    payload = part.get_payload()
    return [block for block in payload if isinstance(block, Message)] if isinstance(payload, list) else []


def _original(message: Message) -> Message | None:
    """The returned original message, or its headers alone (text/rfc822-headers)."""
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            returned = _field_blocks(part)
            return returned[0] if returned else None
        if content_type == "text/rfc822-headers":
            data = part.get_payload(decode=True)
            text = data.decode("utf-8", "replace") if isinstance(data, bytes) else ""
            return HeaderParser(policy=email.policy.compat32).parsestr(text)
    return None


def _provider_id(message: Message, bounce_addresses: list[str], settings: EmailSettings | None) -> str:
    """The original's Message-ID, or the one the bounce address stands for."""
    original = _original(message)
    found = " ".join(_header(original, "Message-ID").split()) if original is not None else ""
    if found:
        return found
    if settings is not None:
        return_path = _header(original, "Return-Path") if original is not None else ""
        for address in [return_path, *bounce_addresses]:
            message_id = message_id_from_bounce_address(parseaddr(address)[1], settings)
            if message_id is not None:
                return message_id_header(message_id, settings.id_domain)
    raise ValueError("the report names no original Message-ID and was not sent to a bounce address")


def _header(message: Message, name: str) -> str:
    value = message.get(name)
    return str(value).strip() if value is not None else ""


def _address(field: str) -> str | None:
    """``rfc822; ivan@example.ru`` or ``<ivan@example.ru>`` -> ``ivan@example.ru``."""
    kind, separator, address = field.partition(";")
    if separator and kind.strip().lower() != "rfc822":
        return None
    value = (address if separator else kind).strip().removeprefix("<").removesuffix(">").strip()
    return value or None


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
