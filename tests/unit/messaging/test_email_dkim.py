from __future__ import annotations

import base64
import time
from functools import cache

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from retentio.messaging.channels.email.dkim_signature import DkimSigner
from retentio.messaging.channels.email.mime import Composer
from retentio.messaging.channels.email.settings import EmailSettings
from retentio.messaging.channels.port import Outgoing
from retentio.messaging.content import ChannelName, EmailBody, Kind


@cache
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def small_rsa_key() -> rsa.RSAPrivateKey:
    """A 648-bit key from two Mersenne primes (cryptography will not generate one under 1024 bits)."""
    p, q, e = 2**127 - 1, 2**521 - 1, 65537
    d = rsa.rsa_recover_private_exponent(e, p, q)
    numbers = rsa.RSAPrivateNumbers(
        p,
        q,
        d,
        rsa.rsa_crt_dmp1(d, p),
        rsa.rsa_crt_dmq1(d, q),
        rsa.rsa_crt_iqmp(p, q),
        rsa.RSAPublicNumbers(e, p * q),
    )
    return numbers.private_key(unsafe_skip_rsa_key_validation=True)


def pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def dns_record(name: bytes, timeout: int = 5) -> bytes | None:
    """The TXT record at ``mail._domainkey.romashka.ru`` that verifiers look up."""
    if name != b"mail._domainkey.romashka.ru.":
        return None
    public = (
        rsa_key()
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def a_message() -> tuple[bytes, tuple[str, ...]]:
    settings = EmailSettings(
        from_address="shop@romashka.ru", from_name="Ромашка", reply_to="help@romashka.ru"
    )
    body = EmailBody("Скидка 20% — только до воскресенья", "Здравствуйте!", "<p>Здравствуйте!</p>")
    outgoing = Outgoing(
        "m-1",
        ChannelName.EMAIL,
        "ivan@example.ru",
        body,
        Kind.MARKETING,
        unsubscribe_url="https://romashka.ru/u/x",
    )
    composed = Composer(settings).compose(outgoing, body, "ivan@example.ru")
    return composed.data, composed.header_names


def signer() -> DkimSigner:
    return DkimSigner(selector="mail", domain="romashka.ru", private_key_pem=pem(rsa_key()))


def test_the_signature_is_dkimpys_own_byte_for_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    # given: the same message, headers and moment
    data, names = a_message()
    monkeypatch.setattr(time, "time", lambda: 1_790_000_000.0)
    # when
    theirs = dkim.sign(
        data,
        b"mail",
        b"romashka.ru",
        pem(rsa_key()),
        canonicalize=(b"relaxed", b"relaxed"),
        include_headers=[name.encode() for name in names],
    )
    ours = signer().signature(data, names)
    # then
    assert ours == theirs


def test_a_signed_message_verifies_and_a_changed_one_does_not() -> None:
    data, names = a_message()
    signed = signer().signature(data, names) + data
    assert dkim.verify(signed, dnsfunc=dns_record)
    signed_names = dkim.DKIM(signed).verify_headerprep()[1]
    assert b"list-unsubscribe" in signed_names and b"list-unsubscribe-post" in signed_names
    assert not dkim.verify(
        signed.replace(b"https://romashka.ru/u/x", b"https://evil.example/u/x"), dnsfunc=dns_record
    )


def test_a_key_that_cannot_sign_is_refused_saying_why() -> None:
    with pytest.raises(ValueError, match="not an unencrypted PEM private key"):
        DkimSigner(selector="mail", domain="romashka.ru", private_key_pem=b"-----BEGIN NONSENSE-----")
    with pytest.raises(ValueError, match="not an RSA key"):
        DkimSigner(
            selector="mail",
            domain="romashka.ru",
            private_key_pem=pem(ec.generate_private_key(ec.SECP256R1())),
        )
    with pytest.raises(ValueError, match="648 bits"):
        DkimSigner(selector="mail", domain="romashka.ru", private_key_pem=pem(small_rsa_key()))
