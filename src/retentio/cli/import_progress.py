"""The importers' progress bar on stderr (Rich), and their closing summary on stdout."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, TaskID, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichBar

from retentio.ingest import ImportReport, NoProgress, Progress

SHOWN_PROBLEMS = 10


class RichProgress:
    """One bar per phase (reading, customers, products, events); a finished phase stays visible."""

    def __init__(self, bar: RichBar) -> None:
        self._bar = bar
        self._task: TaskID | None = None

    def start(self, description: str, total: int | None) -> None:
        if self._task is not None:  # the phase before is over, however far its count got
            done = next(task.completed for task in self._bar.tasks if task.id == self._task)
            self._bar.update(self._task, total=done or 1, completed=done or 1)
        self._task = self._bar.add_task(description, total=total)

    def advance(self, amount: int) -> None:
        if self._task is not None:
            self._bar.advance(self._task, amount)


@contextmanager
def progress_bar(quiet: bool) -> Iterator[Progress]:
    """A Rich bar on stderr; nothing with ``--quiet`` or when stderr is not a terminal."""
    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        yield NoProgress()
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with RichBar(*columns, console=console) as bar:
        yield RichProgress(bar)


def print_summary(
    report: ImportReport, heading: dict[str, Any], labels: tuple[str, str], as_json: bool
) -> None:
    if as_json:
        typer.echo(orjson.dumps({**heading, **report.as_json()}).decode())
        return
    typer.echo(
        f"imported {heading['command'].removeprefix('import ')} from {heading['file']}"
        f" in {heading['seconds']:.1f} s"
    )
    counts = [
        ("rows read", report.rows_read),
        (labels[0], report.accepted),
        (labels[1], report.duplicates),
        ("rejected", report.rejected),
        *((name.replace("_", " "), value) for name, value in sorted(report.tallies.items())),
    ]
    for name, value in counts:
        typer.echo(f"  {name:<36} {value:>10,}")
    for note in report.notes:
        typer.echo(f"note: {note}")
    _print_problems(report)


def _print_problems(report: ImportReport) -> None:
    if not report.problems:
        return
    shown = report.sorted_problems()[:SHOWN_PROBLEMS]
    typer.echo(f"first {len(shown)} of {report.rejected:,} skipped rows (all of them: --errors FILE.csv):")
    for problem in shown:
        typer.echo(f"  line {problem.line}: {problem.reason}")
