"""The recommenders' settings file: the documented example loads; a wrong key or value is named."""

from __future__ import annotations

import re
from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from retentio.offers import RecsConfigError, load_recs_config

DOCS = Path(__file__).resolve().parents[3] / "docs" / "recommendations.md"


def test_the_documented_example_loads(tmp_path: Path) -> None:
    example = re.search(r"```toml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert example is not None
    path = tmp_path / "recs.toml"
    path.write_text(example.group(1), encoding="utf-8")
    config = load_recs_config(path)
    assert config.training.train_at == time(4, 0) and config.training.lease == timedelta(hours=1)
    assert config.rules.margin_floor == Decimal("0.15")
    assert config.training.settings().rules.min_support == 0.001


def test_a_wrong_value_or_key_is_named(tmp_path: Path) -> None:
    path = tmp_path / "recs.toml"
    path.write_text("[training]\nmin_support = 2\n[rules]\nmax_per_categry = 3\n", encoding="utf-8")
    with pytest.raises(RecsConfigError) as raised:
        load_recs_config(path)
    message = str(raised.value)
    assert "training.min_support" in message and "rules.max_per_categry" in message
    assert str(path) in message
    with pytest.raises(RecsConfigError, match="no such file"):
        load_recs_config(tmp_path / "missing.toml")
