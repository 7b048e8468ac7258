"""API keys: made here, shown once, stored only as a SHA-256 digest, found again by that digest.

A key reads ``rk_<prefix>_<secret>``. The prefix is stored in clear so an operator can tell keys apart
(``retentio apikey list``) and revoke one; the secret part never touches the database.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import Connection, Row, select, update

from retentio.api.tables import api_keys

Scope = Literal["ingest", "read", "admin"]
SCOPES: tuple[Scope, ...] = get_args(Scope)
_SCOPE_NAMED: dict[str, Scope] = {scope: scope for scope in SCOPES}
KEY_MARK = "rk_"


class InvalidScopes(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ApiKey:
    """What is known about a key, without the key itself."""

    id: int
    name: str
    prefix: str
    scopes: frozenset[Scope]
    created_at: datetime
    revoked_at: datetime | None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: Scope) -> bool:
        """``admin`` holds every other scope."""
        return self.is_active and ("admin" in self.scopes or scope in self.scopes)


def parse_scopes(text: str | Iterable[str]) -> frozenset[Scope]:
    """``"ingest,read"`` (or a list of names) → the scopes; an unknown or empty set is refused."""
    names = text.split(",") if isinstance(text, str) else list(text)
    scopes: set[Scope] = set()
    for name in (name.strip() for name in names if name.strip()):
        scope = _SCOPE_NAMED.get(name)
        if scope is None:
            raise InvalidScopes(f"unknown scope {name!r}; scopes are {', '.join(SCOPES)}")
        scopes.add(scope)
    if not scopes:
        raise InvalidScopes(f"give at least one scope of {', '.join(SCOPES)}")
    return frozenset(scopes)


def digest_of(key_text: str) -> str:
    return hashlib.sha256(key_text.encode()).hexdigest()


def generate_key() -> tuple[str, str]:
    """A fresh key and its public prefix."""
    prefix = secrets.token_hex(5)
    return f"{KEY_MARK}{prefix}_{secrets.token_urlsafe(32)}", prefix


def do_create_api_key(
    connection: Connection, name: str, scopes: frozenset[Scope], now: datetime
) -> tuple[str, ApiKey]:
    """Store a new key's digest; the returned key text is the only copy there will ever be."""
    if not scopes:
        raise InvalidScopes("a key needs at least one scope")
    key_text, prefix = generate_key()
    row = connection.execute(
        api_keys.insert()
        .values(
            name=name,
            prefix=prefix,
            digest=digest_of(key_text),
            scopes=",".join(sorted(scopes)),
            created_at=now,
        )
        .returning(*api_keys.c)
    ).one()
    return key_text, _record(row)


def find_key(connection: Connection, key_text: str) -> ApiKey | None:
    """The key with this text (revoked ones included: ``is_active`` tells), or ``None``."""
    if not key_text.startswith(KEY_MARK) or len(key_text) > 200:
        return None
    row = connection.execute(select(api_keys).where(api_keys.c.digest == digest_of(key_text))).first()
    return _record(row) if row is not None else None


def list_api_keys(connection: Connection) -> list[ApiKey]:
    return [_record(row) for row in connection.execute(select(api_keys).order_by(api_keys.c.id))]


def do_revoke_api_key(connection: Connection, prefix: str, now: datetime) -> int:
    """Revoke the active keys with this prefix; returns how many were revoked."""
    result = connection.execute(
        update(api_keys)
        .where(api_keys.c.prefix == prefix, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount


def _record(row: Row[tuple[object, ...]]) -> ApiKey:
    mapping = row._mapping
    return ApiKey(
        id=mapping["id"],
        name=mapping["name"],
        prefix=mapping["prefix"],
        scopes=frozenset(s for s in SCOPES if s in mapping["scopes"].split(",")),
        created_at=mapping["created_at"],
        revoked_at=mapping["revoked_at"],
    )
