"""Hostile and broken files, built in code: what a stranger with a curator's login could upload.

Each builder returns the bytes of a file small enough to upload that is expensive to read naively.
"""

from __future__ import annotations

import io
import zipfile
from functools import cache

import docx

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Лист1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _xlsx(sheet_xml: bytes | str, extra_writer=None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        if extra_writer is None:
            archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        else:
            extra_writer(archive)
    return buffer.getvalue()


def header_cells(row: int = 1) -> str:
    return _inline(f"A{row}", "ФИО") + _inline(f"B{row}", "Должность") + _inline(f"C{row}", "Наименование")


def sparse_sheet(rows: int = 100_000, last_column: str = "XFD") -> bytes:
    """A few KB whose dimension claims ``rows`` rows × ``last_column`` columns, with a cell in the far corner.

    Read naively (openpyxl's normal mode, or read-only trusting the dimension) it becomes
    ``rows × 16 384`` cells: the 70 s and 2.7 GB the scanner saw.
    """
    body = [f'<dimension ref="A1:{last_column}{rows}"/><sheetData>']
    body.append(f'<row r="1">{header_cells()}</row>')
    body.append(f'<row r="2">{_inline("A2", "Петрова Анна Ивановна")}{_inline("B2", "учитель")}</row>')
    body.append(f'<row r="{rows}"><c r="{last_column}{rows}"><v>1</v></c></row>')
    body.append("</sheetData></worksheet>")
    return _xlsx(SHEET_HEAD + "".join(body))


def styled_rows_sheet(rows: int = 100_000) -> bytes:
    """``rows`` real but empty styled rows after a header: legitimate XML, tiny when compressed."""
    parts = [SHEET_HEAD, "<sheetData>", f'<row r="1">{header_cells()}</row>']
    parts += [f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(2, rows + 1)]
    parts.append("</sheetData></worksheet>")
    return _xlsx("".join(parts))


def wide_row_sheet(columns: int = 5_000) -> bytes:
    """One header and one data row with ``columns`` filled cells."""
    from openpyxl.utils import get_column_letter

    cells = "".join(f'<c r="{get_column_letter(n)}2"><v>{n}</v></c>' for n in range(1, columns + 1))
    sheet = f'{SHEET_HEAD}<sheetData><row r="1">{header_cells()}</row><row r="2">{cells}</row></sheetData></worksheet>'
    return _xlsx(sheet)


@cache
def zip_bomb_xlsx(unpacked_mb: int = 64) -> bytes:
    """An .xlsx whose worksheet inflates to ``unpacked_mb`` MB of whitespace: ~1000:1, a few dozen KB."""

    def write(archive: zipfile.ZipFile) -> None:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'{SHEET_HEAD}<sheetData><row r="1">{header_cells()}</row>'.encode())
            chunk = b" " * (1024 * 1024)
            for _ in range(unpacked_mb):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")

    return _xlsx(b"", extra_writer=write)


def lying_zip(declared: int = 1000) -> bytes:
    """A .xlsx whose sheet member says it unpacks to ``declared`` bytes but holds far more."""
    real = (SHEET_HEAD + "<sheetData>" + " " * 5_000_000 + "</sheetData></worksheet>").encode()
    data = bytearray(_xlsx(real))
    # Patch the uncompressed size in the local header and the central directory of the sheet member.
    name = b"xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(name.decode())
    local = info.header_offset
    data[local + 22 : local + 26] = declared.to_bytes(4, "little")
    position = 0
    while True:
        central = data.find(b"PK\x01\x02", position)
        if central < 0:
            break
        length = int.from_bytes(data[central + 28 : central + 30], "little")
        if bytes(data[central + 46 : central + 46 + length]) == name:
            data[central + 24 : central + 28] = declared.to_bytes(4, "little")
        position = central + 4
    return bytes(data)


def many_members_zip(members: int = 20_000) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        for n in range(members):
            archive.writestr(f"junk/{n}.bin", b"")
    return buffer.getvalue()


def csv_with_huge_cell(chars: int = 200_000) -> bytes:
    return ("ФИО;Должность;Дата рождения\n" + "Щ" * chars + ";учитель;01.01.1980\n").encode("utf-8")


def csv_with_long_surname(chars: int = 32_767) -> bytes:
    """A surname as long as an Excel cell may be: the 32 767 characters an import once saved."""
    return (
        "Фамилия;Имя;Отчество;Должность;Дата рождения\n"
        f"{'Д' * chars};Анна;Ивановна;учитель;01.01.1980\n"
        "Петров;Иван;Сергеевич;учитель;02.02.1981\n"
    ).encode()


def _docx_with_table(rows: list[list[str]]) -> bytes:
    document = docx.Document()
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


ROADMAP_ROWS = [
    ["№", "Мероприятие", "Срок", "Ответственный"],
    ["1", "Издать приказ о наставничестве", "сентябрь", "директор"],
    ["2", "Сформировать базу наставников", "октябрь", "куратор"],
]


def roadmap_docx() -> bytes:
    return _docx_with_table(ROADMAP_ROWS)


def _rewrite_member(data: bytes, member: str, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == member:
                content = change(content)
            target.writestr(info.filename, content)
    return buffer.getvalue()


def docx_with_external_entity(target: str = "file:///etc/passwd") -> bytes:
    """A roadmap .docx whose document.xml declares an external entity and uses it in a cell (XXE)."""

    def change(xml: bytes) -> bytes:
        head, rest = xml.split(b"?>", 1)
        doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{target}">]>'.encode()
        return head + b"?>" + doctype + rest.replace("Издать приказ".encode(), b"&xxe;", 1)

    return _rewrite_member(roadmap_docx(), "word/document.xml", change)


def docx_with_entity_expansion() -> bytes:
    """«Billion laughs»: nested internal entities, a few hundred bytes expanding to gigabytes."""

    def change(xml: bytes) -> bytes:
        head, rest = xml.split(b"?>", 1)
        levels = ['<!ENTITY lol0 "lol">'] + [
            f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(1, 10)
        ]
        doctype = ("<!DOCTYPE w:document [" + "".join(levels) + "]>").encode()
        return head + b"?>" + doctype + rest.replace("Издать приказ".encode(), b"&lol9;", 1)

    return _rewrite_member(roadmap_docx(), "word/document.xml", change)


def xlsx_with_external_entity() -> bytes:
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f'<row r="1">{header_cells()}</row><row r="2">{_inline("A2", "&xxe;")}</row>'
        "</sheetData></worksheet>"
    )
    return _xlsx(sheet)


def docx_with_many_elements(paragraphs: int = 300_000) -> bytes:
    """A .docx of ``paragraphs`` short paragraphs (4 elements each): small zipped, large as a tree."""

    def change(xml: bytes) -> bytes:
        body = "".join(f"<w:p><w:r><w:t>{n}</w:t></w:r></w:p>" for n in range(paragraphs)).encode()
        return xml.replace(b"<w:body>", b"<w:body>" + body, 1)

    return _rewrite_member(roadmap_docx(), "word/document.xml", change)
