"""One message's bytes: RFC 5322 headers and a MIME body (text, or text and HTML as alternatives).

The bytes are written directly with the stdlib's encoders (``email.base64mime``, ``email.utils``)
instead of through ``EmailMessage``: its policy-driven folding costs about 3 ms a message (a
tenth of a second for thirty messages), ten times all the rest. Writing the header block ourselves
also keeps the two unsubscribe headers on one line each, as RFC 8058 and DKIM need (a folded
``List-Unsubscribe`` is refolded differently on the way and the signature no longer matches).
The tests read every message back with ``email.policy.default`` to prove it is what it claims.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from email.base64mime import header_encode
from email.utils import formataddr, formatdate

from retentio.messaging.channels.email.settings import EmailSettings
from retentio.messaging.channels.email.tokens import encode_token
from retentio.messaging.channels.port import Outgoing
from retentio.messaging.content import EmailBody, Kind

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_NOT_SEVEN_BIT = re.compile(r"[^\t\r\n\x20-\x7e]")
_URL = re.compile(r"[!#-;=?-~]+\Z")  # printable ASCII without space, quotes and angle brackets
_WORD_BYTES = 42  # UTF-8 bytes per encoded word: 56 base64 characters, a word of 68 (RFC 2047: 75)
_MAX_LINE = 998  # RFC 5322's hard limit for a line
_UNSUBSCRIBED_KINDS = frozenset({Kind.MARKETING, Kind.TRIGGER})


class BadContent(ValueError):
    """The message cannot be written as given (an unusable unsubscribe link)."""


@dataclass(frozen=True, slots=True)
class Composed:
    data: bytes
    header_names: tuple[str, ...]  # in order, for the DKIM signature


class Composer:
    """Writes messages from one sender; what every message shares is prepared once."""

    def __init__(self, settings: EmailSettings) -> None:
        self._domain = settings.id_domain
        self._mailto = settings.unsubscribe_mailto
        self._fixed: list[tuple[str, str]] = [
            ("From", _address_line(settings.from_name, settings.from_address))
        ]
        if settings.reply_to is not None:
            self._fixed.append(("Reply-To", settings.reply_to))

    def message_id(self, message_id: str) -> str:
        return message_id_header(message_id, self._domain)

    def compose(self, outgoing: Outgoing, body: EmailBody, recipient: str) -> Composed:
        headers = [
            *self._fixed,
            ("To", recipient),
            ("Subject", encode_subject(body.subject)),
            ("Date", formatdate(usegmt=True)),
            ("Message-ID", self.message_id(outgoing.message_id)),
        ]
        if outgoing.kind in _UNSUBSCRIBED_KINDS and outgoing.unsubscribe_url is not None:
            headers.extend(unsubscribe_headers(outgoing.unsubscribe_url, self._mailto, outgoing.message_id))
        boundary = "=_" + hashlib.blake2b(outgoing.message_id.encode(), digest_size=12).hexdigest()
        mime_headers, payload = _body(body, boundary)
        headers.append(("MIME-Version", "1.0"))
        headers.extend(mime_headers)
        block = "".join(f"{name}: {value}\r\n" for name, value in headers)
        return Composed(block.encode("ascii") + b"\r\n" + payload, tuple(name for name, _ in headers))


def message_id_header(message_id: str, domain: str) -> str:
    """The ``Message-ID`` for Retentio's message id: the same on every attempt, so a message sent
    twice (a crash between the server's acceptance and the commit) is recognisable as one."""
    return f"<{encode_token(message_id)}@{domain}>"


def encode_subject(subject: str) -> str:
    """A plain ASCII subject as it is; anything else as UTF-8 encoded words, folded between words."""
    subject = _CONTROL.sub(" ", subject)  # a template's stray newline must not start a new header
    if subject.isascii() and "=?" not in subject and len(subject) < _MAX_LINE - len("Subject: "):
        return subject
    return encoded_words(subject)


def encoded_words(text: str) -> str:
    """RFC 2047 B-encoded words of at most 42 UTF-8 bytes, never splitting a character."""
    data = text.encode()
    words: list[str] = []
    start = 0
    while True:
        end = min(start + _WORD_BYTES, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # a continuation byte: cut before its character
            end -= 1
        words.append(header_encode(data[start:end], "utf-8"))
        if end >= len(data):
            return "\r\n ".join(words)
        start = end


def unsubscribe_headers(url: str, mailto: str | None, message_id: str) -> list[tuple[str, str]]:
    """``List-Unsubscribe`` with the signed link (and the mailto when configured), and, for an https
    link, ``List-Unsubscribe-Post`` (RFC 8058 one-click: mail clients POST to the link)."""
    if not url.startswith(("https://", "http://")) or not _URL.match(url):
        raise BadContent(f"the unsubscribe link {url!r} is not an http(s) URL without spaces or <>")
    targets = [f"<{url}>"]
    if mailto is not None:
        targets.append(f"<mailto:{mailto}?subject=unsubscribe%20{encode_token(message_id)}>")
    value = ", ".join(targets)
    if len("List-Unsubscribe: ") + len(value) > _MAX_LINE:
        raise BadContent(f"the unsubscribe link is {len(url)} characters: too long for one header line")
    headers = [("List-Unsubscribe", value)]
    if url.startswith("https://"):
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    return headers


def _address_line(name: str, address: str) -> str:
    if not name:
        return address
    if name.isascii():
        return formataddr((name, address))
    return f"{encoded_words(name)} <{address}>"


def _body(body: EmailBody, boundary: str) -> tuple[list[tuple[str, str]], bytes]:
    text_headers, text = _text_part(body.text, "plain", boundary)
    if body.html is None:
        return text_headers, text
    html_headers, html = _text_part(body.html, "html", boundary)
    delimiter = f"--{boundary}\r\n".encode()
    parts = [
        delimiter,
        _header_bytes(text_headers),
        text,
        delimiter,
        _header_bytes(html_headers),
        html,
        f"--{boundary}--\r\n".encode(),
    ]
    return [("Content-Type", f'multipart/alternative; boundary="{boundary}"')], b"".join(parts)


def _text_part(content: str, subtype: str, boundary: str) -> tuple[list[tuple[str, str]], bytes]:
    """A text part in CRLF lines (text/* on the wire, RFC 2046): as it is when it is short-lined
    ASCII, base64 otherwise (Russian text: base64 is shorter than quoted-printable for Cyrillic)."""
    lines = content.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    canonical = "\r\n".join(lines)
    if not canonical.endswith("\r\n"):
        canonical += "\r\n"
    seven_bit = (
        not _NOT_SEVEN_BIT.search(canonical)
        and max(map(len, lines)) <= _MAX_LINE
        and f"--{boundary}" not in canonical
    )
    content_type = ("Content-Type", f'text/{subtype}; charset="utf-8"')
    if seven_bit:
        return [content_type, ("Content-Transfer-Encoding", "7bit")], canonical.encode("ascii")
    encoded = base64.encodebytes(canonical.encode()).replace(b"\n", b"\r\n")
    return [content_type, ("Content-Transfer-Encoding", "base64")], encoded


def _header_bytes(headers: list[tuple[str, str]]) -> bytes:
    return "".join(f"{name}: {value}\r\n" for name, value in headers).encode("ascii") + b"\r\n"
