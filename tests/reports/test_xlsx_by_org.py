"""The by-organisation sheet read back cell by cell against the figures it was written from: each N and D as
a number, each share as a fraction in a percent format, «нет данных» as a blank, whatever the indicator."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from nastavnik.reports.xlsx import Meta, render
from tests.reports.test_table_by_org import table_data


def test_every_figure_cell_of_the_by_org_sheet(app):
    data = dict(table_data(["Район", "Другой район"]), layout="by_org")
    sheet = load_workbook(io.BytesIO(render(data, Meta(title="т", org="о", as_of="01.01.2026", period="п"))))["Сводная"]
    rows = {sheet.cell(r, 1).value: r for r in range(1, sheet.max_row + 1)}
    checked = 0
    for org_id, title, group in data["orgs"]:
        row = rows[title]
        assert sheet.cell(row, 2).value == group
        col = 3
        for indicator in data["indicators"]:
            value, n, d, _ = data["values"][str(org_id)].get(indicator["code"], [None, None, None, ""])
            parts = [(n, "#,##0"), (d, "#,##0"), (None if value is None else value / 100, "0.0%")] \
                if indicator["share"] else [(value, "#,##0")]
            for expected, number_format in parts:
                cell = sheet.cell(row, col)
                assert cell.value == expected, (title, indicator["code"], col)
                assert cell.number_format == (number_format if expected is not None else "#,##0")
                col += 1
                checked += 1
    assert checked == len(data["orgs"]) * 8
