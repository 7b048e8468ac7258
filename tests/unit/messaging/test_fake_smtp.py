from __future__ import annotations

import smtplib

import pytest
from tests.fakes.smtp import FakeSmtpServer


def test_the_fake_records_asks_for_a_login_refuses_and_goes_down() -> None:
    with FakeSmtpServer(users={"shop": "s3cret"}) as fake:
        with smtplib.SMTP(fake.host, fake.port) as client:
            with pytest.raises(smtplib.SMTPSenderRefused, match="Authentication required"):
                client.sendmail("a@example.ru", ["b@example.ru"], b"Subject: x\r\n\r\nhi\r\n")
            with pytest.raises(smtplib.SMTPAuthenticationError):
                client.login("shop", "wrong")
            client.login("shop", "s3cret")
            fake.refuse("gone@example.ru", "550 5.1.1 no such user")
            refused = client.sendmail(
                "a@example.ru", ["b@example.ru", "gone@example.ru"], b"Subject: x\r\n\r\nhi\r\n"
            )
            assert refused == {"gone@example.ru": (550, b"5.1.1 no such user")}
        (received,) = fake.received
        assert (received.mail_from, received.rcpt_tos, received.login) == (
            "a@example.ru",
            ("b@example.ru",),
            "shop",
        )
        assert received.content == b"Subject: x\r\n\r\nhi\r\n"
        assert fake.connections == 1
        with fake.down(), pytest.raises(ConnectionRefusedError):
            smtplib.SMTP(fake.host, fake.port)
        with smtplib.SMTP(fake.host, fake.port) as client:
            assert client.noop()[0] == 250
