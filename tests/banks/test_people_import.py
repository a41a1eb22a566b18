"""Reading staff and class lists as schools really send them; fixture files are built in memory."""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from nastavnik.banks.people_import import (
    ImportFileError,
    detect_columns,
    natural_key,
    parse_category,
    parse_class,
    parse_date,
    parse_people,
    parse_phones,
    parse_snils,
    parse_years,
    read_table,
    snils_control,
)

TODAY = date(2025, 9, 1)

STAFF_HEADER = [
    "ФИО",
    "Дата рождения",
    "Должность",
    "Преподаваемые предметы",
    "Пед. стаж",
    "Стаж в ОО",
    "Дата приема на работу",
    "Квалификационная категория",
    "Телефон",
    "E-mail",
    "СНИЛС",
    "Табельный номер",
]
GOOD_STAFF = [
    "Иванова Анна Петровна",
    "14.03.1985",
    "Учитель",
    "Математика, информатика",
    "15",
    "7,5",
    "01.09.2018",
    "высшая",
    "8 (912) 345-67-89",
    "ivanova@School30.ru",
    "112-233-445 95",
    "1045",
]
STUDENT_HEADER = [
    "Фамилия",
    "Имя",
    "Отчество",
    "Дата рождения",
    "Класс",
    "Законный представитель (ФИО)",
    "Телефон законного представителя",
]


def staff_row(**changes: str) -> list[str]:
    row = dict(zip(STAFF_HEADER, GOOD_STAFF, strict=True))
    labels = {"name": "ФИО", "birth": "Дата рождения", "position": "Должность", "number": "Табельный номер"}
    for key, value in changes.items():
        row[labels[key]] = value
    return list(row.values())


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]], delimiter: str = ";", encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join(delimiter.join(row) for row in rows).encode(encoding)


def staff_preview(rows: list[list[str]]):
    return parse_people(read_table("staff.csv", csv_bytes(rows)), "staff", TODAY)


# --- reading files -------------------------------------------------------------------------------


def test_xlsx_with_a_title_above_the_header_keeps_file_row_numbers() -> None:
    data = xlsx_bytes(
        [
            ["Список педагогических работников МБОУ «СОШ № 30» на 01.09.2025"],
            [],
            STAFF_HEADER,
            [
                "ИВАНОВА АННА ПЕТРОВНА",
                datetime(1985, 3, 14),
                "Учитель",
                "Математика; информатика / Математика",
                15.0,
                3.5,
                datetime(2018, 9, 1),
                "Высшая категория",
                89123456789,
                "ivanova@school30.ru",
                "11223344595",
                1045,
            ],
            [],
            ["Петров Олег", datetime(1999, 1, 2), "Учитель физики", "Физика", "3 г. 6 мес.", "1 год"],
        ]
    )
    rows = read_table("Кадры.xlsx", data)
    assert [row.number for row in rows] == [1, 3, 4, 6]
    assert rows[2][1] == "14.03.1985"  # a date cell
    assert rows[2][4] == "15"  # whole number without «.0»
    assert rows[2][5] == "3.5"

    preview = parse_people(rows, "staff", TODAY)
    assert preview.ok, preview.messages()
    assert preview.header_row_number == 3
    anna, oleg = preview.rows
    assert anna.row_number == 4 and oleg.row_number == 6
    assert (anna.last_name, anna.first_name, anna.middle_name) == ("Иванова", "Анна", "Петровна")
    assert anna.birth_date == date(1985, 3, 14)
    assert anna.hired_on == date(2018, 9, 1)
    assert anna.subjects == ("Математика", "информатика")
    assert (anna.experience_years, anna.org_experience_years) == (15.0, 3.5)
    assert anna.category == "высшая"
    assert anna.phone == "+7 (912) 345-67-89"
    assert anna.snils == "112-233-445 95"
    assert anna.personnel_number == "1045"
    assert oleg.middle_name == "" and oleg.experience_years == 3.5 and oleg.org_experience_years == 1.0


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "utf-8-sig"), (";", "utf-8"), (";", "cp1251"), ("\t", "utf-8"), (",", "utf-8"), ("\t", "utf-16")],
)
def test_csv_delimiters_and_encodings(delimiter: str, encoding: str) -> None:
    rows = [["Список сотрудников"], STAFF_HEADER, GOOD_STAFF, staff_row(name="Сёмина Алёна", number="1046")]
    if delimiter == ",":
        rows = [[f'"{cell}"' for cell in row] for row in rows]  # commas inside values must be quoted
    preview = parse_people(read_table("staff.csv", csv_bytes(rows, delimiter, encoding)), "staff", TODAY)
    assert preview.ok, preview.messages()
    assert preview.header_row_number == 2
    assert [row.full_name for row in preview.rows] == ["Иванова Анна Петровна", "Сёмина Алёна"]
    assert preview.rows[0].org_experience_years == 7.5  # «7,5» with a decimal comma
    assert preview.rows[0].subjects == ("Математика", "информатика")


def test_cp1251_semicolon_csv_as_russian_excel_saves_it() -> None:
    text = "ФИО;Дата рождения;Должность\r\nЁлкина Мария Ивановна;1.9.1990;Учитель\r\n"
    rows = read_table("кадры.CSV", text.encode("cp1251"))
    assert rows == [["ФИО", "Дата рождения", "Должность"], ["Ёлкина Мария Ивановна", "1.9.1990", "Учитель"]]
    assert parse_people(rows, "staff", TODAY).rows[0].birth_date == date(1990, 9, 1)


def test_empty_rows_are_skipped_and_numbering_row_under_header_ignored() -> None:
    header = ["№ п/п", *STAFF_HEADER[:3], "Примечание"]
    lines = [
        header,
        ["1", "2", "3", "4", "5"],
        ["", ";;"],
        ["1", *GOOD_STAFF[:3]],
        ["2", "", "", "", "уволена"],
        ["3"],
    ]
    rows = read_table("a.csv", csv_bytes(lines))
    assert [row.number for row in rows] == [1, 2, 4, 5, 6]  # line 3 holds nothing but delimiters
    preview = parse_people(rows, "staff", TODAY)
    assert preview.ok and len(preview.rows) == 1
    assert preview.rows[0].row_number == 4


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        (
            "list.xlsx",
            bytes(random.Random(1).randrange(256) for _ in range(2000)),
            "не является книгой Excel",
        ),
        ("list.xlsx", b"\xd0\xcf\x11\xe0" + bytes(600), "старый формат .xls"),
        ("list.csv", b"\x00\x01\x02binary\x00" * 20, "не является текстовой таблицей CSV"),
        ("list.csv", b"\x1b\x02garbage;text\n", "не является текстовой таблицей CSV"),
        ("list.xls", b"anything", "старом формате .xls"),
        ("list.pdf", b"%PDF-1.4", "не поддерживается"),
        ("list", b"x", "не поддерживается"),
        ("list.xlsx", b"", "пустой"),
        ("list.csv", b"  \r\n \n", "пустой"),
        ("list.csv", b";;;\r\n;;\r\n", "нет ни одной заполненной строки"),
    ],
)
def test_unreadable_files_are_refused_in_russian(filename: str, data: bytes, expected: str) -> None:
    with pytest.raises(ImportFileError) as caught:
        read_table(filename, data)
    assert expected in caught.value.message


def test_zip_that_is_not_a_workbook_and_xlsx_named_csv() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    with pytest.raises(ImportFileError, match="повреждён или не является книгой Excel"):
        read_table("list.xlsx", buffer.getvalue())
    with pytest.raises(ImportFileError, match="повреждён или не является книгой Excel"):
        read_table("list.xlsx", _with_broken_sheet(xlsx_bytes([STAFF_HEADER, GOOD_STAFF])))
    with pytest.raises(ImportFileError, match="это книга Excel, а не CSV"):
        read_table("list.csv", xlsx_bytes([STAFF_HEADER]))


def _with_broken_sheet(data: bytes) -> bytes:
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        for item in source.infolist():
            content = source.read(item)
            archive.writestr(
                item, b"<worksheet><sheetData><row>" if item.filename.endswith("sheet1.xml") else content
            )
    return target.getvalue()


def test_empty_workbook() -> None:
    with pytest.raises(ImportFileError, match="нет ни одной заполненной строки"):
        read_table("list.xlsx", xlsx_bytes([]))


def test_row_limit() -> None:
    rows = [STAFF_HEADER[:3]] + [[f"Иванов Иван{i}", "", "Учитель"] for i in range(9)]
    assert len(read_table("a.csv", csv_bytes(rows), max_rows=10)) == 10
    assert len(read_table("a.xlsx", xlsx_bytes(rows), max_rows=10)) == 10
    rows.append(["Петров Пётр", "", "Учитель"])
    with pytest.raises(ImportFileError, match="больше 10 заполненных строк"):
        read_table("a.csv", csv_bytes(rows), max_rows=10)
    with pytest.raises(ImportFileError, match="больше 10 заполненных строк"):
        read_table("a.xlsx", xlsx_bytes(rows), max_rows=10)


# --- columns ---------------------------------------------------------------------------------------


def test_header_synonyms_are_case_space_and_yo_insensitive() -> None:
    columns = detect_columns(
        [
            "№ п/п",
            " ф.и.о. ",
            "ДАТА  РОЖДЕНИЯ (ДД.ММ.ГГГГ)",
            "Педагогический стаж",
            "Дата приёма",
            "Электронная почта",
            "Таб. №",
            "Кв. категория",
            "Примечание",
        ]
    )
    assert columns.columns == {
        "full_name": 1,
        "birth_date": 2,
        "experience_years": 3,
        "hired_on": 4,
        "email": 5,
        "personnel_number": 6,
        "category": 7,
    }
    assert columns.ignored == ["№ п/п", "Примечание"]


def test_wrong_columns_list_found_and_expected_headers() -> None:
    preview = staff_preview([["Дата рождения", "Должность", "Кабинет"], ["01.01.1980", "Учитель", "12"]])
    assert not preview.ok and preview.rows == []
    (message,) = preview.errors
    assert message.startswith(
        "В таблице нет столбца с ФИО. Найдены столбцы: «Дата рождения», «Должность», «Кабинет»."
    )
    assert "Ожидается столбец «ФИО» или столбцы «Фамилия», «Имя», «Отчество»" in message
    with pytest.raises(ImportFileError, match="нет столбца с ФИО"):
        detect_columns(["Фамилия", "Должность"])


def test_no_header_row_at_all() -> None:
    preview = staff_preview([["Сотрудники школы"], ["a", "b"], ["c", "d"]])
    assert preview.errors[0].startswith("Не найдена строка заголовков в первых 10 строках")
    assert "В первой строке файла: «Сотрудники школы»." in preview.errors[0]


def test_required_column_missing_is_a_file_level_error() -> None:
    preview = parse_people([["ФИО", "Дата рождения"], ["Сидоров Павел", "01.02.2012"]], "student", TODAY)
    assert preview.errors == ["Нет обязательного столбца «Класс»."]
    assert preview.rows[0].ok and not preview.ok


def test_three_column_names_for_students() -> None:
    rows = [
        STUDENT_HEADER,
        ["Сидоров", "Павел", "", "05.05.2012", "8 «б» класс", "Сидорова Ольга Ивановна", "+7 900 123-45-67"],
        ["КУЗНЕЦОВА", "дарья", "Олеговна", "2010-11-30", "10A", "", ""],
    ]
    preview = parse_people(read_table("7b.xlsx", xlsx_bytes(rows)), "student", TODAY)
    assert preview.ok, preview.messages()
    pavel, darya = preview.rows
    assert (pavel.full_name, pavel.class_name) == ("Сидоров Павел", "8Б")
    assert pavel.guardian_name == "Сидорова Ольга Ивановна"
    assert pavel.guardian_phone == "+7 (900) 123-45-67"
    assert (darya.full_name, darya.class_name, darya.birth_date) == (
        "Кузнецова Дарья Олеговна",
        "10А",
        date(2010, 11, 30),
    )


# --- values ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5А", "5А"),
        ("10 Б", "10Б"),
        ("11-в", "11В"),
        ("5 «а» класс", "5А"),
        ("5A", "5А"),
        ("1", "1"),
        ("9кл.Ё", "9Е"),
    ],
)
def test_class_names(text: str, expected: str) -> None:
    assert parse_class(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3.0),
        ("3,5", 3.5),
        ("3 г.", 3.0),
        ("3 года 2 мес.", 3.17),
        ("1г.6м.", 1.5),
        ("10 лет", 10.0),
        ("0", 0.0),
    ],
)
def test_experience_years(text: str, expected: float) -> None:
    assert parse_years(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("01.09.2020", date(2020, 9, 1)), ("1.9.2020", date(2020, 9, 1)), ("01.09.2020 г.", date(2020, 9, 1))]
    + [
        ("2020-09-01", date(2020, 9, 1)),
        ("44075", date(2020, 9, 1)),
        ("01.09.2020 0:00:00", date(2020, 9, 1)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ВКК", "высшая"),
        ("1 кв. категория", "первая"),
        ("СЗД", "соответствие занимаемой должности"),
        ("б/к", "без категории"),
    ],
)
def test_categories(text: str, expected: str) -> None:
    assert parse_category(text) == expected


def test_snils_checksum_and_phone_list() -> None:
    assert snils_control("112233445") == 95
    assert snils_control("920000100") == 0  # a sum of exactly 100
    assert snils_control("920000020") == 0  # 101
    assert parse_snils("98765432183") == "987-654-321 83"  # 285 mod 101
    with pytest.raises(ValueError, match="не сходится контрольное число"):
        parse_snils("987-654-321 85")
    assert parse_snils("001 001 998 00") == "001-001-998 00"  # too small to carry a control number
    body = "987654321"
    assert parse_snils(body + f"{snils_control(body):02d}").startswith("987-654-321")
    assert parse_phones("89001234567; 8-912-000-11-22") == "+7 (900) 123-45-67, +7 (912) 000-11-22"


# --- validation ------------------------------------------------------------------------------------


def test_every_message_on_one_bad_staff_row() -> None:
    bad = ["Иванова", "31.02.1990", "", "", "75", "около года", "32.13.2020", "вторая", "12-34", "ivanov@"]
    bad += ["112-233-445 96", ""]
    preview = staff_preview([["Кадровый список"], [], [], [], STAFF_HEADER, GOOD_STAFF, bad])
    row = preview.rows[1]
    assert row.row_number == 7
    assert row.errors == {
        "full_name": "указано только «Иванова» — нужны как минимум фамилия и имя",
        "birth_date": "такой даты нет: «31.02.1990» — проверьте день и месяц",
        "experience_years": "стаж «75» вне допустимого диапазона — ожидается от 0 до 60 лет",
        "org_experience_years": (
            "не удалось распознать стаж «около года» — ожидается число лет, например «3», «3,5» или «3 г. 2 мес.»"
        ),
        "hired_on": "такой даты нет: «32.13.2020» — проверьте день и месяц",
        "category": (
            "неизвестная квалификационная категория «вторая» — ожидается: высшая, первая, "
            "соответствие занимаемой должности, без категории"
        ),
        "phone": "неверный номер телефона «12-34» — ожидается 11 цифр, например +7 900 123-45-67",
        "email": "неверный адрес электронной почты «ivanov@» — ожидается вида name@example.ru",
        "snils": "неверный СНИЛС «112-233-445 96» — не сходится контрольное число",
        "position": "не заполнено",
    }
    assert (
        "Строка 7, «Дата рождения»: такой даты нет: «31.02.1990» — проверьте день и месяц"
        in preview.messages()
    )
    assert "Строка 7, «Должность»: не заполнено" in preview.messages()
    assert preview.rows[0].ok and not preview.ok and preview.error_count == 10


def test_more_staff_messages() -> None:
    preview = staff_preview(
        [
            STAFF_HEADER,
            staff_row(name="Петров 2 Иван", birth="01.01.1930", number="1"),
            staff_row(name="Юнов Олег", birth="01.01.2010", number="2"),
            staff_row(name="Будущев Олег", birth="01.01.2030", number="3"),
            ["Ранний Иван", "01.01.2000", "Учитель", "", "-1", "", "01.01.1999", "", "", "", "123", "4"],
        ]
    )
    errors = [row.errors for row in preview.rows]
    assert errors[0]["full_name"] == "ФИО не должно содержать цифр: «Петров 2 Иван»"
    assert errors[1]["birth_date"] == (
        "неправдоподобная дата рождения «01.01.2010»: на 01.09.2025 это 15 лет, "
        "а для сотрудника ожидается от 18 до 80 лет"
    )
    assert errors[2]["birth_date"] == "дата рождения «01.01.2030» ещё не наступила"
    assert errors[3] == {
        "experience_years": "стаж «-1» вне допустимого диапазона — ожидается от 0 до 60 лет",
        "snils": "неверный СНИЛС «123» — должно быть 11 цифр, например 112-233-445 95",
        "hired_on": "дата приёма раньше даты рождения",
    }


def test_student_messages() -> None:
    rows = [
        STUDENT_HEADER,
        ["Сидоров", "Павел", "", "05.05.2022", "1А", "", ""],
        ["Сидоров", "", "", "05.05.2012", "", "", "123"],
        ["Петров", "Олег", "", "05.05.2000", "13А", "", ""],
    ]
    preview = parse_people(rows, "student", TODAY)
    assert preview.rows[0].errors == {
        "birth_date": (
            "неправдоподобная дата рождения «05.05.2022»: на 01.09.2025 это 3 года, "
            "а для обучающегося ожидается от 5 до 20 лет"
        )
    }
    assert preview.rows[1].errors == {
        "first_name": "не заполнено",
        "class_name": "не заполнено",
        "guardian_phone": "неверный номер телефона «123» — ожидается 11 цифр, например +7 900 123-45-67",
    }
    assert set(preview.rows[2].errors) == {"birth_date", "class_name"}
    assert preview.rows[2].errors["class_name"].startswith("неверный класс «13А»")
    assert "Строка 3, «Имя»: не заполнено" in preview.messages()


def test_two_bad_rows_among_good_ones() -> None:
    names = ["Учителева Мария", "Петрова Ольга", "Сидорова Нина", "Кузнецова Вера", "Орлова Ирина"]
    rows = [STAFF_HEADER] + [staff_row(name=name, number=str(n)) for n, name in enumerate(names)]
    rows[2] = staff_row(name=names[1], birth="30.02.1990", number="1")  # line 3 of the file
    rows[5] = staff_row(name=names[4], position="", number="4")  # line 6
    preview = staff_preview(rows)
    assert not preview.ok
    assert preview.errors == []
    assert preview.error_count == 2
    assert [(row.row_number, list(row.errors)) for row in preview.bad_rows] == [
        (3, ["birth_date"]),
        (6, ["position"]),
    ]
    assert [row.row_number for row in preview.rows if row.ok] == [2, 4, 5]


def test_duplicates_are_flagged_on_the_later_row() -> None:
    preview = staff_preview(
        [
            STAFF_HEADER,
            staff_row(name="Сёмина Алёна Петровна", number=""),
            staff_row(name="Смирнов Иван", number="77"),
            staff_row(name="СЕМИНА  АЛЕНА ПЕТРОВНА", number=""),
            staff_row(name="Сёмина Алёна Петровна", birth="01.01.1980", number=""),
            staff_row(name="Смирнов Пётр", number="77"),
        ]
    )
    errors = {row.row_number: row.errors for row in preview.rows}
    assert errors[4] == {"full_name": "строка дублирует строку 2"}
    assert errors[5] == {}  # same name, other birth date: a namesake
    assert errors[6] == {"personnel_number": "табельный номер «77» уже указан в строке 3"}
    assert errors[2] == errors[3] == {}


# --- natural key ----------------------------------------------------------------------------------


def test_natural_key_is_stable_across_reads() -> None:
    rows = [STAFF_HEADER, GOOD_STAFF, staff_row(name="Сёмина Алёна", number="")]
    data = xlsx_bytes(rows)
    first = parse_people(read_table("a.xlsx", data), "staff", TODAY)
    second = parse_people(read_table("a.xlsx", data), "staff", TODAY)
    assert [natural_key(row) for row in first.rows] == [natural_key(row) for row in second.rows]
    assert natural_key(first.rows[0]) == ("tab", "1045")
    assert natural_key(first.rows[1]) == ("fio", "семина алена", "1985-03-14")

    # The same people typed differently (case, ё, a CSV instead of a workbook) match too.
    retyped = [STAFF_HEADER, GOOD_STAFF, staff_row(name="СЕМИНА  Алена", number="")]
    third = parse_people(read_table("b.csv", csv_bytes(retyped, encoding="cp1251")), "staff", TODAY)
    assert [natural_key(row) for row in third.rows] == [natural_key(row) for row in first.rows]


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        parse_people([], "teacher", TODAY)  # type: ignore[arg-type]


def test_random_bytes_named_csv_never_crash() -> None:
    for seed in range(20):
        data = bytes(random.Random(seed).randrange(0 if seed % 2 else 32, 256) for _ in range(300))
        try:
            parse_people(read_table("x.csv", data), "staff", TODAY)
        except ImportFileError:
            pass
