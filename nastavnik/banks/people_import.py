"""Import of staff lists and class lists into the banks (кадровый список, списки классов).

Pure Python: the web layer passes the uploaded file's name and bytes and shows the preview.

    rows = read_table(filename, data)              # ImportFileError: the file cannot be read at all
    preview = parse_people(rows, "staff", today)   # per-row errors, nothing raises for bad data
    if preview.ok: ...                             # save, matching existing people by natural_key(row)

Files come as schools really have them: .xlsx exported from 1С or typed by hand, or .csv saved by
Russian Excel (cp1251, «;»), a title line above the header, columns named in a dozen ways.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from pathlib import PurePath
from typing import Literal

from nastavnik.web.forms import FieldCheck
from nastavnik.web.uploads import DamagedFile, UploadReader, UploadRejected, current_limits
from nastavnik.web.words import plural

Kind = Literal["staff", "student"]

HEADER_SCAN_ROWS = 10
SNIFF_CHARS = 4096

STAFF_AGE = (18, 80)
STUDENT_AGE = (5, 20)
MAX_EXPERIENCE_YEARS = 60

CATEGORIES = ("высшая", "первая", "соответствие занимаемой должности", "без категории")


class ImportFileError(Exception):
    """The file as a whole cannot be used; `message` is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TableRow(list[str]):
    """A row of cell texts that remembers its 1-based row number in the file.

    read_table() skips empty rows, so the position in the returned list is not the line the user sees
    in Excel; messages must quote the real one.
    """

    def __init__(self, cells: Sequence[str], number: int) -> None:
        super().__init__(cells)
        self.number = number


# ---------------------------------------------------------------------------------------------
# Reading files


def read_table(filename: str, data: bytes, max_rows: int | None = None) -> list[list[str]]:
    """Cell texts of the first non-empty sheet (.xlsx) or of a .csv, empty rows skipped.

    The rows are TableRow instances (their `.number` is the line in the file). Dates come as
    ДД.ММ.ГГГГ, whole numbers without «.0». Reading is bounded (nastavnik.web.uploads): past a bound,
    or for a file that is not what its name says, ImportFileError with the message to show.
    """
    name = PurePath(filename).name or "без имени"
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xls":
        raise ImportFileError(
            f"Файл «{name}» в старом формате .xls. Откройте его в Excel и сохраните как «Книга Excel (.xlsx)» "
            "или «CSV (разделители — точка с запятой)»."
        )
    if suffix not in (".xlsx", ".csv"):
        raise ImportFileError(f"Файл «{name}» не поддерживается: загрузите таблицу .xlsx или .csv.")
    if not data.strip():
        raise ImportFileError(f"Файл «{name}» пустой.")
    limits = current_limits()
    if max_rows is not None:
        limits = replace(limits, rows=max_rows)
    reader = UploadReader(name, limits)
    try:
        rows = _read_xlsx(reader, data) if suffix == ".xlsx" else _read_csv(reader, data)
    except UploadRejected as exc:
        raise ImportFileError(exc.message) from exc
    if not rows:
        raise ImportFileError(f"В файле «{name}» нет ни одной заполненной строки.")
    return rows


def _read_xlsx(reader: UploadReader, data: bytes) -> list[list[str]]:
    name = reader.name
    if data[:4] == b"\xd0\xcf\x11\xe0":  # OLE2: an old .xls (or an encrypted .xlsx) renamed
        raise ImportFileError(
            f"Файл «{name}» — не книга .xlsx (похоже на старый формат .xls или файл с паролем). "
            "Сохраните его в Excel как «Книга Excel (.xlsx)» без пароля."
        )
    if data[:4] != b"PK\x03\x04":
        raise ImportFileError(
            f"Файл «{name}» не является книгой Excel (.xlsx): содержимое не похоже на таблицу."
        )
    try:
        with reader.xlsx(data) as workbook:
            return _workbook_rows(reader, workbook)
    except DamagedFile as exc:
        raise ImportFileError(f"Файл «{name}» повреждён или не является книгой Excel (.xlsx).") from exc
    except (ImportFileError, UploadRejected):
        raise
    except Exception as exc:  # read-only sheets parse lazily: any failure inside means a damaged file
        raise ImportFileError(f"Файл «{name}» повреждён или не является книгой Excel (.xlsx).") from exc


def _workbook_rows(reader: UploadReader, workbook) -> list[list[str]]:
    # The sheet the file opens on first, then the others: HR exports sometimes start with a blank one.
    active = workbook.active
    for sheet in [active, *(sheet for sheet in workbook.worksheets if sheet is not active)]:
        if sheet is None or not hasattr(sheet, "iter_rows"):  # no active sheet, or a chart sheet
            continue
        rows = [
            TableRow(cells, number)
            for number, values in reader.sheet_rows(sheet)
            if (cells := _trim([_cell_text(value) for value in values]))
        ]
        if rows:
            return rows
    return []


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):  # datetime included
        return value.strftime("%d.%m.%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _clean(str(value))


def _clean(text: str) -> str:
    return text.replace("\xa0", " ").strip()


def _trim(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _read_csv(reader: UploadReader, data: bytes) -> list[list[str]]:
    name = reader.name
    if data[:4] == b"PK\x03\x04":
        raise ImportFileError(
            f"Файл «{name}» — это книга Excel, а не CSV. Загрузите его с расширением .xlsx."
        )
    text = _decode(name, data)
    delimiter = _sniff_delimiter(text)
    return [
        TableRow(cleaned, number)
        for number, cells in reader.csv_rows(text, delimiter)
        if (cleaned := _trim([_clean(cell) for cell in cells]))
    ]


def _decode(name: str, data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's «Текст Юникод»
        text = data.decode("utf-16")
    elif b"\x00" in data:
        raise ImportFileError(f"Файл «{name}» не является текстовой таблицей CSV.")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1251")  # what Russian Excel writes for «CSV (разделители — ;)»
            except UnicodeDecodeError as exc:
                raise ImportFileError(
                    f"Не удалось прочитать файл «{name}»: неизвестная кодировка (ожидается UTF-8 или Windows-1251)."
                ) from exc
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        raise ImportFileError(f"Файл «{name}» не является текстовой таблицей CSV.")
    return text


def _sniff_delimiter(text: str) -> str:
    """The delimiter giving the most lines with the same (>1) number of fields.

    csv.Sniffer is thrown off by decimal commas («3,5») in «;» files and by a title line.
    """
    # Only the lines' beginnings: a cell past csv's field limit must reach UploadReader's message.
    sample = [line[:SNIFF_CHARS] for line in text.splitlines()[:30] if line.strip()]
    best, best_score = ";", (0, 0)
    for delimiter in (";", "\t", ","):
        try:
            widths = [len(cells) for cells in csv.reader(sample, delimiter=delimiter)]
        except csv.Error:
            continue
        wide = [width for width in widths if width > 1]
        if not wide:
            continue
        mode = max(set(wide), key=wide.count)
        score = (wide.count(mode), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


# ---------------------------------------------------------------------------------------------
# Header recognition

FIELD_LABELS: dict[str, str] = {
    "full_name": "ФИО",
    "last_name": "Фамилия",
    "first_name": "Имя",
    "middle_name": "Отчество",
    "birth_date": "Дата рождения",
    "position": "Должность",
    "subjects": "Предметы",
    "experience_years": "Пед. стаж",
    "org_experience_years": "Стаж в ОО",
    "hired_on": "Дата приёма",
    "category": "Квалификационная категория",
    "class_name": "Класс",
    "phone": "Телефон",
    "email": "E-mail",
    "snils": "СНИЛС",
    "personnel_number": "Табельный номер",
    "guardian_name": "Законный представитель (ФИО)",
    "guardian_phone": "Телефон законного представителя",
}

# Compared after _norm_header(): lower case, ё→е, punctuation to spaces, «№» to «номер».
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "full_name": (
        "фио",
        "ф и о",
        "фамилия имя отчество",
        "фамилия имя отчество полностью",
        "фио полностью",
        "фио сотрудника",
        "фио работника",
        "фио педагога",
        "фио педагогического работника",
        "фио обучающегося",
        "фио учащегося",
        "фио ученика",
        "сотрудник",
        "работник",
        "обучающийся",
        "учащийся",
        "ученик",
    ),
    "last_name": ("фамилия",),
    "first_name": ("имя",),
    "middle_name": ("отчество", "отчество при наличии"),
    "birth_date": ("дата рождения", "дата рожд", "д р", "др", "день рождения"),
    "position": (
        "должность",
        "занимаемая должность",
        "должность по штатному расписанию",
        "основная должность",
    ),
    "subjects": (
        "предмет",
        "предметы",
        "преподаваемый предмет",
        "преподаваемые предметы",
        "учебный предмет",
        "учебные предметы",
        "преподаваемые дисциплины",
        "дисциплины",
    ),
    "experience_years": (
        "пед стаж",
        "педстаж",
        "педагогический стаж",
        "стаж педагогической работы",
        "стаж пед работы",
        "общий педагогический стаж",
        "стаж работы по специальности",
    ),
    "org_experience_years": (
        "стаж в оо",
        "стаж в данной оо",
        "стаж работы в оо",
        "стаж в организации",
        "стаж в данной организации",
        "стаж в учреждении",
        "стаж в данном учреждении",
        "стаж в школе",
        "стаж работы в школе",
    ),
    "hired_on": (
        "дата приема",
        "дата приема на работу",
        "дата поступления на работу",
        "дата трудоустройства",
        "принят",
        "принят на работу",
    ),
    "category": (
        "квалификационная категория",
        "категория",
        "кв категория",
        "квалиф категория",
        "квалификация",
    ),
    "class_name": ("класс", "класс группа", "класс литера", "класс буква"),
    "phone": (
        "телефон",
        "тел",
        "контактный телефон",
        "мобильный телефон",
        "номер телефона",
        "телефон мобильный",
    ),
    "email": (
        "e mail",
        "email",
        "е mail",
        "эл почта",
        "электронная почта",
        "адрес электронной почты",
        "e mail адрес",
        "почта",
    ),
    "snils": ("снилс", "номер снилс", "страховой номер"),
    "personnel_number": ("табельный номер", "таб номер", "табельный"),
    "guardian_name": (
        "законный представитель",
        "законный представитель фио",
        "фио законного представителя",
        "родитель",
        "родитель законный представитель",
        "фио родителя",
        "фио родителя законного представителя",
    ),
    "guardian_phone": (
        "телефон законного представителя",
        "законный представитель телефон",
        "телефон представителя",
        "телефон родителя",
        "телефон родителя законного представителя",
        "контактный телефон родителя",
    ),
}

_SYNONYM_TO_FIELD = {synonym: name for name, synonyms in HEADER_SYNONYMS.items() for synonym in synonyms}


def _norm_header(text: str) -> str:
    text = text.lower().replace("ё", "е").replace("№", " номер ")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def match_header(text: str) -> str | None:
    """The field a header cell stands for, or None. «Дата рождения (ДД.ММ.ГГГГ)» matches too."""
    field_name = _SYNONYM_TO_FIELD.get(_norm_header(text))
    if field_name is None and "(" in text:
        field_name = _SYNONYM_TO_FIELD.get(_norm_header(re.sub(r"\(.*?\)", " ", text)))
    return field_name


@dataclass
class ColumnMap:
    """Which column (0-based) holds which field; `ignored` lists headers nobody reads."""

    columns: dict[str, int]
    headers: list[str]
    ignored: list[str] = field(default_factory=list)

    @property
    def split_names(self) -> bool:
        """Фамилия/Имя/Отчество in separate columns (preferred when both layouts are present)."""
        return "last_name" in self.columns and "first_name" in self.columns

    def has(self, field_name: str) -> bool:
        return field_name in self.columns

    def value(self, row: Sequence[str], field_name: str) -> str:
        index = self.columns.get(field_name)
        if index is None or index >= len(row):
            return ""
        return row[index]


def detect_columns(header_row: Sequence[str]) -> ColumnMap:
    """Map a header row to fields; ImportFileError when there is no way to get a person's name."""
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, text in enumerate(header_row):
        field_name = match_header(text) if text else None
        if field_name is None or field_name in columns:  # a repeated column: the first one wins
            if text:
                ignored.append(text)
            continue
        columns[field_name] = index
    column_map = ColumnMap(columns=columns, headers=list(header_row), ignored=ignored)
    if not (column_map.has("full_name") or column_map.split_names):
        raise ImportFileError(_missing_name_message(header_row))
    return column_map


def _quoted(texts: Sequence[str]) -> str:
    return ", ".join(f"«{text}»" for text in texts)


def _missing_name_message(header_row: Sequence[str]) -> str:
    found = [text for text in header_row if text]
    others = [
        label for key, label in FIELD_LABELS.items() if key not in ("full_name", "last_name", "first_name")
    ]
    return (
        "В таблице нет столбца с ФИО. "
        f"Найдены столбцы: {_quoted(found) if found else 'нет'}. "
        "Ожидается столбец «ФИО» или столбцы «Фамилия», «Имя», «Отчество»; "
        f"также распознаются: {_quoted(others)}."
    )


def find_header_row(rows: Sequence[Sequence[str]]) -> int | None:
    """Index of the first of the first HEADER_SCAN_ROWS rows naming at least two known columns."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if len({match_header(text) for text in row if text} - {None}) >= 2:
            return index
    return None


# ---------------------------------------------------------------------------------------------
# Values


class FieldError(ValueError):
    """A cell value is wrong; the message (Russian, lower-case start) goes after «Строка N, «Поле»: »."""


_DATE_RU = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(text: str) -> date:
    """ДД.ММ.ГГГГ (also «1.9.2020», «01.09.2020 г.», «01.09.2020 0:00:00», ISO, an Excel day number)."""
    cleaned = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2})?$", "", text.strip())
    cleaned = re.sub(r"\s*г\.?$", "", cleaned)
    if match := _DATE_RU.fullmatch(cleaned):
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:  # the format is right, the calendar says no: say so, not «expected ДД.ММ.ГГГГ»
            raise FieldError(f"такой даты нет: «{text}» — проверьте день и месяц") from None
    try:
        if match := _DATE_ISO.fullmatch(cleaned):
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)
        if re.fullmatch(r"\d{5}", cleaned):  # a date cell formatted as «Общий» shows its day number
            return _EXCEL_EPOCH + timedelta(days=int(cleaned))
    except ValueError:
        pass
    raise FieldError(f"неверная дата «{text}» — ожидается ДД.ММ.ГГГГ")


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def check_birth_date(birth: date, kind: Kind, today: date) -> None:
    low, high = STAFF_AGE if kind == "staff" else STUDENT_AGE
    who = "сотрудника" if kind == "staff" else "обучающегося"
    shown = birth.strftime("%d.%m.%Y")
    if birth > today:
        raise FieldError(f"дата рождения «{shown}» ещё не наступила")
    age = age_on(birth, today)
    if not low <= age <= high:
        raise FieldError(
            f"неправдоподобная дата рождения «{shown}»: на {today:%d.%m.%Y} это {plural(age, 'год', 'года', 'лет')}, "
            f"а для {who} ожидается от {low} до {plural(high, 'года', 'лет', 'лет')}"
        )


_UNIT = re.compile(r"(\d+(?:\.\d+)?)\s*([a-zа-я]+)\.?")


def parse_years(text: str) -> float:
    """Стаж in years: «3», «3,5», «3 г.», «3 года 2 мес.», «1г.6м.», «10 лет 3 мес. 12 дн.»."""
    cleaned = text.strip().lower().replace(",", ".")
    if re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        years = float(cleaned)
    else:
        years = _years_from_units(text, cleaned)
    if not 0 <= years <= MAX_EXPERIENCE_YEARS:
        raise FieldError(
            f"стаж «{text}» вне допустимого диапазона — ожидается от 0 до {MAX_EXPERIENCE_YEARS} лет"
        )
    return round(years, 2)


def _years_from_units(text: str, cleaned: str) -> float:
    per_unit = {"г": 1.0, "л": 1.0, "м": 1 / 12, "д": 1 / 365}
    years = 0.0
    found = _UNIT.findall(cleaned)
    leftover = _UNIT.sub("", cleaned).strip(" .")
    if not found or leftover or any(unit[0] not in per_unit for _, unit in found):
        raise FieldError(
            f"не удалось распознать стаж «{text}» — ожидается число лет, например «3», «3,5» или «3 г. 2 мес.»"
        )
    for amount, unit in found:
        years += float(amount) * per_unit[unit[0]]
    return years


_CATEGORY_SYNONYMS = {
    "высшая": ("высшая", "высшая категория", "высшая квалификационная категория", "высшая кк", "вкк"),
    "первая": (
        "первая",
        "первая категория",
        "первая квалификационная категория",
        "1",
        "i",
        "1 категория",
        "1 кв категория",
        "первая кк",
        "1 кк",
    ),
    "соответствие занимаемой должности": (
        "соответствие занимаемой должности",
        "соответствие",
        "сзд",
        "соотв занимаемой должности",
        "соответствует занимаемой должности",
        "на соответствие занимаемой должности",
    ),
    "без категории": ("без категории", "нет", "не имеет", "б к", "бк", "нет категории"),
}
_CATEGORY_LOOKUP = {_norm_header(s): name for name, synonyms in _CATEGORY_SYNONYMS.items() for s in synonyms}


def parse_category(text: str) -> str:
    category = _CATEGORY_LOOKUP.get(_norm_header(text))
    if category is None:
        raise FieldError(
            f"неизвестная квалификационная категория «{text}» — ожидается: {', '.join(CATEGORIES)}"
        )
    return category


# Latin letters typed instead of Cyrillic look the same in a class name («5A»).
_LATIN_TO_CYRILLIC = str.maketrans("ABCEHKMOPTXYabcehkmoptxy", "АВСЕНКМОРТХУАВСЕНКМОРТХУ")
_CLASS = re.compile(
    r"(\d{1,2})\s*(?:кл\.?|класс)?\s*[-–—]?\s*[\"«„“']?\s*([а-яё])?\s*[\"»“”']?\s*(?:кл\.?|класс)?",
    re.IGNORECASE,
)


def parse_class(text: str) -> str:
    """«5А», «10 Б», «11-в», «5 «А» класс», «5A» (латиница) → «10Б»; a lone number («5») is a class too."""
    match = _CLASS.fullmatch(text.strip().translate(_LATIN_TO_CYRILLIC))
    if match and 1 <= int(match.group(1)) <= 11:
        letter = (match.group(2) or "").upper().replace("Ё", "Е")
        return f"{int(match.group(1))}{letter}"
    raise FieldError(
        f"неверный класс «{text}» — ожидается номер от 1 до 11 и буква, например «5А» или «10 Б»"
    )


def parse_phones(text: str) -> str:
    """One or several numbers («;» or «,» between them) in the +7 (XXX) XXX-XX-XX form."""
    return ", ".join(_parse_phone(part.strip(), text) for part in re.split(r"[;,]", text) if part.strip())


def _parse_phone(part: str, text: str) -> str:
    digits = re.sub(r"\D", "", part)
    if len(digits) == 10:
        digits = "7" + digits
    if len(digits) != 11 or digits[0] not in "78":
        raise FieldError(f"неверный номер телефона «{text}» — ожидается 11 цифр, например +7 900 123-45-67")
    return f"+7 ({digits[1:4]}) {digits[4:7]}-{digits[7:9]}-{digits[9:]}"


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}")


def parse_email(text: str) -> str:
    email = text.strip()
    if not _EMAIL.fullmatch(email):
        raise FieldError(f"неверный адрес электронной почты «{text}» — ожидается вида name@example.ru")
    local, domain = email.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def parse_snils(text: str) -> str:
    """СНИЛС as XXX-XXX-XXX YY, the control number checked (numbers up to 001-001-998 have none)."""
    digits = re.sub(r"[\s-]", "", text)
    if not re.fullmatch(r"\d{11}", digits):
        raise FieldError(f"неверный СНИЛС «{text}» — должно быть 11 цифр, например 112-233-445 95")
    body, control = digits[:9], int(digits[9:])
    if int(body) > 1001998 and snils_control(body) != control:
        raise FieldError(f"неверный СНИЛС «{text}» — не сходится контрольное число")
    return f"{body[:3]}-{body[3:6]}-{body[6:]} {digits[9:]}"


def snils_control(body: str) -> int:
    total = sum(int(digit) * weight for digit, weight in zip(body, range(9, 0, -1), strict=True))
    return total % 101 % 100


def parse_subjects(text: str) -> tuple[str, ...]:
    subjects: list[str] = []
    for part in re.split(r"[,;/\n]", text):
        subject = " ".join(part.split())
        if subject and subject.lower() not in (s.lower() for s in subjects):
            subjects.append(subject)
    return tuple(subjects)


_NAME_PARTICLES = {"оглы", "кызы", "улы", "уулу"}


def normalise_name_word(word: str) -> str:
    """«ИВАНОВА» and «иванова» → «Иванова»; mixed case («МакКензи») is left as typed."""
    if word.lower() in _NAME_PARTICLES:
        return word.lower()
    if word.isupper() or word.islower():
        return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))
    return word


def _name_words(text: str) -> list[str]:
    return [normalise_name_word(word) for word in text.split()]


def _check_name_text(text: str) -> None:
    if re.search(r"\d", text):
        raise FieldError(f"ФИО не должно содержать цифр: «{text}»")


def split_full_name(text: str) -> tuple[str, str, str]:
    """«Иванова Анна Петровна» → parts; «Алиев Рашид Мамед оглы»: the rest goes to the patronymic."""
    _check_name_text(text)
    words = _name_words(text)
    if len(words) < 2:
        raise FieldError(f"указано только «{text.strip()}» — нужны как минимум фамилия и имя")
    return words[0], words[1], " ".join(words[2:])


# ---------------------------------------------------------------------------------------------
# Rows


@dataclass
class PersonRow:
    """One person as read from the file, normalised; `errors` maps a field to its Russian message."""

    row_number: int
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    birth_date: date | None = None
    position: str = ""
    subjects: tuple[str, ...] = ()
    experience_years: float | None = None
    org_experience_years: float | None = None
    hired_on: date | None = None
    category: str = ""  # one of CATEGORIES or ""
    class_name: str = ""  # «10Б»
    phone: str = ""
    email: str = ""
    snils: str = ""  # «112-233-445 95»
    personnel_number: str = ""
    guardian_name: str = ""
    guardian_phone: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)  # cell texts by field, to redisplay in the preview

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)

    @property
    def ok(self) -> bool:
        return not self.errors

    def messages(self) -> list[str]:
        """«Строка 7, «Дата рождения»: неверная дата «31.02.1990» — ожидается ДД.ММ.ГГГГ»."""
        return [
            f"Строка {self.row_number}, «{FIELD_LABELS.get(key, key)}»: {message}"
            for key, message in self.errors.items()
        ]


@dataclass
class ImportPreview:
    kind: Kind
    rows: list[PersonRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # file-level: no header, a required column missing…
    columns: ColumnMap | None = None
    header_row_number: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and all(row.ok for row in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(len(row.errors) for row in self.rows)

    @property
    def bad_rows(self) -> list[PersonRow]:
        return [row for row in self.rows if not row.ok]

    def messages(self) -> list[str]:
        return [*self.errors, *(message for row in self.rows for message in row.messages())]


def _normalise_text(text: str) -> str:
    return " ".join(text.split())


_TEXT_FIELDS = ("position", "personnel_number", "guardian_name")
_PARSED_FIELDS = {
    "birth_date": parse_date,
    "hired_on": parse_date,
    "experience_years": parse_years,
    "org_experience_years": parse_years,
    "category": parse_category,
    "class_name": parse_class,
    "phone": parse_phones,
    "email": parse_email,
    "snils": parse_snils,
    "subjects": parse_subjects,
    "guardian_phone": parse_phones,
}
_REQUIRED = {"staff": "position", "student": "class_name"}
_EMPTY_MARKS = {"-", "—", "–", "нет данных", "н/д"}


def parse_people(rows: Sequence[Sequence[str]], kind: Kind, today: date) -> ImportPreview:
    """Validate rows from read_table(); never raises for bad data, everything lands in the preview."""
    if kind not in _REQUIRED:
        raise ValueError(f"unknown kind {kind!r}")
    preview = ImportPreview(kind=kind)
    header_index = find_header_row(rows)
    if header_index is None:
        preview.errors.append(_no_header_message(rows))
        return preview
    try:
        columns = detect_columns(rows[header_index])
    except ImportFileError as exc:
        preview.errors.append(exc.message)
        return preview
    preview.columns = columns
    preview.header_row_number = _row_number(rows, header_index)
    required = _REQUIRED[kind]
    if not columns.has(required):
        preview.errors.append(f"Нет обязательного столбца «{FIELD_LABELS[required]}».")
    check = person_form_check()
    for index in range(header_index + 1, len(rows)):
        if index == header_index + 1 and _is_column_numbering(rows[index]):
            continue
        if not any(columns.value(rows[index], name).strip() for name in columns.columns):
            continue  # only «№ п/п» or notes filled: a pre-numbered blank line of a template
        preview.rows.append(parse_row(rows[index], _row_number(rows, index), columns, kind, today, check))
    if not preview.rows:
        preview.errors.append("Под строкой заголовков нет ни одной строки с данными.")
    mark_duplicates(preview.rows)
    return preview


def _row_number(rows: Sequence[Sequence[str]], index: int) -> int:
    return getattr(rows[index], "number", index + 1)


def _no_header_message(rows: Sequence[Sequence[str]]) -> str:
    first = [text for text in rows[0] if text] if rows else []
    return (
        f"Не найдена строка заголовков в первых {HEADER_SCAN_ROWS} строках: ожидаются столбцы «ФИО» "
        "(или «Фамилия», «Имя», «Отчество»), «Дата рождения», «Должность» или «Класс» и другие. "
        f"В первой строке файла: {_quoted(first) if first else 'пусто'}."
    )


def _is_column_numbering(row: Sequence[str]) -> bool:
    """Russian forms often number the columns «1 2 3 …» under the header."""
    cells = [text for text in row if text]
    return len(cells) >= 2 and cells == [str(n) for n in range(1, len(cells) + 1)]


def parse_row(
    cells: Sequence[str], row_number: int, columns: ColumnMap, kind: Kind, today: date, check: FieldCheck | None = None
) -> PersonRow:
    person = PersonRow(row_number=row_number)
    person.raw = {name: columns.value(cells, name) for name in columns.columns}
    _parse_names(person, columns)
    for name in _TEXT_FIELDS:
        setattr(person, name, _normalise_text(person.raw.get(name, "")))
    for name, parser in _PARSED_FIELDS.items():
        text = person.raw.get(name, "").strip()
        if not text or text.lower() in _EMPTY_MARKS:
            continue
        try:
            setattr(person, name, parser(text))
        except FieldError as exc:
            person.errors[name] = str(exc)
    _check_row(person, kind, today, columns)
    _check_as_the_form_does(person, columns, check or person_form_check())
    return person


# What an import writes to a person, by the PersonForm field that edits it.
_FORM_FIELDS = (
    "last_name",
    "first_name",
    "middle_name",
    "position",
    "subjects",
    "class_name",
    "email",
    "phone",
    "snils",
    "personnel_number",
)


def person_form_check() -> FieldCheck:
    from nastavnik.participants.forms import PersonForm

    return FieldCheck(PersonForm)


def _check_as_the_form_does(person: PersonRow, columns: ColumnMap, check: FieldCheck) -> None:
    """The participant form's limits and validators on what would be saved (a 32 767-character surname
    once went in through an import); the message goes to the column it came from."""
    values = {}
    for name in _FORM_FIELDS:
        value = getattr(person, name)
        value = ", ".join(value) if isinstance(value, tuple) else value
        if value and _source(name, columns) not in person.errors:
            values[name] = value
    for name, message in check.errors(values).items():
        message = message[:1].lower() + message[1:].rstrip(".")
        source = _source(name, columns)
        if source != name:  # a name part cut from the «ФИО» column: say which part
            message = f"{FIELD_LABELS[name].lower()} — {message}"
        person.errors.setdefault(source, message)


def _source(name: str, columns: ColumnMap) -> str:
    """The column a value was read from: name parts come from «ФИО» unless split into columns."""
    if name in ("last_name", "first_name", "middle_name") and not columns.split_names:
        return "full_name"
    return name


def _parse_names(person: PersonRow, columns: ColumnMap) -> None:
    if columns.split_names:
        for name in ("last_name", "first_name", "middle_name"):
            text = person.raw.get(name, "")
            try:
                _check_name_text(text)
            except FieldError as exc:
                person.errors[name] = str(exc)
                continue
            setattr(person, name, " ".join(_name_words(text)))
        return
    text = person.raw.get("full_name", "")
    if not text.strip():
        return
    try:
        person.last_name, person.first_name, person.middle_name = split_full_name(text)
    except FieldError as exc:
        person.errors["full_name"] = str(exc)


def _check_row(person: PersonRow, kind: Kind, today: date, columns: ColumnMap) -> None:
    name_fields = ("last_name", "first_name") if columns.split_names else ("full_name",)
    for name in name_fields:
        if not person.raw.get(name, "").strip():
            person.errors.setdefault(name, "не заполнено")
    required = _REQUIRED[kind]
    if columns.has(required) and not getattr(person, required) and required not in person.errors:
        person.errors[required] = "не заполнено"
    if person.birth_date and "birth_date" not in person.errors:
        try:
            check_birth_date(person.birth_date, kind, today)
        except FieldError as exc:
            person.errors["birth_date"] = str(exc)
    if person.hired_on and person.birth_date and person.hired_on <= person.birth_date:
        person.errors.setdefault("hired_on", "дата приёма раньше даты рождения")


def mark_duplicates(rows: Sequence[PersonRow]) -> None:
    """Flag a repeated person (same ФИО and birth date) or a repeated табельный номер on the later row."""
    seen_people: dict[tuple[str, date | None], int] = {}
    seen_numbers: dict[str, int] = {}
    for person in rows:
        if not person.last_name or not person.first_name:
            continue
        key = (_name_key(person), person.birth_date)
        if key in seen_people:
            name_field = (
                "last_name" if "last_name" in person.raw and "first_name" in person.raw else "full_name"
            )
            person.errors.setdefault(name_field, f"строка дублирует строку {seen_people[key]}")
            continue
        seen_people[key] = person.row_number
        number = person.personnel_number
        if number and number in seen_numbers:
            person.errors.setdefault(
                "personnel_number", f"табельный номер «{number}» уже указан в строке {seen_numbers[number]}"
            )
        elif number:
            seen_numbers[number] = person.row_number


def _name_key(person: PersonRow) -> str:
    return " ".join(person.full_name.lower().replace("ё", "е").split())


def natural_key(row: PersonRow) -> tuple[str, ...]:
    """The identity used to match a re-imported row with a person already in the bank.

    ("tab", табельный номер) when the file has one — it survives a marriage or a typo fix in the name;
    otherwise ("fio", lower-case ФИО with ё→е and single spaces, birth date as ISO or "").
    Both halves are normalised the way parse_people normalises them, so two reads of the same file
    give equal keys and re-importing it updates people instead of adding them twice. The web layer
    should store the табельный номер, and fall back to the ФИО key for people imported without one.
    """
    if row.personnel_number:
        return ("tab", row.personnel_number)
    return ("fio", _name_key(row), row.birth_date.isoformat() if row.birth_date else "")
