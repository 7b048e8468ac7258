"""Reading a spreadsheet-like file — CSV (any common delimiter, UTF-8 with or without BOM, or
Windows-1251 as Russian Excel saves it, optionally gzipped) or Excel ``.xlsx`` — into text cells
with the line (or Excel row) number each row came from."""

from __future__ import annotations

import csv
import gzip
import io
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from retentio.ingest.importers.report import SourceError

DELIMITERS = (",", ";", "\t", "|")
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the legacy .xls container


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[str, ...]
    rows: Sequence[Row]


@dataclass(frozen=True, slots=True)
class TableOptions:
    """How to read a spreadsheet: the column mapping and the explicit formats of its cells."""

    mapping: tuple[str, ...] = ()
    delimiter: str | None = None
    sheet: str | None = None
    date_format: str | None = None
    timezone: str = "UTC"
    source: str | None = None
    currency: str | None = None  # for order lines without a currency column


def read_bytes(path: Path) -> bytes:
    """The file's content, un-gzipped when it starts with the gzip magic bytes."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory, not a file") from None
    except OSError as error:
        raise SourceError(f"{path}: cannot read it ({error.strerror or error})") from None
    if data.startswith(_GZIP_MAGIC):
        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as error:
            raise SourceError(f"{path}: broken gzip file ({error})") from None
    return data


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 (a BOM is dropped); failing that, Windows-1251."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError:
        raise SourceError(f"{path}: the text is neither UTF-8 nor Windows-1251") from None


def read_table(path: Path, delimiter: str | None = None, sheet: str | None = None) -> Table:
    data = read_bytes(path)
    if data.startswith(_OLE_MAGIC):
        raise SourceError(f"{path}: an old Excel .xls file; save it as .xlsx or CSV")
    if data.startswith(_ZIP_MAGIC) or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(data, path, sheet)
    return _read_csv(decode_text(data, path), delimiter)


def sniff_delimiter(header_line: str) -> str:
    """The candidate that splits the header into the most columns (a one-column file gets ',')."""
    counts = {candidate: header_line.count(candidate) for candidate in DELIMITERS}
    best = max(DELIMITERS, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def _read_csv(text: str, delimiter: str | None) -> Table:
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or sniff_delimiter(first_line))
    columns: tuple[str, ...] | None = None
    rows: list[Row] = []
    previous_end = 0
    try:
        for record in reader:
            start, previous_end = previous_end + 1, reader.line_num
            cells = tuple(map(str.strip, record))
            if not any(cells):
                continue
            if columns is None:
                columns = cells
            else:
                rows.append(Row(start, cells))
    except csv.Error as error:
        raise SourceError(f"line {reader.line_num}: {error}") from None
    if columns is None:
        raise SourceError("the file is empty: no header row")
    return Table(columns, rows)


def _read_xlsx(data: bytes, path: Path, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores: noise for an import.
            warnings.simplefilter("ignore", UserWarning)
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise SourceError(f"{path}: not a readable .xlsx file ({error})") from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise SourceError(f"{path}: no sheet {sheet!r}; sheets: {', '.join(workbook.sheetnames)}")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        columns: tuple[str, ...] | None = None
        rows: list[Row] = []
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = tuple(cell_text(value) for value in values)
            if not any(cells):
                continue
            if columns is None:
                columns = cells
            else:
                rows.append(Row(number, cells))
    finally:
        workbook.close()
    if columns is None:
        raise SourceError(f"{path}: the sheet is empty: no header row")
    return Table(columns, rows)


def cell_text(value: object) -> str:
    """An Excel cell as the text a CSV export would hold (whole numbers without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()
