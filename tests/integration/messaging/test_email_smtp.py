"""The email channel against a real SMTP server (aiosmtpd, tests/fakes/smtp.py) over real sockets."""

from __future__ import annotations

import asyncio
import base64
import email
import email.policy
from collections import Counter
from collections.abc import Coroutine, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from tests.fakes.smtp import (
    FakeSmtpServer,
    free_port,
    self_signed_certificate,
    server_tls,
    silent_server,
)

from retentio.messaging.channels.email import EmailChannel, EmailSettings
from retentio.messaging.channels.email.tokens import encode_token
from retentio.messaging.channels.port import Callback, ChannelNotReady, Outgoing, ReportStatus, SendStatus
from retentio.messaging.content import ChannelName, EmailBody, Kind

T = TypeVar("T")
USERS = {"shop": "s3cret"}
LINK = "https://romashka.ru/unsubscribe/" + "k" * 160
BODY = EmailBody(
    subject="Иван, ваша скидка 20% ждёт вас до воскресенья",
    text="Здравствуйте, Иван!\nСкидка 20% на всё.",
    html="<p>Здравствуйте, <b>Иван</b>! Скидка 20% на всё.</p>",
)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


@pytest.fixture
def smtp() -> Iterator[FakeSmtpServer]:
    with FakeSmtpServer(users=USERS) as server:
        yield server


def settings_for(server: FakeSmtpServer | None = None, **changes: Any) -> EmailSettings:
    fields: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": server.port if server is not None else free_port(),
        "security": "none",
        "username": "shop",
        "password": "s3cret",
        "helo_name": "sender.romashka.test",
        "timeout": 5.0,
        "from_address": "shop@romashka.ru",
        "from_name": "Магазин «Ромашка»",
        "reply_to": "help@romashka.ru",
        "bounce_domain": "bounce.romashka.ru",
    }
    return EmailSettings.model_validate({**fields, **changes})


def message(
    message_id: str = "0190b6e2-7c1f", recipient: str = "ivan@example.ru", kind: Kind = Kind.MARKETING
) -> Outgoing:
    return Outgoing(message_id, ChannelName.EMAIL, recipient, BODY, kind, unsubscribe_url=LINK)


async def send_all(channel: EmailChannel, *messages: Outgoing) -> list[SendStatus]:
    try:
        return [(await channel.send(outgoing)).status for outgoing in messages]
    finally:
        await channel.close()


def parsed(content: bytes) -> EmailMessage:
    parsed_message = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(parsed_message, EmailMessage)
    return parsed_message


def test_a_russian_message_arrives_whole_with_its_headers_and_envelope(smtp: FakeSmtpServer) -> None:
    # given
    channel = EmailChannel(settings_for(smtp))

    # when
    async def scenario() -> Any:
        try:
            await channel.check()
            return await channel.send(message())
        finally:
            await channel.close()

    result = run(scenario())

    # then
    assert result.status is SendStatus.SENT
    assert result.provider_id == "<0190b6e2-7c1f@romashka.ru>"
    (received,) = smtp.received
    assert received.mail_from == "bounces+0190b6e2-7c1f@bounce.romashka.ru"
    assert received.rcpt_tos == ("ivan@example.ru",)
    assert received.login == "shop"
    arrived = parsed(received.content)
    assert arrived["Message-ID"] == result.provider_id
    assert arrived["Subject"] == BODY.subject
    assert arrived["From"].addresses[0].display_name == "Магазин «Ромашка»"
    assert arrived["Reply-To"] == "help@romashka.ru"
    text, html = arrived.iter_parts()
    assert text.get_content() == "Здравствуйте, Иван!\r\nСкидка 20% на всё.\r\n"
    assert html.get_content() == BODY.html + "\r\n"
    header_lines = received.content.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert f"List-Unsubscribe: <{LINK}>".encode() in header_lines  # one line, unfolded
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in header_lines


def test_a_server_without_login_gets_ehlo_and_the_message() -> None:
    with FakeSmtpServer() as open_relay:
        channel = EmailChannel(settings_for(open_relay, username=None, password=None, bounce_domain=None))
        assert run(send_all(channel, message())) == [SendStatus.SENT]
        (received,) = open_relay.received
        assert (received.mail_from, received.login) == ("shop@romashka.ru", None)
        assert open_relay.connections == 1


def test_a_resend_after_a_crash_carries_the_same_message_id(smtp: FakeSmtpServer) -> None:
    statuses = run(
        send_all(EmailChannel(settings_for(smtp)), message("m-42"), message("m-42"), message("m-43"))
    )
    assert statuses == [SendStatus.SENT] * 3
    ids = [parsed(received.content)["Message-ID"] for received in smtp.received]
    assert ids == ["<m-42@romashka.ru>", "<m-42@romashka.ru>", "<m-43@romashka.ru>"]


def test_many_sends_reuse_the_pools_connections(smtp: FakeSmtpServer) -> None:
    # given: a pool of three
    channel = EmailChannel(settings_for(smtp, pool_size=3))
    # when: thirty messages one after another
    statuses = run(send_all(channel, *(message(f"m-{n}") for n in range(30))))
    # then: three connections carried them all, ten each
    assert statuses == [SendStatus.SENT] * 30
    assert smtp.connections == 3
    assert sorted(Counter(received.peer for received in smtp.received).values()) == [10, 10, 10]


def test_concurrent_sends_share_the_pool_and_never_mix_their_messages(smtp: FakeSmtpServer) -> None:
    # given
    channel = EmailChannel(settings_for(smtp, pool_size=4))
    messages = [message(f"m-{n}", f"customer{n}@example.ru") for n in range(80)]

    # when: eighty sends at once
    async def scenario() -> list[SendStatus]:
        try:
            results = await asyncio.gather(*(channel.send(outgoing) for outgoing in messages))
            return [result.status for result in results]
        finally:
            await channel.close()

    statuses = run(scenario())

    # then: four connections, every message once, each to its own recipient
    assert statuses == [SendStatus.SENT] * 80
    assert smtp.connections == 4
    pairs = {(received.rcpt_tos, parsed(received.content)["Message-ID"]) for received in smtp.received}
    assert pairs == {((f"customer{n}@example.ru",), f"<m-{n}@romashka.ru>") for n in range(80)}


def test_a_connection_is_renewed_after_its_share_of_messages(smtp: FakeSmtpServer) -> None:
    channel = EmailChannel(settings_for(smtp, pool_size=1, messages_per_connection=5))
    assert run(send_all(channel, *(message(f"m-{n}") for n in range(12)))) == [SendStatus.SENT] * 12
    assert smtp.connections == 3
    assert sorted(Counter(received.peer for received in smtp.received).values()) == [2, 5, 5]


def test_a_server_restart_between_sends_costs_nothing(smtp: FakeSmtpServer) -> None:
    # given: a pooled connection, then the server restarts and drops it
    channel = EmailChannel(settings_for(smtp, pool_size=1))

    async def scenario() -> list[SendStatus]:
        try:
            first = await channel.send(message("m-1"))
            await asyncio.to_thread(_restart, smtp)
            second = await channel.send(message("m-2"))
            return [first.status, second.status]
        finally:
            await channel.close()

    # then: the second send goes out over a new connection
    assert run(scenario()) == [SendStatus.SENT, SendStatus.SENT]
    assert len(smtp.received) == 2
    assert smtp.received[0].peer != smtp.received[1].peer


def _restart(server: FakeSmtpServer) -> None:
    with server.down():
        pass


def test_a_refused_recipient_is_unreachable_and_the_connection_goes_on(smtp: FakeSmtpServer) -> None:
    # given
    smtp.refuse("gone@example.ru", "550 5.1.1 <gone@example.ru>: Recipient address rejected: User unknown")
    channel = EmailChannel(settings_for(smtp, pool_size=1))

    # when
    async def scenario() -> list[Any]:
        try:
            return [await channel.send(message("m-1", "gone@example.ru")), await channel.send(message("m-2"))]
        finally:
            await channel.close()

    refused, next_one = run(scenario())

    # then
    assert refused.status is SendStatus.UNREACHABLE
    assert refused.reason == "RCPT 550 5.1.1 <gone@example.ru>: Recipient address rejected: User unknown"
    assert next_one.status is SendStatus.SENT
    assert [received.rcpt_tos for received in smtp.received] == [("ivan@example.ru",)]
    assert smtp.connections == 1


@pytest.mark.parametrize(
    ("stage", "answer", "status"),
    [
        ("RCPT", "451 4.7.1 Greylisted, try again in 5 minutes", SendStatus.RETRY),
        ("RCPT", "553 5.1.3 Bad recipient address syntax", SendStatus.UNREACHABLE),
        ("DATA", "552 5.3.4 Message size exceeds fixed limit", SendStatus.FAILED),
        ("DATA", "554 5.7.1 Message rejected as spam", SendStatus.FAILED),
        ("DATA", "421 4.4.2 Closing connection: timeout", SendStatus.RETRY),
    ],
)
def test_each_refusal_is_classified_never_raised(
    smtp: FakeSmtpServer, stage: Any, answer: str, status: SendStatus
) -> None:
    smtp.refuse("ivan@example.ru", answer, at=stage)
    result = run(_send_one(EmailChannel(settings_for(smtp)), message()))
    assert result.status is status
    assert result.reason == f"{stage} {answer}"
    assert smtp.received == []


async def _send_one(channel: EmailChannel, outgoing: Outgoing) -> Any:
    try:
        return await channel.send(outgoing)
    finally:
        await channel.close()


def test_a_malformed_address_is_unreachable_before_any_connection(smtp: FakeSmtpServer) -> None:
    result = run(_send_one(EmailChannel(settings_for(smtp)), message(recipient="ivan@@example.ru")))
    assert result.status is SendStatus.UNREACHABLE
    assert (
        result.reason
        == "the part before '@' of 'ivan@@example.ru' is not a plain name (quotes, '..', a leading dot)"
    )
    assert smtp.connections == 0


def test_a_body_for_another_channel_fails_the_message(smtp: FakeSmtpServer) -> None:
    from retentio.messaging.content import TextBody

    wrong = Outgoing("m-1", ChannelName.EMAIL, "ivan@example.ru", TextBody("hi"), Kind.TRANSACTIONAL)
    result = run(_send_one(EmailChannel(settings_for(smtp)), wrong))
    assert result.status is SendStatus.FAILED
    assert "TextBody" in result.reason


def test_a_message_that_cannot_be_written_fails_without_an_exception(smtp: FakeSmtpServer) -> None:
    broken = EmailBody(subject="Скидка \udc80", text="x")
    results = run(
        send_all_results(
            EmailChannel(settings_for(smtp)),
            Outgoing("m-1", ChannelName.EMAIL, "ivan@example.ru", broken, Kind.MARKETING),
            Outgoing("", ChannelName.EMAIL, "ivan@example.ru", BODY, Kind.MARKETING),
            Outgoing(
                "m-3", ChannelName.EMAIL, "ivan@example.ru", BODY, Kind.MARKETING, unsubscribe_url="ftp://x"
            ),
        )
    )
    assert [(result.status, result.reason) for result in results] == [
        (SendStatus.FAILED, "the message has text that is not valid Unicode: '\\udc80'"),
        (SendStatus.FAILED, "the message has no id (its Message-ID is made from it)"),
        (SendStatus.FAILED, "the unsubscribe link 'ftp://x' is not an http(s) URL without spaces or <>"),
    ]
    assert smtp.connections == 0


def test_a_wrong_password_stops_the_channel_at_check_naming_the_setting(smtp: FakeSmtpServer) -> None:
    channel = EmailChannel(settings_for(smtp, password="wrong"))
    with pytest.raises(
        ChannelNotReady, match=r"refused the login of username 'shop' \(535 .*username and password"
    ):
        run(channel.check())
    result = run(_send_one(channel, message()))
    assert result.status is SendStatus.RETRY
    assert result.reason.startswith(f"the SMTP server at 127.0.0.1:{smtp.port} refused the login: 535")


def test_no_login_where_one_is_needed_is_said_at_check(smtp: FakeSmtpServer) -> None:
    channel = EmailChannel(settings_for(smtp, username=None, password=None))
    with pytest.raises(
        ChannelNotReady, match=r"asks for a login \(530 .*set \[channels.email\] username and password"
    ):
        run(channel.check())


def test_a_server_that_is_down_stops_check_and_makes_sends_retry() -> None:
    settings = settings_for(None)
    with pytest.raises(
        ChannelNotReady, match=rf"cannot work with the SMTP server at 127.0.0.1:{settings.port}"
    ):
        run(EmailChannel(settings).check())
    result = run(_send_one(EmailChannel(settings), message()))
    assert result.status is SendStatus.RETRY
    assert result.reason.startswith(f"cannot connect to 127.0.0.1:{settings.port}")


def test_a_server_that_never_answers_times_out_into_a_retry() -> None:
    with silent_server() as port:
        settings = settings_for(None, port=port, timeout=0.3)
        with pytest.raises(
            ChannelNotReady, match=r"did not answer within 0.3 s; check \[channels.email\] host"
        ):
            run(EmailChannel(settings).check())
        result = run(_send_one(EmailChannel(settings), message()))
    assert result.status is SendStatus.RETRY
    assert result.reason.startswith(f"cannot connect to 127.0.0.1:{port}")


def test_a_signed_message_verifies_as_the_server_received_it(smtp: FakeSmtpServer, tmp_path: Path) -> None:
    # given: a key in a file, its public half published (a DNS stub) at mail._domainkey.romashka.ru
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "dkim.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    records = {b"mail._domainkey.romashka.ru.": b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)}
    channel = EmailChannel(settings_for(smtp, dkim_selector="mail", dkim_private_key_file=key_file))

    # when
    async def scenario() -> Any:
        try:
            await channel.check()
            return await channel.send(message())
        finally:
            await channel.close()

    assert run(scenario()).status is SendStatus.SENT

    # then
    content = smtp.received[0].content
    assert dkim.verify(content, dnsfunc=lambda name, timeout=5: records.get(name))
    signed = dkim.DKIM(content).verify_headerprep()[1]
    assert {
        b"from",
        b"to",
        b"subject",
        b"date",
        b"message-id",
        b"list-unsubscribe",
        b"list-unsubscribe-post",
    } <= set(signed)
    assert {b"mime-version", b"content-type"} <= set(signed)


def test_an_unusable_dkim_key_stops_the_channel_at_check(smtp: FakeSmtpServer, tmp_path: Path) -> None:
    missing = settings_for(smtp, dkim_selector="mail", dkim_private_key_file=tmp_path / "none.pem")
    with pytest.raises(ChannelNotReady, match="dkim_private_key or dkim_private_key_file"):
        run(EmailChannel(missing).check())
    garbage = settings_for(smtp, dkim_selector="mail", dkim_private_key="not a key")
    with pytest.raises(ChannelNotReady, match="not an unencrypted PEM private key"):
        run(EmailChannel(garbage).check())


def test_starttls_with_the_servers_certificate(tmp_path: Path) -> None:
    certificate, key = self_signed_certificate(tmp_path)
    with FakeSmtpServer(users=USERS, starttls=server_tls(certificate, key)) as server:
        trusting = settings_for(server, security="starttls", ca_file=certificate)
        assert run(send_all(EmailChannel(trusting), message())) == [SendStatus.SENT]
        assert server.received[0].login == "shop"
        doubting = settings_for(server, security="starttls")
        with pytest.raises(ChannelNotReady, match="certificate verify failed"):
            run(EmailChannel(doubting).check())


def test_implicit_tls(tmp_path: Path) -> None:
    certificate, key = self_signed_certificate(tmp_path)
    with FakeSmtpServer(users=USERS, implicit_tls=server_tls(certificate, key)) as server:
        settings = settings_for(server, security="tls", ca_file=certificate)
        run(EmailChannel(settings).check())
        assert run(send_all(EmailChannel(settings), message())) == [SendStatus.SENT]


def test_a_bounce_of_a_sent_message_comes_back_to_its_provider_id(smtp: FakeSmtpServer) -> None:
    # given: a message sent, and the report a receiving server would write about it
    channel = EmailChannel(settings_for(smtp))
    sent = run(_send_one(channel, message("m-9", "gone@example.ru")))
    received = smtp.received[0]
    returned_headers = received.content.split(b"\r\n\r\n", 1)[0]
    bounce = (
        (
            f"From: MAILER-DAEMON@mx.example.ru\r\nTo: {received.mail_from}\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
            "--b\r\nContent-Type: text/plain\r\n\r\nUser unknown.\r\n"
            "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.ru\r\n\r\n"
            "Final-Recipient: rfc822; gone@example.ru\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
            "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        ).encode()
        + returned_headers
        + b"\r\n\r\n--b--\r\n"
    )
    # when
    (report,) = channel.read_callback(Callback(bounce, "message/rfc822", {}, {}))
    # then
    assert report.provider_id == sent.provider_id
    assert report.status is ReportStatus.BOUNCED
    assert report.recipient == "gone@example.ru"
    assert received.mail_from == f"bounces+{encode_token('m-9')}@bounce.romashka.ru"


def test_a_reused_connection_found_dead_is_replaced_within_the_same_send(smtp: FakeSmtpServer) -> None:
    # given: one pooled connection, which the server drops without a word before the next MAIL
    channel = EmailChannel(settings_for(smtp, pool_size=1))

    async def scenario() -> list[Any]:
        try:
            first = await channel.send(message("m-1"))
            smtp.hang_up("MAIL")
            return [first, await channel.send(message("m-2"))]
        finally:
            await channel.close()

    # then: nothing of m-2 had reached the server, so it went out at once over a new connection
    assert [result.status for result in run(scenario())] == [SendStatus.SENT, SendStatus.SENT]
    assert [parsed(received.content)["Message-ID"] for received in smtp.received] == [
        "<m-1@romashka.ru>",
        "<m-2@romashka.ru>",
    ]
    assert smtp.connections == 2


def test_a_new_connection_dropped_again_is_a_retry_not_a_loop(smtp: FakeSmtpServer) -> None:
    # given: the pooled connection and then its replacement are both dropped at MAIL
    channel = EmailChannel(settings_for(smtp, pool_size=1))

    async def scenario() -> list[Any]:
        try:
            first = await channel.send(message("m-1"))
            smtp.hang_up("MAIL", "MAIL")
            return [first, await channel.send(message("m-2")), await channel.send(message("m-3"))]
        finally:
            await channel.close()

    first, dropped, third = run(scenario())
    # then: m-2 is a retry after the second drop, and the channel still works
    assert (first.status, dropped.status, third.status) == (
        SendStatus.SENT,
        SendStatus.RETRY,
        SendStatus.SENT,
    )
    assert dropped.reason == f"MAIL: the connection to 127.0.0.1:{smtp.port} was lost or timed out"
    assert len(smtp.received) == 2
    assert smtp.connections == 3


def test_a_connection_lost_after_the_content_is_a_retry_that_says_it_may_have_arrived(
    smtp: FakeSmtpServer,
) -> None:
    smtp.hang_up("DATA")
    channel = EmailChannel(settings_for(smtp, pool_size=1))
    first, second = run(send_all_results(channel, message("m-1"), message("m-2")))
    assert first.status is SendStatus.RETRY
    assert first.reason.endswith("while the message was sent; the server may have accepted it")
    assert second.status is SendStatus.SENT


async def send_all_results(channel: EmailChannel, *messages: Outgoing) -> list[Any]:
    try:
        return [await channel.send(outgoing) for outgoing in messages]
    finally:
        await channel.close()


def test_a_send_cancelled_mid_transaction_gives_its_connection_place_back(smtp: FakeSmtpServer) -> None:
    # given: a pool of one, and a server that swallows the next message's content without answering
    smtp.stall()
    channel = EmailChannel(settings_for(smtp, pool_size=1))

    async def scenario() -> SendStatus:
        try:
            stuck = asyncio.create_task(channel.send(message("m-1")))
            while not smtp.connections:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.1)
            stuck.cancel()
            with pytest.raises(asyncio.CancelledError):
                await stuck
            # then: the only place in the pool is free again (a leak would block here: the guard fails it)
            return (await asyncio.wait_for(channel.send(message("m-2")), timeout=10)).status
        finally:
            await channel.close()

    assert run(scenario()) is SendStatus.SENT
    assert [parsed(received.content)["Message-ID"] for received in smtp.received] == ["<m-2@romashka.ru>"]
