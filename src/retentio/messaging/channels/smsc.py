"""SMSC.ru (https://smsc.ru/api/http/): a form POST to ``sys/send.php`` with the login and password
(or an API key), ``phones``, ``mes``, ``fmt=3`` for JSON and ``charset=utf-8`` — without it SMSC reads
the text as windows-1251 and Cyrillic arrives garbled. The answer is ``{"id", "cnt"}`` or
``{"error", "error_code"}`` (1 to 9). The message id is Retentio's: a 32-bit number derived from the
message's idempotency key, so a resend is recognised — SMSC refuses a repeat within a minute (9) and
``sys/status.php`` then says whether the first one went out. Delivery is known by polling
``sys/status.php``; SMSC's callback to a handler is not used (its format could not be confirmed)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from pydantic import SecretStr, model_validator

from retentio.messaging.channels.port import (
    ChannelNotReady,
    DeliveryReport,
    Outgoing,
    Polled,
    ReportStatus,
    SendResult,
    SendStatus,
)
from retentio.messaging.channels.sms_http import ProviderAnswer, SmsAdapter, SmsSettings, moment, not_ready

PROVIDER = "SMSC"
LARGEST_ID = 2_147_483_647  # SMSC's id is a 32-bit number from 1 up to this


class SmscSettings(SmsSettings):
    """``[channels.smsc]``: ``api_key``, or ``login`` and ``password``."""

    base_url: str = "https://smsc.ru"
    login: str | None = None
    password: SecretStr | None = None
    api_key: SecretStr | None = None

    @model_validator(mode="after")
    def _one_way_to_log_in(self) -> SmscSettings:
        with_password = self.login is not None and self.password is not None
        if with_password == (self.api_key is not None):
            raise ValueError("channels.smsc needs api_key, or login and password (one of the two)")
        return self

    def credentials(self) -> dict[str, str]:
        if self.api_key is not None:
            return {"apikey": self.api_key.get_secret_value()}
        assert self.login is not None and self.password is not None  # the validator saw to it
        return {"login": self.login, "psw": self.password.get_secret_value()}

    def credential_names(self) -> str:
        return "channels.smsc.api_key" if self.api_key is not None else "channels.smsc.login and password"


class _Answer(ProviderAnswer):
    id: int | None = None
    cnt: int | None = None
    error: str = ""
    error_code: int | None = None
    balance: str | None = None
    status: int | None = None
    last_timestamp: int | None = None
    err: int | None = None


RETRY, FAILED, UNREACHABLE = SendStatus.RETRY, SendStatus.FAILED, SendStatus.UNREACHABLE
# https://smsc.ru/api/http/send/sms/sms_answer/ ("Ответ сервера и коды ошибок")
ERROR_CODES: Mapping[int, tuple[SendStatus, str]] = {
    1: (FAILED, "a parameter is wrong"),
    2: (RETRY, "SMSC refused the credentials"),
    3: (RETRY, "no money on the SMSC account"),
    4: (RETRY, "SMSC blocked this IP for a while after too many wrong requests"),
    5: (FAILED, "the date format is wrong"),
    6: (FAILED, "the message is forbidden, by its text or its sender name"),
    7: (UNREACHABLE, "the phone number's format is wrong"),
    8: (UNREACHABLE, "the message cannot be delivered to this number"),
    9: (RETRY, "the same request came more than once within a minute"),
}
WAIT_A_MINUTE = frozenset({4, 9})
# https://smsc.ru/api/http/status_messages/statuses/; -1 (waiting) and 0 (with the operator) are no news
STATUS_NAMES: Mapping[int, str] = {
    -3: "not found",
    -2: "stopped",
    -1: "waiting to be sent",
    0: "passed to the operator",
    1: "delivered",
    2: "read",
    3: "expired",
    4: "link clicked",
    20: "cannot be delivered",
    22: "wrong number",
    23: "prohibited",
    24: "not enough money",
    25: "number unavailable",
}
REPORT_CODES: Mapping[int, ReportStatus] = {
    -2: ReportStatus.FAILED,
    1: ReportStatus.DELIVERED,
    2: ReportStatus.READ,
    3: ReportStatus.FAILED,
    4: ReportStatus.CLICKED,
    20: ReportStatus.FAILED,
    22: ReportStatus.BOUNCED,  # the number does not exist: the contact is dead
    23: ReportStatus.FAILED,
    24: ReportStatus.FAILED,
    25: ReportStatus.FAILED,
}


class Smsc(SmsAdapter[SmscSettings]):
    """The SMSC.ru adapter: ``Channel`` and ``ReportsByPolling``."""

    provider = PROVIDER

    async def check(self) -> None:
        answer = await self._call("balance", {})
        if isinstance(answer, SendResult):
            raise not_ready(answer)
        if answer.error_code == 2:
            raise ChannelNotReady(f"SMSC refused {self.settings.credential_names()}: {answer.error}")
        if answer.error_code is not None or answer.balance is None:
            raise ChannelNotReady(f"SMSC did not give the balance: {answer.error_code} {answer.error}")

    async def send_text(self, outgoing: Outgoing, phone: str, text: str) -> SendResult:
        smsc_id = smsc_message_id(outgoing.message_id)
        # "+" tells SMSC the number is already international: it must not "correct" it
        form = {"phones": f"+{phone}", "mes": text, "id": str(smsc_id)}
        if sender := self.sender_of(outgoing):
            form["sender"] = sender
        answer = await self._call("send", form)
        if isinstance(answer, SendResult):
            return answer
        if answer.error_code is None and answer.id is not None:
            return SendResult.sent(provider_id(answer.id, phone))
        if answer.error_code == 9:
            return await self._sent_before(smsc_id, phone, answer.error)
        if answer.error_code is None:
            return SendResult.retry("SMSC answered with neither an id nor an error")
        return self._refusal(answer.error_code, answer.error)

    async def poll(self, provider_ids: Sequence[str]) -> Polled:
        # One message a request: SMSC allows one request for several messages a minute only, and
        # its answer to one could not be confirmed from its pages; five a minute per message is far
        # above how often Retentio asks.
        polled = Polled()
        for provider_message in provider_ids:
            smsc_id, _, phone = provider_message.partition(":")
            if not (smsc_id.isdigit() and phone.isdigit()):
                polled.unknown[provider_message] = "not an SMSC message id of this adapter (<id>:<phone>)"
                continue
            answer = await self._status(int(smsc_id), phone)
            if isinstance(answer, SendResult) or answer.status is None:
                polled.unknown[provider_message] = f"SMSC did not give the status: {describe(answer)}"
                continue
            report = delivery_report(provider_message, answer)
            if report is not None:
                polled.reports.append(report)
        return polled

    async def _sent_before(self, smsc_id: int, phone: str, error: str) -> SendResult:
        """SMSC refused a repeat: if the first attempt is known to SMSC, this message is sent."""
        answer = await self._status(smsc_id, phone)
        if isinstance(answer, _Answer) and answer.status is not None and answer.status != -3:
            return SendResult.sent(provider_id(smsc_id, phone))
        return self._refusal(9, error)

    async def _status(self, smsc_id: int, phone: str) -> _Answer | SendResult:
        return await self._call("status", {"id": str(smsc_id), "phone": f"+{phone}"})

    async def _call(self, script: str, form: dict[str, str]) -> _Answer | SendResult:
        fixed = {**self.settings.credentials(), "fmt": "3", "charset": "utf-8"}
        reply = await self._http.request("POST", f"/sys/{script}.php", data={**fixed, **form})
        return reply if isinstance(reply, SendResult) else self._http.read(reply, _Answer)

    def _refusal(self, code: int, error: str) -> SendResult:
        status, meaning = ERROR_CODES.get(code, (RETRY, "a code Retentio does not know"))
        if code == 2:
            meaning += f": check {self.settings.credential_names()}"
        wait = 60.0 if code in WAIT_A_MINUTE else None
        reason = f"SMSC error {code}: {error or meaning}" + (f" ({meaning})" if error else "")
        return SendResult(status, reason=reason, retry_after=wait)


def smsc_message_id(message_id: str) -> int:
    """Retentio's message id as SMSC's: stable across retries, 1..2^31-1."""
    digest = hashlib.sha256(message_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") % LARGEST_ID + 1


def provider_id(smsc_id: int, phone: str) -> str:
    return f"{smsc_id}:{phone}"  # SMSC finds a message by its id and its phone together


def delivery_report(provider_message: str, answer: _Answer) -> DeliveryReport | None:
    assert answer.status is not None
    status = REPORT_CODES.get(answer.status)
    if status is None:
        return None
    reason = ""
    if status in (ReportStatus.FAILED, ReportStatus.BOUNCED):
        reason = f"SMSC status {answer.status}: {STATUS_NAMES.get(answer.status, 'unknown')}"
        reason += f", error {answer.err}" if answer.err else ""
    return DeliveryReport(provider_message, status, at=moment(answer.last_timestamp), reason=reason)


def describe(answer: object) -> str:
    if isinstance(answer, SendResult):
        return answer.reason
    if isinstance(answer, _Answer):
        return f"error {answer.error_code} {answer.error}".strip()
    return repr(answer)
