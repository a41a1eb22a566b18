from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from nastavnik.periods import AcademicYear
from nastavnik.roadmaps.models import LEVELS, STORED_STATUSES
from nastavnik.roadmaps.services import MAX_YEARS
from nastavnik.timeutil import today
from nastavnik.web.fields import RuDateField, TrimmedStringField, TrimmedTextAreaField, VersionField
from nastavnik.web.forms import Form

# The rows of an uploaded table travel between the import steps in a hidden field: this bounds it.
MAX_ROWS_JSON = 1_000_000


def year_choices() -> list[tuple[int, str]]:
    current = AcademicYear.of(today()).start_year
    return [(year, AcademicYear(year).label) for year in range(current - 3, current + 3)]


class _PlanFields:
    org_id = SelectField("Организация", coerce=int, validators=[DataRequired("Выберите организацию.")])
    academic_year = SelectField("Учебный год (первый)", coerce=int)
    year_count = IntegerField(
        "Сколько учебных лет",
        default=1,
        validators=[NumberRange(1, MAX_YEARS, f"От 1 до {MAX_YEARS} учебных лет.")],
    )


class AdoptForm(_PlanFields, Form):
    template = SelectField("Шаблон", validators=[DataRequired("Выберите шаблон.")])
    shift_dates = BooleanField("Перенести даты шаблона на выбранный учебный год", default=True)
    title = TrimmedStringField("Название (если нужно другое)", validators=[Length(max=1000)])
    again = BooleanField("Да, принять этот шаблон ещё раз для этой организации и учебного года")


class StatusForm(Form):
    status = SelectField("Статус", choices=list(STORED_STATUSES.items()))
    done_on = RuDateField("Дата выполнения", validators=[Optional()])
    version = VersionField()

    class Meta:
        csrf = False  # checked by the app-wide CSRFProtect (the row form carries the token)


class EvidenceForm(Form):
    file = FileField("Файл (PDF, DOCX, XLSX, JPG, PNG; до 5 МБ)")
    link_url = TrimmedStringField("или ссылка", validators=[Length(max=1000)])
    title = TrimmedStringField("Описание", validators=[Length(max=300)])

    class Meta:
        csrf = False


class ImportUploadForm(Form):
    file = FileField("Файл Word (.docx) или Excel (.xlsx)")
    text = TextAreaField("или вставьте таблицу из Word или Excel", validators=[Length(max=500_000)])


class ItemEditForm(Form):
    """Что написано в документе: исправляется здесь, смысл (даты, роль, отметки) пересчитывается."""

    number = TrimmedStringField("№ п/п", validators=[Length(max=50)])
    name = TrimmedTextAreaField(
        "Наименование мероприятия",
        validators=[DataRequired("Укажите наименование мероприятия."), Length(max=5000)],
        render_kw={"rows": 3},
    )
    content = TrimmedTextAreaField(
        "Содержание деятельности", validators=[Length(max=10000)], render_kw={"rows": 3}
    )
    deadline_text = TrimmedStringField(
        "Срок реализации (как в документе)",
        validators=[Length(max=1000)],
    )
    responsible_text = TrimmedTextAreaField(
        "Ответственный исполнитель", validators=[Length(max=2000)], render_kw={"rows": 2}
    )
    responsible_person_id = SelectField("Ответственный сотрудник", coerce=int, default=0)
    result_text = TrimmedTextAreaField(
        "Результат, вид документа", validators=[Length(max=5000)], render_kw={"rows": 2}
    )
    version = VersionField()

    class Meta:
        csrf = False  # checked by the app-wide CSRFProtect (the form carries the token)


class ImportMapForm(_PlanFields, Form):
    rows_json = HiddenField(validators=[Length(max=MAX_ROWS_JSON, message="Таблица слишком большая.")])
    header_row = IntegerField("Строка заголовка", default=-1)
    title = TrimmedStringField(
        "Название дорожной карты", validators=[DataRequired("Укажите название."), Length(max=1000)]
    )
    level = SelectField("Уровень", choices=list(LEVELS.items()))
    shift_dates = BooleanField("Перенести даты документа на выбранный учебный год", default=False)


class HeaderForm(Form):
    """Шапка дорожной карты и текстовые блоки над таблицей."""

    title = TrimmedTextAreaField(
        "Название", validators=[DataRequired("Укажите название."), Length(max=1000)], render_kw={"rows": 2}
    )
    period_text = TrimmedStringField("Период по документу", validators=[Length(max=200)])
    approval_text = TrimmedTextAreaField(
        "Утверждение (приказ, протокол)", validators=[Length(max=2000)], render_kw={"rows": 2}
    )
    provisions = TrimmedTextAreaField(
        "Основные положения", validators=[Length(max=20000)], render_kw={"rows": 4}
    )
    goal = TrimmedTextAreaField("Цель", validators=[Length(max=10000)], render_kw={"rows": 3})
    tasks = TrimmedTextAreaField("Задачи", validators=[Length(max=10000)], render_kw={"rows": 3})
    expected_results = TrimmedTextAreaField(
        "Ожидаемые результаты", validators=[Length(max=10000)], render_kw={"rows": 3}
    )
    forms_text = TrimmedTextAreaField(
        "Формы наставничества", validators=[Length(max=10000)], render_kw={"rows": 3}
    )
    version = HiddenField()


class SectionForm(Form):
    """Раздел (этап): номер, название, задача этапа."""

    number = TrimmedStringField("Номер раздела", validators=[Length(max=50)])
    title = TrimmedTextAreaField(
        "Название раздела",
        validators=[DataRequired("Укажите название раздела."), Length(max=5000)],
        render_kw={"rows": 2},
    )
    task = TrimmedTextAreaField("Задача этапа", validators=[Length(max=5000)], render_kw={"rows": 2})
    version = HiddenField()


class SplitForm(Form):
    parts = TextAreaField(
        "Части: каждая станет отдельным мероприятием",
        validators=[DataRequired("Впишите части текста."), Length(max=20000)],
        render_kw={"rows": 12},
    )
    version = HiddenField()


class LinkForm(Form):
    """Связь мероприятия с функцией приложения: сначала правило, затем запись (если их несколько)."""

    rule = SelectField("Функция приложения", validators=[DataRequired("Выберите функцию приложения.")])
    record = SelectField("Запись", choices=[], validate_choice=False, validators=[Optional()])
