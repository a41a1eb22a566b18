"""Региональная форма мониторинга (пример): строки, графы, ячейки и карта ячеек официального бланка.

Every cell says how it is computed: by a counter of nastavnik (``counter``), by a formula of other
cells (``formula``: ``share(n, d)`` is n / d × 100 and keeps n and d), entered by hand (``manual``
with its range) or taken from an indicator's passport (``indicator``). nastavnik computes them for
the school, stores the run, renders HTML, print and .xlsx, and fills the blank below at ``cell_map``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from nastavnik.plugins import hookimpl
from nastavnik.plugins.registry import ReportCell, ReportColumn, ReportFormat, ReportRow

BLANK = str(Path(__file__).parent / "blank" / "monitoring_krsk.xlsx")
SHEET = "Мониторинг"

COLUMNS = (ReportColumn("n", "Количество"), ReportColumn("pct", "Доля, %", kind="percent"))
ROWS = (
    ReportRow("r1", "Обучающиеся 10–18 лет, всего", "1"),
    ReportRow("r2", "из них — в роли наставляемого", "1.1"),
    ReportRow("r3", "Обучающиеся 15–18 лет, всего", "2"),
    ReportRow("r4", "из них — в роли наставника", "2.1"),
    ReportRow("r5", "Молодые специалисты (стаж до 3 лет), всего", "3"),
    ReportRow("r6", "из них — в роли наставляемого", "3.1"),
    ReportRow("r7", "Наставнических пар и групп действовало в периоде", "4"),
    ReportRow("r8", "из них завершили программу", "4.1"),
    ReportRow("r9", "из них прервали работу досрочно", "4.2"),
    ReportRow("r10", "Публикаций о наставничестве на сайте ОО", "5"),
    ReportRow("r11", "Удовлетворённость наставляемых", "6"),
)
CELLS_2024 = (
    ReportCell("r1_n", "r1", "n", counter="pupils_10_18"),
    ReportCell("r2_n", "r2", "n", counter="mentees_10_18"),
    ReportCell("r2_pct", "r2", "pct", formula="share(r2_n, r1_n)"),
    ReportCell("r3_n", "r3", "n", counter="pupils_15_18"),
    ReportCell("r4_n", "r4", "n", counter="mentors_15_18"),
    ReportCell("r4_pct", "r4", "pct", formula="share(r4_n, r3_n)"),
    ReportCell("r5_n", "r5", "n", counter="young_specialists"),
    ReportCell("r6_n", "r6", "n", counter="young_specialists_mentees"),
    ReportCell("r6_pct", "r6", "pct", formula="share(r6_n, r5_n)"),
    ReportCell("r7_n", "r7", "n", counter="pairs_live"),
    ReportCell("r8_n", "r8", "n", counter="pairs_completed"),
    ReportCell("r9_n", "r9", "n", counter="pairs_interrupted"),
)
CELLS_2025 = CELLS_2024 + (
    ReportCell("r10_n", "r10", "n", manual=(0, 500)),
    ReportCell("r11_pct", "r11", "pct", indicator="R145_6", part="value"),
)
# Where each cell goes on the official blank (rows 8–18, columns C and D), and the header fields.
CELL_MAP = {
    "org": f"{SHEET}!C3", "as_of": f"{SHEET}!C4", "period": f"{SHEET}!C5",
    **{f"{row.code}_n": f"{SHEET}!C{8 + index}" for index, row in enumerate(ROWS)},
    **{f"{row.code}_pct": f"{SHEET}!D{8 + index}" for index, row in enumerate(ROWS)},
}
NOTE = (
    "Пример региональной формы: строки и бланк составлены для демонстрации. Регион заменяет их формой из своего "
    "Положения о мониторинге (см. README плагина)."
)


def _format(version: str, valid_from: date, cells) -> ReportFormat:
    used = {c.code for c in cells} | {"org", "as_of", "period"}
    return ReportFormat(
        code=f"krsk_monitoring@{version}",
        title="Мониторинг реализации целевой модели наставничества (Красноярский край, пример)",
        region="24", level="school", variant_of="r145", version=version, valid_from=valid_from,
        layout="grid", rows=ROWS, columns=COLUMNS, cells=cells,
        renderers=("html", "print", "xlsx", "blank"), blank=BLANK,
        cell_map={code: place for code, place in CELL_MAP.items() if code in used}, note=NOTE,
    )


@hookimpl
def nastavnik_report_formats():
    return [
        _format("2024", date(2024, 9, 1), CELLS_2024),
        _format("2025", date(2025, 9, 1), CELLS_2025),
    ]
