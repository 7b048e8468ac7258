"""Retentio's message id written so that it survives as the left part of a ``Message-ID`` and of a
bounce address, and read back from there.

Letters a-z, digits, ``-`` and ``_`` stay as they are; every other byte of the id's UTF-8 (capitals,
dots, slashes, Cyrillic) becomes ``=`` and two lowercase hex digits. The result is a valid dot-atom,
is the same for the same id (a resend carries the same ``Message-ID``), and reads back even when a
mail server changed the case of a bounce address's local part.
"""

from __future__ import annotations

import re

_KEPT = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789-_")
_PLAIN = re.compile(r"[a-z0-9_-]+\Z")
_TOKEN = re.compile(r"(?:[a-z0-9_-]|=[0-9a-f]{2})+\Z")
_ESCAPE = re.compile(r"=([0-9a-f]{2})")


def encode_token(message_id: str) -> str:
    if not message_id:
        raise ValueError("a message id cannot be empty")
    if _PLAIN.match(message_id):  # the usual case (a lowercase uuid or digest): as it is
        return message_id
    return "".join(chr(byte) if byte in _KEPT else f"={byte:02x}" for byte in message_id.encode())


def decode_token(token: str) -> str | None:
    """The message id, or None when ``token`` is not one ``encode_token`` could have written."""
    token = token.lower()  # every letter it writes is lowercase: undo a server's case folding
    if not _TOKEN.match(token):
        return None
    pieces = _ESCAPE.split(token)  # literal runs at even places, escaped bytes' hex at odd ones
    raw = b"".join(
        piece.encode() if place % 2 == 0 else bytes([int(piece, 16)]) for place, piece in enumerate(pieces)
    )
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return None
