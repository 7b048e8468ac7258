"""Settings files a marketer edits (TOML) read into a pydantic model, with errors that name the file,
the line and the key: ``mine.toml:7: occasions.cart.percnt: unknown key (a typo? docs/… lists the
keys)``. An area keeps its own model, its default file in its package and its own error type; this
module does the reading, so every settings file of Retentio answers a mistake the same way.

tomllib gives values without positions, so the line is found by reading the file's ``[table]``
headers and ``key =`` lines: the line that states the longest prefix of the key in error.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
Location = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=")


def read_settings(
    model: type[M], path: Path | None, default: tuple[str, str] | None, docs: str, error: type[ValueError]
) -> M:
    """``path``'s settings; without a path, the ``default`` (package, file name) shipped with
    Retentio, or the model's own defaults when there is none. ``error`` is raised with every
    problem, one a line; ``docs`` is the page that lists the keys."""
    if path is None:
        if default is None:
            return model()
        package, name = default
        return parse_settings(
            model, resources.files(package).joinpath(name).read_text("utf-8"), Path(name), docs, error
        )
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except UnicodeDecodeError as problem:
        raise error(f"{path}: not UTF-8 text: {problem}") from None
    return parse_settings(model, text, path, docs, error)


def parse_settings(model: type[M], text: str, path: Path, docs: str, error: type[ValueError]) -> M:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        raise error(f"{path}: not valid TOML: {problem}") from None
    try:
        return model.model_validate(document)
    except ValidationError as problems:
        raise error(
            "\n".join(_problem(path, text, tuple(item["loc"]), item, docs) for item in problems.errors())
        ) from None


def _problem(path: Path, text: str, where: Location, error: Any, docs: str) -> str:
    kind, message = error["type"], str(error["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        message = f"unknown key (a typo? {docs} lists the keys)"
    elif kind == "missing":
        message = "missing: this key is required"
    if where[-1:] == ("[key]",):  # a table whose name is one of a few: the name is what is wrong
        where = where[:-1]
        message = f"unknown name; it may be {message.removeprefix('Input should be ')}"
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
