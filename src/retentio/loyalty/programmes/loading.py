"""Reading loyalty settings files (TOML, or YAML by a ``.yaml``/``.yml`` name) into a ``LoyaltyConfig``.

An error names the file, the line (where the file says it), the key path and what is wrong:
``loyalty.toml:14: programmes.club.redemption.max_share_percent: must be greater than 0``. A string
value ``"env:NAME"`` is read from the environment variable NAME, as in messaging's file.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from retentio.loyalty.programmes.settings import LoyaltyConfig

ENV_PREFIX = "env:"
DEFAULT_FILE = "loyalty.toml"  # package data next to this module: the demo's programme

Location = tuple[str | int, ...]


class LoyaltyConfigError(ValueError):
    """The settings file cannot be used; the message names the file, the key and the problem."""


def load_loyalty_config(path: Path | None, environ: Mapping[str, str] = os.environ) -> LoyaltyConfig:
    """The file's programmes; without a file, the default programme shipped with Retentio."""
    if path is None:
        text = resources.files(__package__).joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
        return parse_loyalty_config(text, Path(DEFAULT_FILE), environ)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LoyaltyConfigError(f"{path}: no such file") from None
    except UnicodeDecodeError as error:
        raise LoyaltyConfigError(f"{path}: not UTF-8 text: {error}") from None
    return parse_loyalty_config(text, path, environ)


def parse_loyalty_config(text: str, path: Path, environ: Mapping[str, str] = os.environ) -> LoyaltyConfig:
    is_yaml = path.suffix.lower() in {".yaml", ".yml"}
    document = _yaml_document(text, path) if is_yaml else _toml_document(text, path)
    if not isinstance(document, dict):
        raise LoyaltyConfigError(f"{path}: the file must hold a table of [programmes.ID] sections")
    resolved = _resolved(document, (), path, text, is_yaml, environ)
    try:
        return LoyaltyConfig.model_validate(resolved)
    except ValidationError as error:
        problems = [_problem(path, text, is_yaml, tuple(item["loc"]), item) for item in error.errors()]
        raise LoyaltyConfigError("\n".join(problems)) from None


def _toml_document(text: str, path: Path) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise LoyaltyConfigError(f"{path}: not TOML: {error}") from None


def _yaml_document(text: str, path: Path) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise LoyaltyConfigError(f"{path}: not YAML: {error}") from None


def _resolved(
    value: Any, where: Location, path: Path, text: str, is_yaml: bool, environ: Mapping[str, str]
) -> Any:
    if isinstance(value, dict):
        return {
            key: _resolved(item, (*where, key), path, text, is_yaml, environ) for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            _resolved(item, (*where, index), path, text, is_yaml, environ) for index, item in enumerate(value)
        ]
    if isinstance(value, str) and value.startswith(ENV_PREFIX):
        variable = value.removeprefix(ENV_PREFIX)
        if variable not in environ:
            message = f"reads ${variable}, which is not set"
            raise LoyaltyConfigError(_located(path, text, is_yaml, where, message))
        return environ[variable]
    return value


def _problem(path: Path, text: str, is_yaml: bool, where: Location, error: Mapping[str, Any]) -> str:
    kind, message = error["type"], str(error["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        message = "unknown key (a typo? docs/loyalty-programmes.md lists the keys)"
    elif kind == "missing":
        message = "missing: this key is required"
    # Pydantic names a union's or a validator's branch in the location; the file does not have it.
    where = tuple(
        part for part in where if not (isinstance(part, str) and part.startswith(("function-", "tagged-")))
    )
    return _located(path, text, is_yaml, where, message)


def _located(path: Path, text: str, is_yaml: bool, where: Location, message: str) -> str:
    line = _yaml_line(text, where) if is_yaml else _toml_line(text, where)
    key = ".".join(str(part) for part in where) or "(top)"
    return f"{path}:{line}: {key}: {message}" if line else f"{path}: {key}: {message}"


def _yaml_line(text: str, where: Location) -> int | None:
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for part in where:
        if isinstance(node, yaml.MappingNode):
            match = next((pair for pair in node.value if pair[0].value == str(part)), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'))*)\s*="""
)


def _toml_line(text: str, where: Location) -> int | None:
    """The line that states the longest prefix of ``where``: a ``[table]`` header or a ``key =`` line.

    tomllib gives values without positions, so this reads headers and keys line by line; it knows
    arrays of tables (``[[a.b]]`` counts as ``a.b.0``, ``a.b.1``…) and dotted and quoted keys, which is
    what settings files use."""
    best, best_length = None, 0
    table: list[str | int] = []
    arrays: dict[tuple[str | int, ...], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            keys = _keys(header.group(2))
            table = _array_path(keys, arrays) if header.group(1) == "[[" else list(_indexed(keys, arrays))
            found: list[str | int] = table
        else:
            key = _KEY.match(line)
            if not key:
                continue
            found = [*table, *_keys(key.group(1))]
        length = _common(found, where)
        if length == len(found) and length > best_length:
            best, best_length = number, length
    return best


def _array_path(keys: Sequence[str], arrays: dict[tuple[str | int, ...], int]) -> list[str | int]:
    parent = _indexed(keys[:-1], arrays)
    base = (*parent, keys[-1])
    arrays[base] = arrays.get(base, -1) + 1
    return [*base, arrays[base]]


def _indexed(keys: Sequence[str], arrays: Mapping[tuple[str | int, ...], int]) -> tuple[str | int, ...]:
    """A header path, with the current element of each array of tables it passes through."""
    path: tuple[str | int, ...] = ()
    for key in keys:
        path = (*path, key)
        if path in arrays:
            path = (*path, arrays[path])
    return path


def _keys(dotted: str) -> list[str]:
    parts = re.findall(r"""[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'""", dotted)
    return [part.strip("\"'") for part in parts]


def _common(found: Sequence[str | int], where: Location) -> int:
    length = 0
    for mine, theirs in zip(found, where, strict=False):
        if mine != theirs:
            break
        length += 1
    return length
