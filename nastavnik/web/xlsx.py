"""Writing .xlsx: the one helper every export goes through (participants, banks, roadmaps, reports …).

It keeps two promises, so an export need not think about them:

- **User text stays text.** A value is never turned into a formula, a link or a number: a name or
  a title typed as «=HYPERLINK(…)», «+7 913 …», «-5» or «@user» is written as that text
  (``write_string``; formula injection). Numbers are numbers, dates are dates shown ДД.ММ.ГГГГ,
  ``True``/``False`` are booleans, and only a :class:`Link` becomes a link (http/https only).
- **Rows stream.** The workbook is written in xlsxwriter's ``constant_memory`` mode into a temporary
  file on disk, so an export fed by an iterator (``query.execution_options(yield_per=500)``) keeps
  the same memory for 200 rows or 200,000; the finished file is sent from disk and deleted.

Example::

    from nastavnik.web import xlsx

    book = xlsx.Book()
    sheet = book.sheet("Участники", widths=[36, 16, 14])
    sheet.merged("Участники: МБОУ СОШ № 3", last_col=2, fmt=book.formats["title"])
    sheet.skip()
    sheet.row(["ФИО", "Кто", "Дата рождения"], book.formats["header"])
    for person in people:  # an iterator
        sheet.row([person.full_name, person.kind_short, person.birth_date], book.formats["cell"])
    return book.response("uchastniki.xlsx")

In constant-memory mode rows go top to bottom: once a row below is begun, a row above cannot be
written again (its height included: pass ``height=`` with the row). Page set-up (``sheet.ws``:
``freeze_panes``, ``repeat_rows``, ``set_landscape`` …) may be called at any time. For an export
with its own look, make formats with ``book.format(**properties)``: a date written with such a
format gets a date variant of it automatically.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from flask import send_file

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "dd.mm.yyyy"
MAX_URL_LENGTH = 2079  # Excel's limit for a hyperlink
# Belt and braces: even xlsxwriter's generic write() would keep strings as strings.
OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "remove_timezone": True,
    "default_date_format": DATE_FORMAT,
}
_BASE = {"font_name": "Times New Roman", "font_size": 11}
_CELL = {**_BASE, "border": 1, "text_wrap": True, "valign": "top"}
DEFAULT_FORMATS = {
    "title": {**_BASE, "bold": True, "font_size": 14},
    "subtitle": _BASE,
    "header": {**_CELL, "bold": True, "align": "center", "valign": "vcenter", "bg_color": "#E7E6E6"},
    "cell": _CELL,
    "number": {**_CELL, "align": "center"},
    "date": {**_CELL, "num_format": DATE_FORMAT, "align": "center"},
    "link": {**_CELL, "font_color": "blue", "underline": 1},
}


@dataclass(frozen=True)
class Link:
    """A cell that is a link (only http and https; anything else is written as its text)."""

    url: str
    text: str = ""

    @property
    def valid(self) -> bool:
        url = self.url or ""
        return url.startswith(("http://", "https://")) and len(url) <= MAX_URL_LENGTH and " " not in url


class Book:
    """A workbook being written into a temporary file (see the module docstring)."""

    def __init__(self, properties: dict | None = None) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by response() or bytes()
        self.workbook = xlsxwriter.Workbook(self._file, OPTIONS)
        if properties:
            self.workbook.set_properties(properties)
        self._specs: dict[int, dict] = {}
        self._dates: dict[int | None, object] = {}
        self.formats = {name: self.format(**spec) for name, spec in DEFAULT_FORMATS.items()}

    def format(self, **properties):
        """A cell format (xlsxwriter's ``add_format``) that the book can derive a date variant from."""
        fmt = self.workbook.add_format(properties)
        self._specs[id(fmt)] = properties
        return fmt

    def date_format(self, fmt):
        """``fmt`` showing a date as ДД.ММ.ГГГГ (the book's «date» format when there is none)."""
        if fmt is None:
            return self.formats["date"]
        spec = self._specs.get(id(fmt))
        if spec is None or spec.get("num_format"):
            return fmt
        if id(fmt) not in self._dates:
            self._dates[id(fmt)] = self.format(**spec, num_format=DATE_FORMAT)
        return self._dates[id(fmt)]

    def sheet(self, name: str, widths: Iterable[float] = ()) -> Sheet:
        worksheet = self.workbook.add_worksheet(name[:31])
        for column, width in enumerate(widths):
            worksheet.set_column(column, column, width)
        return Sheet(self, worksheet)

    def _finish(self):
        self.workbook.close()
        self._file.seek(0)
        return self._file

    def bytes(self) -> bytes:
        """The finished file's bytes (for tests and small files)."""
        with self._finish() as file:
            return file.read()

    def response(self, download_name: str):
        """A download of the finished file, streamed from disk; the file is deleted once sent."""
        return send_file(self._finish(), as_attachment=True, download_name=download_name, mimetype=MIMETYPE)


class Sheet:
    """A worksheet written row after row; ``ws`` is xlsxwriter's worksheet for page set-up."""

    def __init__(self, book: Book, worksheet) -> None:
        self.book, self.ws = book, worksheet
        self.next_row = 0

    def cell(self, row: int, col: int, value, fmt=None) -> None:
        """The one rule for a value: text as text, numbers, dates, booleans, :class:`Link`, blank."""
        ws = self.ws
        if type(value) is str:  # the common case first: an export is mostly text
            if value:
                ws.write_string(row, col, value, fmt)
            else:
                ws.write_blank(row, col, None, fmt)
        elif value is None:
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, Link):
            if value.valid:
                ws.write_url(row, col, value.url, self.book.formats["link"] if fmt is None else fmt,
                             string=value.text or value.url)
            else:
                ws.write_string(row, col, value.text or value.url or "", fmt)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float | Decimal):
            ws.write_number(row, col, value, fmt)
        elif isinstance(value, date | datetime):
            ws.write_datetime(row, col, value, self.book.date_format(fmt))
        else:
            ws.write_string(row, col, str(value), fmt)

    def row(self, values: Iterable, fmt=None, *, formats: Iterable | None = None, height: float | None = None,
            first_col: int = 0) -> int:
        """Write ``values`` on the next row (one format for all, or one per cell); returns its index."""
        row = self.next_row
        if height is not None:
            self.ws.set_row(row, height)
        cell = self.cell
        if formats is None:
            for offset, value in enumerate(values, start=first_col):
                cell(row, offset, value, fmt)
        else:
            for offset, (value, cell_format) in enumerate(zip(values, formats, strict=False), start=first_col):
                cell(row, offset, value, cell_format)
        self.next_row = row + 1
        self._forget_flushed(row)
        return row

    def _forget_flushed(self, row: int) -> None:
        """Drop the height xlsxwriter keeps for a row it has already written out.

        In constant_memory mode a row is flushed once the next one is begun, yet ``set_row`` keeps its
        height in two dicts till the end: 62,000 rows with heights held 28 MB where the cells took 1.
        The heights are read again only to place a chart or an image: a sheet that has one keeps them
        (insert it before the rows)."""
        ws = self.ws
        if row and ws.constant_memory and not ws.charts and not ws.images:
            ws.row_info.pop(row - 1, None)
            ws.row_sizes.pop(row - 1, None)

    def merged(self, text: str, last_col: int, fmt=None, height: float | None = None) -> int:
        """A line of text across columns 0…``last_col`` (a title); never a formula."""
        row = self.next_row
        if height is not None:
            self.ws.set_row(row, height)
        if last_col > 0:
            self.ws.merge_range(row, 0, row, last_col, "", fmt)  # merge_range would write() the text
        self.ws.write_string(row, 0, str(text or ""), fmt)
        self.next_row = row + 1
        return row

    def skip(self, rows: int = 1) -> None:
        self.next_row += rows


def to_bytes(write) -> bytes:
    """Run ``write(book)`` and return the file: for callers that need bytes (tests, attachments)."""
    book = Book()
    write(book)
    return book.bytes()


__all__ = ["MIMETYPE", "Book", "Link", "Sheet", "to_bytes"]
