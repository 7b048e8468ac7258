"""CSV files written for people to open: no cell runs as a spreadsheet formula, and no file is
replaced by mistake.

A customer's own name reaches the export verbatim; a name such as ``=HYPERLINK(...)`` would run as
a formula when the file is opened in a spreadsheet ("CSV injection"). As OWASP advises, a text
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a leading single
quote, which makes the spreadsheet show it as text.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number (a phone stored as +79991234567) is read as a number, never run as a formula, and
# a quote in front of it would break it for the tools the list is loaded into.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


class OutputRefused(Exception):
    """The file cannot or must not be written; the message says why and what to do."""


def spreadsheet_cell(value: Any) -> Any:
    """``value`` as written in a cell: times in ISO 8601, formula-like texts quoted."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_csv(handle: TextIO, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> int:
    """Write the header and every row; return how many rows."""
    writer = csv.writer(handle)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(spreadsheet_cell(value) for value in row)
        count += 1
    return count


@contextmanager
def open_output(file: Path, overwrite: bool) -> Iterator[TextIO]:
    """``file`` opened for writing (``-`` is standard output); an existing file is replaced only
    when ``overwrite``. Raises ``OutputRefused`` before anything is written."""
    if str(file) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    try:
        handle = file.open("w" if overwrite else "x", encoding="utf-8", newline="")
    except FileExistsError:
        raise OutputRefused(f"{file} exists already; pass --force to replace it") from None
    except FileNotFoundError:
        raise OutputRefused(f"cannot write {file}: the folder {file.parent} does not exist") from None
    except IsADirectoryError:
        raise OutputRefused(f"cannot write {file}: it is a folder") from None
    except OSError as error:
        raise OutputRefused(f"cannot write {file}: {error.strerror}") from None
    with handle:
        yield handle
