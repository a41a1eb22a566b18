"""The one door for uploaded files: bounded reading of .xlsx, .docx and .csv, and keeping files on disk.

Every reader of an uploaded file goes through an UploadReader, so that a few kilobytes cannot cost
minutes and gigabytes (a zip bomb, a sheet whose dimension claims a million rows, an XML entity bomb):

- a package (.xlsx, .docx) is checked before anything opens it (``check_package``): the number of
  parts, the declared unpacked size, the compression ratio of every big part, no DTD or entity in any
  XML part, a bound on the XML elements that will be parsed into memory and on cells in a sheet row;
- worksheets are read with openpyxl's read-only mode, their claimed dimension ignored, with a bound
  on filled rows and columns (``sheet_rows``);
- CSV rows, columns and cell length are bounded (``csv_rows``), and so are pasted tables (``check_table``);
- all of it under a deadline checked as reading goes (a thread cannot be interrupted, so the
  readers check the clock between rows and between XML elements).

Past a bound the reader raises UploadRejected: its message is Russian, names the limit, and is shown
to the user as is (status 422); the caller has written nothing yet. DamagedFile (a subclass) means
the file is not the package it claims to be; callers may replace its message with their own.

The bounds are settings (``UPLOAD_*`` in nastavnik/config.py); see Limits.

Stored files (``store_file``) get generated names: a name from the client never reaches the disk.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import time
import uuid
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath
from xml.etree.ElementTree import ParseError

from babel.numbers import format_decimal
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from nastavnik.web.words import plural_word

MB = 1024 * 1024
EXCEL_MAX_COLUMNS = 16_384  # Excel's own last column, XFD: a row with more cells is not a sheet
EMPTY_RUN = 1000  # this many empty rows in a row: the data is over (formatting can run to row 1 048 576)
RATIO_CHECKED_FROM = MB  # small parts (styles, themes) legitimately compress very well
XML_SUFFIXES = (".xml", ".rels", ".vml")
# Parts a reader streams row by row instead of parsing whole; only their rows are bounded.
STREAMED = {"xlsx": ("xl/worksheets/",), "docx": ()}
REQUIRED = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml"}
WHAT = {"xlsx": "книгой Excel (.xlsx)", "docx": "документом Word (.docx)"}
SAVE_AGAIN = {"xlsx": "откройте его в Excel и сохраните заново", "docx": "откройте его в Word и сохраните заново"}

# Settings (nastavnik/config.py) behind each field of Limits.
SETTINGS = {
    "unpacked_mb": "UPLOAD_MAX_UNPACKED_MB",
    "ratio": "UPLOAD_MAX_RATIO",
    "parts": "UPLOAD_MAX_PARTS",
    "xml_elements": "UPLOAD_MAX_XML_ELEMENTS",
    "rows": "UPLOAD_MAX_ROWS",
    "columns": "UPLOAD_MAX_COLUMNS",
    "cell_chars": "UPLOAD_MAX_CELL_CHARS",
    "seconds": "UPLOAD_READ_SECONDS",
}

clock = time.monotonic  # tests replace it to run the deadline without waiting


@dataclass(frozen=True)
class Limits:
    """What reading one uploaded file may cost. Defaults are Config's; real files stay far below them."""

    unpacked_mb: int = 50  # all parts of a package together, unpacked
    ratio: int = 100  # unpacked : packed, for each part over 1 MB (real sheets: 5–20)
    parts: int = 1000  # files inside the package (a real .docx has ~20)
    xml_elements: int = 1_000_000  # XML elements parsed whole into memory (a 100-page .docx: ~100 000)
    rows: int = 5000  # filled rows of a table
    columns: int = 200  # filled columns of a table
    cell_chars: int = 32_767  # characters in one cell: Excel's own limit
    seconds: float = 20  # reading one file

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(**{name: config[key] for name, key in SETTINGS.items() if key in config})


def current_limits() -> Limits:
    """The app's limits inside a request or app context, the defaults outside (pure-Python callers)."""
    return Limits.from_config(current_app.config) if has_app_context() else Limits()


class UploadRejected(ValueError):
    """An uploaded file past a bound; ``message`` (Russian, naming the limit) is shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DamagedFile(UploadRejected):
    """The file is not the package its name says (not a zip, a part missing, broken XML)."""


def number(value: float) -> str:
    """«32 767»: Russian digit grouping (a no-break space), as everywhere in the interface."""
    return format_decimal(value, locale="ru")


def counted(value: int, one: str, other: str) -> str:
    """«больше 5 000 заполненных строк», «больше 21 заполненной строки»: after «больше»/«длиннее»
    a number ending in 1 (not 11) takes the genitive singular, every other the genitive plural."""
    return f"{number(value)} {plural_word(value, one, other, other)}"


def display_name(filename: str | None, limit: int = 255) -> str:
    """A client's file name fit to show and to offer back as a download name, never a path.

    Directories, control characters and characters Windows forbids are dropped; the extension is
    kept. The result is for display only: stored files are named by ``store_file``.
    """
    name = PurePath((filename or "").replace("\\", "/")).name
    name = re.sub(r'[\x00-\x1f\x7f<>:"/\\|?*]+', "", name)
    name = " ".join(name.split()).strip(" .")
    if len(name) > limit:
        stem, dot, suffix = name.rpartition(".")
        name = f"{stem[: limit - len(suffix) - 1]}.{suffix}" if dot and len(suffix) < 10 else name[:limit]
    return name or "файл"


class UploadReader:
    """Reads one uploaded file within the limits; the deadline starts when the reader is made.

    ``name`` is the file name shown in messages (may be empty).
    """

    def __init__(self, name: str = "", limits: Limits | None = None) -> None:
        self.name = name
        self.limits = limits or current_limits()
        self._deadline = clock() + self.limits.seconds

    # -- messages ---------------------------------------------------------------------------------

    @property
    def file(self) -> str:
        return f"Файл «{self.name}»" if self.name else "Файл"

    @property
    def in_file(self) -> str:
        return f"В файле «{self.name}»" if self.name else "В файле"

    def check_time(self) -> None:
        if clock() > self._deadline:
            raise UploadRejected(
                f"{self.file} читается дольше {number(self.limits.seconds)} с — допускается не более "
                f"{number(self.limits.seconds)} с, чтение остановлено. Уберите из файла лишние листы и "
                "оформление или разбейте его на несколько файлов."
            )

    def too_many_rows(self) -> UploadRejected:
        return UploadRejected(
            f"{self.in_file} больше {counted(self.limits.rows, 'заполненной строки', 'заполненных строк')} — допускается не более "
            f"{number(self.limits.rows)}. Разбейте список на несколько файлов."
        )

    def too_many_columns(self, row_number: int) -> UploadRejected:
        return UploadRejected(
            f"{self.in_file} в строке {row_number} заполнено больше {counted(self.limits.columns, 'столбца', 'столбцов')} — "
            f"допускается не более {number(self.limits.columns)}. Удалите лишние столбцы."
        )

    def cell_too_long(self, row_number: int | None) -> UploadRejected:
        where = f", строка {row_number}," if row_number else ""
        return UploadRejected(
            f"{self.in_file}{where} есть ячейка длиннее {counted(self.limits.cell_chars, 'символа', 'символов')} — "
            f"допускается не более {number(self.limits.cell_chars)}."
        )

    def damaged(self, kind: str) -> DamagedFile:
        return DamagedFile(f"{self.file} повреждён или не является {WHAT[kind]}.")

    # -- packages (.xlsx, .docx) --------------------------------------------------------------------

    def check_package(self, data: bytes, kind: str) -> None:
        """Refuse a package before any library opens it. ``kind``: "xlsx" or "docx"."""
        limits = self.limits
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
            raise self.damaged(kind) from exc
        with archive:
            infos = archive.infolist()
            if len(infos) > limits.parts:
                raise UploadRejected(
                    f"{self.file} состоит больше чем из {counted(limits.parts, 'части', 'частей')} — допускается не более "
                    f"{number(limits.parts)}: это не обычный документ. {_sentence(SAVE_AGAIN[kind])}."
                )
            unpacked = sum(info.file_size for info in infos)
            if unpacked > limits.unpacked_mb * MB:
                raise UploadRejected(
                    f"{self.file} распаковывается больше чем в {number(limits.unpacked_mb)} МБ "
                    f"({number(round(unpacked / MB))} МБ) — допускается не более {number(limits.unpacked_mb)} МБ. "
                    "Уберите лишние листы, картинки и пустое оформление или разбейте файл на несколько."
                )
            for info in infos:
                if info.file_size > RATIO_CHECKED_FROM and info.file_size > limits.ratio * max(info.compress_size, 1):
                    raise UploadRejected(
                        f"{self.file} сжат подозрительно сильно: часть «{_part(info.filename)}» "
                        f"распаковывается больше чем в {number(limits.ratio)} раз — допускается не более "
                        f"{number(limits.ratio)}. Такие файлы не принимаются; {SAVE_AGAIN[kind]}."
                    )
            if REQUIRED[kind] not in {info.filename for info in infos}:
                raise self.damaged(kind)
            elements = 0
            for info in infos:
                if info.filename.lower().endswith(XML_SUFFIXES):
                    streamed = info.filename.startswith(STREAMED[kind])
                    elements += self._scan_xml(archive, info, kind, streamed)
                    if elements > limits.xml_elements:
                        raise UploadRejected(
                            f"{self.file} слишком сложный: в нём больше "
                            f"{counted(limits.xml_elements, 'элемента', 'элементов')} разметки — допускается не более {number(limits.xml_elements)}. "
                            "Разбейте его на несколько файлов."
                        )

    def _scan_xml(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, kind: str, streamed: bool) -> int:
        """Elements of one XML part; refuses a DTD or an entity (XXE, «billion laughs»).

        Parsed as a stream (defusedxml over expat) with the tree pruned as it goes, so memory stays flat.
        A streamed part (a worksheet) counts nothing towards the total, but no row may hold more
        cells than Excel has columns: openpyxl materialises one row at a time.
        """
        count = row_cells = 0
        try:
            with archive.open(info) as stream:
                for kind_of_event, element in xml_events(stream):
                    if kind_of_event == "end":
                        continue
                    count += 1
                    if count % 10_000 == 0:
                        self.check_time()
                    if streamed:
                        tag = element.tag.rpartition("}")[2]
                        if tag == "row":
                            row_cells = 0
                        elif tag == "c":
                            row_cells += 1
                            if row_cells > EXCEL_MAX_COLUMNS:
                                raise UploadRejected(
                                    f"{self.in_file} есть строка больше чем из "
                                    f"{counted(EXCEL_MAX_COLUMNS, 'ячейки', 'ячеек')} — столько столбцов не бывает в Excel. "
                                    f"{_sentence(SAVE_AGAIN[kind])}."
                                )
                    elif count > self.limits.xml_elements:
                        break  # the caller names the limit
        except DefusedXmlException as exc:
            raise UploadRejected(
                f"{self.file} содержит объявление DTD или XML-сущности (часть «{_part(info.filename)}»). "
                "Такие файлы не принимаются: через них читают файлы сервера. "
                f"{_sentence(SAVE_AGAIN[kind])}."
            ) from exc
        except (ParseError, zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError, NotImplementedError) as exc:
            raise self.damaged(kind) from exc  # broken XML, or a part that unpacks to more than it says
        return 0 if streamed else count

    @contextmanager
    def xlsx(self, data: bytes):
        """The workbook opened read-only after check_package; closed on leaving the block."""
        from openpyxl import load_workbook

        self.check_package(data, "xlsx")
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises KeyError, TypeError, InvalidFileException… for a bad package
            raise self.damaged("xlsx") from exc
        try:
            yield workbook
        finally:
            workbook.close()

    def docx(self, data: bytes):
        """A python-docx Document after check_package (its XML has no DTD and a bounded size)."""
        import docx

        self.check_package(data, "docx")
        try:
            return docx.Document(io.BytesIO(data))
        except Exception as exc:  # python-docx raises many types for a wrong package
            raise self.damaged("docx") from exc

    def sheet_rows(self, sheet) -> Iterator[tuple[int, list]]:
        """(row number, values with trailing empties trimmed) of a read-only sheet's filled rows.

        The sheet's claimed dimension is dropped: openpyxl would pad every row to it (100 000 × 16 384
        cells for a 5 KB file). Reading stops after EMPTY_RUN empty rows in a row.
        """
        sheet.reset_dimensions()
        empty_run = filled = 0
        for row_number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if row_number % 100 == 0:
                self.check_time()
            cells = list(values)
            while cells and _empty(cells[-1]):
                cells.pop()
            if not cells:
                empty_run += 1
                if empty_run >= EMPTY_RUN:
                    return
                continue
            empty_run = 0
            self._check_row(cells, row_number)
            filled += 1
            if filled > self.limits.rows:
                raise self.too_many_rows()
            yield row_number, cells

    def _check_row(self, cells: Sequence, row_number: int) -> None:
        if len(cells) > self.limits.columns:
            raise self.too_many_columns(row_number)
        for value in cells:
            if isinstance(value, str) and len(value) > self.limits.cell_chars:
                raise self.cell_too_long(row_number)

    # -- text tables -----------------------------------------------------------------------------------

    def csv_rows(self, text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
        """(line number, cells) of a CSV text's filled rows, bounded like a sheet's."""
        _allow_csv_cells(self.limits.cell_chars)
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        filled = 0
        line = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # «field larger than field limit», a NUL byte, a broken quote
                if "field limit" in str(exc):
                    raise self.cell_too_long(reader.line_num) from exc
                raise DamagedFile(f"{self.file} не удалось прочитать как таблицу CSV: строка {reader.line_num}.") from exc
            line = reader.line_num
            if line % 100 == 0:
                self.check_time()
            while cells and not cells[-1].strip():
                cells.pop()
            if not cells:
                continue
            self._check_row(cells, line)
            filled += 1
            if filled > self.limits.rows:
                raise self.too_many_rows()
            yield line, cells

    def check_table(self, rows: Iterable[Sequence[str]]) -> None:
        """Bound a table that arrives whole (pasted text, a table posted back between import steps)."""
        filled = 0
        for row_number, cells in enumerate(rows, start=1):
            if row_number % 100 == 0:
                self.check_time()
            if not any(isinstance(cell, str) and cell.strip() for cell in cells):
                continue
            trimmed = list(cells)
            while trimmed and _empty(trimmed[-1]):
                trimmed.pop()
            self._check_row(trimmed, row_number)
            filled += 1
            if filled > self.limits.rows:
                raise self.too_many_rows()


def xml_events(stream) -> Iterator[tuple[str, object]]:
    """("start" or "end", element) of an XML stream; a DTD or an entity raises (defusedxml).

    Memory stays flat whatever the size: once an element has ended, it and its earlier siblings are
    dropped from their parent, so read what you need from an element at its "end" event (its
    attributes and text; its children are gone by then).
    """
    stack = []
    for kind, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
        if kind == "start":
            stack.append(element)
        else:
            stack.pop()
        yield kind, element
        if kind == "end" and stack:
            del stack[-1][:]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _part(name: str) -> str:
    """A part's path inside a package, fit for a message."""
    return re.sub(r"[\x00-\x1f\x7f]", "", name)[:100]


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _allow_csv_cells(cell_chars: int) -> None:
    """csv's field limit is process-wide (131 072 by default): raise it only if a setting needs more.

    Cells past our own limit are refused by UploadReader either way, with a message instead of a 500.
    """
    if csv.field_size_limit() <= cell_chars:
        csv.field_size_limit(cell_chars + 1)


# -- keeping files --------------------------------------------------------------------------------------


def upload_folder(subfolder: str) -> Path:
    """Where kept uploads of one kind live: ``UPLOAD_FOLDER`` (default ``<instance>/uploads``)/subfolder.

    Back it up together with the database: rows name files in it.
    """
    root = current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    return Path(root) / subfolder


class StorageFull(OSError):
    """The disk is full: nothing was kept. Shown to the user as a 507 in Russian."""


def store_file(folder: str | os.PathLike, data: bytes, suffix: str = "") -> str:
    """Write ``data`` under a generated name in ``folder``; returns the name (``<uuid hex><suffix>``).

    ``suffix`` must come from a fixed list, never from the client.
    """
    if suffix and not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        raise ValueError(f"unsafe suffix {suffix!r}")
    directory = Path(folder)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}{suffix}"
    write_whole(directory / name, data)
    return name


def write_whole(path: Path, data: bytes) -> None:
    """The file appears whole or not at all: written under a temporary name, then renamed.

    A failed write removes what was written; a full disk becomes StorageFull.
    """
    partial = path.with_name(f".{path.name}.part")
    try:
        with open(partial, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StorageFull(exc.errno, "на сервере закончилось место на диске") from exc
        raise


def stored_path(folder: str | os.PathLike, name: str) -> Path:
    """The path of a stored file; refuses anything store_file could not have named."""
    if not re.fullmatch(r"[0-9a-f]{32}(\.[a-z0-9]{1,8})?", name or ""):
        raise ValueError(f"not a stored file name: {name!r}")
    return Path(folder) / name


def remove_stored(folder: str | os.PathLike, name: str | None) -> None:
    if name:
        stored_path(folder, name).unlink(missing_ok=True)


# -- a file goes when its row goes ------------------------------------------------------------------------

_OWNERS: dict[type, str] = {}
_DELETED = "nastavnik.uploads.deleted"  # session.info key: files of rows deleted in this transaction


def owns_stored_file(subfolder: str):
    """Class decorator for a model whose ``stored_name`` names a file in upload_folder(subfolder).

    When the deletion of such a row commits (directly or by an ORM cascade), its file is removed;
    a rolled-back deletion leaves the file alone.
    """

    def register(model):
        _OWNERS[model] = subfolder
        return model

    return register


@event.listens_for(Session, "after_flush")
def _collect_deleted_files(session, _context) -> None:
    for record in session.deleted:
        subfolder = _OWNERS.get(type(record))
        if subfolder and getattr(record, "stored_name", None):
            session.info.setdefault(_DELETED, []).append((subfolder, record.stored_name))


@event.listens_for(Session, "after_commit")
def _remove_deleted_files(session) -> None:
    for subfolder, name in session.info.pop(_DELETED, []):
        remove_stored(upload_folder(subfolder), name)


@event.listens_for(Session, "after_rollback")
def _keep_files_of_rolled_back_deletes(session) -> None:
    session.info.pop(_DELETED, None)
