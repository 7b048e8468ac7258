"""From JSON or YAML text to a checked ``Rule``, or ``InvalidRule`` naming every wrong part by path.

The tree is walked by hand (so limits are enforced before anything deep is looked at, and every
error carries a path like ``rule.all[1].event.window``); each leaf's shape is validated by its
pydantic model and its meaning by ``check``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
import yaml
from pydantic import BaseModel, ValidationError

from retentio.segments.custom.check import check_leaf
from retentio.segments.custom.errors import InvalidRule, RuleError
from retentio.segments.custom.model import (
    AllOf,
    AnyOf,
    EventCondition,
    FieldCondition,
    LadderCondition,
    LifecycleCondition,
    NotOf,
    PredictionCondition,
    RfmCondition,
    Rule,
    SegmentCondition,
)

MAX_DEPTH = 8
MAX_NODES = 200
MAX_CHILDREN = 50
MAX_EVENT_CONDITIONS = 20
MAX_TEXT_BYTES = 64 * 1024

_LEAVES: dict[str, type[BaseModel]] = {
    "field": FieldCondition,
    "event": EventCondition,
    "segment": SegmentCondition,
    "rfm": RfmCondition,
    "lifecycle": LifecycleCondition,
    "ladder": LadderCondition,
    "prediction": PredictionCondition,
}
KINDS = ("all", "any", "not", *_LEAVES)
_UNION_HINTS = {
    "value": "a text, a number, true/false, or a list of them",
    "rfm": "a segment name or a list of names",
    "lifecycle": "a stage or a list of stages",
    "ladder": "a stage or a list of stages",
}


@dataclass(frozen=True, slots=True)
class Definition:
    """What a rule file holds: the rule and an optional description."""

    rule: Rule
    description: str = ""


def load_text(text: str) -> object:
    """JSON when it looks like JSON, YAML otherwise (YAML dates become ISO strings)."""
    if len(text.encode()) > MAX_TEXT_BYTES:
        raise InvalidRule([RuleError("rule", f"the rule text is larger than {MAX_TEXT_BYTES} bytes")])
    try:
        if text.lstrip().startswith(("{", "[")):
            return orjson.loads(text)
        return _iso_dates(yaml.load(text, Loader=_RuleLoader))
    except (orjson.JSONDecodeError, yaml.YAMLError, RecursionError) as error:
        raise InvalidRule([RuleError("rule", f"not valid JSON or YAML: {error}")]) from None


class _RuleLoader(yaml.SafeLoader):
    """YAML without anchors and aliases: a few hundred bytes of nested aliases ("billion laughs")
    expand into gigabytes once walked, after the size limit was checked on the text. A rule has no
    need of them, so the first one ends the reading."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            mark = event.start_mark
            message = (
                "YAML anchors and aliases (&name, *name) are not allowed in a rule file;"
                f" found {sign}{anchor} at line {mark.line + 1}, column {mark.column + 1}"
            )
            raise InvalidRule([RuleError("rule", message)])
        return super().compose_node(parent, index)  # type: ignore[arg-type]


def parse_definition(raw: object) -> Definition:
    """A rule file: ``{"rule": ..., "description": ...}``, or the rule alone."""
    if isinstance(raw, dict) and "rule" in raw:
        extra = sorted(set(raw) - {"rule", "description"})
        message = "unknown key; a rule file holds 'rule' and 'description'"
        errors = [RuleError(str(key), message) for key in extra]
        description = raw.get("description", "")
        if not isinstance(description, str) or len(description) > 2000:
            errors.append(RuleError("description", "a text of at most 2000 characters"))
        if errors:
            raise InvalidRule(errors)
        return Definition(parse_rule(raw["rule"]), description)
    return Definition(parse_rule(raw))


def parse_rule(raw: object) -> Rule:
    walker = _Walker()
    rule = walker.node(raw, "rule", 0)
    if walker.events > MAX_EVENT_CONDITIONS:
        walker.errors.append(RuleError("rule", f"more than {MAX_EVENT_CONDITIONS} event conditions"))
    if walker.errors or rule is None:
        raise InvalidRule(walker.errors)
    return rule


class _Walker:
    def __init__(self) -> None:
        self.errors: list[RuleError] = []
        self.nodes = 0
        self.events = 0

    def node(self, raw: object, path: str, depth: int) -> Rule | None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            if self.nodes == MAX_NODES + 1:
                self.errors.append(RuleError(path, f"a rule holds at most {MAX_NODES} conditions"))
            return None
        kind = self._kind(raw, path)
        if kind is None:
            return None
        assert isinstance(raw, dict)
        if kind in ("all", "any", "not"):
            return self._combination(kind, raw, path, depth + 1)
        self.events += kind == "event"
        return self._leaf(_LEAVES[kind], raw, path)

    def _kind(self, raw: object, path: str) -> str | None:
        if not isinstance(raw, dict):
            message = f"expected a condition object with one of: {', '.join(KINDS)}"
            self.errors.append(RuleError(path, message))
            return None
        found = [key for key in KINDS if key in raw]
        if len(found) != 1:
            what = f"holds {' and '.join(found)}" if found else f"has none of: {', '.join(KINDS)}"
            self.errors.append(RuleError(path, f"a condition needs exactly one kind; this one {what}"))
            return None
        return found[0]

    def _combination(self, kind: str, raw: dict[str, Any], path: str, depth: int) -> Rule | None:
        if depth > MAX_DEPTH:
            self.errors.append(RuleError(path, f"nested deeper than {MAX_DEPTH} levels of all/any/not"))
            return None
        for key in raw:
            if key != kind:
                self.errors.append(RuleError(f"{path}.{key}", f"unknown key next to {kind!r}"))
        if kind == "not":
            child = self.node(raw["not"], f"{path}.not", depth)
            return NotOf(not_=child) if child is not None else None
        items = raw[kind]
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_CHILDREN:
            self.errors.append(RuleError(f"{path}.{kind}", f"a list of 1 to {MAX_CHILDREN} conditions"))
            return None
        parsed = [self.node(item, f"{path}.{kind}[{index}]", depth) for index, item in enumerate(items)]
        if any(child is None for child in parsed):
            return None
        return AllOf(all=tuple(parsed)) if kind == "all" else AnyOf(any=tuple(parsed))

    def _leaf(self, model: type[BaseModel], raw: dict[str, Any], path: str) -> Rule | None:
        try:
            leaf: Rule = model.model_validate(raw)  # type: ignore[assignment]
        except ValidationError as error:
            self.errors.extend(shape_errors(error, path))
            return None
        problems = check_leaf(leaf, path)
        self.errors.extend(problems)
        return None if problems else leaf


def shape_errors(error: ValidationError, path: str) -> list[RuleError]:
    """pydantic's errors with their location written as a rule path, one per place."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for detail in error.errors(include_url=False, include_input=False):
        grouped.setdefault(_path(path, detail["loc"]), []).append(dict(detail))
    out = []
    for where, details in grouped.items():
        last = where.rsplit(".", 1)[-1]
        if len(details) > 1 and last in _UNION_HINTS:
            out.append(RuleError(where, f"expected {_UNION_HINTS[last]}"))
        else:
            out.append(RuleError(where, _message(details[0], last)))
    return out


_IDENTIFIER = re.compile(r"^[a-z_]+$")


def _path(prefix: str, loc: tuple[int | str, ...]) -> str:
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("bool", "int", "float", "str", "[key]") or "[" in part or part[:1].isupper():
            break  # a union member's tag, not a place in the rule
        elif _IDENTIFIER.match(part):
            out += f".{part}"
        else:
            out += f"[{orjson.dumps(part).decode()}]"
    return out


def _message(detail: dict[str, Any], last: str) -> str:
    if detail["type"] == "missing":
        if last == "window":
            return 'required: an event condition looks back a bounded time, e.g. {"days": 30}'
        return "required"
    if detail["type"] == "extra_forbidden":
        return "unknown key"
    return str(detail["msg"])


def _iso_dates(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _iso_dates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_iso_dates(item) for item in value]
    return value
