"""An official blank .xlsx, shipped by a region's plugin, filled at its cell map (openpyxl keeps its formatting)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from nastavnik.reports.engine import ReportError


def fill_blank(blank_path: str, cell_map: dict, data: dict, header: dict | None = None) -> bytes:
    """Write each cell's total into its place on the blank: numbers as numbers (a percent-formatted cell gets
    the share as a fraction), nothing else touched. ``header`` maps places to texts (organisation, date)."""
    try:
        book = load_workbook(blank_path)
    except (OSError, ValueError, KeyError) as exc:
        raise ReportError(f"бланк формы не открывается: {exc}") from exc
    places = {**{code: place for code, place in (header or {}).items()}, **cell_map}
    for code, place in places.items():
        sheet_name, _, ref = place.rpartition("!")
        sheet = book[sheet_name.strip("'")] if sheet_name else book.active
        cell = sheet[ref]
        if header and code in header:
            cell.value = str(data.get("header", {}).get(code, ""))  # a string, never a formula
            cell.data_type = "s"
            continue
        value = data["total"].get(code, [None])[0]
        if value is None:
            cell.value = None
        elif "%" in (cell.number_format or ""):
            cell.value = value / 100
        else:
            cell.value = value
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
