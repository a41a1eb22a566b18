"""The report formats the core ships, registered through ``nastavnik_report_formats`` like any plugin's."""

from __future__ import annotations

from nastavnik.banks.models import MENTOR_ORIGINS
from nastavnik.pairs.counters import AGE_GROUPS
from nastavnik.plugins.registry import ReportCell, ReportColumn, ReportFormat, ReportRow

R145_NOTE = (
    "Показатели целевой модели наставничества обучающихся (распоряжение Минпросвещения России от 25.12.2019 "
    "№ Р-145). Формулировки, формулы и целевые значения — редактируемые данные: сверьте их с актуальной "
    "редакцией региона (раздел «Показатели»)."
)
NO_FSN = (
    "Официальная строка формы федерального статистического наблюдения с численностью участников программ "
    "наставничества не известна: в формах ОО-1, СПО-1 и 1-ДО такой строки не найдено. Форма составлена так, "
    "как выглядела бы федеральная форма (по формам, ролям, категориям и возрастным группам); регион может "
    "заменить её своей формой-плагином."
)
LEVEL_TITLES = {"school": "образовательная организация", "municipality": "муниципалитет", "region": "регион"}

R145 = ReportFormat(
    code="r145", title="Показатели целевой модели наставничества (Р-145): образовательная организация",
    level="school", layout="indicators", note=R145_NOTE,
)
R145_MUNICIPAL = ReportFormat(
    code="r145_municipal", title="Показатели целевой модели наставничества (Р-145): муниципалитет",
    level="municipality", layout="indicators", note=R145_NOTE,
)
R145_REGIONAL = ReportFormat(
    code="r145_regional", title="Показатели целевой модели наставничества (Р-145): регион",
    level="region", layout="indicators", note=R145_NOTE,
)
ROLLUP = ReportFormat(
    code="rollup_municipal", title="Сводная таблица по образовательным организациям муниципалитета",
    level="municipality", layout="by_org",
    note="Одна строка на образовательную организацию со всеми показателями; итоги суммируют N и D, "
    "доля итога считается заново (проценты не усредняются).",
)


def _participants_grid(registry):
    """Rows by form (one per installed form of mentoring), category, age group; columns mentors, mentees, pairs."""
    columns = (
        ReportColumn("mentors", "Наставники, чел."),
        ReportColumn("mentees", "Наставляемые, чел."),
        ReportColumn("pairs", "Пары и группы, ед."),
    )
    rows, cells = [ReportRow("r01", "Всего участников программ наставничества", "01")], [
        ReportCell("r01_mentors", "r01", "mentors", counter="mentors_total"),
        ReportCell("r01_mentees", "r01", "mentees", counter="mentees_total"),
        ReportCell("r01_pairs", "r01", "pairs", counter="pairs_live"),
    ]
    for index, kind in enumerate(registry.kinds.values(), start=1):
        row = f"k{index:02d}"
        rows.append(ReportRow(row, f"в том числе по форме «{kind.title}»", f"02.{index}"))
        cells += [ReportCell(f"{row}_{col}", row, col, counter=f"{col}_kind_{kind.code}")
                  for col in ("mentors", "mentees", "pairs")]
    mentee_categories = [
        ("c_pupils", "обучающиеся общеобразовательных организаций", "mentees_pupils"),
        ("c_spo", "обучающиеся профессиональных образовательных организаций", "mentees_spo_students"),
        ("c_young", "педагоги — молодые специалисты", "mentees_young_specialists"),
        ("c_staff", "педагоги (кроме молодых специалистов)", "mentees_other_staff"),
        ("c_others", "другие категории", "mentees_others"),
    ]
    for index, (row, title, counter) in enumerate(mentee_categories, start=1):
        rows.append(ReportRow(row, f"наставляемые: {title}", f"03.{index}"))
        cells.append(ReportCell(f"{row}_mentees", row, "mentees", counter=counter))
    origins = [*MENTOR_ORIGINS.items(), ("unknown", "не из банка наставников")]
    for index, (code, title) in enumerate(origins, start=1):
        row = f"o_{code}"
        rows.append(ReportRow(row, f"наставники: {title}", f"04.{index}"))
        cells.append(ReportCell(f"{row}_mentors", row, "mentors", counter=f"mentors_origin_{code}"))
    age_rows = []
    for index, (code, (title, _, _)) in enumerate([*AGE_GROUPS.items(), ("unknown", ("возраст не указан", 0, 0))],
                                                   start=1):
        row = f"a_{code}"
        age_rows.append(row)
        rows.append(ReportRow(row, f"в возрасте {title}" if code != "unknown" else title, f"05.{index}"))
        cells += [ReportCell(f"{row}_{col}", row, col, counter=f"{col}_age_{code}") for col in ("mentors", "mentees")]
    rows.append(ReportRow("a_total", "Итого по возрастным группам (должно совпасть со строкой 01)", "06"))
    for col in ("mentors", "mentees"):
        cells.append(ReportCell(f"a_total_{col}", "a_total", col,
                                formula="sum(" + ", ".join(f"{row}_{col}" for row in age_rows) + ")"))
    return tuple(rows), columns, tuple(cells)


PARTICIPANTS = ReportFormat(
    code="participants_count", title="Сведения о численности участников программ наставничества",
    level="school", layout="grid", cells=_participants_grid, note=NO_FSN,
)

FORMATS = [R145, R145_MUNICIPAL, R145_REGIONAL, PARTICIPANTS, ROLLUP]
