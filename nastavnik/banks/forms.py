from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from nastavnik.banks.matching_service import MODES
from nastavnik.banks.models import MENTEE_STATUSES, MENTOR_ORIGINS, MENTOR_STATUSES
from nastavnik.web.fields import CheckboxesField, RuDecimalField, TrimmedStringField, VersionField
from nastavnik.web.forms import Form


class AddMenteeForm(Form):
    person_id = SelectField("Участник", coerce=int, validators=[DataRequired("Выберите участника.")])
    kind_code = SelectField(
        "Форма наставничества", validators=[DataRequired("Выберите форму наставничества.")]
    )
    academic_year = SelectField("Учебный год", coerce=int)


class AddMentorForm(Form):
    person_id = SelectField("Участник", coerce=int, validators=[DataRequired("Выберите участника.")])


class TagsMixin:
    tag_ids = CheckboxesField("Из словаря", coerce=int)
    new_tags = TextAreaField("Новые элементы словаря (через запятую)", validators=[Length(max=1000)])


class MenteeProfileForm(TagsMixin, Form):
    category = SelectField("Категория наставляемого", validate_choice=False)
    request_text = TextAreaField("Запрос своими словами", validators=[Length(max=4000)])
    status = SelectField("Статус", choices=list(MENTEE_STATUSES.items()))
    version = VersionField()


class MentorProfileForm(TagsMixin, Form):
    origin = SelectField("Кто наставник", choices=list(MENTOR_ORIGINS.items()))
    kind_codes = CheckboxesField("Формы наставничества")
    variation_codes = CheckboxesField("Вариации (ролевые модели), которые наставник предлагает")
    capacity = IntegerField(
        "Сколько наставляемых может вести",
        validators=[
            DataRequired("Укажите число от 1 до 10."),
            NumberRange(1, 10, "Укажите число от 1 до 10."),
        ],
    )
    preferred_age_min = IntegerField(
        "Желаемый возраст наставляемых: от", validators=[Optional(), NumberRange(5, 90)]
    )
    preferred_age_max = IntegerField("до", validators=[Optional(), NumberRange(5, 90)])
    time_place = TextAreaField("Время/ресурс и место встреч", validators=[Length(max=2000)])
    achievements = TextAreaField("Важные для программы достижения", validators=[Length(max=4000)])
    interests = TextAreaField("Интересы", validators=[Length(max=2000)])
    training = TextAreaField("Обучение, сертификаты", validators=[Length(max=2000)])
    case_url = TrimmedStringField("Ссылка на кейс/отзыв", validators=[Length(max=500)])
    status = SelectField("Статус", choices=list(MENTOR_STATUSES.items()))
    version = VersionField()

    def validate_variation_codes(self, field):
        from nastavnik.banks.services import variation_kinds
        from nastavnik.plugins.manager import registry

        kinds, chosen = variation_kinds(), set(self.kind_codes.data or [])
        for code in field.data or []:
            if kinds.get(code) not in chosen:
                kind_title = registry().kind(kinds.get(code, "")).title
                raise ValidationError(
                    f"Вариация «{dict(field.choices)[code]}» относится к форме «{kind_title}», которую "
                    "наставник не предлагает: отметьте эту форму или снимите вариацию."
                )

    def validate_preferred_age_max(self, field):
        low = self.preferred_age_min.data
        if (low is None) != (field.data is None):
            raise ValidationError("Укажите обе границы возраста или ни одной.")
        if low is not None and field.data < low:
            raise ValidationError("Верхняя граница возраста меньше нижней.")


class TagForm(Form):
    title = TrimmedStringField(
        "Запрос / компетенция", validators=[DataRequired("Введите название."), Length(max=200)]
    )
    group = TrimmedStringField("Раздел", validators=[Length(max=100)])


class QuestionnaireForm(TagsMixin, Form):
    kind_codes = CheckboxesField(
        "В каких формах готовы быть наставником",
        validators=[DataRequired("Отметьте хотя бы одну форму наставничества.")],
    )
    capacity = IntegerField(
        "Скольких наставляемых готовы вести",
        default=1,
        validators=[DataRequired("Укажите число от 1 до 5."), NumberRange(1, 5, "Укажите число от 1 до 5.")],
    )
    achievements = TextAreaField("Ваши достижения, важные для наставничества", validators=[Length(max=4000)])
    interests = TextAreaField("Интересы", validators=[Length(max=2000)])
    time_place = TextAreaField("Когда и где удобно встречаться", validators=[Length(max=2000)])
    training = TextAreaField("Обучение по наставничеству, сертификаты", validators=[Length(max=2000)])


class DecisionForm(Form):
    note = TextAreaField("Комментарий", validators=[Length(max=2000)])


class ImportForm(Form):
    file = FileField("Файл (.xlsx или .csv)")
    kind = SelectField(
        "Что загружаем", choices=[("staff", "кадровый список (педагоги)"), ("student", "список обучающихся")]
    )
    org_id = SelectField("Организация", coerce=int)


class SettingsForm(Form):
    must_share_subject = BooleanField("Обязателен общий предмет")
    min_experience_gap = RuDecimalField(
        "Желательная разница в стаже, лет",
        validators=[DataRequired("Укажите число лет."), NumberRange(0, 40, "От 0 до 40 лет.")],
    )
    min_score = RuDecimalField(
        "Порог: ниже этого балла пару не предлагать",
        validators=[Optional(), NumberRange(0, 100, "Балл — от 0 до 100.")],
    )
    mode = SelectField("Цель подбора", choices=list(MODES.items()))
    version = VersionField()


class ExclusionForm(Form):
    mentee_person_id = SelectField("Наставляемый", coerce=int)
    mentor_person_id = SelectField("Наставник", coerce=int)
    reason = TrimmedStringField("Причина", validators=[Length(max=500)])
