"""The HTTP API: a thin shell of routers over the areas, with API-key scopes checked in one place.

This package is the facade the command line uses: API keys (made, listed, revoked) and
``create_app``. Each name loads its module on first use (``retentio.facade``): the app brings FastAPI
and every router, which ``retentio apikey`` does not need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retentio.facade import load_on_use

if TYPE_CHECKING:
    from retentio.api.app import create_app
    from retentio.api.keys import (
        SCOPES,
        InvalidScopes,
        do_create_api_key,
        do_revoke_api_key,
        list_api_keys,
        parse_scopes,
    )

__all__ = [
    "SCOPES",
    "InvalidScopes",
    "create_app",
    "do_create_api_key",
    "do_revoke_api_key",
    "list_api_keys",
    "parse_scopes",
]

_EXPORTS = {
    "retentio.api.app": ["create_app"],
    "retentio.api.keys": [
        "SCOPES",
        "InvalidScopes",
        "do_create_api_key",
        "do_revoke_api_key",
        "list_api_keys",
        "parse_scopes",
    ],
}
__getattr__ = load_on_use(__name__, _EXPORTS)
