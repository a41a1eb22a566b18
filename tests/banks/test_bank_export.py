"""The Р-145 bank exports, read back with openpyxl."""

from __future__ import annotations

import io
import math
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from nastavnik.banks.bank_export import (
    MENTEE_COLUMNS,
    MENTEE_SHEET,
    MENTOR_COLUMNS,
    MENTOR_SHEET,
    BankHeader,
    MenteeBankRow,
    MentorBankRow,
    export_mentee_bank,
    export_mentor_bank,
)

HEADER: BankHeader = {
    "organisation": "МБОУ «СОШ № 30» г. Пензы",
    "academic_year": "2025/2026",
    "as_of": date(2025, 10, 1),
}


def mentee(**changes) -> MenteeBankRow:
    values = {
        "full_name": "Сидоров Павел",
        "has_consent": True,
        "contacts": "Сидорова Ольга Ивановна, +7 (900) 123-45-67",
        "request": "Подтянуть математику к ОГЭ",
        "entered_on": date(2025, 9, 15),
        "mentor_name": "Кузнецова Дарья Олеговна",
        "mentor_workplace": "МБОУ «СОШ № 30», 10А класс",
        "form": "ученик – ученик",
        "place": "МБОУ «СОШ № 30»",
        "case_url": "https://school30.ru/nastavnichestvo/keys-1",
    }
    return MenteeBankRow(**{**values, **changes})


def mentor(**changes) -> MentorBankRow:
    values = {
        "full_name": "Иванова Анна Петровна",
        "has_consent": True,
        "contacts": "+7 (912) 345-67-89",
        "workplace": "МБОУ «СОШ № 30», учитель математики",
        "competences": ["Подготовка к ОГЭ", "Проектная деятельность"],
        "desired_mentee_age": "14–16 лет",
        "terms": "сентябрь–май",
        "mentee_names": ["Сидоров Павел", "Петров Олег"],
    }
    return MentorBankRow(**{**values, **changes})


def open_sheet(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    return workbook, workbook.worksheets[0]


def test_mentee_bank_layout() -> None:
    data = export_mentee_bank(
        [mentee(), mentee(full_name="Петров Олег", entered_on=None, case_url="")], HEADER
    )
    workbook, sheet = open_sheet(data)
    assert workbook.sheetnames == [MENTEE_SHEET] == ["База наставляемых"]
    assert sheet["A1"].value == "База наставляемых"
    assert sheet["A1"].font.b
    assert sheet["A2"].value == "МБОУ «СОШ № 30» г. Пензы"
    assert sheet["A3"].value == "2025/2026 учебный год, по состоянию на 01.10.2025"
    assert [cell.value for cell in sheet[5]] == [
        "№ п/п",
        "ФИО",
        "Контакты (или контакты законных представителей)",
        "Запрос",
        "Дата вхождения в программу",
        "ФИО наставника",
        "Место работы/учёбы наставника",
        "Форма наставничества",
        "Место реализации",
        "Дата завершения",
        "Результаты",
        "Ссылка на кейс/отзыв на сайте организации",
    ]
    assert all(cell.font.b and cell.alignment.wrap_text for cell in sheet[5])
    assert [sheet["A6"].value, sheet["B6"].value, sheet["A7"].value, sheet["B7"].value] == [
        1,
        "Сидоров Павел",
        2,
        "Петров Олег",
    ]
    entered = sheet["E6"]
    assert entered.value == datetime(2025, 9, 15)
    assert entered.number_format == "dd.mm.yyyy"
    assert sheet["E7"].value is None
    assert sheet["L6"].hyperlink.target == "https://school30.ru/nastavnichestvo/keys-1"
    assert sheet.freeze_panes == "C6"
    assert sheet.column_dimensions["B"].width > 20


def test_print_setup() -> None:
    workbook, sheet = open_sheet(export_mentee_bank([mentee()], HEADER))
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1)  # 1 is Excel's default, so xlsxwriter omits it
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$5:$5"


def test_mentor_bank_layout_and_lists() -> None:
    workbook, sheet = open_sheet(export_mentor_bank([mentor()], HEADER))
    assert workbook.sheetnames == [MENTOR_SHEET] == ["База наставников"]
    assert sheet["A1"].value == "База наставников"
    assert [cell.value for cell in sheet[5]][1:] == [
        "ФИО",
        "Контакты",
        "Место работы/учёбы",
        "Основные компетенции",
        "Важные для программы достижения",
        "Интересы",
        "Желаемый возраст наставляемых",
        "Время/ресурс и место встреч",
        "Форма наставничества",
        "Место реализации",
        "Сроки",
        "ФИО наставляемых",
        "Ссылка на кейс/отзыв, фото",
    ]
    assert sheet["E6"].value == "Подготовка к ОГЭ\nПроектная деятельность"
    assert sheet["M6"].value == "Сидоров Павел\nПетров Олег"
    assert sheet["H6"].value == "14–16 лет"


def test_text_that_looks_like_a_formula_stays_text() -> None:
    workbook, sheet = open_sheet(
        export_mentee_bank([mentee(request='=HYPERLINK("http://evil","x")')], HEADER)
    )
    assert sheet["D6"].data_type == "s"
    assert sheet["D6"].value == '=HYPERLINK("http://evil","x")'


def test_empty_bank_is_still_a_workbook() -> None:
    workbook, sheet = open_sheet(export_mentor_bank([], HEADER))
    assert sheet["B5"].value == "ФИО" and sheet.max_row == 5


@pytest.mark.parametrize(
    ("export", "row"),
    [(export_mentee_bank, mentee(has_consent=False)), (export_mentor_bank, mentor(has_consent=False))],
)
def test_rows_without_consent_are_refused(export, row) -> None:
    good = mentee() if export is export_mentee_bank else mentor()
    with pytest.raises(ValueError, match="Запись 2 .* нет согласия на обработку персональных данных"):
        export([good, row], HEADER)


def test_consent_must_be_stated() -> None:
    with pytest.raises(TypeError):
        MenteeBankRow(full_name="Сидоров Павел")  # type: ignore[call-arg]


def test_incomplete_header_is_refused() -> None:
    with pytest.raises(ValueError, match="as_of"):
        export_mentee_bank([mentee()], {"organisation": "Школа", "academic_year": "2025/2026"})  # type: ignore[typeddict-item]


def _estimate(columns, row) -> float:
    """The row height as first estimated: each text cell's wrapped lines, the tallest cell wins."""
    lines = 1
    for column in columns:
        value = column.value(row)
        if column.kind != "text" or not value:
            continue
        per_line = max(int(column.width * 1.1), 1)
        lines = max(lines, sum(max(math.ceil(len(part) / per_line), 1) for part in str(value).split("\n")))
    return lines * 15 + 3


def test_row_heights_are_the_estimate_of_the_longest_text() -> None:
    """The estimate skips what fits on one line; every height in the file is still the full estimate's."""
    texts = ["", "а" * 37, "а" * 38, "а" * 74, "а" * 75, "слово " * 40, "\n", "a\n\nb", "x" * 40 + "\n" + "y" * 80]
    mentees = [MenteeBankRow(full_name="Ф", has_consent=True, request=text) for text in texts] + [
        mentee(full_name="Ф" * 33), mentee(contacts="+7 900\nпочта"), mentee(results=10**40), mentee(form=None)]
    mentors = [mentor(competences=["к" * 33, "", "\n"]), mentor(mentee_names=[]), mentor(terms="т" * 18),
               mentor(achievements="д" * 100), MentorBankRow(full_name="Ф", has_consent=True, interests="и" * 25)]
    for export, columns, rows in ((export_mentee_bank, MENTEE_COLUMNS, mentees),
                                  (export_mentor_bank, MENTOR_COLUMNS, mentors)):
        _, sheet = open_sheet(export(rows, HEADER))
        heights = [sheet.row_dimensions[6 + n].height for n in range(len(rows))]
        assert heights == [_estimate(columns, row) for row in rows]
        assert len(set(heights)) > 2  # short and long rows alike: the test compares something
