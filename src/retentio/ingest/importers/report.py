"""What an import did: rows read, what was stored, and every row it skipped with the reason."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError


class SourceError(Exception):
    """The source cannot be imported at all (missing, unreadable, a mapping names no column)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One skipped row: where it is in the file (1-based line, or Excel row) and why."""

    line: int
    reason: str


@dataclass
class ImportReport:
    """Accumulated while an import runs; ``accepted`` and ``duplicates`` count events for the event
    importers and records (created or changed / unchanged) for customers and products."""

    rows_read: int = 0
    accepted: int = 0
    duplicates: int = 0
    problems: list[Problem] = field(default_factory=list)
    # Named tallies a format reports in aggregate (lines without a customer, unmatched returns, …).
    tallies: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.problems)

    def reject(self, line: int, reason: str) -> None:
        self.problems.append(Problem(line, reason))

    def count(self, name: str, by: int = 1) -> None:
        self.tallies[name] += by

    def note_unused_columns(self, columns: tuple[str, ...]) -> None:
        if columns:
            listed = ", ".join(columns)
            self.notes.append(f"columns not imported: {listed} (import one with --map COLUMN=FIELD)")

    def as_json(self, first: int = 20) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "tallies": dict(sorted(self.tallies.items())),
            "notes": list(self.notes),
            "problems": [{"line": p.line, "reason": p.reason} for p in self.sorted_problems()[:first]],
        }

    def sorted_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda problem: problem.line)


def write_problems_csv(report: ImportReport, path: Path) -> None:
    """Every skipped row as ``line,reason`` (UTF-8 with a header), for fixing the source."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "reason"])
        writer.writerows((problem.line, problem.reason) for problem in report.sorted_problems())


def describe_error(error: ValueError) -> str:
    """A row's errors as ``field: message``, all of them (pydantic's or a parser's)."""
    if isinstance(error, ValidationError):
        return "; ".join(
            f"{'.'.join(str(part) for part in detail['loc'])}: {detail['msg']}"
            for detail in error.errors(include_url=False, include_input=False)
        )
    return str(error)
