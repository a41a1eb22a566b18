"""A run as .xlsx (xlsxwriter): numbers as numbers, shares in a percent format beside their N and D,
totals as real Excel formulas, frozen headers, landscape fit-to-width print set-up.

Rows are written in order with ``constant_memory``, so a regional sheet of 2,000 organisations keeps
memory flat. Every text that a user or a plugin supplies goes in with ``write_string``.
"""

from __future__ import annotations

import ast
import io
from dataclasses import dataclass

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from nastavnik.reports.engine import parse_formula

WORKBOOK_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False}


@dataclass
class Meta:
    title: str
    org: str
    as_of: str  # ДД.ММ.ГГГГ
    period: str
    status: str = ""
    note: str = ""
    made: str = ""  # «сформирован 21.09.2026 10:15, Иванова А. А.»


class Formats:
    def __init__(self, book):
        base = {"font_name": "Arial", "font_size": 10, "valign": "top"}
        self.title = book.add_format({**base, "bold": True, "font_size": 12})
        self.text = book.add_format({**base, "text_wrap": True, "border": 1})
        self.plain = book.add_format(base)
        self.head = book.add_format({**base, "bold": True, "text_wrap": True, "border": 1, "bg_color": "#E8EEF4",
                                     "align": "center", "valign": "vcenter"})
        self.count = book.add_format({**base, "border": 1, "num_format": "#,##0"})
        self.number = book.add_format({**base, "border": 1, "num_format": "#,##0.0"})
        self.pct = book.add_format({**base, "border": 1, "num_format": "0.0%"})
        self.total_text = book.add_format({**base, "bold": True, "border": 1, "bg_color": "#F3F3F3"})
        self.total_count = book.add_format({**base, "bold": True, "border": 1, "num_format": "#,##0",
                                            "bg_color": "#F3F3F3"})
        self.total_pct = book.add_format({**base, "bold": True, "border": 1, "num_format": "0.0%",
                                          "bg_color": "#F3F3F3"})
        self.empty = book.add_format({**base, "border": 1, "font_color": "#666666", "italic": True,
                                      "text_wrap": True})


def _page(sheet, header_rows: int, last_col: int, freeze_col: int = 0) -> None:
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # fit to width, as many pages down as needed
    sheet.repeat_rows(header_rows - 1)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    sheet.freeze_panes(header_rows, freeze_col)


def _heading(sheet, f: Formats, meta: Meta, width: int) -> int:
    """Title lines; returns the next free row."""
    sheet.write_string(0, 0, meta.title, f.title)
    sheet.write_string(1, 0, f"{meta.org}; по состоянию на {meta.as_of}; отчётный период {meta.period}", f.plain)
    line = 2
    for text in (meta.status, meta.made):
        if text:
            sheet.write_string(line, 0, text, f.plain)
            line += 1
    return line + 1


def _write_value(sheet, row, col, value, fmt, empty_fmt, note=""):
    if value is None:
        sheet.write_string(row, col, note or "—", empty_fmt)
    else:
        sheet.write_number(row, col, value, fmt)


def write_indicators(book, f: Formats, data: dict, meta: Meta) -> None:
    sheet = book.add_worksheet("Показатели")
    widths = [5, 60, 8, 12, 12, 11, 11, 36, 34]
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    top = _heading(sheet, f, meta, len(widths))
    heads = ["№", "Показатель", "Ед. изм.", "N (числитель)", "D (знаменатель)", "Значение", "Целевое значение",
             "Временная характеристика", "Примечание"]
    for col, head in enumerate(heads):
        sheet.write_string(top, col, head, f.head)
    _page(sheet, top + 1, len(heads) - 1)
    for index, indicator in enumerate(data["indicators"], start=1):
        row = top + index
        value, n, d, note = data["total"][indicator["code"]]
        sheet.write_number(row, 0, index, f.count)
        sheet.write_string(row, 1, indicator["name"], f.text)
        sheet.write_string(row, 2, indicator["unit"], f.text)
        target = indicator.get("target")
        if indicator["share"]:
            _write_value(sheet, row, 3, n, f.count, f.empty, "—" if value is None and note else "")
            _write_value(sheet, row, 4, d, f.count, f.empty)
            n_cell, d_cell = xl_rowcol_to_cell(row, 3), xl_rowcol_to_cell(row, 4)
            if value is None:
                sheet.write_string(row, 5, "—", f.empty)
            else:
                sheet.write_formula(row, 5, f'=IF({d_cell}=0,"",{n_cell}/{d_cell})', f.pct, value / 100)
            _write_value(sheet, row, 6, None if target is None else target / 100, f.pct, f.empty)
        else:
            _write_value(sheet, row, 3, n, f.count, f.empty)
            sheet.write_string(row, 4, "", f.text)
            _write_value(sheet, row, 5, value, f.count, f.empty)
            _write_value(sheet, row, 6, target, f.count, f.empty)
        sheet.write_string(row, 7, indicator.get("time") or "", f.text)
        sheet.write_string(row, 8, note or "", f.text)
    row = top + len(data["indicators"]) + 2
    for text in [meta.note, *data.get("problems", [])]:
        if text:
            sheet.write_string(row, 1, text, f.plain)
            row += 1


def write_by_org(book, f: Formats, data: dict, meta: Meta, sheet_name: str = "По организациям") -> None:
    """One row per organisation, N, D and % of every share; totals are SUM formulas of the rows."""
    sheet = book.add_worksheet(sheet_name)
    grouped = len({o[2] for o in data["orgs"]}) > 1
    first = 2 if grouped else 1  # first figure column
    sheet.set_column(0, 0, 34)
    if grouped:
        sheet.set_column(1, 1, 16)
    columns = []  # (indicator, part, col)
    col = first
    for indicator in data["indicators"]:
        parts = ("n", "d", "value") if indicator["share"] else ("value",)
        for part in parts:
            columns.append((indicator, part, col))
            sheet.set_column(col, col, 7 if part != "value" else (7.5 if indicator["share"] else 11))
            col += 1
    last_col = col - 1
    top = _heading(sheet, f, meta, last_col)
    sheet.set_row(top, 75)
    # constant_memory: a row is flushed as soon as a later one is written, so each row is written whole, in order.
    sheet.write_string(top, 0, "Образовательная организация", f.head)
    if grouped:
        sheet.write_string(top, 1, data.get("group_title", "Муниципалитет"), f.head)
    for indicator in data["indicators"]:
        cols = [c for i, _, c in columns if i is indicator]
        label = f"{indicator['code']}. {indicator['name']}"
        if len(cols) > 1:
            sheet.merge_range(top, cols[0], top, cols[-1], label, f.head)
        else:
            sheet.write_string(top, cols[0], label, f.head)
    sheet.write_string(top + 1, 0, "", f.head)
    if grouped:
        sheet.write_string(top + 1, 1, "", f.head)
    for indicator, part, c in columns:
        title = {"n": "N", "d": "D", "value": "%" if indicator["share"] else indicator["unit"]}[part]
        sheet.write_string(top + 1, c, title, f.head)
    _page(sheet, top + 2, last_col, first)
    row = top + 2
    first_row = row
    cells = _org_cells(f, columns)
    for org_id, title, group in data["orgs"]:
        sheet.write_string(row, 0, title, f.text)
        if grouped:
            sheet.write_string(row, 1, group or "", f.text)
        _write_org_row(sheet, f, row, cells, data["values"].get(str(org_id), {}))
        row += 1
    last_row = row - 1
    sheet.write_string(row, 0, "Итого", f.total_text)
    if grouped:
        sheet.write_string(row, 1, "", f.total_text)
    for indicator, part, c in columns:
        total = data["total"].get(indicator["code"], [None, None, None, ""])
        column_range = f"{xl_rowcol_to_cell(first_row, c)}:{xl_rowcol_to_cell(max(last_row, first_row), c)}"
        if part in ("n", "d") or not indicator["share"]:
            cached = {"n": total[1], "d": total[2], "value": total[0]}[part] or 0
            sheet.write_formula(row, c, f"=SUM({column_range})", f.total_count, cached)
        else:
            n_cell, d_cell = xl_rowcol_to_cell(row, c - 2), xl_rowcol_to_cell(row, c - 1)
            cached = total[0] / 100 if total[0] is not None else ""
            sheet.write_formula(row, c, f'=IF({d_cell}=0,"",{n_cell}/{d_cell})', f.total_pct, cached)
    row += 2
    for text in [meta.note, *data.get("problems", [])]:
        if text:
            sheet.write_string(row, 0, text, f.plain)
            row += 1


def _org_cells(f, columns) -> list[tuple[str, int, int, object, bool]]:
    """Each figure cell of an organisation's row, worked out once for the sheet, not once per organisation:
    (indicator code, the figure's place in [value, N, D, note], column, format, a share's percentage?)."""
    cells = []
    for indicator, part, c in columns:
        place = {"value": 0, "n": 1, "d": 2}[part]
        percent = part == "value" and indicator["share"]
        cells.append((indicator["code"], place, c, f.pct if percent else f.count, percent))
    return cells


def _write_org_row(sheet, f, row, cells, values) -> None:
    """One organisation: numbers only (a share as a percent-formatted fraction), blanks for «нет данных» —
    the reason is written once under the table, not 2,000 times."""
    write_number, write_blank, blank_format = sheet.write_number, sheet.write_blank, f.count
    for code, place, c, fmt, percent in cells:
        figure = values.get(code, _EMPTY)[place]
        if figure is None:
            write_blank(row, c, None, blank_format)
        else:
            write_number(row, c, figure / 100 if percent else figure, fmt)


_EMPTY = (None, None, None, "")


def excel_formula(text: str, ref) -> str:
    """A cell formula («share(a, b)», «sum(a, b)», arithmetic) as an Excel formula over cell references."""

    def ex(node) -> str:
        if isinstance(node, ast.Expression):
            return ex(node.body)
        if isinstance(node, ast.Constant):
            return repr(node.value)
        if isinstance(node, ast.Name):
            return ref(node.id)
        if isinstance(node, ast.UnaryOp):
            return f"-({ex(node.operand)})"
        if isinstance(node, ast.Call):
            args = [ex(a) for a in node.args]
            if node.func.id == "share":
                return f'IF({args[1]}=0,"",{args[0]}/{args[1]})'
            return f"SUM({','.join(args)})"
        op = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}[type(node.op)]
        return f"({ex(node.left)}{op}{ex(node.right)})"

    return "=" + ex(parse_formula(text))


def write_grid(book, f: Formats, data: dict, meta: Meta) -> None:
    sheet = book.add_worksheet("Форма")
    columns, rows = data["columns"], data["rows"]
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 1 + len(columns), 14)
    top = _heading(sheet, f, meta, len(columns) + 1)
    sheet.write_string(top, 0, "№ строки", f.head)
    sheet.write_string(top, 1, "Наименование", f.head)
    for index, column in enumerate(columns):
        sheet.write_string(top, 2 + index, column["title"], f.head)
    _page(sheet, top + 1, 1 + len(columns))
    where = {}
    row_index = {r["code"]: top + 1 + i for i, r in enumerate(rows)}
    col_index = {c["code"]: 2 + i for i, c in enumerate(columns)}
    kinds = {c["code"]: c["kind"] for c in columns}
    for cell in data["cells"]:
        where[cell["code"]] = (row_index[cell["row"]], col_index[cell["column"]])
    by_position = {where[c["code"]]: c for c in data["cells"]}
    for i, r in enumerate(rows):
        row = top + 1 + i
        sheet.write_string(row, 0, r["number"], f.text)
        sheet.write_string(row, 1, r["title"], f.text)
        for column in columns:
            col = col_index[column["code"]]
            cell = by_position.get((row, col))
            if cell is None:
                sheet.write_blank(row, col, None, f.text)
                continue
            value, _, _, note = data["total"][cell["code"]]
            percent = kinds[column["code"]] == "percent"
            fmt = f.pct if percent else f.count
            if cell["formula"]:
                cached = "" if value is None else (value / 100 if percent else value)
                sheet.write_formula(row, col, excel_formula(cell["formula"], lambda code: xl_rowcol_to_cell(*where[code])),
                                    fmt, cached)
            else:
                _write_value(sheet, row, col, None if value is None else (value / 100 if percent else value), fmt,
                             f.empty, note if value is None else "")
    row = top + len(rows) + 2
    for text in [meta.note, *data.get("problems", [])]:
        if text:
            sheet.write_string(row, 1, text, f.plain)
            row += 1


def render(data: dict, meta: Meta) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    f = Formats(book)
    layout = data.get("layout", "grid")
    if layout == "indicators":
        write_indicators(book, f, data, meta)
        if len(data["orgs"]) > 1:
            write_by_org(book, f, data, meta)
    elif layout == "by_org":
        write_by_org(book, f, data, meta, "Сводная")
    else:
        write_grid(book, f, data, meta)
    book.close()
    return output.getvalue()
