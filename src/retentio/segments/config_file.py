"""Reading ``SegmentsConfig`` from TOML, refusing unknown keys and impossible values with a clear message.

[lifecycle]
churn_days = 120

[[rfm.rules]]          # replaces the whole default table; first match wins
name = "Champions"
recency = [5, 5]
frequency = [4, 5]
"""

from __future__ import annotations

import tomllib
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, TypeVar

from retentio.segments.config import (
    DEFAULT_CONFIG,
    FAMILIES,
    BadCustomerConfig,
    FactsConfig,
    LadderConfig,
    LifecycleConfig,
    RfmConfig,
    RfmRule,
    SegmentsConfig,
    SignalsConfig,
)

T = TypeVar("T")
_SECTIONS: dict[str, type[Any]] = {
    "lifecycle": LifecycleConfig,
    "ladder": LadderConfig,
    "bad_customers": BadCustomerConfig,
    "signals": SignalsConfig,
    "facts": FactsConfig,
}


class ConfigError(ValueError):
    pass


def load_config(path: Path | None) -> SegmentsConfig:
    """The defaults, changed by the file at ``path`` when one is given."""
    if path is None:
        return DEFAULT_CONFIG
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from None
    return config_from_mapping(document)


def config_from_mapping(document: dict[str, Any]) -> SegmentsConfig:
    unknown = set(document) - {*_SECTIONS, "rfm", "move_events"}
    if unknown:
        raise ConfigError(f"unknown section(s): {', '.join(sorted(unknown))}")
    config = DEFAULT_CONFIG
    for name, cls in _SECTIONS.items():
        if name in document:
            config = replace(config, **{name: _section(cls, document[name], name)})
    if "rfm" in document:
        config = replace(config, rfm=_rfm(document["rfm"]))
    if "move_events" in document:
        config = replace(config, move_events=_families(document["move_events"]))
    validate(config)
    return config


def validate(config: SegmentsConfig) -> None:
    life = config.lifecycle
    if not 0 < life.at_risk_min_days < life.churn_days:
        raise ConfigError("lifecycle: need 0 < at_risk_min_days < churn_days")
    if not 0 < life.at_risk_days_without_interval < life.churn_days:
        raise ConfigError("lifecycle: need 0 < at_risk_days_without_interval < churn_days")
    if life.at_risk_factor <= 0 or life.new_max_orders < 1 or life.engaged_days < 1:
        raise ConfigError("lifecycle: at_risk_factor, new_max_orders and engaged_days must be positive")
    if life.loyal_min_orders <= life.new_max_orders:
        raise ConfigError("lifecycle: loyal_min_orders must exceed new_max_orders")
    if config.signals.payment_days < 1:
        raise ConfigError("signals: payment_days must be at least 1")
    _validate_checklist(config)
    ladder = config.ladder
    if min(ladder.loyal_days, ladder.ready_days, ladder.solution_days, ladder.problem_days) < 1:
        raise ConfigError("ladder: every window must be at least one day")


def _validate_checklist(config: SegmentsConfig) -> None:
    """A customer with no sign at all must score 0 (the set-based refresh relies on it)."""
    bad = config.bad_customers
    counts = [bad.threshold, bad.min_orders, bad.unpaid_orders, bad.complaints, bad.coupon_abuse_codes]
    counts.append(bad.discount_only_min_orders)
    shares = (bad.returns_share, bad.cancellations_share, bad.discount_only_share)
    weights = [bad.returns_weight, bad.cancellations_weight, bad.unpaid_weight, bad.complaints_weight]
    weights += [bad.negative_margin_weight, bad.discount_only_weight, bad.coupon_abuse_weight]
    if min(counts) < 1 or not all(0 < share <= 1 for share in shares) or min(weights) < 0:
        raise ConfigError("bad_customers: counts and the threshold >= 1, shares in (0, 1], weights >= 0")


def _section(cls: type[T], table: object, where: str) -> T:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    known = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
    unknown = set(table) - set(known)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for key, value in table.items():
        default = getattr(cls(), key)
        values[key] = _typed(value, default, f"{where}.{key}")
    return cls(**values)


def _typed(value: object, default: object, where: str) -> object:
    if isinstance(default, bool) or isinstance(value, bool):
        raise ConfigError(f"{where}: expected a number")
    if isinstance(default, int) and isinstance(value, int):
        return value
    if isinstance(default, float) and isinstance(value, int | float):
        return float(value)
    raise ConfigError(f"{where}: expected {type(default).__name__}, got {value!r}")


def _rfm(table: object) -> RfmConfig:
    if not isinstance(table, dict) or set(table) - {"rules"}:
        raise ConfigError("rfm: only a 'rules' array of tables is accepted")
    rules = table.get("rules", [])
    if not isinstance(rules, list) or not rules:
        raise ConfigError("rfm.rules: give at least one rule")
    return RfmConfig(rules=tuple(_rule(rule, f"rfm.rules[{index}]") for index, rule in enumerate(rules)))


def _rule(rule: object, where: str) -> RfmRule:
    if not isinstance(rule, dict):
        raise ConfigError(f"{where}: expected a table")
    unknown = set(rule) - {"name", "recency", "frequency", "monetary"}
    if unknown or not isinstance(rule.get("name"), str) or not rule["name"]:
        raise ConfigError(f"{where}: needs a name and only recency, frequency, monetary ranges")
    ranges = {key: _bounds(rule.get(key, [1, 5]), f"{where}.{key}") for key in ("recency", "frequency")}
    return RfmRule(
        rule["name"], monetary=_bounds(rule.get("monetary", [1, 5]), f"{where}.monetary"), **ranges
    )


def _bounds(value: object, where: str) -> tuple[int, int]:
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and 1 <= value[0] <= value[1] <= 5
    ):
        return (value[0], value[1])
    raise ConfigError(f"{where}: expected [low, high] with 1 <= low <= high <= 5")


def _families(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v in FAMILIES for v in value):
        raise ConfigError(f"move_events: expected a list drawn from {', '.join(FAMILIES)}")
    return tuple(value)
