from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest

from retentio.messaging.channels.email.mime import BadContent, Composer, encode_subject
from retentio.messaging.channels.email.settings import EmailSettings
from retentio.messaging.channels.port import Outgoing
from retentio.messaging.content import ChannelName, EmailBody, Kind

SETTINGS = EmailSettings(
    from_address="shop@romashka.ru",
    from_name="Магазин «Ромашка»",
    reply_to="help@romashka.ru",
    message_id_domain="mail.romashka.ru",
)
LINK = "https://romashka.ru/u/" + "s" * 180  # a signed link is long: it must still not fold
BODY = EmailBody(
    subject="Иван, скидка 20% на всё до воскресенья — только для вас",
    text="Здравствуйте, Иван!\nВаша скидка ждёт.",
    html="<p>Здравствуйте, <b>Иван</b>!</p>",
)


def outgoing(kind: Kind = Kind.MARKETING, body: EmailBody = BODY, url: str | None = LINK) -> Outgoing:
    return Outgoing("0190b6e2-7c1f", ChannelName.EMAIL, "ivan@example.ru", body, kind, unsubscribe_url=url)


def parsed(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def header_lines(data: bytes) -> list[str]:
    return data.split(b"\r\n\r\n", 1)[0].decode("ascii").split("\r\n")


def test_russian_text_and_html_read_back_as_written() -> None:
    # when
    composed = Composer(SETTINGS).compose(outgoing(), BODY, "ivan@example.ru")
    message = parsed(composed.data)
    # then
    assert message["Subject"] == BODY.subject
    assert message["From"].addresses[0].display_name == "Магазин «Ромашка»"
    assert message["From"].addresses[0].addr_spec == "shop@romashka.ru"
    assert message["Reply-To"] == "help@romashka.ru"
    assert message["To"] == "ivan@example.ru"
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert text.get_content() == "Здравствуйте, Иван!\r\nВаша скидка ждёт.\r\n"
    assert html.get_content_type() == "text/html"
    assert html.get_content() == "<p>Здравствуйте, <b>Иван</b>!</p>\r\n"
    assert not message.defects and not text.defects and not html.defects
    assert composed.data.isascii()  # 7-bit on the wire: no server needs 8BITMIME
    assert all(len(line) <= 998 for line in composed.data.split(b"\r\n"))


def test_without_html_the_message_is_text_alone() -> None:
    body = EmailBody(subject="Your receipt", text="Order 42: 1 200 RUB")
    composed = Composer(SETTINGS).compose(outgoing(Kind.TRANSACTIONAL, body, None), body, "ivan@example.ru")
    message = parsed(composed.data)
    assert message.get_content_type() == "text/plain"
    assert message["Content-Transfer-Encoding"] == "7bit"  # plain ASCII is left readable
    assert message.get_content() == "Order 42: 1 200 RUB\r\n"
    assert "Subject: Your receipt" in header_lines(composed.data)


def test_the_message_id_is_the_same_on_every_attempt_and_differs_between_messages() -> None:
    composer = Composer(SETTINGS)
    first = parsed(composer.compose(outgoing(), BODY, "ivan@example.ru").data)
    again = parsed(composer.compose(outgoing(), BODY, "ivan@example.ru").data)
    other = Outgoing("0190b6e2-7c20", ChannelName.EMAIL, "ivan@example.ru", BODY, Kind.MARKETING)
    assert first["Message-ID"] == again["Message-ID"] == "<0190b6e2-7c1f@mail.romashka.ru>"
    assert parsed(composer.compose(other, BODY, "ivan@example.ru").data)["Message-ID"] != first["Message-ID"]
    assert composer.message_id("Заказ 42") == "<=d0=97=d0=b0=d0=ba=d0=b0=d0=b7=2042@mail.romashka.ru>"


def test_unsubscribe_headers_are_one_line_each_with_one_click() -> None:
    composer = Composer(SETTINGS.model_copy(update={"unsubscribe_mailto": "unsubscribe@romashka.ru"}))
    composed = composer.compose(outgoing(), BODY, "ivan@example.ru")
    lines = header_lines(composed.data)
    assert (
        f"List-Unsubscribe: <{LINK}>, <mailto:unsubscribe@romashka.ru?subject=unsubscribe%200190b6e2-7c1f>"
        in lines
    )
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in lines
    assert len(lines[lines.index("List-Unsubscribe-Post: List-Unsubscribe=One-Click") - 1]) > 200
    assert parsed(composed.data)["List-Unsubscribe"].startswith(f"<{LINK}>")


def test_a_transactional_message_or_one_without_a_link_has_no_unsubscribe_header() -> None:
    composer = Composer(SETTINGS)
    for message in (outgoing(Kind.TRANSACTIONAL), outgoing(Kind.MARKETING, url=None)):
        assert not any(
            line.startswith("List-Unsubscribe")
            for line in header_lines(composer.compose(message, BODY, "ivan@example.ru").data)
        )
    trigger = composer.compose(outgoing(Kind.TRIGGER), BODY, "ivan@example.ru")
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in header_lines(trigger.data)


def test_a_plain_http_link_is_listed_but_not_offered_for_one_click() -> None:
    # RFC 8058 one-click is for https only; a test shop on http still gets the List-Unsubscribe link.
    composed = Composer(SETTINGS).compose(
        outgoing(url="http://localhost:8000/u/abc"), BODY, "ivan@example.ru"
    )
    lines = header_lines(composed.data)
    assert "List-Unsubscribe: <http://localhost:8000/u/abc>" in lines
    assert not any(line.startswith("List-Unsubscribe-Post") for line in lines)


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "https://x.ru/u?a=<b>", "https://x.ru/u\r\nBcc: all@x.ru", "https://x.ru/ü"],
)
def test_an_unusable_unsubscribe_link_is_refused(url: str) -> None:
    with pytest.raises(BadContent, match="unsubscribe link"):
        Composer(SETTINGS).compose(outgoing(url=url), BODY, "ivan@example.ru")


def test_a_subject_never_starts_a_header_of_its_own_and_long_ones_fold_between_words() -> None:
    body = EmailBody(subject="Скидка\r\nBcc: all@example.ru " + "очень " * 30, text="x")
    composed = Composer(SETTINGS).compose(outgoing(body=body), body, "ivan@example.ru")
    lines = header_lines(composed.data)
    assert not any(line.startswith("Bcc") for line in lines)
    start = next(place for place, line in enumerate(lines) if line.startswith("Subject:"))
    end = next(place for place, line in enumerate(lines[start + 1 :], start + 1) if not line.startswith(" "))
    assert end - start > 3 and all(len(line) <= 78 for line in lines[start:end])
    assert parsed(composed.data)["Subject"] == "Скидка Bcc: all@example.ru " + "очень " * 30


@pytest.mark.parametrize("subject", ["", "Hello", "=?utf-8?q?not-a-word?=", "ё" * 100, "🎁 Подарок 🎁"])
def test_subjects_read_back_unchanged(subject: str) -> None:
    assert str(parsed(f"Subject: {encode_subject(subject)}\r\n\r\n".encode())["Subject"]) == subject


def test_an_ascii_part_that_holds_the_boundary_or_long_lines_goes_in_base64() -> None:
    body = EmailBody(subject="s", text="a" * 1200, html="<p>ok</p>")
    message = parsed(Composer(SETTINGS).compose(outgoing(body=body), body, "ivan@example.ru").data)
    text, html = message.iter_parts()
    assert text["Content-Transfer-Encoding"] == "base64"
    assert text.get_content() == "a" * 1200 + "\r\n"
    assert html["Content-Transfer-Encoding"] == "7bit"
