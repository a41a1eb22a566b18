"""Builds blank/monitoring_krsk.xlsx, the «official» blank of this example (run once; the file is committed).

A real region puts its own blank here as it came from the regional institute: nastavnik only writes
values into the cells of CELL_MAP and keeps every other thing of the file.
"""

from pathlib import Path

from nastavnik_report_krsk.plugin import ROWS, SHEET
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

thin = Side(style="thin", color="000000")
box = Border(left=thin, right=thin, top=thin, bottom=thin)
book = Workbook()
sheet = book.active
sheet.title = SHEET
sheet["A1"] = "Форма № НМ-1 (пример). Мониторинг реализации целевой модели наставничества в образовательной организации"
sheet["A1"].font = Font(bold=True, size=12)
sheet.merge_cells("A1:D1")
for row, label in ((3, "Наименование ОО"), (4, "По состоянию на"), (5, "Отчётный период")):
    sheet.cell(row, 1, label).font = Font(bold=True)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    sheet.cell(row, 3).border = Border(bottom=thin)
    sheet.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
for col, (title, width) in enumerate((("№", 6), ("Наименование показателя", 58), ("Количество", 14), ("Доля, %", 12)), 1):
    cell = sheet.cell(7, col, title)
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor="D9E1F2")
    cell.border = box
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.column_dimensions[cell.column_letter].width = width
for index, row in enumerate(ROWS):
    r = 8 + index
    sheet.cell(r, 1, row.number).border = box
    sheet.cell(r, 2, row.title).border = box
    sheet.cell(r, 2).alignment = Alignment(wrap_text=True, indent=1 if "." in row.number else 0)
    sheet.cell(r, 3).number_format = "#,##0"
    sheet.cell(r, 4).number_format = "0.0%"
    for col in (3, 4):
        sheet.cell(r, col).border = box
        sheet.cell(r, col).fill = PatternFill("solid", fgColor="FFF2CC")
sheet.cell(8 + len(ROWS) + 1, 1, "Руководитель ОО ____________ /______________/     Исполнитель ____________ тел. __________")
sheet.page_setup.orientation = "landscape"
sheet.page_setup.fitToWidth = 1
sheet.sheet_properties.pageSetUpPr.fitToPage = True
book.save(Path(__file__).parent / "nastavnik_report_krsk" / "blank" / "monitoring_krsk.xlsx")
