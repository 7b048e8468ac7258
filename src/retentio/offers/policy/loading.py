"""Reading the offer policy's settings file (TOML) into ``PolicySettings``.

An error names the file, the line that states the key, the key path and what is wrong:
``policy.toml:31: occasions.win_back.percent: percent is above max_percent``.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from retentio.offers.policy.settings import PolicySettings

DEFAULT_FILE = "policy.toml"  # package data next to this module

Location = tuple[str | int, ...]
_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=")


class PolicyConfigError(ValueError):
    """The settings file cannot be used; the message names the file, the key and the problem."""


def load_offer_policy(path: Path | None) -> PolicySettings:
    """The file's policy; without a file, the default shipped with Retentio."""
    if path is None:
        text = resources.files(__package__).joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
        return parse_offer_policy(text, Path(DEFAULT_FILE))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyConfigError(f"{path}: no such file") from None
    except UnicodeDecodeError as error:
        raise PolicyConfigError(f"{path}: not UTF-8 text: {error}") from None
    return parse_offer_policy(text, path)


def parse_offer_policy(text: str, path: Path) -> PolicySettings:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyConfigError(f"{path}: not TOML: {error}") from None
    try:
        return PolicySettings.model_validate(document)
    except ValidationError as error:
        problems = [_problem(path, text, tuple(item["loc"]), item) for item in error.errors()]
        raise PolicyConfigError("\n".join(problems)) from None


def _problem(path: Path, text: str, where: Location, error: Any) -> str:
    kind, message = error["type"], str(error["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        message = "unknown key (a typo? docs/offer-policy.md lists the keys)"
    elif kind == "missing":
        message = "missing: this key is required"
    if where[-1:] == ("[key]",):  # a table named by an occasion: the name is what is wrong
        where = where[:-1]
        message = f"unknown occasion: {message.removeprefix('Input should be ')}"
    where = tuple(part for part in where if not (isinstance(part, str) and part.startswith("function-")))
    key = ".".join(str(part) for part in where) or "(top)"
    line = _line(text, where)
    return f"{path}:{line}: {key}: {message}" if line else f"{path}: {key}: {message}"


def _line(text: str, where: Location) -> int | None:
    """The line stating the longest prefix of ``where``: a ``[table]`` header or a ``key =`` line."""
    wanted = [str(part) for part in where]
    best, best_length = None, 0
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = [part.strip() for part in header.group(1).split(".")]
            found = table
        else:
            key = _KEY.match(line)
            if key is None:
                continue
            found = [*table, *(part.strip() for part in key.group(1).split("."))]
        length = 0
        for mine, theirs in zip(found, wanted, strict=False):
            if mine != theirs:
                break
            length += 1
        if length == len(found) and length > best_length:
            best, best_length = number, length
    return best
