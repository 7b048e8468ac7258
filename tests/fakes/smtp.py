"""A real SMTP server for tests (aiosmtpd on a free local port, in a thread of its own).

It records every message it accepts (envelope sender, recipients, the bytes as received and the
connection they came over), counts connections, can require a login (over plain text: it is a
test), speak STARTTLS or implicit TLS with a given certificate, refuse chosen recipients at RCPT or
at DATA with the answer given, and go down (refusing connections, dropping the open ones) and come
back on the same port. ``silent_server`` is a socket that accepts and never answers, for timeouts.

Try it by hand: ``python -m aiosmtpd -n -l 127.0.0.1:8025`` prints every message it receives.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import logging
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

Stage = Literal["RCPT", "DATA"]
HangUpStage = Literal["MAIL", "DATA"]
_FOREVER = 3600.0

# aiosmtpd logs a deprecation warning at every successful login: keep test output to what matters.
logging.getLogger("mail.log").setLevel(logging.ERROR)


@dataclass(frozen=True, slots=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes  # exactly as it arrived after DATA (dot-unstuffed)
    peer: tuple[str, int]  # the connection it came over
    login: str | None


class FakeSmtpServer:
    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        starttls: ssl.SSLContext | None = None,
        implicit_tls: ssl.SSLContext | None = None,
    ) -> None:
        self.host = "127.0.0.1"
        self.port = _free_port()
        self.received: list[Received] = []
        self._users = users
        self._starttls = starttls
        self._implicit_tls = implicit_tls
        self._peers: set[tuple[str, int]] = set()
        self._refusals: dict[tuple[Stage, str], str] = {}
        self._hang_ups: list[HangUpStage] = []
        self._stalls = 0
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def connections(self) -> int:
        """Connections that said EHLO since the server started (the start-up probe does not)."""
        with self._lock:
            return len(self._peers)

    def refuse(self, recipient: str, answer: str, at: Stage = "RCPT") -> None:
        """Answer ``answer`` (say ``550 5.1.1 no such user``) whenever ``recipient`` is given, at RCPT
        or after the content."""
        with self._lock:
            self._refusals[(at, recipient.lower())] = answer

    def hang_up(self, *stages: HangUpStage) -> None:
        """Close the connection without a word at the next MAIL (a connection the server dropped
        while it was idle) or after the next message's content (the reply to DATA never comes)."""
        with self._lock:
            self._hang_ups.extend(stages)

    def stall(self, messages: int = 1) -> None:
        """Take the next messages' content and never answer (until the server stops)."""
        with self._lock:
            self._stalls += messages

    def start(self) -> None:
        kwargs: dict[str, Any] = {"server_hostname": "fake-smtp.test", "ready_timeout": 10.0}
        if self._users is not None:
            # Not auth_required: aiosmtpd warns about it without TLS; handle_MAIL asks for the login.
            kwargs.update(authenticator=self._authenticate, auth_require_tls=False)
        if self._starttls is not None:
            kwargs["tls_context"] = self._starttls
        controller = Controller(
            _Handler(self), hostname=self.host, port=self.port, ssl_context=self._implicit_tls, **kwargs
        )
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Stop listening and drop every open connection."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @contextlib.contextmanager
    def down(self) -> Iterator[None]:
        self.stop()
        try:
            yield
        finally:
            self.start()

    def __enter__(self) -> FakeSmtpServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        users = self._users or {}
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        return AuthResult(success=users.get(login) == password, auth_data=login, handled=False)

    def _stalls_now(self) -> bool:
        with self._lock:
            if self._stalls:
                self._stalls -= 1
                return True
        return False

    def _hangs_up(self, stage: HangUpStage) -> bool:
        with self._lock:
            if self._hang_ups and self._hang_ups[0] == stage:
                self._hang_ups.pop(0)
                return True
        return False

    def _refusal(self, stage: Stage, recipients: list[str]) -> str | None:
        with self._lock:
            for recipient in recipients:
                answer = self._refusals.get((stage, recipient.lower()))
                if answer is not None:
                    return answer
        return None


class _Handler:
    def __init__(self, fake: FakeSmtpServer) -> None:
        self._fake = fake

    async def handle_EHLO(  # noqa: N802 - aiosmtpd calls its hooks by these names
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        with self._fake._lock:
            self._fake._peers.add(_peer(session))
        return responses

    async def handle_MAIL(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self._fake._hangs_up("MAIL"):
            return _hang_up(server)
        if self._fake._users is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 OK"

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        refusal = self._fake._refusal("RCPT", [address])
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        if self._fake._hangs_up("DATA"):
            return _hang_up(server)
        if self._fake._stalls_now():
            await asyncio.sleep(_FOREVER)
        refusal = self._fake._refusal("DATA", envelope.rcpt_tos)
        if refusal is not None:
            return refusal
        content = envelope.original_content or b""
        login = session.auth_data if isinstance(session.auth_data, str) else None
        received = Received(
            envelope.mail_from or "", tuple(envelope.rcpt_tos), content, _peer(session), login
        )
        with self._fake._lock:
            self._fake.received.append(received)
        return "250 2.0.0 OK: queued"


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A port where connections are accepted (by the kernel) and never answered: a hung server."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def free_port() -> int:
    """A port nothing listens on (for a server that is down)."""
    return _free_port()


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files: the server's, and the CA file a
    client that validates certificates is given."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-smtp.test")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = directory / "server.pem", directory / "server.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return certificate_path, key_path


def server_tls(certificate: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)
    return context


def _hang_up(server: SMTP) -> str:
    assert server.transport is not None
    server.transport.abort()
    return "421 4.4.2 gone"  # written to a closed socket: never arrives


def _peer(session: Session) -> tuple[str, int]:
    peer: Any = session.peer
    return (str(peer[0]), int(peer[1]))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
