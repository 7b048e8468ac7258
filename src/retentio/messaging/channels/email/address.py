"""A mailbox checked strictly before anything is sent, and put in the form SMTP carries.

An address that is wrong here would be refused by the server anyway, or worse, would smuggle a line
into the headers; saying exactly what is wrong before connecting makes it a clear per-message
outcome. Only plain ``local@domain`` forms pass: quoted local parts, comments, IP literals and
non-ASCII local parts (which need SMTPUTF8, which Retentio does not use) are refused. A Cyrillic
domain (``почта.рф``) is fine: it travels in its IDNA form (``xn--80a1acny.xn--p1ai``).
"""

from __future__ import annotations

import re

# RFC 5322 dot-atom: atext runs separated by single dots.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*\Z")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)\Z")


class BadAddress(ValueError):
    """The address cannot be used; the message says why, in words an operator understands."""


def mailbox(address: str) -> str:
    """``address`` as it goes into ``RCPT TO`` and the headers, or ``BadAddress``."""
    if not address:
        raise BadAddress("the email address is empty")
    if not address.isprintable() or any(character.isspace() for character in address):
        raise BadAddress(f"the email address {address!r} contains spaces or control characters")
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise BadAddress(f"the email address {address!r} is not of the form name@domain")
    if not local.isascii():
        raise BadAddress(f"the email address {address!r} has non-ASCII characters before '@'")
    if len(local) > 64:
        raise BadAddress(f"the email address {address!r} has more than 64 characters before '@'")
    if not _DOT_ATOM.match(local):
        raise BadAddress(
            f"the part before '@' of {address!r} is not a plain name (quotes, '..', a leading dot)"
        )
    try:
        ascii_address = f"{local}@{ascii_domain(domain)}"
    except BadAddress as bad:
        raise BadAddress(f"the domain of {address!r} {bad}") from None
    if len(ascii_address) > 254:
        raise BadAddress(f"the email address {address!r} is longer than 254 characters")
    return ascii_address


def domain_of(address: str) -> str:
    return address.rpartition("@")[2]


def ascii_domain(domain: str) -> str:
    """A domain name in lowercase ASCII (IDNA for a Cyrillic one), or ``BadAddress`` saying why not."""
    try:
        ascii_name = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise BadAddress("is not a valid domain name") from None
    labels = ascii_name.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise BadAddress("is not a valid domain name with a dot")
    if labels[-1].isdigit():
        raise BadAddress("is an IP address, not a domain name")
    return ascii_name
