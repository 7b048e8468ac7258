"""The recommenders' settings: what training keeps and the business rules serving applies. A TOML
file (``RETENTIO_RECS_CONFIG``, docs/recommendations.md) with ``[training]`` and ``[rules]`` tables;
every key has a default, so no file is needed."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from retentio.offers.recs.bought_together import RuleSettings
from retentio.offers.recs.business_rules import Rules
from retentio.offers.recs.personal import PersonalSettings
from retentio.offers.recs.training import TrainSettings
from retentio.settings_file import read_settings


class RecsConfigError(ValueError):
    """The settings file cannot be used; the message names the file and the key."""


class Training(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min_support: Annotated[float, Field(gt=0, le=1)] = 0.001
    min_confidence: Annotated[float, Field(ge=0, le=1)] = 0.05
    max_rules_per_item: Annotated[int, Field(ge=1, le=1000)] = 50
    related_per_item: Annotated[int, Field(ge=1, le=1000)] = 50
    view_weight: Annotated[float, Field(ge=0, le=1)] = 0.3
    min_next_weight: Annotated[float, Field(ge=0, le=1_000_000)] = 1.0
    neighbours: Annotated[int, Field(ge=1, le=1000)] = 100
    als_factors: Annotated[int, Field(ge=1, le=512)] = 32
    als_iterations: Annotated[int, Field(ge=1, le=100)] = 10
    keep_versions: Annotated[int, Field(ge=1, le=100)] = 3
    train_at: time = time(4, 0)  # the worker's daily refresh, in the shop's time zone
    lease: timedelta = timedelta(hours=1)  # how long a refresh may run before another worker retries it

    def settings(self) -> TrainSettings:
        return TrainSettings(
            RuleSettings(self.min_support, self.min_confidence, self.max_rules_per_item),
            self.related_per_item,
            self.view_weight,
            PersonalSettings(self.view_weight, self.neighbours, self.als_factors, self.als_iterations),
            self.min_next_weight,
        )


class RecsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    training: Training = Training()
    rules: Rules = Rules()


def load_recs_config(path: Path | None) -> RecsConfig:
    """The file's settings; without a file, every default."""
    return read_settings(RecsConfig, path, None, "docs/recommendations.md", RecsConfigError)
