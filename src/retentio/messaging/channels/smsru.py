"""SMS.ru (https://sms.ru/api/send, /api/status, /api/callback): a form POST to ``sms/send`` with
``api_id``, ``to``, ``msg`` and ``json=1``; the JSON answer has an overall status and, per number,
``status`` OK or ERROR, a ``status_code`` and the ``sms_id``. Delivery comes back by polling
``sms/status`` or by SMS.ru posting ``data[]`` entries (``sms_status``, the id and the code, one per
line) to the callback URL registered in the SMS.ru account, which must be answered ``100``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qsl

from pydantic import Field, SecretStr

from retentio.messaging.channels.port import (
    Callback,
    ChannelNotReady,
    DeliveryReport,
    Outgoing,
    Polled,
    ReportStatus,
    SendResult,
    SendStatus,
)
from retentio.messaging.channels.sms_http import (
    Answer,
    ProviderAnswer,
    SmsAdapter,
    SmsSettings,
    not_ready,
    secret_matches,
)

PROVIDER = "SMS.ru"
CALLBACK_ANSWER = "100"  # the body the API must answer a callback with, or SMS.ru counts it failed
IDS_PER_STATUS_REQUEST = 100


class SmsRuSettings(SmsSettings):
    """``[channels.smsru]``."""

    base_url: str = "https://sms.ru"
    api_id: SecretStr
    test: bool = False  # SMS.ru's test=1: answered as if sent, nothing sent, nothing charged
    partner_id: str | None = None
    callback_token: SecretStr | None = None  # when set, callbacks must carry ?token=<it>


class _Number(ProviderAnswer):
    status: str
    status_code: int
    sms_id: str | None = None
    status_text: str = ""


class _Answer(ProviderAnswer):
    status: str
    status_code: int
    status_text: str = ""
    sms: dict[str, _Number] = Field(default_factory=dict)
    balance: Decimal | None = None
    senders: list[str] = Field(default_factory=list)


RETRY, FAILED, UNREACHABLE = SendStatus.RETRY, SendStatus.FAILED, SendStatus.UNREACHABLE
# What SMS.ru's codes mean for the message (https://sms.ru/api/send, "коды ошибок").
SEND_CODES: Mapping[int, tuple[SendStatus, str]] = {
    200: (RETRY, "SMS.ru does not know this api_id: check channels.smsru.api_id"),
    201: (RETRY, "no money on the SMS.ru account"),
    202: (UNREACHABLE, "the number is wrong or has no route"),
    203: (FAILED, "no text"),
    204: (FAILED, "the sender name is not approved, or this operator is not enabled on the account"),
    205: (FAILED, "the text is longer than 8 SMS"),
    206: (RETRY, "the account's daily limit is reached"),
    207: (UNREACHABLE, "messages cannot go to this number"),
    208: (FAILED, "the send time is wrong"),
    209: (UNREACHABLE, "the number is on the account's stop list"),
    210: (FAILED, "GET used where POST is needed"),
    211: (FAILED, "no such method"),
    212: (FAILED, "the text is not UTF-8"),
    213: (FAILED, "too many recipients"),
    214: (UNREACHABLE, "the number is abroad and the account sends to Russian numbers only"),
    215: (UNREACHABLE, "the number is on SMS.ru's stop list: its owner complained of spam"),
    216: (FAILED, "the text has a forbidden word"),
    220: (RETRY, "SMS.ru is unavailable for a while"),
    230: (RETRY, "today's limit of messages to this number is reached"),
    231: (FAILED, "the same text went to this number within a minute: an earlier attempt likely went out"),
    232: (FAILED, "the same text went to this number today: an earlier attempt likely went out"),
    300: (RETRY, "the token expired or the IP changed"),
    301: (RETRY, "SMS.ru refused the credentials: check channels.smsru.api_id"),
    302: (RETRY, "the SMS.ru account is not confirmed"),
    500: (RETRY, "an error on SMS.ru's side"),
}
LIMIT_CODES = range(501, 509)  # SMS.ru's own limits (TOR, country, IP): wait and try again
# Delivery statuses (https://sms.ru/api/status); 100-102 (queued, to the operator, in transit)
# and -1 (not found yet) are no news.
REPORT_CODES: Mapping[int, ReportStatus] = {
    103: ReportStatus.DELIVERED,
    104: ReportStatus.FAILED,  # expired
    105: ReportStatus.FAILED,  # deleted by the operator
    106: ReportStatus.FAILED,  # the phone failed
    107: ReportStatus.FAILED,  # unknown reason
    108: ReportStatus.FAILED,  # rejected
    110: ReportStatus.READ,  # read (Viber)
    150: ReportStatus.FAILED,  # no route to the number
}


class SmsRu(SmsAdapter[SmsRuSettings]):
    """The SMS.ru adapter: ``Channel``, ``ReportsByPolling`` and ``ReportsByCallback``."""

    provider = PROVIDER

    async def check(self) -> None:
        answer = await self._call("my/balance", {}, _Answer)
        if isinstance(answer, SendResult):
            raise not_ready(answer)
        if answer.status != "OK":
            raise ChannelNotReady(refusal(answer.status_code, answer.status_text).reason)
        sender = self.settings.sender
        if sender is None:
            return
        senders = await self._call("my/senders", {}, _Answer)
        if isinstance(senders, SendResult):
            raise not_ready(senders)
        if sender not in senders.senders:
            approved = ", ".join(senders.senders) or "none"
            raise ChannelNotReady(
                f"SMS.ru has not approved channels.smsru.sender {sender!r} (approved: {approved})"
            )

    async def send_text(self, outgoing: Outgoing, phone: str, text: str) -> SendResult:
        answer = await self._call("sms/send", self._send_form(phone, text, self.sender_of(outgoing)), _Answer)
        if isinstance(answer, SendResult):
            return answer
        if answer.status != "OK":  # the whole request was refused: credentials, money, limits
            return refusal(answer.status_code, answer.status_text)
        number = answer.sms.get(phone)
        if number is None:
            return SendResult.retry(f"SMS.ru answered OK without a word about {phone}")
        if number.status == "OK" and number.sms_id:
            return SendResult.sent(number.sms_id)
        return refusal(number.status_code, number.status_text)

    async def poll(self, provider_ids: Sequence[str]) -> Polled:
        polled = Polled()
        for start in range(0, len(provider_ids), IDS_PER_STATUS_REQUEST):
            chunk = provider_ids[start : start + IDS_PER_STATUS_REQUEST]
            answer = await self._call("sms/status", {"sms_id": ",".join(chunk)}, _Answer)
            if isinstance(answer, SendResult) or answer.status != "OK":
                why = (
                    describe(answer)
                    if isinstance(answer, SendResult)
                    else refusal(answer.status_code, answer.status_text).reason
                )
                polled.unknown.update(dict.fromkeys(chunk, why))
                continue
            for sms_id in chunk:
                entry = answer.sms.get(sms_id)
                if entry is None:
                    polled.unknown[sms_id] = f"SMS.ru said nothing about {sms_id} when asked for its status"
                    continue
                report = delivery_report(sms_id, entry.status_code, entry.status_text)
                if report is not None:
                    polled.reports.append(report)
        return polled

    def read_callback(self, callback: Callback) -> list[DeliveryReport]:
        if not secret_matches(self.settings.callback_token, callback.query.get("token")):
            raise ValueError("the callback's token is missing or wrong (channels.smsru.callback_token)")
        return read_callback_entries(callback)

    def _send_form(self, phone: str, text: str, sender: str | None) -> dict[str, str]:
        form = {"to": phone, "msg": text}
        if sender:
            form["from"] = sender
        if self.settings.test:
            form["test"] = "1"
        if self.settings.partner_id:
            form["partner_id"] = self.settings.partner_id
        return form

    async def _call(self, method: str, form: dict[str, str], answer: type[Answer]) -> Answer | SendResult:
        credentials = {"api_id": self.settings.api_id.get_secret_value(), "json": "1"}
        reply = await self._http.request("POST", f"/{method}", data={**credentials, **form})
        return reply if isinstance(reply, SendResult) else self._http.read(reply, answer)


def refusal(code: int, text: str) -> SendResult:
    status, meaning = SEND_CODES.get(code, (RETRY, "a code Retentio does not know"))
    if code in LIMIT_CODES:
        status, meaning = RETRY, "an SMS.ru limit on requests"
    reason = f"SMS.ru {code}: {text or meaning}" + (f" ({meaning})" if text else "")
    return SendResult(status, reason=reason)


def delivery_report(
    sms_id: str, code: int, text: str = "", at: datetime | None = None
) -> DeliveryReport | None:
    status = REPORT_CODES.get(code)
    if status is None:
        return None
    reason = "" if status is ReportStatus.DELIVERED else f"SMS.ru {code}: {text or 'not delivered'}"
    return DeliveryReport(sms_id, status, at=at, reason=reason)


def read_callback_entries(callback: Callback) -> list[DeliveryReport]:
    """SMS.ru's callback: a form whose ``data[N]`` values are entries of lines; ``sms_status``
    entries carry the message id, the status code and (when given) the unix time of the change."""
    if "application/x-www-form-urlencoded" not in callback.content_type:
        raise ValueError(f"an SMS.ru callback is a form, this one is {callback.content_type or 'untyped'!r}")
    try:
        pairs = parse_qsl(callback.body.decode("ascii"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"an SMS.ru callback is a url-encoded form: {exc}") from exc
    entries = [value for key, value in pairs if key == "data" or key.startswith("data[")]
    if not entries:
        raise ValueError("an SMS.ru callback carries data[] entries, this one has none")
    return [report for entry in entries if (report := _entry_report(entry)) is not None]


def _entry_report(entry: str) -> DeliveryReport | None:
    lines = [line.strip() for line in entry.split("\n")]
    if lines[0] != "sms_status":
        return None  # SMS.ru also calls back about call checks: not a message's delivery
    if len(lines) < 3 or not lines[1] or not lines[2].lstrip("-").isdigit():
        raise ValueError(f"an sms_status entry is the id and the code on lines of their own, not {entry!r}")
    at = None
    if len(lines) > 3 and lines[3].isdigit():
        try:
            at = datetime.fromtimestamp(int(lines[3]), UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise ValueError(f"an sms_status entry has an impossible time {lines[3]!r}") from exc
    return delivery_report(lines[1], int(lines[2]), at=at)


def describe(answer: object) -> str:
    if isinstance(answer, SendResult):
        return answer.reason
    if isinstance(answer, _Answer):
        return f"{answer.status_code} {answer.status_text}".strip()
    return repr(answer)
