"""Which column feeds which field: ``--map column=field`` first, then columns already named like a
field. A mapping that names a missing column, or a required field without a column, stops the
import before anything is written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from retentio.ingest.importers.report import SourceError
from retentio.ingest.importers.tabular import Row

ATTRIBUTE_PREFIX = "attributes."


@dataclass(frozen=True, slots=True)
class Fields:
    """The fields one importer understands."""

    known: tuple[str, ...]
    required: tuple[str, ...]
    # Column names accepted without --map for a field of another name (e.g. "date" → "timestamp").
    aliases: Mapping[str, str] = field(default_factory=dict)
    free_attributes: bool = False

    def accepts(self, name: str) -> bool:
        if self.free_attributes and name.startswith(ATTRIBUTE_PREFIX) and len(name) > len(ATTRIBUTE_PREFIX):
            return True
        return name in self.known


@dataclass(frozen=True, slots=True)
class ColumnMap:
    positions: Mapping[str, int]  # field → column index
    unused: tuple[str, ...]

    def values(self, row: Row) -> dict[str, str]:
        """The row's non-empty cells by field."""
        cells = row.cells
        if len(cells) <= max(self.positions.values(), default=-1):
            cells = cells + ("",) * (max(self.positions.values()) + 1 - len(cells))
        return {name: cells[index] for name, index in self.positions.items() if cells[index]}


def parse_map(specs: Sequence[str]) -> list[tuple[str, str]]:
    """``["E-mail=email", …]`` → ``[("E-mail", "email"), …]`` (split at the last ``=``)."""
    pairs = []
    for spec in specs:
        column, separator, target = spec.rpartition("=")
        if not separator or not column.strip() or not target.strip():
            raise SourceError(f"--map {spec!r}: write it as COLUMN=FIELD")
        pairs.append((column.strip(), target.strip()))
    return pairs


def resolve(columns: Sequence[str], specs: Sequence[str], fields: Fields) -> ColumnMap:
    positions: dict[str, int] = {}
    for column, target in parse_map(specs):
        if not fields.accepts(target):
            raise SourceError(f"--map {column}={target}: unknown field {target!r}; {_field_list(fields)}")
        positions[target] = _find_column(columns, column)
    taken = set(positions.values())
    for index, column in enumerate(columns):
        default = _default_field(column, fields)
        if index not in taken and default is not None and default not in positions:
            positions[default] = index
            taken.add(index)
    missing = [name for name in fields.required if name not in positions]
    if missing:
        raise SourceError(
            f"no column for {', '.join(missing)}: name a column so or use --map COLUMN={missing[0]}"
            f" (columns: {', '.join(columns)})"
        )
    unused = tuple(column for index, column in enumerate(columns) if index not in taken and column)
    return ColumnMap(positions, unused)


def normalise(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def _find_column(columns: Sequence[str], wanted: str) -> int:
    for index, column in enumerate(columns):
        if column == wanted:
            return index
    for index, column in enumerate(columns):
        if normalise(column) == normalise(wanted):
            return index
    raise SourceError(f"--map: the file has no column {wanted!r} (columns: {', '.join(columns)})")


def _default_field(column: str, fields: Fields) -> str | None:
    name = normalise(column)
    if name in fields.known:
        return name
    if name in fields.aliases:
        return fields.aliases[name]
    if fields.free_attributes and column.strip().startswith(ATTRIBUTE_PREFIX):
        return column.strip()
    return None


def _field_list(fields: Fields) -> str:
    extra = f", {ATTRIBUTE_PREFIX}NAME" if fields.free_attributes else ""
    return f"fields: {', '.join(fields.known)}{extra}"
