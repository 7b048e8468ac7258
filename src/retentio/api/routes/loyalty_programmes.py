"""``/v1/loyalty/programmes``: the programmes in force, as the settings file defines them (points per
₽ and per category, actions, redemption, expiry, tiers). They are changed in the file
(``RETENTIO_LOYALTY_CONFIG``), reviewed and versioned like code; the API shows what is running."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import HTTPException, status
from fastapi import Path as InPath

from retentio.api.deps import SettingsDep
from retentio.api.schemas import NO_NUL
from retentio.loyalty import LoyaltyConfig, LoyaltyConfigError, load_loyalty_config

ProgrammeId = Annotated[
    str, InPath(min_length=1, max_length=64, pattern=NO_NUL, description="The programme's id.")
]


def get_programmes(settings: SettingsDep) -> dict[str, Any]:
    """Every programme of the settings file, the first being the one messages show."""
    config = _config(settings.loyalty_config)
    return {
        "main": config.main.id,
        "programmes": [programme.model_dump(mode="json") for programme in config.programmes.values()],
    }


def get_programme(programme_id: ProgrammeId, settings: SettingsDep) -> dict[str, Any]:
    config = _config(settings.loyalty_config)
    try:
        programme = config.programme(programme_id)
    except KeyError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error.args[0])) from None
    return programme.model_dump(mode="json")


def _config(path: Path | None) -> LoyaltyConfig:
    try:
        return load_loyalty_config(path)
    except LoyaltyConfigError as error:
        # The server's own file is wrong: the caller cannot fix it, the operator reads why.
        raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, str(error)) from None
