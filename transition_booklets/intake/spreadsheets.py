"""Rows from the spreadsheets a school's records system exports: CSV (any usual encoding and separator) or XLSX.

Each row comes back with its number as a person sees it in a spreadsheet program (the
header is row 1), and its cells by the header's *folded* name (lower case, letters and
digits only: "Reg Group", "reg_group" and "REG  GROUP" are all ``reggroup``), so exports from
SIMS, Arbor, Bromcom and others can be matched by what their columns mean.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

Cell = str | dt.date | None

_NOT_LETTERS = re.compile(r"[^a-z0-9]+")


def fold(header: str) -> str:
    """``" Reg. Group "`` → ``reggroup``."""
    return _NOT_LETTERS.sub("", header.lower())


@dataclass
class Sheet:
    """A spreadsheet's header (as written) and its rows (by folded header), with their row numbers."""

    path: Path
    headers: list[str]
    rows: list[tuple[int, dict[str, Cell]]]


class SheetProblem(Exception):
    """The file cannot be read as a spreadsheet; the message says what to do."""


def read_sheet(path: Path) -> Sheet:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path)
    raise SheetProblem(f"{path.name}: give a .csv or .xlsx file (save the export as CSV or Excel workbook)")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _read_csv(path: Path) -> Sheet:
    try:
        text = _decode(path.read_bytes())
    except OSError as error:
        raise SheetProblem(f"{path}: cannot be read ({error.strerror})") from None
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    lines = [row for row in reader]
    return _sheet(path, [[cell if cell.strip() else None for cell in row] for row in lines])


def _read_xlsx(path: Path) -> Sheet:
    import openpyxl  # only an .xlsx import needs it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise SheetProblem(f"{path}: not an Excel workbook this tool can read ({type(error).__name__})") from None
    try:
        sheet = book.worksheets[0]
        lines: list[list[Cell]] = []
        for row in sheet.iter_rows(values_only=True):
            cells: list[Cell] = []
            for value in row:
                if isinstance(value, dt.datetime):
                    cells.append(value.date())
                elif isinstance(value, dt.date) or value is None:
                    cells.append(value)
                elif isinstance(value, float) and value.is_integer():
                    cells.append(str(int(value)))
                else:
                    text = str(value).strip()
                    cells.append(text or None)
            lines.append(cells)
    finally:
        book.close()
    return _sheet(path, lines)


def _sheet(path: Path, lines: list[list[Cell]]) -> Sheet:
    while lines and not any(lines[0]):
        lines.pop(0)
    if not lines:
        raise SheetProblem(f"{path}: the file is empty; export the list with its header row")
    headers = [str(cell).strip() if cell is not None else "" for cell in lines[0]]
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not any(cell not in (None, "") for cell in line):
            continue
        cells: dict[str, Cell] = {}
        for header, cell in zip(headers, line, strict=False):
            if header:
                cells[fold(header)] = cell.strip() if isinstance(cell, str) else cell
        rows.append((number, cells))
    return Sheet(path, headers, rows)


_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_MONTHS = {
    name: index
    for index, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
_WORDY = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})$")


def parse_date(cell: Cell) -> dt.date:
    """A date as exports write it: a spreadsheet date, ``03/09/2027`` (day first, as in the UK), ``2027-09-03``
    or ``3 Sep 2027``. Raises ValueError with words for the transition lead."""
    if isinstance(cell, dt.date):
        return cell
    text = (cell or "").strip()
    if not text:
        raise ValueError("no date")
    try:
        if match := _ISO.match(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DMY.match(text):
            year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
            return dt.date(year, int(match[2]), int(match[1]))
        if (match := _WORDY.match(text.lower())) and match[2][:3] in _MONTHS:
            return dt.date(int(match[3]), _MONTHS[match[2][:3]], int(match[1]))
    except ValueError:
        raise ValueError(f"'{text}' is not a real date") from None
    raise ValueError(f"'{text}' is not a date this tool can read; write it as day/month/year, e.g. 03/09/2027")
