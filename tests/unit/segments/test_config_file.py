"""Settings from TOML: defaults overridden, unknown keys and impossible values refused."""

import re
from pathlib import Path

import pytest

from retentio.segments.config import DEFAULT_CONFIG, RfmRule
from retentio.segments.config_file import ConfigError, config_from_mapping, load_config


def test_no_file_gives_the_defaults() -> None:
    assert load_config(None) == DEFAULT_CONFIG


def test_a_file_changes_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "segments.toml"
    path.write_text(
        '[lifecycle]\nchurn_days = 120\n\n[[rfm.rules]]\nname = "Best"\nrecency = [5, 5]\n'
        'move_events = ["lifecycle"]\n'.replace('move_events = ["lifecycle"]\n', ""),
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.lifecycle.churn_days == 120
    assert config.lifecycle.engaged_days == DEFAULT_CONFIG.lifecycle.engaged_days
    assert config.rfm.rules == (RfmRule("Best", recency=(5, 5)),)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"lifecycle": {"churn_dayz": 1}}, "unknown key(s) churn_dayz"),
        ({"lifecycle": {"churn_days": "soon"}}, "lifecycle.churn_days: expected int"),
        ({"lifecycle": {"churn_days": 20}}, "at_risk_min_days < churn_days"),
        ({"rfm": {"rules": [{"name": "X", "recency": [0, 9]}]}}, "rfm.rules[0].recency"),
        ({"move_events": ["everything"]}, "move_events"),
        ({"colour": {}}, "unknown section(s): colour"),
    ],
)
def test_wrong_settings_are_refused_with_the_place(document: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        config_from_mapping(document)
