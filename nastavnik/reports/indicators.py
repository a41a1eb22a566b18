"""The Р-145 indicators shipped as editable data (their wording and targets are recalled, not verified).

They are written into the ``indicator`` table the first time reports are used; from then on an
administrator or the municipal coordinator edits them in the app. Counters not installed show
«нет данных: счётчик не установлен (плагин …)» — the satisfaction counters come with monitoring,
the partner counters with partners.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from nastavnik.extensions import db
from nastavnik.reports.models import Indicator, IndicatorTarget

CHECK = (
    "Формулировка и целевое значение приведены по памяти (распоряжение Минпросвещения России от 25.12.2019 "
    "№ Р-145): сверить с актуальной редакцией региона."
)
N_YEAR = "числитель — за учебный год (пары, действовавшие в отчётном периоде)"
D_SEPT = "знаменатель — по состоянию на 20 сентября (как в форме ОО-1)"
SCHOOL = "Куратор внедрения целевой модели наставничества в ОО"
METHOD = "Автоматический расчёт по данным ИС «Наставничество»; знаменатель можно заменить данными ОО-1 с указанием источника"

DEFAULTS = [
    dict(code="R145_1", name="Доля обучающихся в возрасте от 10 до 18 лет, вовлечённых в различные формы "
         "наставничества и сопровождения (в роли наставляемого)", unit="%",
         definition="Показатель 1 = m / N × 100 %, где m — количество обучающихся 10–18 лет в роли наставляемого, "
         "N — общее количество обучающихся 10–18 лет.",
         time_characteristic=f"{N_YEAR}; {D_SEPT}", formula="share", numerator="mentees_10_18",
         denominator="pupils_10_18", targets={2024: 70.0}),
    dict(code="R145_2", name="Доля обучающихся в возрасте от 15 до 18 лет, вовлечённых в различные формы "
         "наставничества в роли наставника", unit="%",
         definition="Показатель 2 = m / N × 100 %, где m — количество обучающихся 15–18 лет в роли наставника, "
         "N — общее количество обучающихся 15–18 лет.",
         time_characteristic=f"{N_YEAR}; {D_SEPT}", formula="share", numerator="mentors_15_18",
         denominator="pupils_15_18", targets={2024: 10.0}),
    dict(code="R145_3", name="Доля учителей — молодых специалистов (педагогический стаж до 3 лет), вошедших в "
         "программы наставничества в роли наставляемого", unit="%",
         definition="Показатель 3 = m / N × 100 %, где m — количество молодых специалистов в роли наставляемого, "
         "N — общее количество молодых специалистов.",
         time_characteristic=f"{N_YEAR}; знаменатель — на дату отчёта", formula="share",
         numerator="young_specialists_mentees", denominator="young_specialists", targets={2024: 70.0}),
    dict(code="R145_4", name="Доля обучающихся профессиональных образовательных организаций в возрасте от 15 до "
         "19 лет, вовлечённых в программы наставничества в роли наставляемого", unit="%",
         definition="Показатель 4 = m / N × 100 %, где m — обучающиеся СПО 15–19 лет в роли наставляемого, "
         "N — общее количество обучающихся СПО 15–19 лет.",
         time_characteristic=f"{N_YEAR}; {D_SEPT}", formula="share", numerator="spo_mentees_15_19",
         denominator="spo_students_15_19", targets={}),
    dict(code="R145_5", name="Доля предприятий (организаций), предоставивших наставников для реализации "
         "программ наставничества", unit="%",
         definition="Показатель 5 = m / N × 100 %, где m — организации-партнёры, предоставившие хотя бы одного "
         "наставника, N — общее количество организаций-партнёров.",
         time_characteristic="за учебный год", formula="share", numerator="partners_with_mentors",
         denominator="partners_total", provider="партнёры (nastavnik.partners)", targets={2024: 10.0}),
    dict(code="R145_6", name="Уровень удовлетворённости наставляемых участием в программах наставничества", unit="%",
         definition="Показатель 6 = m / N × 100 %, где m — наставляемые, удовлетворённые участием (по правилу "
         "мониторинга), N — наставляемые, ответившие на анкету удовлетворённости.",
         time_characteristic="за учебный год, по итогам анкетирования", formula="share",
         numerator="satisfied_mentees", denominator="surveyed_mentees", provider="мониторинг (nastavnik.monitoring)",
         targets={2024: 85.0}),
    dict(code="R145_7", name="Уровень удовлетворённости наставников участием в программах наставничества", unit="%",
         definition="Показатель 7 = m / N × 100 %, где m — наставники, удовлетворённые участием, N — наставники, "
         "ответившие на анкету удовлетворённости.",
         time_characteristic="за учебный год, по итогам анкетирования", formula="share",
         numerator="satisfied_mentors", denominator="surveyed_mentors", provider="мониторинг (nastavnik.monitoring)",
         targets={2024: 85.0}),
    dict(code="PAIRS", name="Количество наставнических пар и групп, действовавших в учебном году", unit="ед.",
         definition="Сумма: пары и группы, закреплённые приказом и действовавшие хотя бы один день периода.",
         time_characteristic="за учебный год", formula="sum", numerator="pairs_live", targets={}),
    dict(code="PARTICIPANTS", name="Количество участников программ наставничества (наставники и наставляемые)",
         unit="чел.", definition="Сумма наставников и наставляемых пар, действовавших в периоде (человек, "
         "состоящий в обеих ролях, учитывается в каждой).",
         time_characteristic="за учебный год", formula="sum", numerator="mentors_total + mentees_total", targets={}),
    dict(code="INFO", name="Количество публикаций о реализации программ наставничества на сайте ОО и в "
         "социальных сетях", unit="ед.",
         definition="Вводится образовательной организацией вручную с указанием источника (адрес раздела сайта).",
         time_characteristic="за учебный год", formula="manual", min_value=0, max_value=1000,
         collection_method="Ввод ОО вручную", targets={}),
]


def ensure_indicators() -> None:
    """Write the shipped indicators the first time (never again: from then on they are the region's data)."""
    if db.session.scalar(select(Indicator.id).limit(1)) is not None:
        return
    for position, values in enumerate(DEFAULTS, start=1):
        values = dict(values)
        targets = values.pop("targets")
        values.setdefault("collection_method", METHOD)
        values.setdefault("responsible", SCHOOL)
        values.setdefault("source_note", CHECK)
        indicator = Indicator(position=position, **values)
        indicator.targets = [IndicatorTarget(academic_year=y, value=v) for y, v in targets.items()]
        db.session.add(indicator)
    db.session.commit()


def active_indicators() -> list[Indicator]:
    """The indicators in use, in order; the shipped ones are written first if there are none at all (only
    checked when none is in use: the roll-up page runs this on every request)."""

    def load():
        return list(db.session.scalars(  # every page shows each indicator's target: joined, one statement
            select(Indicator).where(~Indicator.archived).order_by(Indicator.position, Indicator.id)
            .options(joinedload(Indicator.targets))
        ).unique())

    found = load()
    if found:
        return found
    ensure_indicators()
    return load()
