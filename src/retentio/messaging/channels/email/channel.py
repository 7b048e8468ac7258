"""The email channel: messages over SMTP through a pool of connections, signed with DKIM when a key
is configured, each with its own envelope sender when bounces are handled.

A send checks the recipient, writes the message, waits for the rate limit, borrows a connection and
runs one SMTP transaction (MAIL, RCPT, DATA). Whatever the server answers becomes a ``SendResult``
(``answers.classify_refusal``); a dropped connection or a timeout is a RETRY. A connection found
dead at its first command after being reused is replaced once within the same send, as nothing of
the message reached the server yet.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiosmtplib import (
    SMTP,
    SMTPAuthenticationError,
    SMTPException,
    SMTPResponseException,
    SMTPServerDisconnected,
    SMTPTimeoutError,
)

from retentio.messaging.channels.email.address import BadAddress, mailbox
from retentio.messaging.channels.email.answers import Stage, classify_refusal
from retentio.messaging.channels.email.dkim_signature import DkimSigner
from retentio.messaging.channels.email.mime import BadContent, Composer
from retentio.messaging.channels.email.pool import Pooled, SmtpPool
from retentio.messaging.channels.email.reports import read_report
from retentio.messaging.channels.email.return_path import bounce_address
from retentio.messaging.channels.email.settings import EmailSettings
from retentio.messaging.channels.email.smtp_client import check_server, open_client, server_name
from retentio.messaging.channels.port import (
    Callback,
    Channel,
    ChannelNotReady,
    DeliveryReport,
    Outgoing,
    ReportsByCallback,
    SendResult,
)
from retentio.messaging.channels.rate import RateLimit
from retentio.messaging.content import ChannelName, EmailBody

_CONNECTION_TROUBLE = (SMTPServerDisconnected, SMTPTimeoutError, OSError, asyncio.TimeoutError)


@dataclass(frozen=True, slots=True)
class _Letter:
    sender: str  # MAIL FROM
    recipient: str  # RCPT TO
    data: bytes
    message_id: str  # the Message-ID header: the provider id


class EmailChannel:
    def __init__(self, settings: EmailSettings) -> None:
        self._settings = settings
        self._composer = Composer(settings)
        self._pool = SmtpPool(
            lambda: open_client(settings), settings.pool_size, settings.messages_per_connection
        )
        self._rate = (
            RateLimit(settings.rate_per_second, settings.rate_burst) if settings.rate_per_second else None
        )
        self._signer: DkimSigner | None = None

    @property
    def name(self) -> ChannelName:
        return ChannelName.EMAIL

    async def check(self) -> None:
        """The DKIM key loads, the server answers, takes the login and the envelope sender."""
        if self._settings.signs_dkim:
            try:
                self._dkim_signer()
            except (OSError, ValueError) as bad:
                raise ChannelNotReady(
                    f"email: cannot sign with the DKIM key ({bad}); check [channels.email] "
                    "dkim_private_key or dkim_private_key_file"
                ) from None
        sample = bounce_address("check", self._settings) or self._settings.from_address
        await check_server(self._settings, sample)

    async def send(self, outgoing: Outgoing) -> SendResult:
        letter = self._letter(outgoing)
        if isinstance(letter, SendResult):
            return letter
        if self._rate is not None:
            await self._rate.acquire()
        return await self._deliver(letter)

    async def close(self) -> None:
        await self._pool.close()

    def read_callback(self, callback: Callback) -> list[DeliveryReport]:
        """A bounce or a complaint handed over whole (the raw message as the body, as an MTA's pipe
        or an inbound-mail webhook delivers it); ``ValueError`` when it is neither."""
        return read_report(callback.body, self._settings)

    def _letter(self, outgoing: Outgoing) -> _Letter | SendResult:
        """The message ready to go, or why it cannot go (decided before any connection)."""
        body = outgoing.body
        if not outgoing.message_id:
            return SendResult.failed("the message has no id (its Message-ID is made from it)")
        if not isinstance(body, EmailBody):
            return SendResult.failed(
                f"email needs an email body (subject, text, html), not {type(body).__name__}"
            )
        try:
            recipient = mailbox(outgoing.recipient)
        except BadAddress as bad:
            return SendResult.unreachable(str(bad))
        try:
            sender = mailbox(outgoing.sender) if outgoing.sender else None
        except BadAddress as bad:
            return SendResult.failed(f"envelope sender: {bad}")
        sender = sender or bounce_address(outgoing.message_id, self._settings) or self._settings.from_address
        try:
            composed = self._composer.compose(outgoing, body, recipient)
        except BadContent as bad:
            return SendResult.failed(str(bad))
        except UnicodeEncodeError as bad:  # a lone surrogate from a template cannot be written as UTF-8
            return SendResult.failed(
                f"the message has text that is not valid Unicode: {bad.object[bad.start : bad.end]!r}"
            )
        data = composed.data
        if self._settings.signs_dkim:
            try:
                data = self._dkim_signer().signature(data, composed.header_names) + data
            except (OSError, ValueError) as bad:  # the key went missing since check(): keep the message
                return SendResult.retry(f"cannot sign with the DKIM key: {bad}")
        return _Letter(sender, recipient, data, self._composer.message_id(outgoing.message_id))

    def _dkim_signer(self) -> DkimSigner:
        if self._signer is None:
            settings = self._settings
            self._signer = DkimSigner(
                selector=settings.dkim_selector or "",
                domain=settings.signing_domain,
                private_key_pem=settings.dkim_key_pem(),
            )
        return self._signer

    async def _deliver(self, letter: _Letter) -> SendResult:
        for _attempt in range(2):
            try:
                slot = await self._pool.borrow()
            except SMTPAuthenticationError as refused:
                return SendResult.retry(
                    f"the SMTP server at {server_name(self._settings)} refused the login: "
                    f"{refused.code} {refused.message}"
                )
            except (SMTPException, *_CONNECTION_TROUBLE) as trouble:
                return SendResult.retry(f"cannot connect to {server_name(self._settings)}: {_words(trouble)}")
            reused = slot.sent > 0
            try:
                result, stage, keep = await _transact(slot, letter)
            except BaseException:  # cancelled mid-transaction: the connection's state is unknown
                self._pool.discard(slot)
                raise
            if keep:
                self._pool.give_back(slot)
            else:
                self._pool.discard(slot)
            if result is None and stage == "MAIL" and reused:
                continue  # the server had closed this connection: nothing was sent, once more on a new one
            if result is None:
                return SendResult.retry(_lost(stage, self._settings))
            return result
        return SendResult.retry(f"MAIL: the connection to {server_name(self._settings)} was lost twice")


async def _transact(slot: Pooled, letter: _Letter) -> tuple[SendResult | None, Stage, bool]:
    """One MAIL-RCPT-DATA transaction: the result (None when the connection broke), the stage
    reached, and whether the connection can be reused.

    MAIL and RCPT go through ``execute_command``: ``SMTP.mail``/``rcpt`` parse each address again
    with ``email.utils.parseaddr`` (about a quarter of the client's CPU a message), and ours are
    already checked plain ASCII (``address.mailbox``)."""
    smtp = slot.smtp
    stage: Stage = "MAIL"
    try:
        size = [b"SIZE=%d" % len(letter.data)] if smtp.supports_extension("size") else []
        reply = await smtp.execute_command(b"MAIL", b"FROM:<%s>" % letter.sender.encode("ascii"), *size)
        if reply.code == 250:
            stage = "RCPT"
            reply = await smtp.execute_command(b"RCPT", b"TO:<%s>" % letter.recipient.encode("ascii"))
        if reply.code not in (250, 251):
            return classify_refusal(stage, reply.code, reply.message), stage, await _reset(smtp, reply.code)
        stage = "DATA"
        await smtp.data(letter.data)
    except SMTPResponseException as refused:
        return classify_refusal(stage, refused.code, refused.message), stage, await _reset(smtp, refused.code)
    except (SMTPException, *_CONNECTION_TROUBLE):
        return None, stage, False
    slot.sent += 1
    return SendResult.sent(letter.message_id), stage, True


async def _reset(smtp: SMTP, code: int) -> bool:
    """RSET after a refusal, so the next message starts a clean transaction; False when the
    connection cannot go on (a 421 closes it, or the RSET fails)."""
    if code == 421:
        return False
    try:
        reply = await smtp.rset()
    except (SMTPException, *_CONNECTION_TROUBLE):
        return False
    return reply.code == 250


def _lost(stage: Stage, settings: EmailSettings) -> str:
    reason = f"{stage}: the connection to {server_name(settings)} was lost or timed out"
    if stage == "DATA":  # the server may have taken it: a resend carries the same Message-ID
        reason += " while the message was sent; the server may have accepted it"
    return reason


def _words(trouble: BaseException) -> str:
    return str(trouble) or type(trouble).__name__


def _implements_the_port(channel: EmailChannel) -> tuple[Channel, ReportsByCallback]:
    """Never called: mypy proves here that the channel implements the port's protocols."""
    return channel, channel
