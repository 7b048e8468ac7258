"""What routes ask for, as ``Annotated`` aliases: the engine (and its read-only form), the clock,
settings, and a key's scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from retentio.api.keys import ApiKey, Scope, find_key
from retentio.clock import Clock
from retentio.config import Settings
from retentio.ingest import IngestOptions
from retentio.loyalty import LoyaltyConfig, load_loyalty_config


@dataclass(frozen=True, slots=True)
class ApiContext:
    """Everything the routes share, wired once by ``create_app``."""

    engine: Engine
    reader: Engine  # ``retentio.db.engine.reader(engine)``: GET routes never queue behind a writer
    clock: Clock
    settings: Settings
    ingest_options: IngestOptions
    consumers: tuple[str, ...] = ()  # the log's consumers, whose lag /v1/health reports


def _context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.context
    return context


def _engine(request: Request) -> Engine:
    return _context(request).engine


def _reader(request: Request) -> Engine:
    return _context(request).reader


def _clock(request: Request) -> Clock:
    return _context(request).clock


def _settings(request: Request) -> Settings:
    return _context(request).settings


def _ingest_options(request: Request) -> IngestOptions:
    return _context(request).ingest_options


@lru_cache(maxsize=4)
def _loyalty_file(path: Path | None) -> LoyaltyConfig:
    return load_loyalty_config(path)


def _loyalty(request: Request) -> LoyaltyConfig:
    """The loyalty programmes (``RETENTIO_LOYALTY_CONFIG``), read once per file."""
    return _loyalty_file(_context(request).settings.loyalty_config)


EngineDep = Annotated[Engine, Depends(_engine)]
ReaderDep = Annotated[Engine, Depends(_reader)]
ClockDep = Annotated[Clock, Depends(_clock)]
SettingsDep = Annotated[Settings, Depends(_settings)]
IngestOptionsDep = Annotated[IngestOptions, Depends(_ingest_options)]
LoyaltyDep = Annotated[LoyaltyConfig, Depends(_loyalty)]
ContextDep = Annotated[ApiContext, Depends(_context)]

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key from `retentio apikey create`, sent as `Authorization: Bearer rk_…`.",
)
CredentialsDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def require_scope(scope: Scope) -> Callable[[ReaderDep, CredentialsDep], ApiKey]:
    """A dependency admitting requests whose key holds ``scope``: 401 without a valid key, 403 without
    the scope."""

    def check(reader: ReaderDep, credentials: CredentialsDep) -> ApiKey:
        if credentials is None:
            raise _unauthorized("give an API key as 'Authorization: Bearer KEY'")
        with reader.connect() as connection:
            key = find_key(connection, credentials.credentials)
        if key is None or not key.is_active:
            raise _unauthorized("the API key is unknown or revoked")
        if not key.allows(scope):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"the API key lacks the {scope!r} scope")
        return key

    return check


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"})
