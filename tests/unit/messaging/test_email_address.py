from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retentio.messaging.channels.email.address import BadAddress, mailbox
from retentio.messaging.channels.email.return_path import bounce_address, message_id_from_bounce_address
from retentio.messaging.channels.email.settings import EmailSettings
from retentio.messaging.channels.email.tokens import decode_token, encode_token


def test_a_plain_address_passes_and_a_cyrillic_domain_travels_as_idna() -> None:
    assert mailbox("ivan.petrov+promo@example.ru") == "ivan.petrov+promo@example.ru"
    assert mailbox("Ivan@Пример.РФ") == "Ivan@xn--e1afmkfd.xn--p1ai"


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("", "empty"),
        ("ivan", "not of the form name@domain"),
        ("@example.ru", "not of the form name@domain"),
        ("ivan petrov@example.ru", "spaces or control characters"),
        ("ivan@example.ru\r\nBcc: all@example.ru", "spaces or control characters"),
        ("иван@example.ru", "non-ASCII characters before '@'"),
        ("ivan..petrov@example.ru", "not a plain name"),
        ('"ivan"@example.ru', "not a plain name"),
        (".ivan@example.ru", "not a plain name"),
        ("ivan@localhost", "with a dot"),
        ("ivan@-example.ru", "with a dot"),
        ("ivan@example..ru", "not a valid domain name"),
        ("ivan@192.168.0.1", "IP address"),
        ("a" * 65 + "@example.ru", "more than 64"),
        ("a@" + ".".join(["b" * 60] * 5) + ".ru", "longer than 254"),
    ],
)
def test_a_malformed_address_is_refused_saying_what_is_wrong(address: str, words: str) -> None:
    with pytest.raises(BadAddress, match=words):
        mailbox(address)


@given(st.text(min_size=1, max_size=80))
def test_any_message_id_survives_the_token_even_in_capitals(message_id: str) -> None:
    token = encode_token(message_id)
    assert re.fullmatch(r"[a-z0-9_=-]+", token)  # a dot-atom whatever the id: no dots, no quotes
    assert decode_token(token) == message_id
    assert decode_token(token.upper()) == message_id


def test_a_uuid_stays_readable_in_its_token() -> None:
    assert encode_token("0190b6e2-7c1f-7d2a") == "0190b6e2-7c1f-7d2a"
    assert encode_token("Order/42") == "=4frder=2f42"


@pytest.mark.parametrize("token", ["", "a.b", "=zz", "=ff", "a=4"])
def test_what_no_encoding_wrote_reads_as_nothing(token: str) -> None:
    assert decode_token(token) is None


def test_the_bounce_address_names_its_message_and_reads_back() -> None:
    # given
    settings = EmailSettings(from_address="shop@example.ru", bounce_domain="Bounce.Example.ru")
    # when
    address = bounce_address("0190b6e2/Заказ", settings)
    # then
    assert address == "bounces+0190b6e2=2f=d0=97=d0=b0=d0=ba=d0=b0=d0=b7@bounce.example.ru"
    assert message_id_from_bounce_address(address, settings) == "0190b6e2/Заказ"
    assert message_id_from_bounce_address(f"<{address.upper()}>", settings) == "0190b6e2/Заказ"
    assert message_id_from_bounce_address("bounces+@bounce.example.ru", settings) is None
    assert message_id_from_bounce_address("ivan@example.ru", settings) is None
    assert message_id_from_bounce_address("bounces+abc@other.example.ru", settings) is None


def test_a_template_of_ones_own_is_followed_and_without_a_bounce_domain_there_is_none() -> None:
    settings = EmailSettings(
        from_address="shop@example.ru",
        bounce_domain="example.ru",
        return_path_template="rtn-{token}@mx.{domain}",
    )
    assert bounce_address("m-1", settings) == "rtn-m-1@mx.example.ru"
    assert message_id_from_bounce_address("RTN-M-1@MX.EXAMPLE.RU", settings) == "m-1"
    plain = EmailSettings(from_address="shop@example.ru")
    assert bounce_address("m-1", plain) is None
    assert message_id_from_bounce_address("bounces+m-1@example.ru", plain) is None


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"from_address": "shop"}, "not of the form"),
        ({"username": "shop"}, "username and password go together"),
        ({"dkim_private_key": "x"}, "needs dkim_selector"),
        ({"dkim_private_key": "x", "dkim_private_key_file": "k.pem", "dkim_selector": "s"}, "not both"),
        ({"bounce_domain": "example.ru", "return_path_template": "bounces@{domain}"}, "exactly once"),
        (
            {"bounce_domain": "example.ru", "return_path_template": "b {token}@{domain}"},
            "does not make an address",
        ),
        (
            {"bounce_domain": "example.ru", "return_path_template": "b+{token}@{host}"},
            "does not make an address",
        ),
        ({"bounce_domain": "bad domain"}, "not a valid domain"),
        ({"from_name": "Shop\r\nBcc: x@example.ru"}, "one line"),
        ({"security": "ssl"}, "starttls"),
        ({"smtp_host": "x"}, "Extra inputs"),
    ],
)
def test_settings_that_cannot_work_are_refused_naming_the_key(fields: dict[str, str], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        EmailSettings.model_validate({"from_address": "shop@example.ru", **fields})


def test_ports_and_domains_follow_the_security_and_the_sender() -> None:
    settings = EmailSettings(from_address="shop@ромашка.рф")
    assert settings.smtp_port == 587
    assert EmailSettings(from_address="a@example.ru", security="tls").smtp_port == 465
    assert EmailSettings(from_address="a@example.ru", security="none", port=2525).smtp_port == 2525
    assert settings.id_domain == settings.signing_domain == "xn--80aa3agjl3d.xn--p1ai"
