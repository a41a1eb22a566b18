"""Reading a roadmap table from a Word document, an Excel workbook or text pasted from either.

Every reader returns plain rows of cell texts, padded to one width, with fully empty rows dropped.
Texts are kept as the file has them (line breaks included); normalisation is mapping's job.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable

from openpyxl.utils.cell import range_boundaries

from nastavnik.web.uploads import DamagedFile, UploadReader, UploadRejected, xml_events

NO_TABLE = "в документе нет таблицы"
EMPTY_TABLE = "таблица пустая"
ONE_ROW = "в таблице только одна строка: нужны строка заголовка и хотя бы одна строка с мероприятием"
NOT_DOCX = "файл не удалось прочитать как документ Word (.docx); старый формат .doc сохраните как .docx"
NOT_XLSX = "файл не удалось прочитать как книгу Excel (.xlsx); старый формат .xls сохраните как .xlsx"
EMPTY_TEXT = "вставленный текст пустой"
BROKEN_TABLE = "таблицу в документе не удалось разобрать: похоже, в ней повреждены объединённые ячейки"

Table = list[list[str]]


class TableImportError(ValueError):
    """The input holds no usable table; the message is shown to the user as is."""


# -- Word ---------------------------------------------------------------------------------------


def read_docx_tables(data: bytes, reader: UploadReader | None = None) -> list[Table]:
    """All non-empty tables of a .docx, top-level ones in document order.

    A table that has only one non-empty row is dropped when others remain, because documents often
    lay out the «ПРИНЯТО / УТВЕРЖДЕНО» block as a one-row table. Reading is bounded by ``reader``
    (nastavnik.web.uploads): past a bound it raises UploadRejected.
    """
    reader = reader or UploadReader()
    document = _open_docx(data, reader)
    if not document.tables:
        raise TableImportError(NO_TABLE)
    try:
        tables = [_clean(_docx_rows(table, reader)) for table in document.tables]
    except UploadRejected:
        raise
    except Exception as exc:  # python-docx trips over some broken merges (vMerge in the first row, …)
        raise TableImportError(BROKEN_TABLE) from exc
    for table in tables:
        reader.check_table(table)
    return _usable(tables)


def _open_docx(data: bytes, reader: UploadReader):
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise TableImportError(NOT_DOCX)
    try:
        return reader.docx(data)
    except DamagedFile as exc:
        raise TableImportError(NOT_DOCX) from exc


def _docx_rows(table, reader: UploadReader) -> Table:
    rows = []
    for row in table.rows:
        reader.check_time()
        texts = [""] * row.grid_cols_before
        previous = None
        for cell in row.cells:
            # python-docx repeats a horizontally merged cell once per grid column: keep one text
            # so a stage row spanning the table reads as a single cell.
            texts.append("" if cell._tc is previous else cell.text)
            previous = cell._tc
        rows.append(texts)
    return rows


# -- Excel --------------------------------------------------------------------------------------


def read_xlsx_table(data: bytes, reader: UploadReader | None = None) -> Table:
    """The first non-empty worksheet of an .xlsx as rows of texts.

    Read-only and bounded by ``reader`` (nastavnik.web.uploads): the sheet's claimed size is ignored,
    filled rows and columns are limited, and past a bound it raises UploadRejected.
    """
    reader = reader or UploadReader()
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise TableImportError(NOT_XLSX)
    try:
        with reader.xlsx(data) as workbook:
            for sheet in workbook.worksheets:
                rows = _clean(_sheet_rows(sheet, reader, data))
                if rows:
                    return _usable([rows])[0]
    except DamagedFile as exc:
        raise TableImportError(NOT_XLSX) from exc
    except (TableImportError, UploadRejected):
        raise
    except Exception as exc:  # read-only sheets parse lazily: a failure inside means a damaged file
        raise TableImportError(NOT_XLSX) from exc
    raise TableImportError(EMPTY_TABLE)


def _sheet_rows(sheet, reader: UploadReader, data: bytes) -> Table:
    """Rows in place (row N at index N-1, gaps as empty rows) so merged ranges line up."""
    rows: Table = []
    for number, values in reader.sheet_rows(sheet):
        rows.extend([] for _ in range(number - 1 - len(rows)))
        rows.append([_xlsx_text(value) for value in values])
    width = max((len(row) for row in rows), default=0)
    rows = [row + [""] * (width - len(row)) for row in rows]
    _fill_vertical_merges(_merged_ranges(data, sheet, reader), rows)
    return rows


def _merged_ranges(data: bytes, sheet, reader: UploadReader) -> list[tuple[int, int, int]]:
    """(first row, last row, column), 1-based, of the sheet's merged cells.

    Read-only worksheets do not expose merged cells, so the <mergeCell> elements are read from the
    sheet's XML as a stream (the package already passed UploadReader.check_package).
    """
    merged = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(sheet._worksheet_path) as stream:
        for count, (event, element) in enumerate(xml_events(stream), start=1):
            if count % 10_000 == 0:
                reader.check_time()
            if event == "end" and element.tag.endswith("}mergeCell"):
                try:
                    bounds = range_boundaries(element.get("ref", ""))
                except (ValueError, TypeError):
                    continue
                min_col, min_row, _, max_row = bounds
                if None not in (min_col, min_row, max_row):
                    merged.append((min_row, max_row, min_col))
    return merged


def _fill_vertical_merges(merged: list[tuple[int, int, int]], rows: Table) -> None:
    # A responsible person merged down over several items belongs to each of them (python-docx
    # reads Word's vertical merges the same way); horizontal spans stay one text.
    for min_row, max_row, min_col in merged:
        top, col = min_row - 1, min_col - 1
        if top >= len(rows):
            continue
        for row in range(top + 1, min(max_row, len(rows))):
            if col < len(rows[row]):
                rows[row][col] = rows[top][col]


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- pasted text --------------------------------------------------------------------------------


def read_pasted_table(text: str, reader: UploadReader | None = None) -> Table:
    """Tab-separated text as Word or Excel put it on the clipboard.

    Excel quotes cells holding line breaks ("…", with "" for a quote); those are joined back into
    one cell. Word does not quote, so its multi-line cells arrive as separate lines: they stay
    separate rows, to be sorted out in the preview.
    """
    rows = _clean(_split_pasted(text.replace("\r\n", "\n").replace("\r", "\n")))
    (reader or UploadReader()).check_table(rows)
    if not rows:
        raise TableImportError(EMPTY_TEXT)
    return _usable([rows])[0]


def _split_pasted(text: str) -> Table:
    rows: Table = []
    row: list[str] = []
    pos = 0
    while pos <= len(text):
        cell, pos = _read_cell(text, pos)
        row.append(cell)
        if pos >= len(text) or text[pos] == "\n":
            rows.append(row)
            row = []
        pos += 1
    return rows


def _read_cell(text: str, pos: int) -> tuple[str, int]:
    """One cell starting at pos; returns its text and the position of the separator after it."""
    if text.startswith('"', pos):
        quoted = _read_quoted(text, pos)
        if quoted is not None:
            return quoted
    end = pos
    while end < len(text) and text[end] not in "\t\n":
        end += 1
    return text[pos:end], end


def _read_quoted(text: str, pos: int) -> tuple[str, int] | None:
    # A quote only opens a quoted cell if a closing quote is followed by a separator; otherwise
    # the quote is literal text (Word paste, or a cell that merely starts with ").
    parts = []
    start = pos + 1
    while True:
        close = text.find('"', start)
        if close < 0:
            return None
        if text.startswith('""', close):
            parts.append(text[start:close] + '"')
            start = close + 2
            continue
        parts.append(text[start:close])
        after = close + 1
        if after >= len(text) or text[after] in "\t\n":
            return "".join(parts), after
        return None


# -- shared -------------------------------------------------------------------------------------


def _clean(rows: Iterable[list[str]]) -> Table:
    """Drop fully empty rows and pad the rest to one width, trimming empty trailing columns."""
    kept = [row for row in rows if any(cell.strip() for cell in row)]
    width = max((_used_width(row) for row in kept), default=0)
    return [(row + [""] * width)[:width] for row in kept]


def _used_width(row: list[str]) -> int:
    for index in range(len(row), 0, -1):
        if row[index - 1].strip():
            return index
    return 0


def _usable(tables: list[Table]) -> list[Table]:
    non_empty = [table for table in tables if table]
    if not non_empty:
        raise TableImportError(EMPTY_TABLE)
    usable = [table for table in non_empty if len(table) > 1]
    if not usable:
        raise TableImportError(ONE_ROW)
    return usable
